"""The lead-up over HTTP (SPEC §5): its shape, its pages, and what its paging parameters refuse."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.conftest import event_body, post, source

PROBLEM = "application/problem+json"


async def minsk_ii_and_the_fighting_before_it(client) -> str:
    for n, occurred in enumerate(["2015-01-14/2015-02-18", "2015-02-01", "2015-02-03", "2015-02-05", "2015-02-10"]):
        await post(client, "/v1/events", event_body(title=f"Battle {n}", kind="battle", occurred=occurred,
                                                    source=source("2015-02-11")))
    minsk = await post(client, "/v1/events", event_body(title="Minsk II", kind="agreement", occurred="2015-02-12",
                                                        source=source("2015-02-12")))
    return minsk["id"]


async def read_pages(client, path: str, query: str) -> list[dict]:
    """Every page, each asked with the last one's cursor and nothing else but the limit and days."""
    pages = [(await client.get(f"{path}?{query}")).json()]
    while pages[-1]["next_cursor"]:
        response = await client.get(f"{path}?limit=2&days=30&cursor={pages[-1]['next_cursor']}")
        assert response.status_code == 200, response.text
        pages.append(response.json())
    return pages


async def test_a_lead_up_asked_without_paging_answers_all_of_it_and_says_nothing_is_left(client):
    minsk = await minsk_ii_and_the_fighting_before_it(client)
    body = (await client.get(f"/v1/analysis/lead-up/{minsk}?known_at=2015-02-13")).json()
    assert list(body) == ["event", "days", "items", "next_cursor", "as_of"]
    assert [item["title"] for item in body["items"]] == [f"Battle {n}" for n in range(5)]
    assert body["next_cursor"] is None


async def test_the_lead_ups_pages_over_http_put_together_are_the_whole_lead_up(client):
    minsk = await minsk_ii_and_the_fighting_before_it(client)
    path = f"/v1/analysis/lead-up/{minsk}"
    whole = (await client.get(f"{path}?known_at=2015-02-13")).json()
    pages = await read_pages(client, path, "limit=2&days=30&known_at=2015-02-13")
    assert [len(page["items"]) for page in pages] == [2, 2, 1]
    assert [item["id"] for page in pages for item in page["items"]] == [item["id"] for item in whole["items"]]
    assert all(page["event"]["id"] == minsk and page["days"] == 30 for page in pages)


async def test_a_lead_up_cursor_pins_the_knowledge_and_record_time_of_its_first_page(client):
    minsk = await minsk_ii_and_the_fighting_before_it(client)
    path = f"/v1/analysis/lead-up/{minsk}"
    await post(client, "/v1/events", event_body(title="Battle reported late", kind="battle", occurred="2015-02-11",
                                                source=source("2015-03-01")))  # recorded now, known after K
    whole = (await client.get(f"{path}?known_at=2015-02-13")).json()
    first = (await client.get(f"{path}?limit=2&days=30&known_at=2015-02-13")).json()
    # Recorded after the first page, known before its K: a new question sees it, the first one's pages do not.
    await post(client, "/v1/events", event_body(title="Backfilled battle", kind="battle", occurred="2015-02-11",
                                                source=source("2015-02-11")))
    rest = await read_pages(client, path, f"limit=2&days=30&cursor={first['next_cursor']}")
    assert all(page["as_of"] == first["as_of"] for page in rest)
    assert [item["title"] for page in [first, *rest] for item in page["items"]] == [
        item["title"] for item in whole["items"]]
    assert "Battle reported late" not in [item["title"] for item in whole["items"]]
    now = (await client.get(f"{path}?known_at=2015-02-13")).json()
    assert "Backfilled battle" in [item["title"] for item in now["items"]]


def cursor_of(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query, name", [
    ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=many", "limit"), ("limit=-1", "limit"),
    ("cursor=garbage", "cursor"), (f"cursor={cursor_of({'k': 1, 'r': 1, 'after': [1, 2, 3]})}", "cursor"),
    (f"cursor={cursor_of({'k': 2 ** 70, 'r': 1, 'after': ['2015-01-01', 'x']})}", "cursor"),
])
async def test_a_bad_limit_or_cursor_is_the_same_400_problem_the_timeline_gives_naming_it(client, query, name):
    minsk = await minsk_ii_and_the_fighting_before_it(client)
    response = await client.get(f"/v1/analysis/lead-up/{minsk}?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert [error["field"] for error in response.json()["errors"]] == [name] and name in response.json()["detail"]
    timeline = await client.get(f"/v1/timeline?{query}")
    assert (timeline.status_code, timeline.json()["errors"]) == (400, response.json()["errors"])
