"""The event store on SQLite: eventsourcing's application recorder, extended with our ledger.

The ledger keeps each entry's position, clocks, recorded_by and leaf hash, and
the idempotency keys, written in the transaction that stores the events, as
eventsourcing's `examples/searchabletimestamps` extends its recorders.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLITE3_DEFAULT_LOCK_TIMEOUT,
    SQLiteApplicationRecorder,
    SQLiteConnection,
    SQLiteCursor,
    SQLiteDatastore,
)

from adapters.ledger import LEDGER_COLUMNS, LEDGER_DDL, LedgerRecorder, Stamped


class SQLiteLedgerRecorder(LedgerRecorder, SQLiteApplicationRecorder):
    select_head = "SELECT position, recorded_at FROM ledger ORDER BY position DESC LIMIT 1"
    select_stream = """SELECT l.position, l.version, l.known_at, l.recorded_at, s.state FROM ledger l
        JOIN stored_events s ON s.originator_id = l.event_id AND s.originator_version = l.version
        WHERE l.event_id = ? AND l.recorded_at <= ? ORDER BY l.position"""
    select_event_of_claim = "SELECT event_id FROM ledger WHERE claim_id = ? AND type = 'ClaimMade'"
    select_idempotent = "SELECT request_hash, receipts FROM idempotency WHERE principal = ? AND key = ?"
    insert_idempotency = "INSERT INTO idempotency VALUES (?, ?, ?, ?)"
    insert_ledger = f"INSERT INTO ledger VALUES ({', '.join('?' * len(LEDGER_COLUMNS))})"

    def select_streams(self, event_ids: list[str]) -> tuple[str, list[str]]:
        return (f"""SELECT l.event_id, l.position, l.version, l.known_at, l.recorded_at, s.state FROM ledger l
            JOIN stored_events s ON s.originator_id = l.event_id AND s.originator_version = l.version
            WHERE l.event_id IN ({', '.join('?' * len(event_ids))}) ORDER BY l.position""", event_ids)

    def __init__(self, datastore: SQLiteDatastore):
        super().__init__(datastore, events_table_name="stored_events")
        self._writer: SQLiteConnection | None = None
        self._writing = threading.Lock()

    def construct_create_table_statements(self) -> list[str]:
        ledger = [statement.format(schema="", int="INTEGER", blob="BLOB") for statement in LEDGER_DDL]
        return [*super().construct_create_table_statements(), *ledger]

    @contextmanager
    def appending(self) -> Iterator[SQLiteCursor]:
        """A write transaction holding SQLite's write lock from its first statement, on the one connection
        this process writes with. SQLite takes one writer at a time anyway; and a connection keeps its page
        cache only until another connection commits, so with writes spread over the pool's connections each
        append read again from the file every page it touched (the index's, the ledger's), where the writer
        finds them in memory, as it left them."""
        if not self._writing.acquire(timeout=self.datastore.pool.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT):
            raise sqlite3.OperationalError("database is locked: another write of this process held it too long")
        try:
            connection = self._writer or self._open_writer()
            cursor = connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")  # take the write lock now, not at the first write
            try:
                yield cursor
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
        finally:
            self._writing.release()

    def _open_writer(self) -> SQLiteConnection:
        self._writer = self.datastore.pool.connect()
        # WAL with NORMAL sync survives a killed process; only an OS crash may lose the last commits.
        self._writer.cursor().execute("PRAGMA synchronous = NORMAL")
        return self._writer

    def close(self) -> None:
        with self._writing:
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def record(self, cursor: SQLiteCursor, stamped: Stamped) -> None:
        self._insert_events(cursor, stamped.stored, ledger_rows=stamped.rows)

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # Ids as text with dashes (the library writes bare hex), the same on both backends: the ledger joins on them.
        for event in stored_events:
            c.execute(self.insert_events_statement,
                      (str(event.originator_id), event.originator_version, event.topic, event.state))
        c.executemany(self.insert_ledger, kwargs.get("ledger_rows", []))
