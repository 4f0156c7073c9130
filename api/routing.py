"""Which database serves a read: the primary, or a streaming replica that is recent enough (SPEC §12).

A read with no `recorded_at` and no cursor accepts lag: a healthy replica
serves it at its replayed head, and says so in `as_of.recorded_at`. A read
pinned at a record time R (explicitly or by a cursor) goes to a replica only
if that replica has replayed an entry recorded at R or later, so it never sees
an older state than asked for; otherwise to the primary. A replica more than
`MAX_LAG_SECONDS` behind, or out of reach, is skipped; one that fails mid-read
hands the read to the primary.

Lag is measured in WAL: every check samples the primary's WAL position, and a
replica is as far behind as the oldest sample it has not yet replayed.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

import anyio
import anyio.to_thread
import msgspec
import psycopg
from eventsourcing.persistence import PersistenceError
from litestar import Request
from psycopg.rows import dict_row

from adapters.store import Store, Tx
from api.tail import KEEPALIVES, libpq_url
from domain.errors import Unavailable
from projections.log import LogReader
from projections.queries import PointInTime, Reader

log = logging.getLogger(__name__)

MAX_LAG_SECONDS = 5.0
CHECK_SECONDS = 0.5
SAMPLES_KEPT_SECONDS = 60.0  # lag is reported up to this; further behind is "at least this"
WAL_POSITION = "SELECT {function}() - '0/0'::pg_lsn AS wal"


class ReplicaStatus(msgspec.Struct, kw_only=True):
    url_index: int
    ok: bool
    lag_seconds: float | None


@dataclass
class Replica:
    url_index: int
    url: str
    store: Store | None = None  # opened once the replica first answers: one down at start delays nothing
    reader: Reader | None = None
    log_reader: LogReader | None = None
    ok: bool = False
    lag_seconds: float | None = None
    replayed_wal: int = -1
    head_recorded_at: int = -1  # the newest record time replayed, as of the last check
    checker: psycopg.Connection | None = None

    def __post_init__(self) -> None:
        if urlparse(self.url).scheme not in ("postgresql", "postgres"):
            raise ValueError("CEASEFIRE_READ_DATABASE_URL names PostgreSQL streaming replicas (postgresql://…)")

    def serves(self, pinned_at: int | None) -> bool:
        return (self.ok and self.lag_seconds is not None and self.lag_seconds <= MAX_LAG_SECONDS
                and (pinned_at is None or self.head_recorded_at >= pinned_at))

    def check(self) -> None:
        """Read how far this replica has replayed, over a connection of its own (the pool may wait long)."""
        try:
            if self.checker is None or self.checker.closed:
                self.checker = psycopg.connect(libpq_url(self.url), autocommit=True, connect_timeout=2,
                                               row_factory=dict_row, **KEEPALIVES)
            if self.store is None:
                self.store = Store(self.url, read_only=True)
                self.reader, self.log_reader = Reader(self.store, replica=True), LogReader(self.store, replica=True)
            with self.checker.cursor() as cursor:
                cursor.execute(WAL_POSITION.format(function="pg_last_wal_replay_lsn"))
                self.replayed_wal = int(cursor.fetchone()["wal"])
                self.head_recorded_at = self.store.head(Tx(cursor, self.store.dialect))[1]
            self.ok = True
        except (psycopg.Error, OSError, PersistenceError, TypeError) as error:  # TypeError: not a standby
            self.failed(error)
            if self.checker is not None:
                self.checker.close()

    def failed(self, error: Exception) -> None:
        """Skip this replica until its next check finds it answering."""
        if self.ok:
            log.warning("read replica %d is out of reach: %s", self.url_index, error)
        self.ok, self.lag_seconds = False, None

    def close(self) -> None:
        if self.checker is not None:
            self.checker.close()
        if self.store is not None:
            self.store.close()


class Replicas:
    def __init__(self, primary: Store, urls: list[str]):
        if urls and primary.dialect.name != "postgresql":
            raise ValueError("streaming replicas (CEASEFIRE_READ_DATABASE_URL) need a PostgreSQL primary")
        self.primary = primary
        self.replicas = [Replica(index, url) for index, url in enumerate(urls)]
        self.primary_wal: deque[tuple[float, int]] = deque()  # (monotonic time, WAL position) samples

    def choose(self, pinned_at: int | None) -> Replica | None:
        usable = [replica for replica in self.replicas if replica.serves(pinned_at)]
        return random.choice(usable) if usable else None

    def status(self) -> list[ReplicaStatus]:
        return [ReplicaStatus(url_index=r.url_index, ok=r.serves(None),
                              lag_seconds=None if r.lag_seconds is None else round(r.lag_seconds, 3))
                for r in self.replicas]

    async def watch(self) -> None:
        """Check every replica until cancelled."""
        while self.replicas:
            try:
                await anyio.to_thread.run_sync(self.check)
            except Exception as error:  # a failed check must not end the checking
                log.warning("checking the read replicas failed: %s", error)
            await anyio.sleep(CHECK_SECONDS)

    def check(self) -> None:
        now = time.monotonic()
        try:
            with self.primary.read() as tx:
                self.primary_wal.append((now, int(tx.one(WAL_POSITION.format(function="pg_current_wal_lsn"))["wal"])))
        except (Unavailable, PersistenceError):
            pass  # lag is then measured against the samples already taken
        while self.primary_wal and self.primary_wal[0][0] < now - SAMPLES_KEPT_SECONDS:
            self.primary_wal.popleft()
        for replica in self.replicas:
            replica.check()
            if replica.ok:
                replica.lag_seconds = lag(self.primary_wal, replica.replayed_wal, now)

    def close(self) -> None:
        for replica in self.replicas:
            replica.close()


def lag(primary_wal: Iterable[tuple[float, int]], replayed_wal: int, now: float) -> float:
    """How long the replica has been missing WAL the primary had written: since the oldest sample of the
    primary's WAL position that is past what the replica has replayed (0 when it has them all)."""
    return next((now - at for at, wal in primary_wal if wal > replayed_wal), 0.0)


class FallBack:
    """A replica's reader that hands a read to the primary's when the replica fails mid-read. Its plain
    attributes (the store) are the replica's: a read made through them stays on the replica."""

    def __init__(self, replica: Replica, on_replica, on_primary):
        self.replica, self.on_replica, self.on_primary = replica, on_replica, on_primary

    def __getattr__(self, name: str):
        if not callable(getattr(self.on_replica, name)):
            return getattr(self.on_replica, name)

        def read(*args, **kwargs):
            try:
                return getattr(self.on_replica, name)(*args, **kwargs)
            except Unavailable as error:
                self.replica.failed(error)
                return getattr(self.on_primary, name)(*args, **kwargs)
        return read


def _pinned_at(request: Request, at: PointInTime) -> int | None:
    """The record time a read is pinned at, or None when it accepts a replica's head."""
    query = request.query_params
    return at.recorded_at if "recorded_at" in query or "cursor" in query else None


def reader(request: Request, at: PointInTime) -> Reader:
    """The point-in-time reader to serve a read at `at`."""
    return _routed(request, at, "reader")


def log_reader(request: Request, at: PointInTime) -> LogReader:
    """The log reader to serve a read of the entries recorded up to `at`."""
    return _routed(request, at, "log_reader")


def _routed(request: Request, at: PointInTime, kind: str):
    state = request.app.state
    replica = state.replicas.choose(_pinned_at(request, at))
    return FallBack(replica, getattr(replica, kind), getattr(state, kind)) if replica else getattr(state, kind)
