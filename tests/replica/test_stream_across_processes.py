"""The live stream on PostgreSQL across real `ceasefire serve` processes (SPEC §5, §12)."""

from __future__ import annotations

import itertools
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.e2e.test_server import start_server
from tests.replica.conftest import WRITER, Subscriber, report


@pytest.fixture
def serve(tmp_path):
    """Starts API processes on demand; stops them all at the end."""
    started: list[subprocess.Popen] = []

    def start(database_url: str, **env) -> str:
        process, base = start_server(database_url, tmp_path, **env)
        started.append(process)
        return base

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(2)
        except subprocess.TimeoutExpired:  # an open stream holds a graceful shutdown
            process.kill()
            process.wait()


def write(base: str, title: str, timeout: float = 30) -> dict:
    """A write, retried while the primary is restarting (503, or the connection refused)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            answer = httpx.post(f"{base}/v1/events", json=report(title), headers=WRITER, timeout=10)
            if answer.status_code == 201:
                return answer.json()
            assert answer.status_code == 503, answer.text
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the write never succeeded"
        time.sleep(0.2)


def test_two_api_processes_write_and_stream_at_once_with_gapless_positions(cluster, schema, serve):
    bases = [serve(cluster.primary_url(schema), CEASEFIRE_READ_DATABASE_URL=cluster.replica_url(schema))
             for _ in range(2)]
    with Subscriber(bases[0]) as first, Subscriber(bases[1]) as second:
        targets = itertools.cycle(bases)
        with ThreadPoolExecutor(8) as pool:
            receipts = list(pool.map(lambda n: write(next(targets), f"Report {n}"), range(40)))
        heard = [first.wait_for(40), second.wait_for(40)]
    assert sorted(receipt["position"] for receipt in receipts) == list(range(1, 41))
    assert heard == [list(range(1, 41))] * 2


def test_a_subscriber_on_one_process_hears_a_write_through_another_within_a_second(cluster, schema, serve):
    writer, streamer = serve(cluster.primary_url(schema)), serve(cluster.primary_url(schema))
    with Subscriber(streamer) as subscriber:
        written = write(writer, "Trump–Putin call")
        answered_at = time.monotonic()
        assert subscriber.wait_for(1, timeout=1) == [written["position"]]
    assert subscriber.heard_at[written["position"]] - answered_at < 1


def test_last_event_id_resumes_on_another_process(cluster, schema, serve):
    first, second = serve(cluster.primary_url(schema)), serve(cluster.primary_url(schema))
    for n in range(5):
        write(first, f"Report {n}")
    with Subscriber(second, after=2) as resumed:
        write(first, "Report 5")
        assert resumed.wait_for(4) == [3, 4, 5, 6]


def test_the_stream_resumes_across_a_primary_restart_without_losing_or_repeating_entries(cluster, schema, serve):
    base = serve(cluster.primary_url(schema))
    with Subscriber(base) as subscriber:
        for n in range(3):
            write(base, f"Before the restart {n}")
        assert subscriber.wait_for(3) == [1, 2, 3]
        cluster.restart_primary()
        for n in range(3):
            write(base, f"After the restart {n}")
        assert subscriber.wait_for(6) == [1, 2, 3, 4, 5, 6]


def test_an_idle_stream_on_postgresql_makes_no_query_of_the_log(cluster, schema, serve):
    base = serve(cluster.primary_url(schema))
    with Subscriber(base) as subscriber:
        write(base, "Jeddah talks")
        assert subscriber.wait_for(1) == [1]
        time.sleep(0.5)
        quiet_from = cluster.primary_log.stat().st_size
        time.sleep(3)
        idle = _statements_since(cluster.primary_log, quiet_from, schema)
        write(base, "Riyadh talks")
        assert subscriber.wait_for(2) == [1, 2]
        time.sleep(0.5)
        awake = _statements_since(cluster.primary_log, quiet_from, schema)
    assert idle == []
    assert any("ledger" in line for line in awake)  # the server log does show the statements it runs


def _statements_since(log, offset: int, schema: str) -> list[str]:
    with log.open("rb") as text:
        text.seek(offset)
        return [line for line in text.read().decode(errors="replace").splitlines() if f'"{schema}"' in line]
