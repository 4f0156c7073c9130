"""The `ceasefire` command: serve, load, export, import, verify, replay, rebuild.

A user's mistake (bad input, a bad time, bad settings, a database that cannot
be used) is one plain line on stderr and exit 2, never a traceback: commands
raise `Refused` or a domain error and `Ceasefire.main` says it. A new command
takes `@with_store(...)` for `--database` and the checks, and gets the same.
"""

from __future__ import annotations

import functools
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from api import __version__
from api.preflight import Refused, check
from api.settings import Settings
from domain import clock
from domain.errors import DomainError

err = Console(stderr=True)
USER_MISTAKE = 2


class Ceasefire(click.Group):
    """Every error a user can cause, from click's own usage errors to a refused file, as one line."""

    def main(self, *args, **kwargs):
        try:
            code = super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.ClickException as error:
            _say(error.format_message(), error.exit_code)
        except (Refused, DomainError) as error:
            _say(str(error), USER_MISTAKE)
        except OSError as error:  # a file or directory that cannot be read or written
            _say(f"{error.strerror}: {error.filename}" if error.filename else str(error), USER_MISTAKE)
        except click.Abort:
            _say("interrupted", 130)
        sys.exit(code if isinstance(code, int) else 0)


def _say(message: str, code: int) -> None:
    click.echo(f"ceasefire: {message}", err=True)
    sys.exit(code)


def with_store(*, must_exist: bool):
    """`--database URL` (over CEASEFIRE_DATABASE_URL), and the settings checked before the command runs.
    With `must_exist`, a store that is not there is refused rather than created."""
    def decorate(command):
        @click.option("--database", metavar="URL", help="sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
                      "(default: CEASEFIRE_DATABASE_URL, else sqlite:///./ceasefire.sqlite3)")
        @functools.wraps(command)
        def run(database: str | None, **options):
            settings = Settings.from_env(**({"database_url": database} if database else {}))
            check(settings, must_exist=must_exist)
            return command(settings, **options)
        return run
    return decorate


@contextmanager
def opened(settings: Settings):
    from api.app import open_store

    store = open_store(settings)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def bar(description: str, total: int | None):
    """A progress bar on a terminal; nothing in a pipe or a log."""
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, disable=not err.is_terminal) as progress:
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


class Instant(click.ParamType):
    """An RFC 3339 time, or a bare date (00:00Z), as the API reads `known_at`."""

    name = "TIME"

    def convert(self, value, param, ctx) -> str:
        clock.parse_instant(value, param.opts[0] if param else "time")  # refused naming the option: one line
        return value


@click.group(cls=Ceasefire, help="Ceasefire Timeline: what was known, and when.")
@click.version_option(__version__, prog_name="ceasefire")
def main() -> None:
    pass


