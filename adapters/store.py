"""The event store: eventsourcing's recorders plus our ledger, in one transaction.

eventsourcing keeps each entry as a StoredEvent (originator = the event's id,
version = its place in the stream; the (id, version) key gives optimistic
concurrency). Its notification id is not gapless on PostgreSQL, so the ledger
keeps our own position, record time, recorded_by and leaf hash, assigned under
the same lock in the same transaction, with the idempotency key and the inline
projection update (`on_append`). SQL here is written once with `?` and `{s}`
(the schema prefix) and adapted per backend by `Dialect`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import msgspec
import psycopg
from eventsourcing import persistence
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from adapters import codec
from adapters.canonical import entry_hash, log_data
from adapters.sqlite_pool import StatementCachingPool
from domain import clock
from domain.errors import Unavailable
from domain.ports import IdempotentReplay, Pending, Receipt, StoreConflict
from domain.view import Logged

__all__ = ["IdempotentReplay", "Pending", "Receipt", "Store", "StoreConflict", "Tx"]


# The ledger's event_id as the stored events' key. On PostgreSQL a plain CAST fails the whole query on
# one id rewritten behind our back into a non-uuid; such a row now joins nothing (reported by verify).
_PG_LEDGER_UUID = ("CASE WHEN l.event_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "
                   "THEN CAST(l.event_id AS uuid) END")


@dataclass(frozen=True)
class Dialect:
    name: str
    schema: str = ""

    def sql(self, text: str) -> str:
        prefix = f'"{self.schema}".' if self.schema else ""
        text = text.replace("{s}", prefix).replace("{uuid}", "uuid" if self.name == "postgresql" else "TEXT")
        text = text.replace("{ledger_uuid}", _PG_LEDGER_UUID if self.name == "postgresql"
                            else "CAST(l.event_id AS TEXT)")
        return text.replace("?", "%s") if self.name == "postgresql" else text

    @property
    def blob(self) -> str:
        return "BYTEA" if self.name == "postgresql" else "BLOB"

    @property
    def integer(self) -> str:
        return "BIGINT" if self.name == "postgresql" else "INTEGER"


class Tx:
    """A cursor that speaks our one SQL."""

    def __init__(self, cursor: Any, dialect: Dialect):
        self.cursor, self.dialect = cursor, dialect

    def run(self, sql: str, params: tuple | list = ()) -> None:
        self.cursor.execute(self.dialect.sql(sql), params)

    def many(self, sql: str, rows: list) -> None:
        if rows:
            self.cursor.executemany(self.dialect.sql(sql), rows)

    def count(self, sql: str, params: tuple | list = ()) -> int:
        """Run a statement and say how many rows it changed."""
        self.cursor.execute(self.dialect.sql(sql), params)
        return getattr(self.cursor, "sqlite_cursor", self.cursor).rowcount  # eventsourcing wraps sqlite's cursor

    def rows(self, sql: str, params: tuple | list = ()) -> list:
        self.cursor.execute(self.dialect.sql(sql), params)
        return self.cursor.fetchall()

    def one(self, sql: str, params: tuple | list = ()):
        self.cursor.execute(self.dialect.sql(sql), params)
        return self.cursor.fetchone()


LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS {s}ledger (
    position {int} PRIMARY KEY, event_id TEXT NOT NULL, version {int} NOT NULL, type TEXT NOT NULL,
    known_at {int} NOT NULL, recorded_at {int} NOT NULL, recorded_by TEXT NOT NULL, hash TEXT NOT NULL,
    claim_id TEXT, UNIQUE (event_id, version));
CREATE INDEX IF NOT EXISTS ledger_known ON {s}ledger (known_at, position);
CREATE INDEX IF NOT EXISTS ledger_claim ON {s}ledger (claim_id) WHERE claim_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS ledger_claim_made ON {s}ledger (claim_id) WHERE type = 'ClaimMade';
CREATE TABLE IF NOT EXISTS {s}idempotency (
    principal TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, receipts {blob} NOT NULL,
    PRIMARY KEY (principal, key));
"""

STREAM_SQL = """
SELECT l.position, l.version, l.known_at, l.recorded_at, s.state FROM {s}ledger l
JOIN {s}stored_events s ON s.originator_id = CAST(l.event_id AS {uuid}) AND s.originator_version = l.version
WHERE l.event_id = ? AND l.recorded_at <= ? ORDER BY l.position"""


def ddl(dialect: Dialect, script: str) -> list[str]:
    text = script.replace("{int}", dialect.integer).replace("{blob}", dialect.blob)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


OnAppend = Callable[[Tx, list[tuple[str, Logged]]], None]  # (event id, the entry as stored)


