"""Entries an older version stored under looser rules still read everywhere (SPEC §2, §8).

They are appended straight to the store, past today's validation, as an older
version would have written them; every read then answers, never a 500.
"""

from __future__ import annotations

import uuid

from domain.entries import ClaimMade, Codes, EventCorrected, EventReported, Place, Source
from domain.ports import Pending
from tests.e2e.conftest import AUDITOR, WRITER, event_body, source

SOURCE = Source(publisher=" Reuters ", title="A report", url="https://example.org/r", published_at="2023-03-01")


def legacy_report(occurred: str, **fields) -> EventReported:
    return EventReported(kind=fields.pop("kind", "battle"), title=fields.pop("title", "   "), occurred=occurred,
                         source=SOURCE, **fields)


async def test_dates_and_values_today_s_rules_refuse_still_read_from_every_endpoint(client):
    store = client.app.state.store
    stored = {occurred: str(uuid.uuid4()) for occurred in
              ("2023-02-29", "1999-02-29T10:00:00", "15XX-02-30", "\u0662\u0660\u0662\u0663", " 2023",
               "2015/2016/2017")}
    store.append([Pending(event_id=event_id, version=1, known_at=None, entry=legacy_report(
        occurred, places=[Place(name="Kursk", country="ZZ", subdivision="RU-KRS")], track="legacy-track",
        codes=Codes(plover="whatever"))) for occurred, event_id in stored.items()], "legacy")
    leap, claim_id = stored["2023-02-29"], str(uuid.uuid4())
    store.append([Pending(event_id=leap, version=2, known_at=None, entry=ClaimMade(
        claim_id=claim_id, claimant=" ISW ", statement="", source=SOURCE))], "legacy")
    store.append([Pending(event_id=leap, version=3, known_at=None, entry=EventCorrected(
        changes={"occurred": "2023-02-30/2023-03-01"}, reason="a later report", source=SOURCE))], "legacy")
    talks = (await client.post("/v1/events", json=event_body(kind="agreement", occurred="2023-03-05",
                                                             source=source("2023-03-05")), headers=WRITER)).json()

    timeline = await client.get("/v1/timeline?from=2023-02&to=2023-03")
    assert timeline.status_code == 200
    assert leap in {item["id"] for item in timeline.json()["items"]}
    for event_id in stored.values():
        for path in (f"/v1/events/{event_id}", f"/v1/events/{event_id}/history", f"/v1/analysis/lead-up/{event_id}"):
            answer = await client.get(path)
            assert answer.status_code == 200, (path, answer.text)
    lead_up = (await client.get(f"/v1/analysis/lead-up/{talks['id']}?days=10")).json()
    assert leap in [item["event"]["id"] if "event" in item else item["id"] for item in lead_up["items"]]
    event = (await client.get(f"/v1/events/{leap}")).json()
    assert event["occurred"]["edtf"] == "2023-02-30/2023-03-01" and event["occurred"]["start"] == "2023-02-28"
    assert event["occurred"]["uncertain"] is True
    for path in ("/v1/changes?since=2000-01-01", "/v1/timeline?limit=1000", "/v1/log", "/v1/audit/verify",
                 "/v1/audit/replay", f"/v1/claims/{claim_id}", "/v1/tracks/legacy-track", "/v1/stream?after=0"):
        answer = await (client.head if "stream" in path else client.get)(path, headers=AUDITOR)
        assert answer.status_code == 200, (path, answer.text)
    assert (await client.get("/v1/audit/replay", headers=AUDITOR)).json()["equal"] is True


async def test_an_entry_stored_under_looser_rules_still_takes_corrections(client):
    store = client.app.state.store
    event_id = str(uuid.uuid4())
    store.append([Pending(event_id=event_id, version=1, known_at=None, entry=legacy_report(
        "2023-02-29", title="Padded ", places=[Place(name="Kursk", country="ZZ")]))], "legacy")
    corrected = await client.post(f"/v1/events/{event_id}/corrections", headers=WRITER, json={
        "changes": {"occurred": "2023-02-28"}, "reason": "the day was wrong", "source": source("2023-03-02")})
    assert corrected.status_code == 201, corrected.text
    assert (await client.get(f"/v1/events/{event_id}")).json()["occurred"]["start"] == "2023-02-28"
