"""The event store: eventsourcing's recorder for the backend, extended with our ledger (see
adapters/sqlite.py and adapters/postgres.py), and the transactions the read models share.

The recorder appends entries with their ledger rows, idempotency key and the
inline projection updates (`on_append`) in one transaction under the append
lock. Projections write their own SQL once with `?` and `{s}` (the schema
prefix), adapted per backend by `Dialect`; the store's own SQL lives with each
backend's recorder.
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
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore

from adapters import codec
from adapters.ledger import LedgerRecorder, Stamped, stamp
from adapters.postgres import PostgresLedgerRecorder
from adapters.sqlite import SQLiteLedgerRecorder
from adapters.sqlite_pool import StatementCachingPool
from domain import clock
from domain.errors import Unavailable
from domain.ports import Append, IdempotentReplay, Pending, Receipt, StoreConflict
from domain.view import Logged

__all__ = ["Append", "IdempotentReplay", "Pending", "Receipt", "Store", "StoreConflict", "Tx"]


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

    def copy(self, table: str, rows: list) -> None:
        """Add rows none of which the table holds yet (`table` may name its columns, as `t (a, b)`): by
        PostgreSQL's binary COPY, which skips a statement's work per row; elsewhere by one INSERT run for each."""
        if not rows:
            return
        if self.dialect.name == "postgresql":
            name, _, columns = table.partition(" ")
            self.cursor.execute(self.dialect.sql(f"SELECT {columns.strip('()') or '*'} FROM {name} LIMIT 0"))
            types = [column.type_code for column in self.cursor.description]  # binary rows carry no type names
            with self.cursor.copy(self.dialect.sql(f"COPY {table} FROM STDIN (FORMAT BINARY)")) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
        else:
            self.many(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)

    def insert_all(self, table: str, types: str, rows: list[tuple], then: str = "") -> None:
        """Insert many small rows into `{s}table`; `types` has a letter per column (t text, i integer),
        and `then` may add an ON CONFLICT clause. PostgreSQL takes them a few thousand to a statement, as
        arrays: a statement per row costs its round of parse, bind and execute, more than a small row
        (rows holding large blobs gain nothing). SQLite, in process, runs one statement for each."""
        if not rows:
            return
        if self.dialect.name != "postgresql":
            self.many(f"INSERT INTO {{s}}{table} VALUES ({', '.join('?' * len(types))}) {then}", rows)
            return
        arrays = ", ".join(f"?::{_PG_ARRAYS[kind]}" for kind in types)
        sql = self.dialect.sql(f"INSERT INTO {{s}}{table} SELECT * FROM unnest({arrays}) {then}")
        for start in range(0, len(rows), _PG_ROWS_A_STATEMENT):
            self.cursor.execute(sql, [list(column) for column in zip(*rows[start:start + _PG_ROWS_A_STATEMENT], strict=True)])

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


_PG_ARRAYS = {"t": "text[]", "i": "bigint[]"}
_PG_ROWS_A_STATEMENT = 5000


def ddl(dialect: Dialect, script: str) -> list[str]:
    text = script.replace("{int}", dialect.integer).replace("{blob}", dialect.blob)
    return [statement.strip() for statement in text.split(";") if statement.strip()]


def postgres_params(url: str) -> dict[str, Any]:
    """The connection a `postgresql://` URL names, with our defaults (not libpq's, which use a socket)."""
    parsed = urlparse(url)
    return {"dbname": parsed.path.lstrip("/") or "postgres", "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432, "user": unquote(parsed.username or "postgres"),
            "password": unquote(parsed.password or "")}


def postgres_schema(url: str) -> str:
    return parse_qs(urlparse(url).query).get("schema", [""])[0]


OnAppend = Callable[[Tx, list[tuple[str, Logged]]], None]  # (event id, the entry as stored)


@dataclass
class Store:
    """One database: `sqlite:///path` or `postgresql://user@host:port/db[?schema=name]`."""

    url: str
    read_only: bool = False  # a read replica: never creates anything
    recorder: LedgerRecorder = field(init=False)
    datastore: Any = field(init=False)
    dialect: Dialect = field(init=False)
    ddl_scripts: list[str] = field(default_factory=list)  # the read models' tables
    on_append: list[OnAppend] = field(default_factory=list)

    def __post_init__(self) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme == "sqlite":
            path = unquote(self.url[len("sqlite:///"):]) or "./ceasefire.sqlite3"
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.datastore = SQLiteDatastore(path, pool_size=8, max_overflow=16, lock_timeout=30)
            self.datastore.pool = StatementCachingPool(db_name=path, pool_size=8, max_overflow=16, lock_timeout=30)
            self.recorder = SQLiteLedgerRecorder(self.datastore)
            self.dialect = Dialect("sqlite")
        elif parsed.scheme in ("postgresql", "postgres"):
            schema = postgres_schema(self.url)
            self.datastore = PostgresDatastore(**postgres_params(self.url), pool_size=4, max_overflow=16,
                                               schema=schema, connect_timeout=5, pre_ping=True)
            if schema and not self.read_only:
                with self.datastore.transaction(commit=True) as cursor:
                    cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            self.recorder = PostgresLedgerRecorder(self.datastore)
            self.dialect = Dialect("postgresql", schema)
        else:
            raise ValueError(f"unsupported CEASEFIRE_DATABASE_URL scheme {parsed.scheme!r}: use sqlite:/// or postgresql://")

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
        self.recorder.close()
        self.datastore.close()

    # --- transactions ------------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Tx]:
        # psycopg forgets a connection's prepared statements at every ROLLBACK: a read that ended in one
        # would have every statement of the next planned afresh. Committing a read changes nothing else.
        with _store_errors(), self.datastore.transaction(commit=self.dialect.name == "postgresql") as cursor:
            yield Tx(cursor, self.dialect)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction holding the store's append lock from its first statement."""
        with _store_errors(), self.recorder.appending() as cursor:
            yield Tx(cursor, self.dialect)

    # --- the append ----------------------------------------------------------------------------

    def append(self, pending: list[Pending], recorded_by: str,
               idempotency: tuple[str, str, str] | None = None) -> list[Receipt]:
        """Append entries atomically; `idempotency` is (principal, key, request hash)."""
        outcome = self.append_many([Append(pending=pending, recorded_by=recorded_by, idempotency=idempotency)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def append_many(self, appends: list[Append]) -> list[list[Receipt] | Exception]:
        """Several appends, each atomic and answered as if made alone, in one transaction: under
        concurrent writers one BEGIN, head read, index update and COMMIT serve them all.

        An append whose idempotency key is used gets its IdempotentReplay and leaves the others. A
        taken (event, version) or claim id fails the whole transaction, the group's entries being
        written together: then each append is made again alone, so that the one at fault gets its
        StoreConflict alone; so does any other failure but the store's being out of reach."""
        try:
            return self._append_together(appends)
        except StoreConflict as conflict:
            if len(appends) == 1:
                return [conflict]
        except Exception as error:
            if len(appends) == 1 or isinstance(error, Unavailable):
                raise
        return [self._append_alone(append) for append in appends]

    def _append_alone(self, append: Append) -> list[Receipt] | Exception:
        try:
            return self._append_together([append])[0]
        except Exception as error:
            return error

    def _append_together(self, appends: list[Append]) -> list[list[Receipt] | Exception]:
        outcomes: list[list[Receipt] | Exception] = []
        with self.write() as tx:
            head, group = self.head(tx), Stamped()
            for append in appends:
                if append.idempotency and (known := self.recorder.idempotent(tx.cursor, *append.idempotency[:2])):
                    outcomes.append(IdempotentReplay(*known))
                    continue
                stamped = stamp(append.pending, head, append.recorded_by)
                if append.idempotency:  # before the next append looks its key up
                    self.recorder.remember(tx.cursor, append.idempotency, stamped.receipts)
                outcomes.append(stamped.receipts)
                group.extend(stamped)
                if stamped.rows:
                    head = (stamped.rows[-1][0], stamped.rows[-1][5])
            if group.rows:
                self.recorder.record(tx.cursor, group)
                for hook in self.on_append:
                    hook(tx, group.appended)
        return outcomes

    def idempotent(self, principal: str, key: str) -> tuple[str, list[Receipt]] | None:
        with self.read() as tx:
            return self.recorder.idempotent(tx.cursor, principal, key)

    # --- reading -------------------------------------------------------------------------------

    def stream(self, tx: Tx, event_id: str, recorded_at: int = clock.FOREVER) -> list[Logged]:
        return self.recorder.stream(tx.cursor, event_id, recorded_at)

    def streams(self, tx: Tx, event_ids: list[str]) -> dict[str, list[Logged]]:
        return self.recorder.streams(tx.cursor, event_ids)

    def event_of_claim(self, tx: Tx, claim_id: str) -> str | None:
        return self.recorder.event_of_claim(tx.cursor, claim_id)

    def head(self, tx: Tx) -> tuple[int, int]:
        """(last position, its record time); (0, 0) for an empty log."""
        return self.recorder.head(tx.cursor)

    def size(self) -> int:
        """How many entries the log holds."""
        with self.read() as tx:
            return self.head(tx)[0]


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
            store.recorder.record(tx.cursor, Stamped(
                stored=[codec.StoredEvent(originator_id=codec.UUID(e.event_id), originator_version=e.version,
                                          topic=e.type, state=e.state) for e in chunk],
                rows=[(e.position, e.event_id, e.version, e.type, e.known_at, e.recorded_at, e.recorded_by,
                       e.hash, e.claim_id) for e in chunk]))
