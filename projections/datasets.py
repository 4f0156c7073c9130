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
from projections.queries import AsOf, TimelineFilter
from projections.rebuild import collector_paused

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
    """`published_at` is RFC 3339 with an offset or a date; nothing is stored unless all of it is.

    The cycle collector is paused meanwhile, as for a rebuild: a snapshot keeps a few objects alive per
    row until it ends, and tracing them all, again and again, took half a second snapshot's time."""
    with collector_paused():
        store = timeline.store
        published_at = datasets.snapshot_time(published_at)
        rows = datasets.read_rows(lines, format, dataset, published_at)
        with store.read() as tx:
            if index.applied_position(tx) != store.head(tx)[0]:
                raise Unavailable("the index is being rebuilt; take the snapshot again when it is done")
            # rows whose events lost the dataset's tag (say, corrected away) are still theirs
            current = _views_of(tx, [row.event_id for row in rows])
            if complete:
                current.update(_tagged_views(tx, dataset, current.keys()))
        plan = datasets.plan(dataset, rows, current, complete, published_at)
        recorded_at = clock.now_micros()
        if plan.ops:
            try:
                receipts = timeline.execute(plan.ops, recorded_by, batch=True)
            except DomainError as error:
                raise _on_lines(error, plan.lines) from None
            recorded_at = clock.parse_instant(receipts[-1].recorded_at, "recorded_at")
            with store.write() as tx:  # a snapshot is a bulk write: the next one reads its rows by event
                index.refresh_statistics(tx)
        return SnapshotAnswer(dataset=dataset, **msgspec.structs.asdict(plan.counts),
                              as_of=AsOf(plan.known_at, clock.format_instant(recorded_at)))


_CURRENT = f"s.recorded_to = {clock.FOREVER} AND s.known_to = {clock.FOREVER}"  # literals: see index.apply


def _views_of(tx: Tx, event_ids: list[str], where: TimelineFilter | None = None) -> dict[str, EventView]:
    """The latest view of each of these events that the log holds (and that meets `where`)."""
    meets, params = selection.clauses(where, tx.dialect.name) if where else ([], [])
    found = {}
    for start in range(0, len(event_ids), CHUNK):
        chunk = event_ids[start:start + CHUNK]
        for row in tx.rows(f"SELECT v.view FROM {selection.ROW} {selection.VIEW} "
                           f"WHERE s.event_id IN ({', '.join('?' * len(chunk))}) "
                           f"AND {' AND '.join([_CURRENT, *meets])}", [*chunk, *params]):
            view = _views.decode(bytes(row["view"]))
            found[view.id] = view
    return found


def _tagged_views(tx: Tx, dataset: str, known: Iterable[str]) -> dict[str, EventView]:
    """The latest view of every other event tagged with the dataset (a complete snapshot's candidates
    for retraction). The tag's facet rows name every event that ever had it, and nearly all of them
    are in the snapshot: only the rest are read, and tested by the timeline's own tag filter."""
    where = TimelineFilter(tag=datasets.dataset_tag(dataset), include_retracted=True)
    ever = tx.rows("SELECT DISTINCT event_id FROM {s}event_facets WHERE facet = ?", selection.facets_of(where))
    return _views_of(tx, sorted({str(row["event_id"]) for row in ever}.difference(known)), where)


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
