"""The web timeline's HTML over HTTP on every backend: hooks, knowledge steps, windows and refusals (SPEC §11)."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import WRITER, event_body, post, source


async def page(client, query=""):
    response = await client.get(f"/timeline?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def listed(html, list_id="events"):
    part = re.search(rf'<(?:ol|ul) id="{list_id}">(.*?)</(?:ol|ul)>\s*(?:{{|<p|</section)', html, re.S)
    return re.findall(r'<li id="event-[^"]+" data-event-id="([^"]+)"', part.group(1)) if part else []


def steps(html):
    return json.loads(re.search(r'<script type="application/json" id="knowledge-steps">(.*?)</script>', html).group(1))


async def test_the_slider_steps_through_every_knowledge_time_of_the_windows_events(client):
    talks = await post(client, "/v1/events", event_body(title="Jeddah talks", kind="ceasefire", occurred="2025-03-11",
                                                        source=source("2025-03-11")))
    await post(client, f"/v1/events/{talks['id']}/positions",
               {"party": "Ukraine", "position": "accepts_with_conditions", "source": source("2025-03-12")})
    await post(client, "/v1/events", event_body(title="Outside the window", occurred="2024-01-05",
                                                source=source("2025-03-15")))
    html = await page(client, "from=2025-03&to=2025-03&known_at=2025-03-20")
    assert steps(html) == ["2025-03-11T00:00:00Z", "2025-03-12T00:00:00Z", "2025-03-20T00:00:00Z"]
    assert 'value="2"' in html and 'id="known-at"' in html and 'type="range"' in html


async def test_a_window_separates_events_under_way_from_those_beginning_in_it(client):
    incursion = await post(client, "/v1/events", event_body(title="Kursk incursion", kind="offensive",
                                                            occurred="2024-08-06/..", source=source("2024-08-06")))
    talks = await post(client, "/v1/events", event_body(title="Qatar talks", occurred="2024-08-17",
                                                        source=source("2024-08-17")))
    html = await page(client, "from=2024-08-10&to=2024-08-31")
    assert listed(html, "ongoing") == [incursion["id"]] and listed(html) == [talks["id"]]
    whole = await page(client)
    assert listed(whole) == [incursion["id"], talks["id"]] and 'id="ongoing"' not in whole


async def test_as_of_count_and_paging_are_on_the_page(client):
    for day in range(1, 4):
        await post(client, "/v1/events", event_body(title=f"Day {day}", occurred=f"2025-03-0{day}",
                                                    source=source("2025-03-05")))
    html = await page(client, "limit=2&known_at=2025-03-06T00:00:00Z")
    assert 'data-known-at="2025-03-06T00:00:00.000000Z"' in html and 'data-recorded-at="' in html
    assert re.search(r'aria-live="polite">2 events shown<', html)
    next_link = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    rest = await page(client, next_link.split("?", 1)[1])
    assert len(listed(rest)) == 1 and 'rel="next"' not in rest


async def test_compare_at_marks_added_corrected_and_retracted_events(client):
    kept = await post(client, "/v1/events", event_body(title="Kept", source=source("2025-03-01")))
    corrected = await post(client, "/v1/events", event_body(title="Corrected", source=source("2025-03-01")))
    retracted = await post(client, "/v1/events", event_body(title="Retracted", source=source("2025-03-01")))
    added = await post(client, "/v1/events", event_body(title="Added", source=source("2025-03-10")))
    await post(client, f"/v1/events/{corrected['id']}/corrections",
               {"changes": {"title": "Corrected again"}, "reason": "typo", "source": source("2025-03-10")})
    await post(client, f"/v1/events/{retracted['id']}/retractions", {"reason": "false", "source": source("2025-03-10")})
    html = await page(client, "compare_at=2025-03-05&known_at=2025-03-20")
    marks = dict(re.findall(r'data-event-id="([^"]+)"[^>]*? data-change="([^"]+)"', html))
    assert marks == {corrected["id"]: "corrected", retracted["id"]: "retracted", added["id"]: "added"}
    assert kept["id"] in listed(html)
    assert retracted["id"] not in listed(await page(client, "known_at=2025-03-20"))


async def test_the_results_fragment_is_what_the_slider_swaps_in(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    response = await client.get("/timeline/results?known_at=2025-03-12")
    assert response.status_code == 200 and response.text.lstrip().startswith('<div id="results"')
    assert listed(response.text) == [created["id"]] and 'data-count="1"' in response.text


@pytest.mark.parametrize("query, names", [
    ("knownat=2024-08-10", ["knownat"]), ("ongoing=only", ["ongoing"]), ("foo=1&bar=2", ["bar", "foo"]),
    ("known_at=2025-03-10T10:00:00", ["known_at"]), ("limit=0", ["limit"]), ("limit=ten", ["limit"]),
    ("kind=picnic", ["kind"]), ("from=2025&to=2024", ["from"]), ("cursor=nonsense", ["cursor"]),
    ("compare_at=2025-03-20&known_at=2025-03-10", ["compare_at"]), ("known_at=1&known_at=2", ["known_at"]),
])
async def test_a_bad_or_unknown_parameter_is_a_400_page_naming_it(client, query, names):
    response = await client.get(f"/timeline?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    for name in names:
        assert f'data-field="{name}"' in response.text


async def test_empty_form_fields_mean_no_filter(client):
    created = await post(client, "/v1/events", event_body())
    html = await page(client, "known_at=&from=&to=&kind=&track=&actor=&place=&q=&compare_at=")
    assert listed(html) == [created["id"]]


async def test_an_events_page_lists_its_history_and_an_unknown_event_is_a_404_page(client):
    created = await post(client, "/v1/events", event_body(source=source("2025-03-11")))
    await post(client, f"/v1/events/{created['id']}/sources", {"source": source("2025-03-12")})
    response = await client.get(f"/timeline/events/{created['id']}")
    assert response.status_code == 200
    assert re.findall(r'href="/v1/audit/proof/(\d+)"', response.text) == ["1", "2"]
    assert created["hash"] in response.text and created["recorded_at"] in response.text
    missing = await client.get("/timeline/events/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert (await client.get(f"/timeline/events/{created['id']}?after=x")).status_code == 400


async def test_the_home_page_redirects_to_the_timeline(client):
    response = await client.get("/", follow_redirects=False)
    assert response.status_code in (301, 302, 303, 307, 308) and response.headers["location"] == "/timeline"


async def test_the_pages_need_a_token_when_reads_do(settings):
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from api.app import create_app

    async with AsyncTestClient(create_app(replace(settings, read_token_required=True))) as client:
        refused = await client.get("/timeline")
        assert refused.status_code == 401 and refused.headers["content-type"].startswith("text/html")
        assert "Unauthorized" in refused.text
        assert (await client.get("/timeline", headers=WRITER)).status_code == 200


async def test_comparing_the_slider_starts_at_compare_at(client):
    for day in (1, 5, 10):
        await post(client, "/v1/events", event_body(title=f"Day {day}", occurred=f"2025-03-0{day % 10 or 1}",
                                                    source=source(f"2025-03-{day:02d}")))
    html = await page(client, "compare_at=2025-03-04&known_at=2025-03-20")
    assert steps(html) == ["2025-03-05T00:00:00Z", "2025-03-10T00:00:00Z", "2025-03-20T00:00:00Z"]


async def test_the_page_takes_the_timelines_tag_filter(client):
    tagged = await post(client, "/v1/events", event_body(title="Tagged", tags=["kursk"]))
    await post(client, "/v1/events", event_body(title="Untagged"))
    assert listed(await page(client, "tag=kursk")) == [tagged["id"]]
