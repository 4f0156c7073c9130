"""Point-in-time reads over HTTP: the seed story's questions, paging, and malformed parameters."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from tests.e2e.conftest import AUDITOR, WRITER, event_body, post, source, titles


async def test_the_timeline_as_known_before_and_after_the_qatar_talks_were_reported(client):
    await post(client, "/v1/events", event_body(title="Kursk incursion", kind="offensive", occurred="2024-08-06/..",
                                                source=source("2024-08-06")))
    await post(client, "/v1/events", event_body(title="Qatar talks", occurred="2024-08", track="qatar-energy",
                                                source=source("2024-08-17")))
    assert await titles(client, "known_at=2024-08-10") == ["Kursk incursion"]
    assert await titles(client, "known_at=2024-08-20T00:00:00Z") == ["Qatar talks", "Kursk incursion"]


async def test_an_event_answers_with_its_version_known_since_and_as_of(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    await post(client, f"/v1/events/{created['id']}/sources", {"source": source("2025-03-10")})
    body = (await client.get(f"/v1/events/{created['id']}?known_at=2025-03-10T12:00:00Z")).json()
    assert body["version"] == 2 and body["known_since"].startswith("2025-03-10")
    assert body["as_of"]["known_at"] == "2025-03-10T12:00:00.000000Z"
    assert body["occurred"] == {"edtf": "2025-03-11", "start": "2025-03-11", "end": "2025-03-11",
                                "precision": "day", "approximate": False, "uncertain": False}
    missing = await client.get(f"/v1/events/{created['id']}?known_at=2025-03-01")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("query, name", [
    ("known_at=2025-03-10T10:00:00", "known_at"), ("recorded_at=soon", "recorded_at"), ("limit=0", "limit"),
    ("limit=1001", "limit"), ("limit=many", "limit"), ("from=spring", "from"), ("kind=picnic", "kind"),
    ("include_retracted=perhaps", "include_retracted"), ("cursor=garbage", "cursor"),
])
async def test_malformed_query_parameters_are_400_problems_naming_them(client, query, name):
    response = await client.get(f"/v1/timeline?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert name in response.json()["detail"]


async def test_timeline_cursor_pages_through_everything_once(client):
    for day in range(1, 8):
        await post(client, "/v1/events", event_body(title=f"Day {day}", occurred=f"2025-03-0{day}"))
    seen, query = [], "limit=3"
    while True:
        page = (await client.get(f"/v1/timeline?{query}")).json()
        seen += [item["title"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        query = f"limit=3&cursor={page['next_cursor']}"
        await post(client, "/v1/events", event_body(title="Late", occurred="2025-03-01"))
    assert seen == [f"Day {day}" for day in range(1, 8)]


async def test_changes_list_what_became_known_between_two_knowledge_times(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    await post(client, f"/v1/events/{created['id']}/sources", {"source": source("2025-03-13")})
    await post(client, "/v1/events", event_body(title="Later", source=source("2025-03-20")))
    page = (await client.get("/v1/changes?since=2025-03-11T00:00:00Z&until=2025-03-15")).json()
    assert [item["type"] for item in page["items"]] == ["SourceAdded"]
    assert (await client.get("/v1/changes")).status_code == 400


async def test_a_track_gives_its_events_and_latest_agreement_status(client):
    minsk = await post(client, "/v1/events", event_body(
        title="Minsk II", kind="agreement", track="minsk", occurred="2015-02-12", source=source("2015-02-12"),
        actors=[{"name": "Ukraine", "role": "signatory"}, {"name": "Russia", "role": "signatory"}]))
    for party in ("Ukraine", "Russia"):
        await post(client, f"/v1/events/{minsk['id']}/positions",
                   {"party": party, "position": "signs", "source": source("2015-02-12")})
    track = (await client.get("/v1/tracks/minsk?known_at=2015-02-13")).json()
    assert [e["title"] for e in track["items"]] == ["Minsk II"]
    assert track["agreement_status"] == "signed"
    assert (await client.get("/v1/tracks/minsk?known_at=2015-01-01")).status_code == 404


async def test_the_lead_up_of_minsk_ii_includes_debaltseve(client):
    debaltseve = await post(client, "/v1/events", event_body(title="Debaltseve", kind="battle",
                                                             occurred="2015-01-14/2015-02-18", source=source("2015-02-18")))
    minsk = await post(client, "/v1/events", event_body(title="Minsk II", kind="agreement", occurred="2015-02-12",
                                                        source=source("2015-02-12")))
    body = (await client.get(f"/v1/analysis/lead-up/{minsk['id']}?days=30")).json()
    assert body["days"] == 30 and body["event"]["id"] == minsk["id"]
    assert [item["id"] for item in body["items"]] == [debaltseve["id"]]


async def test_history_pages_with_after(client):
    created = await post(client, "/v1/events", event_body())
    for day in (12, 13, 14):
        await post(client, f"/v1/events/{created['id']}/sources", {"source": source(f"2025-03-{day}")})
    first = (await client.get(f"/v1/events/{created['id']}/history?limit=2")).json()
    rest = (await client.get(f"/v1/events/{created['id']}/history?limit=2&after={first['next_after']}")).json()
    assert [e["version"] for e in first["items"] + rest["items"]] == [1, 2, 3, 4]
    assert rest["next_after"] is None


async def test_the_raw_log_is_for_auditors_only(client):
    await post(client, "/v1/events", event_body())
    assert (await client.get("/v1/log")).status_code == 401
    assert (await client.get("/v1/log", headers=WRITER)).status_code == 403
    assert (await client.get("/v1/log", headers=AUDITOR)).json()["items"][0]["recorded_by"] == "alice"


async def test_reads_need_a_token_when_configured(settings):
    from dataclasses import replace

    async with AsyncTestClient(create_app(replace(settings, read_token_required=True))) as client:
        assert (await client.get("/v1/timeline")).status_code == 401
        assert (await client.get("/v1/timeline", headers=WRITER)).status_code == 200


async def test_health_ready_and_an_offline_openapi_document(client):
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/ready")).json()["ready"] is True
    schema = (await client.get("/schema/openapi.json")).json()
    assert schema["openapi"].startswith("3.1")
    assert "/v1/timeline" in schema["paths"] and "/v1/audit/proof/{position}" in schema["paths"]