@main.command(help="Run the HTTP API.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@with_store(must_exist=False)
def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    os.environ["CEASEFIRE_DATABASE_URL"] = settings.database_url  # the app (and each worker) reads it there
    uvicorn.run("api.asgi:app", host=host, port=port, workers=workers, log_level="info")


@main.command(help="Load write requests, all or nothing: the built-in fixtures, or a JSON Lines file (or a "
                   "directory of them) of batch entries.")
@click.argument("source", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--as", "recorded_by", metavar="NAME", help="recorded_by of the entries "
              "(default: 'load'; the built-in fixtures record as 'fixtures')")
@click.option("--skip-existing", is_flag=True, help="skip the events already stored, with every line about them")
@with_store(must_exist=False)
def load(settings: Settings, source: Path | None, recorded_by: str | None, skip_existing: bool) -> None:
    from api.loading import DEFAULT_LOADER, FIXTURES_LOADER
    from api.loading import load as load_requests
    from domain.application import Timeline

    builtin = source is None or source.resolve() == settings.fixtures_dir.resolve()
    if recorded_by == FIXTURES_LOADER and not builtin:
        raise Refused(f"--as {FIXTURES_LOADER} is kept for the built-in fixtures: name who is loading this file")
    if recorded_by is not None and not recorded_by.strip():
        raise Refused("--as needs a name")
    source = source or settings.fixtures_dir
    with opened(settings) as store, bar(f"checking {source}", None) as update:
        try:
            loaded = load_requests(Timeline(store), source, recorded_by or (FIXTURES_LOADER if builtin else DEFAULT_LOADER),
                                   skip_existing=skip_existing, progress=update)
        except DomainError as error:
            raise Refused(f"{error.detail} (nothing stored)") from None
    skipped = f"; {loaded.skipped} skipped: their events were already stored" if skip_existing else ""
    err.print(f"{loaded.written} written{skipped}")


@main.command(name="import", help="Import an exported JSON Lines log into an empty store.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_store(must_exist=False)
def import_(settings: Settings, file: Path) -> None:
    from projections.transfer import ImportRefused, import_file

    with opened(settings) as store:
        try:
            with file.open("rb") as lines, bar("importing and indexing", None) as update:
                count = import_file(store, lines, update)
        except (ImportRefused, ValueError) as error:
            raise Refused(f"import refused, nothing stored: {error}") from None
    err.print(f"{count} entries imported")


@main.command(help="Recompute every leaf hash and check the signed roots; exit 0 only when ok.")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
@with_store(must_exist=True)
def verify(settings: Settings, as_json: bool) -> None:
    import msgspec

    from adapters.signing import load_key
    from projections.audit import Audit

    with opened(settings) as store:
        with counter("verifying", store.size()) as advance:
            result = Audit(store, load_key(settings.signing_key, settings.data_dir)).verify(advance)
    click.echo(msgspec.json.encode(result).decode() if as_json else verify_summary(result))
    sys.exit(0 if result["ok"] else 1)


def verify_summary(result: dict) -> str:
    if result["ok"]:
        return (f"ok: {result['entries']} entries; every leaf hash recomputed from the stored content and every "
                f"signed root reproduced\nroot: {result['root']}")
    lines = [f"FAILED: {result['entries']} entries; the log verifies only up to position "
             f"{result['first_bad_position'] - 1}"]
    if bad := result["bad_positions"]:
        listed = "the first 100" if len(bad) >= 100 else str(len(bad))
        lines.append(f"positions missing or not matching their hash ({listed}): {', '.join(map(str, bad))}")
    if failed := result["failed_roots"]:
        lines.append("signed roots no longer reproduced, by tree size: " + ", ".join(map(str, failed)))
        if not bad:
            lines.append(f"every stored hash matches its entry: entries from position {result['first_bad_position']} "
                         f"on were rewritten together with their hashes")
    return "\n".join(lines)


@main.command(help="Fold the log from scratch up to a record time and compare with the projections.")
@click.option("--recorded-at", type=Instant(), help="RFC 3339 or a date; default now")
@click.option("--known-at", type=Instant(), help="RFC 3339 or a date; default the record time")
@with_store(must_exist=True)
def replay(settings: Settings, recorded_at: str | None, known_at: str | None) -> None:
    import msgspec

    from adapters.signing import load_key
    from api.params import replay_point
    from projections.audit import Audit

    at = replay_point(known_at, recorded_at)
    with opened(settings) as store:
        with counter("replaying", store.size()) as advance:
            result = Audit(store, load_key(settings.signing_key, settings.data_dir)).replay(at, advance)
    click.echo(msgspec.json.encode(result).decode())
    sys.exit(0 if result["equal"] else 1)


@main.command(help="Drop and rebuild every projection from the log (resumes if interrupted).")
@with_store(must_exist=True)
def rebuild(settings: Settings) -> None:
    from projections.rebuild import rebuild as rebuild_index

    with opened(settings) as store:
        with bar("rebuilding", store.size()) as update:
            applied = rebuild_index(store, update)
    err.print(f"{applied} entries applied")


def _interop_commands() -> None:
    from api.cli_interop import export, import_dataset

    main.add_command(export)
    main.add_command(import_dataset)


if __name__ == "__main__":  # `python -m api.cli`: run the `api.cli` module itself, which cli_interop extends
    from api.cli import main as ceasefire

    ceasefire()
else:
    _interop_commands()
