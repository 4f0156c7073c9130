"""Windows that cannot hold anything are refused, and the changes feed says what each change was about."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import WRITER, event_body, source


@pytest.mark.parametrize("path, name", [
    ("/v1/timeline?from=2025-04&to=2025-03", "from"), ("/v1/timeline?from=2025-03-12&to=2025-03-11", "from"),
    ("/v1/changes?since=2025-03-12&until=2025-03-11", "since"),
    ("/v1/changes?since=2025-03-11T10:00:00Z&until=2025-03-11T09:59:59Z", "since"),
    ("/v1/stream?from=2025&to=2024", "from"),
])
async def test_an_inverted_window_is_400_naming_the_parameter(client, path, name):
    await client.post("/v1/events", headers=WRITER, json=event_body(occurred="2025-03-11"))
    response = await client.get(path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [error["field"] for error in response.json()["errors"]] == [name]


async def test_a_window_of_one_month_given_twice_is_that_month(client):
    await client.post("/v1/events", headers=WRITER, json=event_body(occurred="2025-03-11"))
    response = await client.get("/v1/timeline?from=2025-03&to=2025-03")
    assert response.status_code == 200 and len(response.json()["items"]) == 1


async def test_changes_items_carry_the_event_s_title_as_known_at_until_and_the_answer_its_as_of(client):
    created = (await client.post("/v1/events", headers=WRITER, json=event_body(
        title="Talks in Jeddah", source=source("2025-03-11")))).json()
    await client.post(f"/v1/events/{created['id']}/corrections", headers=WRITER, json={
        "changes": {"title": "US-Ukraine talks in Jeddah"}, "reason": "more precise", "source": source("2025-03-13")})
    await client.post(f"/v1/events/{created['id']}/claims", headers=WRITER, json={
        "claimant": "ISW", "statement": "x", "source": source("2025-03-12")})

    before = (await client.get("/v1/changes?since=2025-03-10&until=2025-03-12T12:00:00Z")).json()
    assert [(item["type"], item["title"]) for item in before["items"]] == [
        ("EventReported", "Talks in Jeddah"), ("ClaimMade", "Talks in Jeddah")]
    assert before["as_of"]["known_at"] == "2025-03-12T12:00:00.000000Z" and before["as_of"]["recorded_at"]
    after = (await client.get("/v1/changes?since=2025-03-10&until=2025-03-14")).json()
    assert {item["title"] for item in after["items"]} == {"US-Ukraine talks in Jeddah"}
    assert len(after["items"]) == 3
