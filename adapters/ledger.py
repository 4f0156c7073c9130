"""What the log adds to entries as it appends them: position, clocks, recorded_by and leaf hash.

Every store stamps with this one function, so the in-memory store gives the
same receipts and hashes as SQLite and PostgreSQL; the SQL stores then write
`rows` into their ledger table and `stored` as eventsourcing's stored events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from eventsourcing.persistence import StoredEvent

from adapters import codec
from adapters.canonical import entry_hash, log_data
from domain import clock
from domain.ports import Pending, Receipt
from domain.view import Logged

# The ledger's tables, written once: each backend's recorder fills in its schema prefix and type names.
LEDGER_DDL = [
    """CREATE TABLE IF NOT EXISTS {schema}ledger (
    position {int} PRIMARY KEY, event_id TEXT NOT NULL, version {int} NOT NULL, type TEXT NOT NULL,
    known_at {int} NOT NULL, recorded_at {int} NOT NULL, recorded_by TEXT NOT NULL, hash TEXT NOT NULL,
    claim_id TEXT, UNIQUE (event_id, version))""",
    "CREATE INDEX IF NOT EXISTS ledger_known ON {schema}ledger (known_at, position)",
    "CREATE INDEX IF NOT EXISTS ledger_claim ON {schema}ledger (claim_id) WHERE claim_id IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS ledger_claim_made ON {schema}ledger (claim_id) WHERE type = 'ClaimMade'",
    """CREATE TABLE IF NOT EXISTS {schema}idempotency (
    principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, receipts {blob} NOT NULL,
    PRIMARY KEY (principal, key))""",
]
LEDGER_COLUMNS = ("position", "event_id", "version", "type", "known_at", "recorded_at", "recorded_by", "hash",
                  "claim_id")


@dataclass
class Stamped:
    receipts: list[Receipt] = field(default_factory=list)
    appended: list[tuple[str, Logged]] = field(default_factory=list)  # (event id, the entry with its clocks)
    rows: list[tuple] = field(default_factory=list)  # ledger rows, in LEDGER_COLUMNS order
    stored: list[StoredEvent] = field(default_factory=list)

    def extend(self, other: Stamped) -> None:
        self.receipts += other.receipts
        self.appended += other.appended
        self.rows += other.rows
        self.stored += other.stored


def stamp(pending: list[Pending], head: tuple[int, int], recorded_by: str) -> Stamped:
    """Stamp entries appended after `head` (last position, its record time): positions follow on
    without a gap, and record times strictly increase with them."""
    position, last_recorded = head
    recorded_at = max(clock.now_micros(), last_recorded + 1)
    stamped = Stamped()
    for offset, item in enumerate(pending):
        at, place = recorded_at + offset, position + offset + 1
        known = at if item.known_at is None else min(item.known_at, at)
        event = codec.to_stored_event(item.event_id, item.version, item.entry)
        times = {"known_at": clock.format_instant(known), "recorded_at": clock.format_instant(at)}
        digest = entry_hash(position=place, event_id=item.event_id, version=item.version, type=event.topic,
                            recorded_by=recorded_by, data=log_data(codec.decode_raw(event.state)), **times)
        claim_id = getattr(item.entry, "claim_id", None)
        stamped.stored.append(event)
        stamped.rows.append((place, item.event_id, item.version, event.topic, known, at, recorded_by, digest, claim_id))
        stamped.receipts.append(Receipt(id=item.event_id, version=item.version, position=place, hash=digest,
                                        type=event.topic, claim_id=claim_id, **times))
        stamped.appended.append((item.event_id, Logged(position=place, version=item.version, known_at=known,
                                                       recorded_at=at, entry=item.entry)))
    return stamped


def _logged(row) -> Logged:
    return Logged(position=row["position"], version=row["version"], known_at=row["known_at"],
                  recorded_at=row["recorded_at"], entry=codec.decode(bytes(row["state"])))


class LedgerRecorder:
    """The ledger's reads and the idempotency keys, over the statements each backend's recorder sets.

    Mixed into eventsourcing's SQLite and PostgreSQL application recorders (adapters/sqlite.py,
    adapters/postgres.py), which add `appending()` (a write transaction holding the append lock)
    and `record(cursor, stamped)` (stored events and ledger rows, in that transaction)."""

    select_head: Any
    select_stream: Any
    select_event_of_claim: Any
    select_idempotent: Any
    insert_idempotency: Any

    def head(self, cursor) -> tuple[int, int]:
        """(last position, its record time); (0, 0) for an empty log."""
        cursor.execute(self.select_head)
        row = cursor.fetchone()
        return (row["position"], row["recorded_at"]) if row else (0, 0)

    def stream(self, cursor, event_id: str, recorded_at: int) -> list[Logged]:
        cursor.execute(self.select_stream, (event_id, recorded_at))
        return [_logged(row) for row in cursor.fetchall()]

    def streams(self, cursor, event_ids: list[str]) -> dict[str, list[Logged]]:
        """Many whole streams in a query per 500 (a large batch's plan); unknown ids have no entries."""
        found: dict[str, list[Logged]] = {event_id: [] for event_id in event_ids}
        for start in range(0, len(event_ids), 500):
            cursor.execute(*self.select_streams(event_ids[start:start + 500]))
            for row in cursor.fetchall():
                found[str(row["event_id"])].append(_logged(row))
        return found

    def select_streams(self, event_ids: list[str]) -> tuple[Any, Any]:
        raise NotImplementedError

    def event_of_claim(self, cursor, claim_id: str) -> str | None:
        cursor.execute(self.select_event_of_claim, (claim_id,))
        row = cursor.fetchone()
        return str(row["event_id"]) if row else None

    def idempotent(self, cursor, principal: str, key: str) -> tuple[str, list[Receipt]] | None:
        cursor.execute(self.select_idempotent, (principal, key))
        row = cursor.fetchone()
        if not row:
            return None
        return row["request_hash"], msgspec.json.decode(bytes(row["receipts"]), type=list[Receipt])

    def remember(self, cursor, idempotency: tuple[str, str, str], receipts: list[Receipt]) -> None:
        cursor.execute(self.insert_idempotency, (*idempotency, msgspec.json.encode(receipts)))

    def close(self) -> None:
        """Let go of any connection held outside the datastore's pool."""