@dataclass
class Store:
    """One database: `sqlite:///path` or `postgresql://user@host:port/db[?schema=name]`."""

    url: str
    read_only: bool = False  # a read replica: never creates anything
    recorder: Any = field(init=False)
    datastore: Any = field(init=False)
    dialect: Dialect = field(init=False)
    ddl_scripts: list[str] = field(default_factory=lambda: [LEDGER_DDL])
    on_append: list[OnAppend] = field(default_factory=list)

    def __post_init__(self) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme == "sqlite":
            path = unquote(self.url[len("sqlite:///"):]) or "./ceasefire.sqlite3"
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.datastore = SQLiteDatastore(path, pool_size=8, max_overflow=16, lock_timeout=30)
            self.datastore.pool = StatementCachingPool(db_name=path, pool_size=8, max_overflow=16, lock_timeout=30)
            self.recorder = SQLiteApplicationRecorder(self.datastore)
            self.dialect = Dialect("sqlite")
        elif parsed.scheme in ("postgresql", "postgres"):
            schema = parse_qs(parsed.query).get("schema", [""])[0]
            self.datastore = PostgresDatastore(
                dbname=parsed.path.lstrip("/") or "postgres", host=parsed.hostname or "127.0.0.1",
                port=parsed.port or 5432, user=unquote(parsed.username or "postgres"),
                password=unquote(parsed.password or ""), pool_size=4, max_overflow=16,
                schema=schema, connect_timeout=5, pre_ping=True)
            if schema and not self.read_only:
                with self.datastore.transaction(commit=True) as cursor:
                    cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            self.recorder = PostgresApplicationRecorder(self.datastore)
            self.dialect = Dialect("postgresql", schema)
        else:
            raise ValueError(f"unsupported CEASEFIRE_DATABASE_URL scheme {parsed.scheme!r}: use sqlite:/// or postgresql://")

    @property
    def path(self) -> str | None:
        return self.datastore.pool.db_name if self.dialect.name == "sqlite" else None

    def create_tables(self) -> None:
        # Workers starting together race on PostgreSQL's catalog ("IF NOT EXISTS" is not atomic there):
        # the loser simply tries again, and finds the tables made.
        for attempt in range(5):
            try:
                self.recorder.create_table()
                with self.write() as tx:
                    for script in self.ddl_scripts:
                        for statement in ddl(self.dialect, script):
                            tx.run(statement)
                return
            except Exception:
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def close(self) -> None:
        self.datastore.close()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with _store_errors(), self.datastore.transaction(commit=False) as cursor:
            yield Tx(cursor, self.dialect)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction holding the store's append lock from its first statement."""
        with _store_errors():
            if self.dialect.name == "postgresql":
                with self.datastore.transaction(commit=True) as cursor:
                    self.recorder._lock_table(cursor)
                    yield Tx(cursor, self.dialect)
                return
            with self.datastore.get_connection(commit=True) as connection:
                cursor = connection.cursor()
                # WAL with NORMAL sync survives a killed process; only an OS crash may lose the last commits.
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("BEGIN IMMEDIATE")  # take the write lock now, not at the first write
                try:
                    yield Tx(cursor, self.dialect)
                except BaseException:
                    connection.rollback()
                    raise
                connection.commit()

    # --- the append ----------------------------------------------------------------------------

    def append(self, pending: list[Pending], recorded_by: str,
               idempotency: tuple[str, str, str] | None = None) -> list[Receipt]:
        """Append entries atomically; `idempotency` is (principal, key, request hash)."""
        with self.write() as tx:
            if idempotency:
                known = self._idempotent(tx, idempotency[0], idempotency[1])
                if known:
                    raise IdempotentReplay(*known)
            receipts, appended = self._append(tx, pending, recorded_by)
            if idempotency:
                tx.run("INSERT INTO {s}idempotency VALUES (?, ?, ?, ?)",
                       (*idempotency, msgspec.json.encode(receipts)))
            for hook in self.on_append:
                hook(tx, appended)
            return receipts

    def _append(self, tx: Tx, pending: list[Pending], recorded_by: str
                ) -> tuple[list[Receipt], list[tuple[str, Logged]]]:
        """Store the entries; their receipts, and each as (event id, the entry with its clocks)."""
        head = tx.one("SELECT position, recorded_at FROM {s}ledger ORDER BY position DESC LIMIT 1")
        position = head["position"] if head else 0
        recorded_at = max(clock.now_micros(), (head["recorded_at"] + 1) if head else 0)
        stored, rows, receipts, appended = [], [], [], []
        for offset, item in enumerate(pending):
            at = recorded_at + offset  # strictly increasing with the position
            known = at if item.known_at is None else min(item.known_at, at)
            tag = type(item.entry).__struct_config__.tag
            event = codec.to_stored_event(item.event_id, item.version, item.entry)
            times = {"known_at": clock.format_instant(known), "recorded_at": clock.format_instant(at)}
            digest = entry_hash(position=position + offset + 1, event_id=item.event_id, version=item.version,
                                type=tag, recorded_by=recorded_by, data=log_data(codec.decode_raw(event.state)),
                                **times)
            claim_id = getattr(item.entry, "claim_id", None)
            stored.append(event)
            rows.append((position + offset + 1, item.event_id, item.version, tag, known, at, recorded_by,
                         digest, claim_id))
            receipts.append(Receipt(id=item.event_id, version=item.version, position=position + offset + 1,
                                    hash=digest, type=tag, claim_id=claim_id, **times))
            appended.append((item.event_id, Logged(position=position + offset + 1, version=item.version,
                                                   known_at=known, recorded_at=at, entry=item.entry)))
        self._insert_stored_events(tx, stored)
        tx.many("INSERT INTO {s}ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        return receipts, appended

    def _insert_stored_events(self, tx: Tx, stored: list) -> None:
        if self.dialect.name == "postgresql":
            self.recorder._insert_stored_events(tx.cursor, stored)
        else:
            for event in stored:  # ids as text with dashes, the same on both backends
                tx.cursor.execute(self.recorder.insert_events_statement,
                                  (str(event.originator_id), event.originator_version, event.topic, event.state))

    def _idempotent(self, tx: Tx, principal: str, key: str) -> tuple[str, list[Receipt]] | None:
        row = tx.one("SELECT request_hash, receipts FROM {s}idempotency WHERE principal = ? AND key = ?",
                     (principal, key))
        if not row:
            return None
        return row["request_hash"], msgspec.json.decode(bytes(row["receipts"]), type=list[Receipt])

    def idempotent(self, principal: str, key: str) -> tuple[str, list[Receipt]] | None:
        with self.read() as tx:
            return self._idempotent(tx, principal, key)

    # --- reading streams -----------------------------------------------------------------------

    def stream(self, tx: Tx, event_id: str, recorded_at: int = clock.FOREVER) -> list[Logged]:
        return [Logged(position=row["position"], version=row["version"], known_at=row["known_at"],
                       recorded_at=row["recorded_at"], entry=codec.decode(bytes(row["state"])))
                for row in tx.rows(STREAM_SQL, (event_id, recorded_at))]

    def event_of_claim(self, tx: Tx, claim_id: str) -> str | None:
        row = tx.one("SELECT event_id FROM {s}ledger WHERE claim_id = ? AND type = 'ClaimMade'", (claim_id,))
        return str(row["event_id"]) if row else None

    def head(self, tx: Tx) -> tuple[int, int]:
        """(last position, its record time); (0, 0) for an empty log."""
        row = tx.one("SELECT position, recorded_at FROM {s}ledger ORDER BY position DESC LIMIT 1")
        return (row["position"], row["recorded_at"]) if row else (0, 0)


@contextmanager
def _store_errors() -> Iterator[None]:
    """Constraint violations become StoreConflict; a store out of reach is Unavailable (503)."""
    try:
        yield
    except (persistence.IntegrityError, sqlite3.IntegrityError) as error:
        raise StoreConflict(str(error)) from error
    except (persistence.OperationalError, persistence.InterfaceError, sqlite3.OperationalError) as error:
        if _out_of_reach(error):
            raise Unavailable(f"the store is unavailable: {error}") from error
        raise


def _out_of_reach(error: Exception) -> bool:
    """On PostgreSQL every OperationalError or InterfaceError is the database out of reach: a connection
    terminated or lost mid-statement (psycopg words these many ways, e.g. "cannot exit pipeline mode while
    busy"), a pool timeout, a shutdown. On SQLite only a lock timeout is, as before."""
    if isinstance(error.__cause__, (psycopg.OperationalError, psycopg.InterfaceError)):
        return True
    text = str(error).lower()
    return "locked" in text or "connect" in text or "terminat" in text


class Restored(msgspec.Struct, kw_only=True):
    """An entry exactly as exported: its clocks, position and hash are kept, not assigned."""

    position: int
    event_id: str
    version: int
    type: str
    known_at: int
    recorded_at: int
    recorded_by: str
    hash: str
    state: bytes
    claim_id: str | None = None


def restore(store: Store, entries: list[Restored]) -> None:
    """Write exported entries into an empty store, in one transaction."""
    with store.write() as tx:
        if store.head(tx)[0]:
            raise ValueError("the store is not empty: import only into an empty store")
        for start in range(0, len(entries), 1000):
            chunk = entries[start:start + 1000]
            store._insert_stored_events(tx, [codec.StoredEvent(
                originator_id=codec.UUID(e.event_id), originator_version=e.version, topic=e.type, state=e.state)
                for e in chunk])
            tx.many("INSERT INTO {s}ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(e.position, e.event_id, e.version, e.type, e.known_at, e.recorded_at, e.recorded_by,
                      e.hash, e.claim_id) for e in chunk])
