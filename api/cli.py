"""The `ceasefire` command: serve, load, export, import, verify, replay, rebuild."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api.settings import Settings

err = Console(stderr=True)


@contextmanager
def bar(description: str, total: int | None):
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=False) as progress:
        task = progress.add_task(description, total=total)
        yield lambda done, whole=None: progress.update(task, completed=done, total=whole or total)


@contextmanager
def counter(description: str, total: int):
    with bar(description, total) as update:
        state = {"done": 0}

        def advance(step: int = 1) -> None:
            state["done"] += step
            if state["done"] % 1000 == 0 or state["done"] == total:
                update(state["done"])

        yield advance
        update(state["done"])


def open_store():
    from api.app import open_store as opened

    return opened(Settings.from_env())


@click.group(help="Ceasefire Timeline: what was known, and when.")
def main() -> None:
    pass


@main.command(help="Run the HTTP API.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info")


@main.command(help="Load write requests: the fixtures/ directory or a JSON Lines file of batch entries.")
@click.argument("source", type=click.Path(exists=True, path_type=Path), required=False)
def load(source: Path | None) -> None:
    from api.loading import load as load_requests
    from api.loading import request_lines
    from domain.application import Timeline
    from domain.errors import DomainError

    source = source or Settings().fixtures_dir
    store = open_store()
    try:
        with bar(f"loading {source}", len(request_lines(source))) as update:
            written = load_requests(Timeline(store), source, update)
    except DomainError as error:
        err.print(f"[red]refused:[/red] {error.detail}")
        sys.exit(1)
    finally:
        store.close()
    err.print(f"{written} entries written")


@main.command(help="Write the log as JSON Lines (stdout by default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
def export(output: Path | None) -> None:
    from projections.transfer import export as export_log

    store = open_store()
    out = output.open("wb") if output else sys.stdout.buffer
    try:
        with counter("exporting", store.size()) as advance:
            count = export_log(store, out, advance)
    finally:
        if output:
            out.close()
        store.close()
    err.print(f"{count} entries exported")


@main.command(name="import", help="Import an exported JSON Lines log into an empty store.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    from projections.transfer import ImportRefused, import_file

    store = open_store()
    try:
        with file.open("rb") as lines, bar("importing and indexing", None) as update:
            count = import_file(store, lines, update)
    except (ImportRefused, ValueError) as error:
        err.print(f"[red]import refused, nothing stored:[/red] {error}")
        sys.exit(1)
    finally:
        store.close()
    err.print(f"{count} entries imported")


@main.command(help="Recompute every leaf hash and check the signed roots; exit 0 only when ok.")
def verify() -> None:
    import msgspec

    from adapters.signing import load_key
    from projections.audit import Audit

    settings = Settings.from_env()
    store = open_store()
    try:
        with counter("verifying", store.size()) as advance:
            result = Audit(store, load_key(settings.signing_key, settings.data_dir)).verify(advance)
    finally:
        store.close()
    click.echo(msgspec.json.encode(result).decode())
    sys.exit(0 if result["ok"] else 1)


@main.command(help="Fold the log from scratch up to a record time and compare with the projections.")
@click.option("--recorded-at", required=False, help="RFC 3339; default now")
@click.option("--known-at", required=False, help="RFC 3339; default the record time")
def replay(recorded_at: str | None, known_at: str | None) -> None:
    import msgspec

    from adapters.signing import load_key
    from api.params import replay_point
    from projections.audit import Audit

    settings = Settings.from_env()
    at = replay_point(known_at, recorded_at)
    store = open_store()
    try:
        with counter("replaying", store.size()) as advance:
            result = Audit(store, load_key(settings.signing_key, settings.data_dir)).replay(at, advance)
    finally:
        store.close()
    click.echo(msgspec.json.encode(result).decode())
    sys.exit(0 if result["equal"] else 1)


@main.command(help="Drop and rebuild every projection from the log (resumes if interrupted).")
def rebuild() -> None:
    from projections.rebuild import rebuild as rebuild_index

    store = open_store()
    try:
        with bar("rebuilding", store.size()) as update:
            applied = rebuild_index(store, update)
    finally:
        store.close()
    err.print(f"{applied} entries applied")


if __name__ == "__main__":
    main()
