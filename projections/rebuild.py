"""Rebuild the index from the log: empty it, then build each event's rows from its whole stream.

An event's rows are those its appends would have made, one after another
(`index.rows_of_stream`, the same `advance` the appends use), so the rebuilt
index equals, row for row, the one written inline; but each stream is read
once and each row written once. Events are taken in chunks by the position of
their report, up to the log's head when the rebuild began, and each chunk is
committed with its progress, so an interrupted rebuild resumes where it
stopped; entries appended meanwhile are applied at the end, under the append
lock, before inline indexing takes over again.
"""

from __future__ import annotations

import gc
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from adapters.codec import decode
from adapters.store import Store, Tx
from domain.view import Logged
from projections import dialects, index, tree_nodes

CHUNK = 5000  # positions of reports per transaction
IN_PROGRESS, UNTIL = "rebuild", "rebuild_until"

# An event's entries all follow its report, so none lies at or before the chunk's start: saying so
# bounds PostgreSQL's scan of the ledger, which it reads by position when it hash-joins the chunk's events.
STREAMS_SQL = """
SELECT l.event_id, l.position, l.version, l.known_at, l.recorded_at, s.state FROM {s}ledger l
JOIN {s}stored_events s ON s.originator_id = {ledger_uuid} AND s.originator_version = l.version
WHERE l.event_id IN (SELECT event_id FROM {s}ledger WHERE version = 1 AND position > ? AND position <= ?)
AND l.position > ? AND l.position <= ? ORDER BY l.position"""


def rebuild(store: Store, progress: Callable[[int, int], None] | None = None, fresh: bool = True) -> int:
    """Returns the number of entries applied; `progress(done, total)` after each chunk."""
    with store.write() as tx, dialects.for_dialect(tx.dialect.name).discarding(tx):
        if tx.dialect.name == "postgresql":  # unanalysed (no autovacuum), the stream query scans the ledger
            tx.run("ANALYZE {s}ledger")
        resuming = _position(tx, IN_PROGRESS) is not None
        if fresh or resuming:  # made again once the rows are in (opening the store made them on a resumed one's)
            index.drop_lookup_indexes(tx)
        if fresh and not resuming:
            index.clear(tx)
            tree_nodes.clear(tx)  # refilled from the ledger when next a root or proof is asked for
            index.set_applied_position(tx, 0)
            _set_position(tx, IN_PROGRESS, 0)
            _set_position(tx, UNTIL, store.head(tx)[0])
    with store.read() as tx:
        done, until = _position(tx, IN_PROGRESS) or 0, _position(tx, UNTIL) or 0
    applied = 0
    with collector_paused():
        while done < until:
            with store.write() as tx:
                applied += _apply_range(store, tx, done, min(done + CHUNK, until))
                done = min(done + CHUNK, until)
                _set_position(tx, IN_PROGRESS, done)
            gc.collect(0)  # what the chunk left in a cycle, if anything: all it made is still in the youngest
            if progress:
                progress(done, until)
    with store.write() as tx:  # the last stretch under the append lock: nothing slips between
        index.create_lookup_indexes(tx)
        total = store.head(tx)[0]
        appended_meanwhile = tx.rows("SELECT position, event_id FROM {s}ledger WHERE position > ? ORDER BY position",
                                     (until,))
        index.apply(store, tx, [(str(row["event_id"]), row["position"]) for row in appended_meanwhile])
        index.set_applied_position(tx, total)
        applied += len(appended_meanwhile)
        tx.run("DELETE FROM {s}projection_position WHERE name IN (?, ?)", (IN_PROGRESS, UNTIL))
        index.refresh_statistics(tx)
    if progress:
        progress(total, total)
    return applied


def _apply_range(store: Store, tx: Tx, after: int, until: int) -> int:
    """Index every event reported at a position in (after, until], from its stream up to the rebuild's head."""
    head = _position(tx, UNTIL)
    streams: dict[str, list[Logged]] = defaultdict(list)
    for row in tx.rows(STREAMS_SQL, (after, until, after, head)):
        streams[str(row["event_id"])].append(Logged(position=row["position"], version=row["version"],
                                                    known_at=row["known_at"], recorded_at=row["recorded_at"],
                                                    entry=decode(bytes(row["state"]))))
    index.write_streams(tx, streams)
    return sum(len(entries) for entries in streams.values())


@contextmanager
def collector_paused() -> Iterator[None]:
    """A chunk makes millions of small objects, nearly none in a cycle and most alive until its end: the
    cycle collector, tracing them every few hundred allocations, took a fifth of a rebuild's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def interrupted(store: Store) -> bool:
    """Whether a rebuild began and did not finish: until it does, the index is partial."""
    with store.read() as tx:
        return _position(tx, IN_PROGRESS) is not None


def report_to_console(done: int, total: int) -> None:
    """Progress of a rebuild at start, for the operator watching the console."""
    print(f"\rrebuilding the index: {done}/{total} entries", end="\n" if done >= total else "",
          file=sys.stderr, flush=True)


def _position(tx: Tx, name: str) -> int | None:
    row = tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (name,))
    return row["position"] if row else None


def _set_position(tx: Tx, name: str, position: int) -> None:
    tx.run("DELETE FROM {s}projection_position WHERE name = ?", (name,))
    tx.run("INSERT INTO {s}projection_position VALUES (?, ?)", (name, position))
