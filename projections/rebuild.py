"""Rebuild the index from the log: drop it, then apply every entry in position order.

Work is committed in chunks with the applied position, so an interrupted rebuild
resumes where it stopped; appends made meanwhile are picked up at the end, under
the append lock, before inline indexing takes over again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from adapters.store import Store, Tx
from projections import index

CHUNK = 2000
IN_PROGRESS = "rebuild"


def rebuild(store: Store, progress: Callable[[int, int], None] | None = None, fresh: bool = True) -> int:
    """Returns the number of entries applied; `progress(done, total)` after each chunk."""
    with store.write() as tx:
        resuming = tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (IN_PROGRESS,))
        if fresh and not resuming:
            index.clear(tx)
            index.set_applied_position(tx, 0)
            tx.run("INSERT INTO {s}projection_position VALUES (?, 0)", (IN_PROGRESS,))
    applied = 0
    while True:
        with store.read() as tx:
            total = store.head(tx)[0]
            done = index.applied_position(tx)
        if total - done <= CHUNK:
            break
        with store.write() as tx:
            applied += _apply_range(store, tx, done, done + CHUNK)
        if progress:
            progress(done + CHUNK, total)
    with store.write() as tx:  # the last stretch under the append lock: nothing slips between
        done, total = index.applied_position(tx), store.head(tx)[0]
        applied += _apply_range(store, tx, done, total)
        tx.run("DELETE FROM {s}projection_position WHERE name = ?", (IN_PROGRESS,))
        if tx.dialect.name == "postgresql":  # fresh statistics, or the planner scans what it should seek
            tx.run("ANALYZE {s}event_states")
    if progress:
        progress(total, total)
    return applied


def report_to_console(done: int, total: int) -> None:
    """Progress of a rebuild at start, for the operator watching the console."""
    print(f"\rrebuilding the index: {done}/{total} entries", end="\n" if done >= total else "",
          file=sys.stderr, flush=True)


def _apply_range(store: Store, tx: Tx, after: int, until: int) -> int:
    rows = tx.rows("SELECT position, event_id FROM {s}ledger WHERE position > ? AND position <= ? "
                   "ORDER BY position", (after, until))
    index.apply(store, tx, [(str(row["event_id"]), row["position"]) for row in rows])
    if rows:
        index.set_applied_position(tx, rows[-1]["position"])
    return len(rows)
