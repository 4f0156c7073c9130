"""The round-2 timeline filters and listings over HTTP."""

from __future__ import annotations

from tests.e2e.conftest import event_body, post, source, titles


async def test_the_timeline_filters_by_text_actor_tag_and_ongoing(client):
    await post(client, "/v1/events", event_body(
        title="Trump–Putin call", kind="call", occurred="2025-03-18", tags=["energy"],
        actors=[{"name": "Vladimir Putin", "role": "caller"}, {"name": "Donald Trump", "role": "callee"}]))
    await post(client, "/v1/events", event_body(title="Kursk incursion", kind="offensive", occurred="2024-08-06/..",
                                                source=source("2024-08-06")))
    assert await titles(client, "q=trump-putin") == ["Trump–Putin call"]
    assert await titles(client, "actor=putin") == ["Trump–Putin call"]
    assert await titles(client, "tag=ENERGY") == ["Trump–Putin call"]
    assert await titles(client, "from=2025-03&to=2025-03&ongoing=only") == ["Kursk incursion"]
    assert await titles(client, "from=2025-03&to=2025-03&ongoing=exclude") == ["Trump–Putin call"]


async def test_an_unknown_ongoing_value_is_a_problem_naming_it(client):
    response = await client.get("/v1/timeline?from=2025-03&ongoing=sometimes")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "ongoing" in response.text


async def test_tracks_actors_and_places_list_names_with_counts_most_frequent_first(client):
    for title in ("First round", "Second round"):
        await post(client, "/v1/events", event_body(
            title=title, track="us-brokered-2025", actors=[{"name": "Ukraine", "role": "party"}],
            places=[{"name": "Jeddah", "country": "SA"}]))
    await post(client, "/v1/events", event_body(title="Other", actors=[{"name": "Qatar", "role": "mediator"}]))
    tracks = (await client.get("/v1/tracks")).json()
    assert tracks["items"] == [{"name": "us-brokered-2025", "count": 2, "agreement_status": "proposed"}]
    assert "known_at" in tracks["as_of"]
    actors = (await client.get("/v1/actors")).json()["items"]
    assert actors == [{"name": "Ukraine", "count": 2}, {"name": "Qatar", "count": 1}]
    places = (await client.get("/v1/places?known_at=2025-03-10")).json()["items"]
    assert places == []  # nothing was known yet
    places = (await client.get("/v1/places")).json()["items"]
    assert places == [{"name": "Jeddah", "count": 2, "country": "SA"}]


async def test_an_export_takes_the_tag_and_ongoing_filters_of_the_timeline(client):
    import json

    await post(client, "/v1/events", event_body(title="Grain deal", occurred="2022-07-22", tags=["grain"]))
    await post(client, "/v1/events", event_body(title="Kursk incursion", kind="offensive", occurred="2024-08-06/..",
                                                source=source("2024-08-06")))
    tagged = json.loads((await client.get("/v1/export/timelinejs?tag=grain")).text)["events"]
    assert [slide["text"]["headline"] for slide in tagged] == ["Grain deal"]
    ongoing = json.loads((await client.get("/v1/export/timelinejs?from=2025-01&ongoing=only")).text)["events"]
    assert [slide["text"]["headline"] for slide in ongoing] == ["Kursk incursion"]
