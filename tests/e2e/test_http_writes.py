"""Writes over HTTP: answers, Location, idempotency, If-Match, batch, and every refusal as a problem."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import AUDITOR, WRITER, event_body, source

EMPTY_UUID = "00000000-0000-0000-0000-000000000000"


async def log_size(client) -> int:
    return len((await client.get("/v1/log?limit=1000", headers=AUDITOR)).json()["items"])


async def test_reporting_an_event_answers_201_with_location_and_the_three_clocks(client):
    response = await client.post("/v1/events", json=event_body(), headers=WRITER)
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/events/{body['id']}"
    assert {"id", "version", "position", "recorded_at", "known_at", "hash"} <= set(body)
    assert body["known_at"].startswith("2025-03-11T00:00:00")
    assert body["recorded_at"].endswith("Z") and len(body["recorded_at"].split(".")[1]) == 7


async def test_a_client_chosen_id_is_kept_and_a_taken_one_is_a_409(client):
    chosen = "3f1c1a52-5b8e-4b7a-9a39-1a0c7a1d2b01"
    assert (await client.post("/v1/events", json=event_body(id=chosen), headers=WRITER)).json()["id"] == chosen
    again = await client.post("/v1/events", json=event_body(id=chosen), headers=WRITER)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")


async def test_writes_sent_at_once_are_each_answered_as_if_alone_and_a_taken_id_fails_alone(client):
    chosen = "3f1c1a52-5b8e-4b7a-9a39-1a0c7a1d2b02"
    bodies = [event_body(title=f"Round {n}") for n in range(12)] + [event_body(id=chosen)] * 3
    answers = await asyncio.gather(*(client.post("/v1/events", json=body, headers=WRITER) for body in bodies))
    assert sorted(answer.status_code for answer in answers) == [201] * 13 + [409] * 2
    stored = [answer.json() for answer in answers if answer.status_code == 201]
    assert sorted(receipt["position"] for receipt in stored) == list(range(1, 14))
    log = {item["position"]: item for item in (await client.get("/v1/log?limit=1000", headers=AUDITOR)).json()["items"]}
    assert len(log) == 13
    for receipt in stored:
        entry = log[receipt["position"]]
        assert (entry["event_id"], entry["hash"], entry["recorded_at"]) == (receipt["id"], receipt["hash"],
                                                                          receipt["recorded_at"])


@pytest.mark.parametrize("body, field", [
    ({"kind": "talks", "occurred": "2025", "source": source()}, "title"),
    (event_body(title=""), "title"),
    (event_body(title="x" * 301), "title"),
    (event_body(kind="picnic"), "kind"),
    (event_body(occurred="March 2025"), "occurred"),
    (event_body(unknown=1), "unknown"),
    (event_body(actors=[{"name": "Ukraine", "role": "party"}, {"name": "X", "role": "referee"}]), "actors[1].role"),
    (event_body(places=[{"name": "Kursk", "country": "Russia"}]), "places[0].country"),
    (event_body(source=source(published_at="yesterday")), "source.published_at"),
    (event_body(source={"publisher": "p", "title": "t"}), "source.url"),
    (event_body(known_at="2999-01-01T00:00:00Z"), "known_at"),
    (event_body(known_at="2025-03-11T10:00:00"), "known_at"),
    (event_body(summary="x" * 20_001), "summary"),
    (event_body(tags=["t"] * 51), "tags"),
])
async def test_invalid_reports_are_422_problems_naming_the_field_and_store_nothing(client, body, field):
    response = await client.post("/v1/events", json=body, headers=WRITER)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]
    assert await log_size(client) == 0


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b""])
async def test_malformed_json_is_a_400_problem(client, content):
    response = await client.post("/v1/events", content=content,
                                 headers={**WRITER, "content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await log_size(client) == 0


async def test_a_body_over_one_mebibyte_is_a_413(client):
    response = await client.post("/v1/events", content=b'{"title": "' + b"x" * (1024 * 1024) + b'"}',
                                 headers={**WRITER, "content-type": "application/json"})
    assert response.status_code == 413


async def test_writes_need_a_writer_token(client):
    assert (await client.post("/v1/events", json=event_body())).status_code == 401
    assert (await client.post("/v1/events", json=event_body(), headers={"Authorization": "Bearer nope"})).status_code == 401
    assert (await client.post("/v1/events", json=event_body(), headers=AUDITOR)).status_code == 403
    assert await log_size(client) == 0


async def test_recorded_by_is_shown_only_to_auditors(client):
    created = (await client.post("/v1/events", json=event_body(), headers=WRITER)).json()
    public = (await client.get(f"/v1/events/{created['id']}/history")).json()["items"][0]
    audited = (await client.get(f"/v1/events/{created['id']}/history", headers=AUDITOR)).json()["items"][0]
    assert "recorded_by" not in public
    assert audited["recorded_by"] == "alice"


async def test_an_idempotent_retry_returns_the_first_answer_and_stores_nothing(client):
    headers = {**WRITER, "Idempotency-Key": "report-1"}
    first = await client.post("/v1/events", json=event_body(), headers=headers)
    again = await client.post("/v1/events", json=event_body(), headers=headers)
    assert again.status_code == 201 and again.json() == first.json()
    assert await log_size(client) == 1
    other = await client.post("/v1/events", json=event_body(title="Other"), headers=headers)
    assert other.status_code == 422
    assert await log_size(client) == 1


async def test_if_match_with_a_stale_version_is_a_409_with_the_current_version(client):
    created = (await client.post("/v1/events", json=event_body(), headers=WRITER)).json()
    path = f"/v1/events/{created['id']}/corrections"
    body = {"changes": {"title": "Jeddah meeting"}, "reason": "renamed", "source": source()}
    stale = await client.post(path, json=body, headers={**WRITER, "If-Match": '"0"'})
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    fresh = await client.post(path, json=body, headers={**WRITER, "If-Match": '"1"'})
    assert fresh.status_code == 201 and fresh.json()["version"] == 2


async def test_every_write_endpoint_appends_to_the_events_stream(client):
    event_id = (await client.post("/v1/events", json=event_body(kind="ceasefire"), headers=WRITER)).json()["id"]
    base = f"/v1/events/{event_id}"
    answers = [
        await client.post(f"{base}/sources", json={"source": source("2025-03-10")}, headers=WRITER),
        await client.post(f"{base}/corrections", json={"changes": {"summary": "30 days"}, "reason": "detail",
                                                      "source": source()}, headers=WRITER),
        await client.post(f"{base}/positions", json={"party": "Ukraine", "position": "accepts_with_conditions",
                                                    "conditions": "simultaneous", "source": source()}, headers=WRITER),
    ]
    claim = await client.post(f"{base}/claims", json={"claimant": "Kremlin", "statement": "s", "source": source()},
                              headers=WRITER)
    assert claim.headers["location"] == f"/v1/claims/{claim.json()['claim_id']}"
    stance = await client.post(f"/v1/claims/{claim.json()['claim_id']}/stances",
                               json={"by": "ISW", "stance": "disputes", "source": source("2025-03-14")}, headers=WRITER)
    retraction = await client.post(f"{base}/retractions", json={"reason": "false", "source": source()}, headers=WRITER)
    reinstatement = await client.post(f"{base}/reinstatements", json={"reason": "true after all", "source": source()},
                                      headers=WRITER)
    assert [a.status_code for a in [*answers, claim, stance, retraction, reinstatement]] == [201] * 7
    history = (await client.get(f"{base}/history")).json()["items"]
    assert [e["type"] for e in history] == ["EventReported", "SourceAdded", "EventCorrected", "PositionTaken",
                                            "ClaimMade", "ClaimStanceTaken", "EventRetracted", "EventReinstated"]


async def test_unknown_events_and_claims_are_404_problems(client):
    for path, body in [(f"/v1/events/{EMPTY_UUID}/sources", {"source": source()}),
                       ("/v1/events/not-a-uuid/sources", {"source": source()}),
                       (f"/v1/claims/{EMPTY_UUID}/stances", {"by": "ISW", "stance": "disputes", "source": source()})]:
        response = await client.post(path, json=body, headers=WRITER)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_reinstating_an_active_event_is_a_409(client):
    event_id = (await client.post("/v1/events", json=event_body(), headers=WRITER)).json()["id"]
    response = await client.post(f"/v1/events/{event_id}/reinstatements", json={"reason": "r", "source": source()},
                                 headers=WRITER)
    assert response.status_code == 409


async def test_a_batch_is_atomic_and_names_the_failing_entry(client):
    event_id, claim_id = "5d1c1a52-5b8e-4b7a-9a39-1a0c7a1d2b01", "6e2d2b63-6c9f-4c8b-8b4a-2b1d8b2e3c02"
    good = [
        {"op": "report", "body": event_body(id=event_id, kind="offensive")},
        {"op": "claim", "event_id": event_id, "body": {"claim_id": claim_id, "claimant": "Putin",
                                                        "statement": "encircled", "source": source()}},
        {"op": "stance", "claim_id": claim_id, "body": {"by": "ISW", "stance": "disputes", "source": source()}},
    ]
    bad = [*good, {"op": "source", "event_id": event_id, "body": {"source": {"publisher": "p"}}}]
    refused = await client.post("/v1/batch", json={"entries": bad}, headers=WRITER)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].startswith("entries[3].body.source")
    assert await log_size(client) == 0
    accepted = await client.post("/v1/batch", json={"entries": good}, headers=WRITER)
    assert accepted.status_code == 201
    assert [item["position"] for item in accepted.json()["items"]] == [1, 2, 3]
    claim = (await client.get(f"/v1/claims/{claim_id}")).json()
    assert claim["status"] == "disputed"


@pytest.mark.parametrize("body, field", [
    (event_body(places=[{"name": "Kursk", "country": "RU", "lat": "51.7"}]), "places[0].lat"),
    (event_body(title=5), "title"),
])
async def test_a_value_of_the_wrong_type_is_refused_not_converted(client, body, field):
    response = await client.post("/v1/events", json=body, headers=WRITER)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
