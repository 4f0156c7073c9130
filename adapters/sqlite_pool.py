"""eventsourcing's SQLite connection pool, with a statement cache worth the name.

eventsourcing opens each connection with `cached_statements=True`, a cache of
one statement, so a read of two queries compiles both every time; the
timeline's bucketed reads are one long statement, and compiling it again costs
more than running it. The connections here keep 256, and are otherwise opened
exactly as eventsourcing opens them (WAL, autocommit, `sqlite3.Row`).
"""

from __future__ import annotations

import sqlite3

from eventsourcing.persistence import InterfaceError
from eventsourcing.sqlite import SQLITE3_DEFAULT_LOCK_TIMEOUT, SQLiteConnection, SQLiteConnectionPool

STATEMENTS = 256


class StatementCachingPool(SQLiteConnectionPool):
    def _create_connection(self) -> SQLiteConnection:
        return self.connect()

    def connect(self) -> SQLiteConnection:
        """A connection opened as the pool's are, that the pool does not hand out (the store's writer)."""
        try:
            connection = sqlite3.connect(database=self.db_name, uri=True, check_same_thread=False,
                                         isolation_level=None, cached_statements=STATEMENTS,
                                         timeout=self.lock_timeout or SQLITE3_DEFAULT_LOCK_TIMEOUT)
        except (sqlite3.Error, TypeError) as error:
            raise InterfaceError(error) from error
        if not self.is_sqlite_memory_mode and not self.is_journal_mode_wal:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
                self.journal_mode_was_changed_to_wal = True
            self.is_journal_mode_wal = True
        connection.row_factory = sqlite3.Row
        return SQLiteConnection(sqlite_conn=connection, max_age=self.max_age)
