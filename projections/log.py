"""Log entries as they were written: `/v1/log`, an event's history, and the changes feed.

The payload is the stored JSON exactly, never upcast, so what an auditor sees
is what was hashed. Bytes that no longer decode are shown as such (`verify`
names them), never a failure of the read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from adapters.canonical import log_data
from adapters.codec import decode_raw
from adapters.store import Store, Tx
from domain import clock
from domain.errors import NotFound
from projections.queries import AsOf, PointInTime, Reader, encode_cursor

ENTRY_SQL = """
SELECT l.position, l.event_id, l.version, l.type, l.known_at, l.recorded_at, l.recorded_by, l.hash, s.state
FROM {s}ledger l
LEFT JOIN {s}stored_events s ON s.originator_id = {ledger_uuid} AND s.originator_version = l.version
"""


class LogEntry(msgspec.Struct, kw_only=True, omit_defaults=True):
    position: int
    event_id: str
    version: int
    type: str
    known_at: str
    recorded_at: str
    recorded_by: str | msgspec.UnsetType = msgspec.UNSET
    hash: str
    data: Any
    corrupt: bool = False
    title: str | msgspec.UnsetType = msgspec.UNSET  # /v1/changes: the event's title as known at its `until`


class EntryPage(msgspec.Struct, kw_only=True, omit_defaults=True):
    items: list[LogEntry]
    next_after: int | None | msgspec.UnsetType = msgspec.UNSET
    next_cursor: str | None | msgspec.UnsetType = msgspec.UNSET
    as_of: AsOf | msgspec.UnsetType = msgspec.UNSET


CHUNK = 5000


def scan(tx: Tx) -> Iterator:
    """Every entry's row in position order, read in chunks."""
    after = 0
    while True:
        rows = tx.rows(f"{ENTRY_SQL} WHERE l.position > ? ORDER BY l.position LIMIT ?", (after, CHUNK))
        if not rows:
            return
        yield from rows
        after = rows[-1]["position"]


def entries(tx: Tx, where: str, params: list, order: str, limit: int) -> list:
    return tx.rows(f"{ENTRY_SQL} WHERE {where} ORDER BY {order} LIMIT ?", [*params, limit])


def to_entry(row, auditor: bool) -> LogEntry:
    data, corrupt = stored_data(row["state"])
    return LogEntry(
        position=row["position"], event_id=str(row["event_id"]), version=row["version"], type=row["type"],
        known_at=clock.format_instant(row["known_at"]), recorded_at=clock.format_instant(row["recorded_at"]),
        recorded_by=row["recorded_by"] if auditor else msgspec.UNSET, hash=row["hash"], data=data,
        corrupt=corrupt)


def stored_data(state) -> tuple[Any, bool]:
    try:
        return log_data(decode_raw(bytes(state))), False
    except Exception:  # missing or undecodable bytes: reported by verify, shown here as absent
        return None, True


class LogReader:
    def __init__(self, store: Store, replica: bool = False):
        self.store, self.replica = store, replica

    def log(self, after: int, limit: int, auditor: bool = True) -> EntryPage:
        with self.store.read() as tx:
            rows = entries(tx, "l.position > ?", [after], "l.position", limit + 1)
        return _after_page(rows, limit, auditor)

    def history(self, event_id: str, at: PointInTime, after: int, limit: int, auditor: bool) -> EntryPage:
        with self.store.read() as tx:
            rows = entries(tx, "l.event_id = ? AND l.recorded_at <= ? AND l.known_at <= ? AND l.position > ?",
                           [event_id, at.recorded_at, at.known_at, after], "l.position", limit + 1)
            if not rows and after == 0:
                raise NotFound(f"event {event_id} has no entry known at known_at={at.as_of.known_at}")
        return _after_page(rows, limit, auditor)

    def changes(self, since: int, until: int, at: PointInTime, after: tuple[int, int] | None, limit: int,
                auditor: bool) -> EntryPage:
        at = Reader(self.store, self.replica).seen(at)  # a replica answers as of what it has replayed
        where = "l.known_at > ? AND l.known_at <= ? AND l.recorded_at <= ?"
        params = [since, until, at.recorded_at]
        if after:
            where += " AND (l.known_at > ? OR (l.known_at = ? AND l.position > ?))"
            params += [after[0], after[0], after[1]]
        as_known = PointInTime(until, at.recorded_at)
        with self.store.read() as tx:
            rows = entries(tx, where, params, "l.known_at, l.position", limit + 1)
            titles = Reader(self.store).titles(tx, {str(row["event_id"]) for row in rows[:limit]}, as_known)
        items = [msgspec.structs.replace(to_entry(row, auditor), title=titles.get(str(row["event_id"]), ""))
                 for row in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        cursor = encode_cursor(as_known, [since, last["known_at"], last["position"]]) if last else None
        return EntryPage(items=items, next_cursor=cursor, as_of=as_known.as_of)


def _after_page(rows: list, limit: int, auditor: bool) -> EntryPage:
    items = [to_entry(row, auditor) for row in rows[:limit]]
    return EntryPage(items=items, next_after=items[-1].position if len(rows) > limit else None)
