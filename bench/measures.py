"""The measurements: writing the log, point-in-time reads, the append baseline, rebuild and a bare read."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from adapters.codec import decode_raw
from adapters.store import Store
from domain import clock
from domain.application import Timeline
from domain.commands import Op
from projections import selection
from projections.log import ENTRY_SQL
from projections.rebuild import CHUNK, rebuild


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- writing the log ----------------------------------------------------------------------------

def write(store: Store, ops: Iterator[Op], count: int, batch: int = 1000) -> float:
    """Append `count` ops through the application, `batch` per atomic batch, then index them in one
    rebuild (faster than indexing each batch as it lands): entries per second, indexing included."""
    timeline, began = Timeline(store), time.perf_counter()
    with store.write() as tx:  # the index falls behind, so appends leave it alone
        tx.run("UPDATE {s}projection_position SET position = -1 WHERE name = 'event_states'")
    for _ in range(0, count, batch):
        chunk = list(itertools.islice(ops, batch))
        if chunk:
            timeline.execute(chunk, "bench", batch=True)
    rebuild(store)
    return count / (time.perf_counter() - began)


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
        # The index's other tables too: unvacuumed, the GIN index's pending list is read by every search.
        for table in ("stored_events", "ledger", "event_states", "event_views", "event_facets", "event_words"):
            connection.execute(f'VACUUM ANALYZE "{store.dialect.schema}".{table}')
        connection.autocommit = False


def warm_page_cache(store: Store, sqlite_file: Path | None) -> int:
    """Read the store's files once, so the questions that follow find its pages in the operating
    system's cache, as a running server's are: else the first shape measured at 1M entries pays for
    reading a 10 GB file from disk at random, and the HTTP pass right after it does not. MB read."""
    if sqlite_file is not None:
        read = 0
        for path in (sqlite_file, sqlite_file.with_name(sqlite_file.name + "-wal")):
            if path.exists():
                with path.open("rb", buffering=0) as file:
                    while chunk := file.read(16 << 20):
                        read += len(chunk)
        return read >> 20
    with store.datastore.get_connection() as connection:  # pg_prewarm ships with PostgreSQL: 'read' fills the OS cache
        connection.autocommit = True
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        blocks = connection.execute(
            "SELECT coalesce(sum(pg_prewarm(c.oid, 'read')), 0) AS blocks FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind IN ('r', 'i', 't', 'm')",
            (store.dialect.schema,)).fetchone()["blocks"]
        connection.autocommit = False
    return int(blocks) * 8 >> 10


def bare_read_rate(store: Store) -> float:
    """Every ledger row joined with its stored event, in position order, CHUNK rows a query, each
    entry decoded with msgspec: the baseline of SPEC §9 for rebuild."""
    began, after, rows = time.perf_counter(), 0, 0
    while True:
        with store.read() as tx:
            chunk = tx.rows(f"{ENTRY_SQL} WHERE l.position > ? ORDER BY l.position LIMIT ?", (after, CHUNK))
        if not chunk:
            break
        rows, after = rows + len(chunk), chunk[-1]["position"]
        for row in chunk:
            decode_raw(bytes(row["state"]))
    assert rows
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
        row = tx.one("SELECT COUNT(*) AS n, SUM(LENGTH(v.view)) AS size, MAX(s.known_from) AS k, "
                     "SUM(CASE WHEN s.recorded_to = ? THEN 1 ELSE 0 END) AS open "
                     f"FROM {selection.ROW} {selection.VIEW}", (clock.FOREVER,))
    return tuple(row.values()) if hasattr(row, "values") else tuple(row)

