"""The event store on PostgreSQL: eventsourcing's application recorder, extended with our ledger.

The ledger keeps each entry's position, clocks, recorded_by and leaf hash, and
the idempotency keys, written in the transaction that stores the events and
under the recorder's table lock, as eventsourcing's `examples/searchabletimestamps`
extends its recorders. The ledger (not the notification id, which may have gaps)
gives the log its positions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from adapters.ledger import LEDGER_COLUMNS, LEDGER_DDL, LedgerRecorder, Stamped


class PostgresLedgerRecorder(LedgerRecorder, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore):
        super().__init__(datastore, events_table_name="stored_events")
        self.sql_create_statements += [self._sql(statement.format(schema="{schema}.", int="BIGINT", blob="BYTEA"))
                                       for statement in LEDGER_DDL]
        self.select_head = self._sql("SELECT position, recorded_at FROM {schema}.ledger ORDER BY position DESC LIMIT 1")
        self.select_stream = self._sql(
            "SELECT l.position, l.version, l.known_at, l.recorded_at, s.state FROM {schema}.ledger l "
            "JOIN {schema}.stored_events s ON s.originator_id = CAST(l.event_id AS uuid) "
            "AND s.originator_version = l.version WHERE l.event_id = %s AND l.recorded_at <= %s ORDER BY l.position")
        self.select_streams_any = self._sql(
            "SELECT l.event_id, l.position, l.version, l.known_at, l.recorded_at, s.state FROM {schema}.ledger l "
            "JOIN {schema}.stored_events s ON s.originator_id = CAST(l.event_id AS uuid) "
            "AND s.originator_version = l.version WHERE l.event_id = ANY(%s) ORDER BY l.position")
        self.select_event_of_claim = self._sql(
            "SELECT event_id FROM {schema}.ledger WHERE claim_id = %s AND type = 'ClaimMade'")
        self.select_idempotent = self._sql(
            "SELECT request_hash, receipts FROM {schema}.idempotency WHERE principal = %s AND key = %s")
        self.insert_idempotency = self._sql("INSERT INTO {schema}.idempotency VALUES (%s, %s, %s, %s)")
        self.insert_ledger = self._sql(f"INSERT INTO {{schema}}.ledger VALUES ({', '.join(['%s'] * len(LEDGER_COLUMNS))})")

    def select_streams(self, event_ids: list[str]) -> tuple[SQL, tuple[list[str]]]:
        return self.select_streams_any, (event_ids,)

    def _sql(self, text: str) -> SQL:
        return SQL(text).format(schema=Identifier(self.datastore.schema))

    @contextmanager
    def appending(self) -> Iterator[Cursor[DictRow]]:
        """A write transaction holding the recorder's table lock from its first statement, so positions
        are handed out in commit order."""
        with self.datastore.transaction(commit=True) as cursor:
            self._lock_table(cursor)
            yield cursor

    def record(self, cursor: Cursor[DictRow], stamped: Stamped) -> None:
        # As the library's insert_events: our rows first (the `_insert_events` hook), then the stored events.
        self._insert_events(cursor, stamped.stored, ledger_rows=stamped.rows)
        self._insert_stored_events(cursor, stamped.stored)

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        if rows := kwargs.get("ledger_rows"):
            curs.executemany(self.insert_ledger, rows)
