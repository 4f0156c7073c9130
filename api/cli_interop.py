"""`ceasefire export` (the log, or the timeline in the field's formats) and `ceasefire import-dataset`.

Mistakes are raised as `Refused` (one plain line, exit 2, said by the `ceasefire` group).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli import Instant, counter, err, opened, with_store
from api.preflight import Refused
from api.settings import Settings
from domain.datasets import DEFAULT_NAMES
from domain.datasets import FORMATS as DATASET_FORMATS
from domain.errors import DomainError
from projections.exports import FORMATS as EXPORT_FORMATS

TIMELINE_OPTIONS = ("known_at", "from_", "to", "kind", "actor", "track", "place", "q", "include_retracted", "tag",
                    "ongoing")


def _problem(error: DomainError) -> str:
    """Every bad field of a refusal on one line (the first five, and how many more)."""
    details = [item["detail"] for item in error.errors[:5]] or [error.detail]
    more = f" (and {len(error.errors) - 5} more)" if len(error.errors) > 5 else ""
    return "; ".join(details) + more


@click.command(help="Write the log as JSON Lines (importable), or the timeline at (K, R) as TimelineJS, "
                    "PLOVER, ACLED or UCDP GED; stdout by default.")
@click.option("--format", "format_", type=click.Choice(["jsonl", *EXPORT_FORMATS]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--recorded-at", type=Instant(), help="record time R (RFC 3339 or a date); default now")
@click.option("--known-at", type=Instant(), help="knowledge time K; default now (interop formats)")
@click.option("--from", "from_", help="EDTF date: events meeting it or later")
@click.option("--to", help="EDTF date: events meeting it or earlier")
@click.option("--kind", help="comma-separated kinds")
@click.option("--actor", help="an actor's name")
@click.option("--track", help="a negotiation track")
@click.option("--place", help="a place's name or country code")
@click.option("--q", help="words of title and summary")
@click.option("--include-retracted", is_flag=True, default=None, help="retracted events too")
@click.option("--tag", help="a tag the event carries")
@click.option("--ongoing", help="include (default), exclude or only the events that began before --from")
@with_store(must_exist=True)
def export(settings: Settings, format_: str, output: Path | None, recorded_at: str | None, **timeline) -> None:
    from api.params import point_in_time, timeline_filter

    given = [f"--{name.rstrip('_').replace('_', '-')}" for name in TIMELINE_OPTIONS if timeline.get(name) is not None]
    if format_ == "jsonl" and given:
        raise Refused(f"{given[0]} filters the interop formats; the jsonl log takes only --recorded-at")
    try:
        at = point_in_time(timeline["known_at"], recorded_at)
        where = timeline_filter(timeline["from_"], timeline["to"], timeline["kind"], timeline["actor"],
                                timeline["track"], timeline["place"], timeline["q"],
                                "true" if timeline["include_retracted"] else None, timeline["tag"],
                                timeline["ongoing"])
    except DomainError as error:
        raise Refused(f"--{_problem(error).replace('_', '-')}") from None
    with opened(settings) as store:
        out = output.open("wb") if output else sys.stdout.buffer
        try:
            if format_ == "jsonl":
                from projections.transfer import export as export_log

                with counter("exporting", store.size()) as advance:
                    count = export_log(store, out, advance, at.recorded_at)
                err.print(f"{count} entries exported")
            else:
                from projections.exports import export as export_timeline
                from projections.queries import Reader

                for chunk in export_timeline(Reader(store), format_, where, at):
                    out.write(chunk)
        finally:
            if output:
                out.close()


@click.command(name="import-dataset", help="Take a dataset snapshot (ACLED or UCDP GED CSV) as one atomic batch: "
                                            "new rows reported, changed rows corrected, the same rows left be.")
@click.option("--format", "format_", type=click.Choice(DATASET_FORMATS), required=True)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", help="the dataset's name (default acled or ucdp-ged)")
@click.option("--published-at", type=Instant(), help="the snapshot's date (RFC 3339 or a date); required for ged-csv")
@click.option("--complete", is_flag=True, help="the snapshot holds the whole dataset for its countries and dates: "
                                               "retract earlier rows it lacks")
@click.option("--as", "recorded_by", default="import-dataset", show_default=True, help="recorded_by of the entries")
@with_store(must_exist=False)
def import_dataset(settings: Settings, format_: str, file: Path, dataset: str | None, published_at: str | None,
                   complete: bool, recorded_by: str) -> None:
    import msgspec

    from api.controllers.interop import DATASET_NAME
    from domain.application import Timeline
    from projections.datasets import take_snapshot

    dataset = dataset or DEFAULT_NAMES[format_]
    if not DATASET_NAME.fullmatch(dataset):
        raise Refused(f"--dataset {dataset!r}: use 1-92 letters, digits, '.', '_' or '-'")
    with opened(settings) as store:
        try:
            with file.open(encoding="utf-8-sig", newline="") as lines:
                answer = take_snapshot(Timeline(store), dataset, format_, lines, published_at=published_at,
                                       complete=complete, recorded_by=recorded_by)
        except UnicodeDecodeError as error:
            raise Refused(f"{file} is not UTF-8 ({error.reason} at byte {error.start}); nothing was stored") from None
        except DomainError as error:
            raise Refused(f"{file}: {_problem(error)}".replace("published_at:", "--published-at:")) from None
    click.echo(msgspec.json.encode(answer).decode())
