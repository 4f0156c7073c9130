"""Taking a dataset snapshot (SPEC §10): read the log's latest view of the dataset's events from
the index, diff the snapshot against it (domain.datasets), and append the result as one atomic
batch through the application, so every rule of a write applies to it.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from adapters.store import Tx
from domain import clock, datasets
from domain.application import Timeline
from domain.errors import DomainError, InvalidInput, Unavailable
from domain.view import EventView
from projections import index, selection
from projections.queries import AsOf, PointInTime, Reader, TimelineFilter

CHUNK = 500
_views = msgspec.json.Decoder(EventView)


class SnapshotAnswer(msgspec.Struct, kw_only=True):
    dataset: str
    reported: int
    corrected: int
    retracted: int
    reinstated: int
    unchanged: int
    as_of: AsOf

    @property
    def stored(self) -> bool:
        return bool(self.reported or self.corrected or self.retracted or self.reinstated)


def take_snapshot(timeline: Timeline, dataset: str, format: str, lines: Iterable[str], *,
                  published_at: str | None, complete: bool, recorded_by: str) -> SnapshotAnswer:
    """`published_at` is RFC 3339 with an offset or a date; nothing is stored unless all of it is."""
    store = timeline.store
    published_at = datasets.snapshot_time(published_at)
    rows = datasets.read_rows(lines, format, dataset, published_at)
    with store.read() as tx:
        if index.applied_position(tx) != store.head(tx)[0]:
            raise Unavailable("the index is being rebuilt; take the snapshot again when it is done")
    current = _dataset_views(store, dataset) if complete else {}
    with store.read() as tx:  # rows whose events lost the dataset's tag (say, corrected away) are still theirs
        current.update(_views_of(tx, [row.event_id for row in rows if row.event_id not in current]))
    plan = datasets.plan(dataset, rows, current, complete, published_at)
    recorded_at = clock.now_micros()
    if plan.ops:
        try:
            receipts = timeline.execute(plan.ops, recorded_by, batch=True)
        except DomainError as error:
            raise _on_lines(error, plan.lines) from None
        recorded_at = clock.parse_instant(receipts[-1].recorded_at, "recorded_at")
    return SnapshotAnswer(dataset=dataset, **msgspec.structs.asdict(plan.counts),
                          as_of=AsOf(plan.known_at, clock.format_instant(recorded_at)))


_CURRENT = f"s.recorded_to = {clock.FOREVER} AND s.known_to = {clock.FOREVER}"  # literals: see index.apply


def _views_of(tx: Tx, event_ids: list[str]) -> dict[str, EventView]:
    """The latest view of each of these events that the log holds."""
    found = {}
    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start:start + CHUNK]
        for row in tx.rows(f"SELECT v.view FROM {selection.ROW} {selection.VIEW} "
                           f"WHERE s.event_id IN ({', '.join('?' * len(chunk))}) "
                           f"AND {_CURRENT}", chunk):
            view = _views.decode(bytes(row["view"]))
            found[view.id] = view
    return found


def _dataset_views(store, dataset: str) -> dict[str, EventView]:
    """The latest view of every event tagged with the dataset (a complete snapshot's candidates for
    retraction), through the tag's own index rows."""
    where = TimelineFilter(tag=datasets.dataset_tag(dataset), include_retracted=True)
    now = clock.now_micros()  # every entry is known by the time it was recorded, so by now
    latest = PointInTime(now, now)
    found = {}
    for items in Reader(store).pages(where, latest, 1000):
        for item in items:
            view = _views.decode(item)
            found[view.id] = view
    return found


def _on_lines(error: DomainError, lines: list[int]) -> DomainError:
    """A refused batch entry `entries[i]` named by the snapshot line it came from."""
    for item in error.errors:
        head, _, rest = item["field"].partition("].")
        if head.startswith("entries[") and head[8:].isdigit() and lines[int(head[8:])]:
            line = f"line[{lines[int(head[8:])]}]."
            rest = rest.removeprefix("body.")
            item["detail"] = item["detail"].replace(item["field"], line + rest)
            item["field"] = line + rest
    if error.errors:
        error.detail = error.errors[0]["detail"]
    if isinstance(error, InvalidInput):
        return InvalidInput(error.detail, errors=error.errors)
    return error
