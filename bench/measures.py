"""The measurements: writing the log, point-in-time reads, the append baseline, rebuild and a bare read."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator

import msgspec
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from adapters.store import Store
from domain import clock
from domain.application import Timeline
from domain.commands import Op
from domain.errors import NotFound
from projections.log import ENTRY_SQL
from projections.queries import PointInTime, Reader, TimelineFilter
from projections.rebuild import CHUNK, rebuild


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- writing the log ----------------------------------------------------------------------------

def write(store: Store, ops: Iterator[Op], count: int, batch: int = 500) -> float:
    """Append `count` ops through the application, `batch` per atomic batch: entries per second."""
    timeline, began = Timeline(store), time.perf_counter()
    for _ in range(0, count, batch):
        chunk = list(itertools.islice(ops, batch))
        if chunk:
            timeline.execute(chunk, "bench", batch=True)
    return count / (time.perf_counter() - began)


# --- point-in-time reads ------------------------------------------------------------------------

def known_range(store: Store) -> tuple[int, int, int]:
    """(earliest known_at + 60 days, latest known_at, head record time)."""
    with store.read() as tx:
        row = tx.one("SELECT MIN(known_at) AS low, MAX(known_at) AS high FROM {s}ledger")
        head = store.head(tx)[1]
    return row["low"] + 60 * 86_400 * clock.MICROS, row["high"], head


def random_points(store: Store, count: int, rng: random.Random, past: bool = False) -> list[PointInTime]:
    """(K, R): K a random past knowledge time; R now, or with `past` a random record time in the log."""
    low, high, head = known_range(store)
    with store.read() as tx:
        first = tx.one("SELECT recorded_at FROM {s}ledger WHERE position = 1")["recorded_at"]
    return [PointInTime(rng.randrange(low, high), rng.randrange(first, head) if past else clock.now_micros())
            for _ in range(count)]


def timeline_latencies(reader: Reader, points: list[PointInTime]) -> list[float]:
    """Reader.timeline at each (K, R), 50 items, as `GET /v1/timeline?known_at=K` asks it."""
    latencies = []
    for at in points:
        began = time.perf_counter()
        reader.timeline(TimelineFilter(), at, 50, None)
        latencies.append(time.perf_counter() - began)
    return latencies


def lookup_targets(store: Store, count: int, rng: random.Random) -> list[tuple[str, PointInTime]]:
    """Random events, each at a random (K, R) at which it is known and recorded."""
    _, high, head = known_range(store)
    targets = []
    with store.read() as tx:
        size = store.head(tx)[0]
        for position in (rng.randint(1, size) for _ in range(count)):
            event_id = tx.one("SELECT event_id FROM {s}ledger WHERE position = ?", (position,))["event_id"]
            report = tx.one("SELECT known_at, recorded_at FROM {s}ledger WHERE event_id = ? AND version = 1",
                            (event_id,))
            known = rng.randint(report["known_at"], max(high, report["known_at"]))
            targets.append((str(event_id), PointInTime(known, rng.randint(report["recorded_at"], head))))
    return targets


def event_latencies(reader: Reader, targets: list[tuple[str, PointInTime]]) -> tuple[list[float], int]:
    """(latencies, misses): a miss is a 404 for an event that the log says is visible there."""
    latencies, misses = [], 0
    for event_id, at in targets:
        began = time.perf_counter()
        try:
            reader.event(event_id, at)
        except NotFound:
            misses += 1
        latencies.append(time.perf_counter() - began)
    return latencies, misses


# --- the append baseline: eventsourcing alone -----------------------------------------------------

class Reported(Aggregate):
    def __init__(self, body: dict):
        self.body = body


def baseline_append_rate(env: dict[str, str], bodies: list[bytes], threads: int, seconds: float) -> float:
    """Saves per second of one new aggregate each, through an eventsourcing Application."""
    app = Application(env=env)
    decoded = [msgspec.json.decode(body) for body in bodies]
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def saver(number: int) -> None:
        for index in itertools.count(number, threads):
            if time.perf_counter() >= deadline:
                return
            app.save(Reported(decoded[index % len(decoded)]))
            counts[number] += 1

    began = time.perf_counter()
    workers = [threading.Thread(target=saver, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    rate = sum(counts) / (time.perf_counter() - began)
    app.close()
    return rate


# --- rebuild, and a bare read of the log ------------------------------------------------------------

def vacuum_analyze(store: Store) -> None:
    """On PostgreSQL, what autovacuum would have done by now (it is off on some servers, this one included)."""
    if store.dialect.name != "postgresql":
        return
    with store.datastore.get_connection() as connection:
        connection.autocommit = True
        for table in ("stored_events", "ledger", "event_states"):
            connection.execute(f'VACUUM ANALYZE "{store.dialect.schema}".{table}')
        connection.autocommit = False


def bare_read_rate(store: Store) -> float:
    """Every ledger row joined with its stored event, in position order, CHUNK rows a query."""
    began, after, rows, size = time.perf_counter(), 0, 0, 0
    while True:
        with store.read() as tx:
            chunk = tx.rows(f"{ENTRY_SQL} WHERE l.position > ? ORDER BY l.position LIMIT ?", (after, CHUNK))
        if not chunk:
            break
        rows, after = rows + len(chunk), chunk[-1]["position"]
        size += sum(len(row["state"]) for row in chunk)
    assert rows and size
    return rows / (time.perf_counter() - began)


def rebuild_rate(store: Store) -> tuple[float, bool]:
    """(entries per second of projections.rebuild.rebuild, whether the index came back the same)."""
    before = index_digest(store)
    began = time.perf_counter()
    applied = rebuild(store)
    rate = applied / (time.perf_counter() - began)
    return rate, index_digest(store) == before


def index_digest(store: Store) -> tuple:
    with store.read() as tx:
        row = tx.one("SELECT COUNT(*) AS n, SUM(LENGTH(view)) AS size, MAX(known_from) AS k, "
                     "SUM(CASE WHEN recorded_to = ? THEN 1 ELSE 0 END) AS open FROM {s}event_states", (clock.FOREVER,))
    return tuple(row.values()) if hasattr(row, "values") else tuple(row)

