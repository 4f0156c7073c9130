"""Then vs now over HTTP: `GET /v1/events/{id}/diff?from=K1&to=K2` (SPEC §5)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from tests.e2e.conftest import event_body, post, source

JEDDAH_PROPOSAL = "7e5ca413"


async def diff(client, event_id, query):
    response = await client.get(f"/v1/events/{event_id}/diff?{query}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def seeded(settings):
    async with AsyncTestClient(create_app(replace(settings, load_fixtures=True))) as client:
        yield client


async def seed_id(client, prefix):
    page = (await client.get("/v1/timeline?limit=1000&include_retracted=true")).json()
    return next(item["id"] for item in page["items"] if item["id"].startswith(prefix))


async def test_the_jeddah_proposal_was_unknown_on_10_march_and_conditional_by_12_march(seeded):
    body = await diff(seeded, await seed_id(seeded, JEDDAH_PROPOSAL), "from=2025-03-10&to=2025-03-12")
    assert body["before"] is None
    assert body["after"]["agreement_status"] == "conditional"
    assert body["after"]["as_of"]["known_at"] == "2025-03-12T00:00:00.000000Z"
    assert body["changed"] == []


async def test_russias_rejection_changes_the_jeddah_proposals_status_and_positions(seeded):
    body = await diff(seeded, await seed_id(seeded, JEDDAH_PROPOSAL), "from=2025-03-12&to=2025-03-19")
    assert body["before"]["agreement_status"] == "conditional" and body["after"]["agreement_status"] == "rejected"
    assert body["changed"] == ["agreement_status", "positions[Russia]"]


async def test_a_correction_and_a_dispute_are_listed_by_path(client):
    created = await post(client, "/v1/events", event_body(title="Sudzha taken", source=source("2025-03-13")))
    claim = await post(client, f"/v1/events/{created['id']}/claims",
                       {"claimant": "Russia", "statement": "Sudzha is taken", "source": source("2025-03-13")})
    await post(client, f"/v1/events/{created['id']}/corrections",
               {"changes": {"title": "Sudzha retaken"}, "reason": "wording", "source": source("2025-03-14")})
    await post(client, f"/v1/claims/{claim['claim_id']}/stances",
               {"by": "ISW", "stance": "disputes", "source": source("2025-03-14")})
    body = await diff(client, created["id"], "from=2025-03-13T12:00:00Z&to=2025-03-15T00:00:00Z")
    assert body["before"]["title"] == "Sudzha taken" and body["after"]["title"] == "Sudzha retaken"
    assert body["changed"] == ["title", f"claims[{claim['claim_id']}].status"]


async def test_a_new_claim_and_a_retraction_are_changes(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    claim = await post(client, f"/v1/events/{created['id']}/claims",
                       {"claimant": "Ukraine", "statement": "Talks went well", "source": source("2025-03-12")})
    await post(client, f"/v1/events/{created['id']}/retractions", {"reason": "a duplicate", "source": source("2025-03-13")})
    body = await diff(client, created["id"], "from=2025-03-11&to=2025-03-14")
    assert body["changed"] == ["status", f"claims[{claim['claim_id']}]"]
    assert body["after"]["status"] == "retracted"


async def test_nothing_changed_between_two_times_is_an_empty_list(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    body = await diff(client, created["id"], "from=2025-03-12&to=2025-03-20")
    assert body["before"]["title"] == body["after"]["title"] and body["changed"] == []


async def test_to_defaults_to_now_and_recorded_at_hides_later_entries(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    await post(client, f"/v1/events/{created['id']}/corrections",
               {"changes": {"summary": "More detail"}, "reason": "detail", "source": source("2025-03-12")})
    assert (await diff(client, created["id"], "from=2025-03-11"))["changed"] == ["summary"]
    recorded = (await diff(client, created["id"], f"from=2025-03-11&recorded_at={created['recorded_at']}"))
    assert recorded["changed"] == [] and recorded["after"]["summary"] == ""


@pytest.mark.parametrize("query, name", [
    ("", "from"), ("from=yesterday", "from"), ("from=2025-03-12T10:00:00", "from"),
    ("from=2025-03-12&to=2025-03-11", "from"), ("from=2025-03-11&to=later", "to"),
    ("from=2025-03-11&recorded_at=x", "recorded_at"),
])
async def test_bad_knowledge_times_are_400_problems_naming_them(client, query, name):
    created = await post(client, "/v1/events", event_body())
    response = await client.get(f"/v1/events/{created['id']}/diff?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert name in response.json()["detail"]
