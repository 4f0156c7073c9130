"""A bounded load run of the scaled-out service (SPEC §12): `python -m bench.load`.

A throwaway PostgreSQL primary and streaming replica (bench/cluster.py), two
`ceasefire serve` processes on them, one stream subscriber on each, then for
`--seconds`: `--writers` clients appending reports, split over both processes,
and `--readers` clients reading — three in four reads accept lag (served by the
replica at its head), one in four is pinned at the record time of a recent
write (read-your-writes: the replica if it has replayed that far, else the
primary). It prints throughput, latencies, and how long each write took to
reach the subscriber on the other process, and checks both heard every
position once, in order.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import msgspec
import psycopg

from bench.client import Connection
from bench.cluster import Cluster, free_port
from bench.synth import report_bodies

TOKEN = "load-writer-token"
SIGNING_KEY = "9Zr3Yp3QmV9oVh0cZ0pTvXH1mQ1n0mYVbXn3Z4b1bq0="


class Receipt(msgspec.Struct):
    id: str
    position: int
    recorded_at: str


def serve(database_url: str, read_url: str, workdir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": database_url, "CEASEFIRE_READ_DATABASE_URL": read_url,
           "CEASEFIRE_TOKENS": f"load=writer:{TOKEN}", "CEASEFIRE_SIGNING_KEY": SIGNING_KEY}
    log = (workdir / f"serve-{port}.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                               cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1):
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"ceasefire serve did not start: see {log.name}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


class Run:
    def __init__(self, ports: list[int], seconds: float):
        self.ports, self.seconds = ports, seconds
        self.bodies = [msgspec.json.encode(body) for body in report_bodies(2000)]
        self.written: dict[int, tuple[float, int]] = {}  # position -> (answered at, port it went through)
        self.recent: list[Receipt] = []
        self.write_latency: list[float] = []
        self.read_latency = {"lagging": [], "pinned": []}
        self.served_at_head = 0
        self.heard: dict[int, list[tuple[int, float]]] = {port: [] for port in ports}
        self.failures: list[str] = []
        self.lags: list[float] = []

    async def writer(self, number: int, deadline: float) -> None:
        port = self.ports[number % len(self.ports)]
        connection = await Connection.open(port)
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            status, body = await connection.request("POST", "/v1/events", random.choice(self.bodies), TOKEN)
            answered = time.perf_counter()
            if status != 201:
                self.failures.append(f"POST {status}: {body[:200]!r}")
                continue
            receipt = msgspec.json.decode(body, type=Receipt)
            self.write_latency.append(answered - began)
            self.written[receipt.position] = (answered, port)
            self.recent = [*self.recent[-63:], receipt]
        await connection.close()

    async def reader(self, number: int, deadline: float) -> None:
        connection = await Connection.open(self.ports[number % len(self.ports)])
        turn = number
        while time.perf_counter() < deadline:
            turn += 1
            pinned = turn % 4 == 0 and self.recent
            if pinned:
                receipt = random.choice(self.recent)
                path = f"/v1/events/{receipt.id}?recorded_at={quote(receipt.recorded_at)}"
            else:
                path = "/v1/timeline?limit=20"
            began = time.perf_counter()
            status, body = await connection.request("GET", path)
            self.read_latency["pinned" if pinned else "lagging"].append(time.perf_counter() - began)
            if status != 200:
                self.failures.append(f"GET {path} {status}: {body[:200]!r}")
        await connection.close()

    async def subscriber(self, port: int, after: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /v1/stream?after={after} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        try:
            while line := await reader.readline():
                if line.startswith(b"id:"):
                    self.heard[port].append((int(line[3:]), time.perf_counter()))
        finally:
            writer.close()

    async def watch_lag(self, deadline: float) -> None:
        connection = await Connection.open(self.ports[0])
        while time.perf_counter() < deadline:
            _, body = await connection.request("GET", "/ready")
            self.lags += [r["lag_seconds"] or 0.0 for r in msgspec.json.decode(body)["replicas"]]
            await asyncio.sleep(0.5)
        await connection.close()

    async def run(self, writers: int, readers: int) -> None:
        subscribers = [asyncio.create_task(self.subscriber(port, 0)) for port in self.ports]
        await asyncio.sleep(1)
        deadline = time.perf_counter() + self.seconds
        await asyncio.gather(*(self.writer(n, deadline) for n in range(writers)),
                             *(self.reader(n, deadline) for n in range(readers)), self.watch_lag(deadline))
        await asyncio.sleep(2)  # the last writes reach the subscribers
        for task in subscribers:
            task.cancel()

    def report(self, writers: int, readers: int) -> list[str]:
        positions = sorted(self.written)
        delivery = [heard_at - self.written[position][0] for port in self.ports
                    for position, heard_at in self.heard[port]
                    if position in self.written and self.written[position][1] != port]  # written via the other
        reads = self.read_latency["lagging"] + self.read_latency["pinned"]
        ms = 1000
        lines = [
            f"{writers} writers, {readers} readers, {self.seconds:g} s, 2 API processes, 1 streaming replica",
            f"writes: {len(positions) / self.seconds:.0f}/s; p50 {percentile(self.write_latency, .5) * ms:.1f} ms, "
            f"p99 {percentile(self.write_latency, .99) * ms:.1f} ms",
            f"reads: {len(reads) / self.seconds:.0f}/s; p50 {percentile(reads, .5) * ms:.1f} ms, "
            f"p99 {percentile(reads, .99) * ms:.1f} ms",
            f"  accepting lag (replica): p50 {percentile(self.read_latency['lagging'], .5) * ms:.1f} ms, "
            f"p99 {percentile(self.read_latency['lagging'], .99) * ms:.1f} ms",
            f"  pinned at a recent write: p50 {percentile(self.read_latency['pinned'], .5) * ms:.1f} ms, "
            f"p99 {percentile(self.read_latency['pinned'], .99) * ms:.1f} ms",
            f"stream, written through one process, heard on the other: p50 {percentile(delivery, .5) * ms:.1f} ms, "
            f"p99 {percentile(delivery, .99) * ms:.1f} ms, max {max(delivery, default=0) * ms:.1f} ms",
            f"replica lag seen by /ready: max {max(self.lags, default=0):.2f} s",
            f"positions gapless: {positions == list(range(1, len(positions) + 1))}; "
            + "; ".join(f"subscriber {n} heard each once in order: "
                        f"{[p for p, _ in self.heard[port]] == positions}" for n, port in enumerate(self.ports)),
            f"failures: {len(self.failures)}" + (f" (first: {self.failures[0]})" if self.failures else ""),
        ]
        return lines


def storage(url: str, schema: str) -> str:
    """Bytes per log entry of each table, its indexes included."""
    with psycopg.connect(url) as connection:
        entries = connection.execute(f'SELECT count(*) FROM "{schema}".ledger').fetchone()[0]
        tables = connection.execute("SELECT tablename, pg_total_relation_size(format('%%I.%%I', schemaname, tablename)) "
                                    "FROM pg_tables WHERE schemaname = %s ORDER BY 2 DESC", (schema,)).fetchall()
    return "bytes per entry: " + ", ".join(f"{name} {size / max(entries, 1):.0f}" for name, size in tables)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=32)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ceasefire-load-"))
    with Cluster() as cluster:
        servers = [serve(cluster.primary_url("load"), cluster.replica_url("load"), workdir) for _ in range(2)]
        try:
            run = Run([port for _, port in servers], args.seconds)
            asyncio.run(run.run(args.writers, args.readers))
            print("\n".join(run.report(args.writers, args.readers)))
            print(storage(cluster.primary_url(), "load"))
        finally:
            for process, _ in servers:
                process.kill()
                process.wait()


if __name__ == "__main__":
    main()
