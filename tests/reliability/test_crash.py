"""A write that was acknowledged survives `kill -9`, exactly once, on every backend.

Sixteen writers post new events, each with its own title and Idempotency-Key,
against the real server process. Once a good number are acknowledged, the
process is killed with SIGKILL while the writers are still sending. The server
is started again on the same store, and then:

* every acknowledged write (a 201) is in the log exactly once, at the position
  and with the hash its answer gave;
* writes caught in flight by the kill are either absent or present once, and
  retrying them with their Idempotency-Key stores each exactly once;
* positions are gapless from 1, `GET /v1/audit/verify` is ok, the root signed
  before the crash is a prefix of the new tree, and the projections agree with
  a replay of the log.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx

from tests.reliability.conftest import AUDITOR, WRITER, assert_log_is_sound, report, unique_key

WRITERS = 16
ACKNOWLEDGED_BEFORE_KILL = 80


class Writers:
    """Sixteen threads, each posting new events until the server dies under them."""

    def __init__(self, base: str, threads: int = WRITERS):
        self.base = base
        self.acknowledged: dict[str, tuple[dict, dict]] = {}  # key → (body, 201 answer)
        self.in_flight: dict[str, dict] = {}  # key → body whose answer never came
        self.refused: list[tuple[str, int, str]] = []  # any answer but a 201
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._write, args=(n,), daemon=True) for n in range(threads)]

    def start(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> None:
        for thread in self.threads:
            thread.join(30)
        assert not any(thread.is_alive() for thread in self.threads), "a writer hung after the kill"

    def _write(self, n: int) -> None:
        with httpx.Client(base_url=self.base, headers=WRITER, timeout=30) as client:
            for i in range(10_000):
                key = unique_key(f"crash-{n}-{i}")
                body = report(f"Crash test write {n}/{i} {key}")
                try:
                    response = client.post("/v1/events", json=body, headers={"Idempotency-Key": key})
                except httpx.TransportError:  # the process died: this write's fate is unknown
                    with self.lock:
                        self.in_flight[key] = body
                    return
                with self.lock:
                    if response.status_code == 201:
                        self.acknowledged[key] = (body, response.json())
                    else:
                        self.refused.append((key, response.status_code, response.text))


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_every_acknowledged_write_survives_kill_9_exactly_once(store_url, server_factory):
    server = server_factory(store_url)
    writers = Writers(server.base).start()
    wait_for(lambda: len(writers.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL // 2, 60, "acknowledged writes")
    with server.client() as client:  # a root signed mid-run: the restarted log must extend it
        signed_before = client.get("/v1/audit/root").json()
    wait_for(lambda: len(writers.acknowledged) >= ACKNOWLEDGED_BEFORE_KILL, 60, "acknowledged writes")

    server.kill()
    writers.join()
    acknowledged = dict(writers.acknowledged)
    assert not writers.refused, f"writes refused before the kill: {writers.refused[:3]}\n{server.log_tail()}"
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
    assert writers.in_flight, "each writer's last request went unanswered"

    server.start()  # the same store, a new process
    with server.client(timeout=30) as client:
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["ready"] is True, ready.text

        log = assert_log_is_sound(client)
        titles = Counter(entry["data"]["title"] for entry in log)
        assert max(titles.values()) == 1, "a write was stored twice"
        by_position = {entry["position"]: entry for entry in log}
        for key, (body, answer) in acknowledged.items():
            stored = by_position.get(answer["position"])
            assert stored is not None, f"acknowledged write {key} at position {answer['position']} is lost"
            assert (stored["event_id"], stored["hash"], stored["recorded_at"]) == \
                   (answer["id"], answer["hash"], answer["recorded_at"])
            assert stored["data"]["title"] == body["title"]
            event = client.get(f"/v1/events/{answer['id']}")
            assert event.status_code == 200 and event.json()["title"] == body["title"]
        in_flight_titles = {body["title"] for body in writers.in_flight.values()}
        assert set(titles) <= {body["title"] for body, _ in acknowledged.values()} | in_flight_titles, \
            "the log holds a write nobody sent"

        # The writers' retries after the crash: each in-flight write ends up stored exactly once.
        for key, body in writers.in_flight.items():
            retried = client.post("/v1/events", json=body, headers={**WRITER, "Idempotency-Key": key})
            assert retried.status_code == 201, retried.text
        log = assert_log_is_sound(client)
        titles = Counter(entry["data"]["title"] for entry in log)
        assert len(log) == len(acknowledged) + len(writers.in_flight)
        assert set(titles.values()) == {1}

        consistency = client.get("/v1/audit/consistency", params={"from_size": signed_before["tree_size"]})
        assert consistency.status_code == 200, consistency.text
        assert consistency.json()["from_root"] == signed_before["root"]
        replay = client.get("/v1/audit/replay", headers=AUDITOR)
        assert replay.status_code == 200 and replay.json()["equal"] is True, replay.text
