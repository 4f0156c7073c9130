"""PostgreSQL drops the server's connections under load: clean 503s, then recovery without a restart.

The server runs with its own `application_name` (libpq's PGAPPNAME), so the
test terminates exactly that server's backends and nobody else's. While
writers and readers keep going, its connections are cut several times over;
then:

* every answer is a success or a 503 `application/problem+json` — never a 500,
  never a hang; `/ready` keeps answering (200 or 503);
* without a restart, later writes succeed and `/ready` is ready again;
* nothing acknowledged is lost, a 503'd write retried with its
  Idempotency-Key is stored exactly once, positions stay gapless and
  `GET /v1/audit/verify` is ok.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import httpx
import psycopg

from tests.reliability.conftest import WRITER, assert_log_is_sound, report, unique_key

WRITERS, READERS = 4, 2
ROUNDS, ROUND_SECONDS = 3, 0.6  # each round cuts the connections over and over for ROUND_SECONDS
TIMEOUT = 20  # an answer slower than this is a hang


def terminate_backends(base_url: str, application_name: str) -> int:
    """Cut every connection the server holds; how many were cut."""
    with psycopg.connect(base_url.split("?")[0], autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            (application_name,)).fetchall()
    return sum(1 for (terminated,) in rows if terminated)


class Traffic:
    """Writers posting new events and readers asking `/ready` and the timeline, until told to stop."""

    def __init__(self, base: str):
        self.base = base
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[str, dict] = {}  # key → 201 answer
        self.unavailable: dict[str, dict] = {}  # key → body answered 503
        self.answers: list[tuple[str, int, str, str]] = []  # (what, status, content type, body)
        self.hangs: list[str] = []
        self.threads = ([threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(WRITERS)]
                        + [threading.Thread(target=self._read, daemon=True) for _ in range(READERS)])

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(TIMEOUT + 5)

    def _record(self, what: str, response: httpx.Response) -> None:
        with self.lock:
            self.answers.append((what, response.status_code, response.headers.get("content-type", ""),
                                 response.text[:300]))

    def _write(self, n: int) -> None:
        with httpx.Client(base_url=self.base, headers=WRITER, timeout=TIMEOUT) as client:
            i = 0
            while not self.stop.is_set():
                key, i = unique_key(f"outage-{n}-{i}"), i + 1
                body = report(f"Outage write {n}/{i} {key}")
                try:
                    response = client.post("/v1/events", json=body, headers={"Idempotency-Key": key})
                except httpx.TimeoutException:
                    self.hangs.append(f"POST /v1/events {key}")
                    continue
                self._record("POST /v1/events", response)
                with self.lock:
                    if response.status_code == 201:
                        self.acknowledged[key] = response.json()
                    elif response.status_code == 503:
                        self.unavailable[key] = body

    def _read(self) -> None:
        with httpx.Client(base_url=self.base, timeout=TIMEOUT) as client:
            while not self.stop.is_set():
                for path in ("/ready", "/v1/timeline?limit=5", "/v1/audit/root"):
                    try:
                        self._record(f"GET {path}", client.get(path))
                    except httpx.TimeoutException:
                        self.hangs.append(f"GET {path}")


def test_terminated_connections_give_clean_503s_and_the_service_recovers_without_restart(
        postgres_base_url, postgres_url, server_factory):
    application_name = f"ceasefire-outage-{uuid.uuid4().hex[:12]}"
    server = server_factory(postgres_url, PGAPPNAME=application_name)

    terminated = 0
    with Traffic(server.base) as traffic:
        deadline = time.monotonic() + 30
        while len(traffic.acknowledged) < 20:
            assert time.monotonic() < deadline, f"no writes before the outage:\n{server.log_tail()}"
            time.sleep(0.02)
        for _ in range(ROUNDS):
            cut_until = time.monotonic() + ROUND_SECONDS
            while time.monotonic() < cut_until:
                terminated += terminate_backends(postgres_base_url, application_name)
                time.sleep(0.05)
            time.sleep(0.4)  # requests flow on the fresh connections between rounds
    acknowledged, unavailable, answers = dict(traffic.acknowledged), dict(traffic.unavailable), traffic.answers

    assert terminated > 0, "the test cut no connection: is PGAPPNAME honoured?"
    assert server.process.poll() is None, f"the server died:\n{server.log_tail()}"
    assert not traffic.hangs, f"requests hung: {traffic.hangs[:5]}"
    statuses = Counter((what, status) for what, status, _, _ in answers)
    wrong = [a for a in answers if a[1] not in ((201, 503) if a[0].startswith("POST") else (200, 503))]
    assert not wrong, f"answers other than success or 503: {wrong[:3]}\n{server.log_tail()}"
    for what, status, content_type, body in answers:
        if status == 503 and not what.startswith("GET /ready"):
            assert content_type.startswith("application/problem+json"), (what, content_type, body)
            assert '"status":503' in body, body
    assert any(what == "GET /ready" for what, _ in statuses), "/ready was never answered"

    with server.client(timeout=TIMEOUT) as client:
        # Recovery without a restart: writes succeed again within seconds, then keep succeeding.
        def write(title: str) -> int:
            key, body = unique_key("after"), report(title)
            response = client.post("/v1/events", json=body, headers={**WRITER, "Idempotency-Key": key})
            assert response.status_code in (201, 503), f"{response.text}\n{server.log_tail()}"
            if response.status_code == 201:
                acknowledged[key] = response.json()
            else:
                unavailable[key] = body
            return response.status_code

        settled = time.monotonic() + 10
        while write(f"First after the outage {uuid.uuid4()}") != 201:
            assert time.monotonic() < settled, f"writes still fail after the outage:\n{server.log_tail()}"
            time.sleep(0.1)
        for n in range(20):
            assert write(f"After the outage {n}") == 201, server.log_tail()
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["ready"] is True, ready.text

        # A 503 said nothing about whether the write was stored: the retry settles it, exactly once.
        for key, body in unavailable.items():
            retried = client.post("/v1/events", json=body, headers={**WRITER, "Idempotency-Key": key})
            assert retried.status_code == 201, retried.text

        log = assert_log_is_sound(client)
    by_position = {entry["position"]: entry for entry in log}
    for key, answer in acknowledged.items():
        stored = by_position.get(answer["position"])
        assert stored is not None and (stored["event_id"], stored["hash"]) == (answer["id"], answer["hash"]), \
            f"acknowledged write {key} is lost"
    titles = Counter(entry["data"]["title"] for entry in log)
    assert set(titles.values()) == {1}, "a write was stored twice"
    assert len(log) == len(acknowledged) + len(unavailable)
