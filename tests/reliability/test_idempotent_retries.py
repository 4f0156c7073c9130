"""Retries with one Idempotency-Key store one entry, however they race (SPEC §5).

A client that lost an answer sends the same request again, maybe from several
threads at once. Whatever the interleaving, each key stores exactly one entry,
and every retry gets the first 201 answer, byte for byte. The same key with
another body is a 422 and stores nothing; keys are kept per principal.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.reliability.conftest import AUDITOR, WRITER, assert_log_is_sound, report, unique_key

BOB = {"Authorization": "Bearer bob-token"}
TOKENS = "alice=writer:writer-token,bob=writer:bob-token,auditor:auditor-token"
KEYS = 6
RACERS = 8  # threads sending the same key and body at the same moment
LATE_RETRIES = 3


@pytest.fixture
def server(store_url, server_factory):
    return server_factory(store_url, CEASEFIRE_TOKENS=TOKENS)


def race(base: str, requests: list[tuple[str, dict, dict]]) -> list[httpx.Response]:
    """Send every (path, body, headers) at once: all threads wait at a barrier, then post."""
    barrier = threading.Barrier(len(requests))

    def send(request):
        path, body, headers = request
        with httpx.Client(base_url=base, timeout=30) as client:
            barrier.wait(10)
            return client.post(path, json=body, headers=headers)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def assert_one_answer(responses: list[httpx.Response]) -> httpx.Response:
    """Every answer a 201, all with the same bytes and the same Location (if any)."""
    assert [r.status_code for r in responses] == [201] * len(responses), [r.text for r in responses]
    assert len({r.content for r in responses}) == 1, "retries got different answers"
    assert len({r.headers.get("location") for r in responses}) == 1
    return responses[0]


def test_concurrent_and_late_retries_of_one_key_store_one_entry_and_get_one_answer(server):
    with server.client() as client:
        event = client.post("/v1/events", json=report("The event sources are added to"), headers=WRITER).json()
    writes = []  # (path, body, key) — reports, a source and a batch, each sent RACERS times at once
    for n in range(KEYS):
        writes.append(("/v1/events", report(f"Retried report {n}"), unique_key("report")))
    writes.append((f"/v1/events/{event['id']}/sources",
                   {"source": {"publisher": "AP", "title": "Corroboration", "url": "https://example.org/ap"}},
                   unique_key("source")))
    writes.append(("/v1/batch", {"entries": [{"op": "report", "body": report("Retried batch report")},
                                             {"op": "source", "event_id": event["id"],
                                              "body": {"source": {"publisher": "AFP", "title": "Batch source",
                                                                  "url": "https://example.org/afp"}}}]},
                   unique_key("batch")))

    racing = [(path, body, {**WRITER, "Idempotency-Key": key}) for path, body, key in writes for _ in range(RACERS)]
    answers = race(server.base, racing)

    with server.client() as client:
        for index, (path, body, key) in enumerate(writes):
            first = answers[index * RACERS:(index + 1) * RACERS]
            late = [client.post(path, json=body, headers={**WRITER, "Idempotency-Key": key})
                    for _ in range(LATE_RETRIES)]
            assert_one_answer(first + late)

        log = assert_log_is_sound(client)
    # One event, six reports, one source, and the batch's report and source: nothing twice.
    assert len(log) == 1 + KEYS + 1 + 2, [(e["type"], e["data"].get("title")) for e in log]
    reports = Counter(e["data"]["title"] for e in log if e["type"] == "EventReported")
    assert set(reports.values()) == {1}
    assert Counter(e["type"] for e in log)["SourceAdded"] == 2


def test_the_same_key_with_different_bodies_at_once_stores_only_the_first(server):
    key = unique_key("contested")
    racing = [("/v1/events", report(f"Contender {n}"), {**WRITER, "Idempotency-Key": key}) for n in range(RACERS)]
    answers = race(server.base, racing)

    statuses = Counter(r.status_code for r in answers)
    assert statuses == {201: 1, 422: RACERS - 1}, [r.text for r in answers]
    for refused in (r for r in answers if r.status_code == 422):
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "Idempotency-Key" in [e["field"] for e in refused.json()["errors"]]
    winner = next(r for r in answers if r.status_code == 201).json()
    with server.client() as client:
        log = assert_log_is_sound(client)
        assert [(e["event_id"], e["position"]) for e in log] == [(winner["id"], winner["position"])]
        # A later retry of the winner still gets its answer; a loser's body is still refused.
        body = next(b for (_, b, _), r in zip(racing, answers, strict=True) if r.status_code == 201)
        again = client.post("/v1/events", json=body, headers={**WRITER, "Idempotency-Key": key})
        assert again.status_code == 201 and again.json() == winner
        elsewhere = client.post(f"/v1/events/{winner['id']}/sources", json={"source": body["source"]},
                                headers={**WRITER, "Idempotency-Key": key})
        assert elsewhere.status_code == 422, "the same key on another path is a 422"
        assert len(assert_log_is_sound(client)) == 1


def test_keys_are_kept_per_principal(server):
    key = unique_key("shared")
    body = report("Two writers, one key")
    with server.client() as client:
        alice = [client.post("/v1/events", json=body, headers={**WRITER, "Idempotency-Key": key}) for _ in range(2)]
        bob = [client.post("/v1/events", json=body, headers={**BOB, "Idempotency-Key": key}) for _ in range(2)]
        assert_one_answer(alice)
        assert_one_answer(bob)
        assert alice[0].json()["id"] != bob[0].json()["id"]
        log = assert_log_is_sound(client)
        assert sorted(e["recorded_by"] for e in log) == ["alice", "bob"]
        assert client.get("/v1/log", headers=AUDITOR).json()["items"] == log
