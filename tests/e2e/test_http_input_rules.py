"""What a writer or reader sends wrong gets a problem naming every bad field, in words (SPEC §5, round 2)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import WRITER, event_body, source

PROBLEM = "application/problem+json"


async def refused(client, body, path="/v1/events", status=422):
    response = await client.post(path, json=body, headers=WRITER)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return response.json()


def fields(problem) -> dict[str, str]:
    return {error["field"]: error["detail"] for error in problem["errors"]}


async def log_size(client) -> int:
    return (await client.get("/ready")).json()["log_position"]


async def test_an_empty_report_names_every_missing_field_at_once(client):
    problem = await refused(client, {})
    assert {"kind", "title", "occurred", "source"} <= set(fields(problem))
    assert all(detail.endswith("is required") for detail in fields(problem).values())


async def test_every_problem_of_a_body_is_listed_with_allowed_values_and_formats_in_words(client):
    body = event_body(kind="picnic", title="   ", occurred="2023-02-29",
                      places=[{"name": "Kursk", "country": "ZZ"}, {"name": "Kursk", "country": "UA",
                                                                   "subdivision": "RU-KRS"},
                              {"name": "Jeddah", "country": "sa"}],
                      actors=[{"name": "ISW", "role": "referee"}],
                      codes={"acled_event_type": "Fighting", "plover": " AGREE"},
                      source=source(url="ftp://example.org"))
    before = await log_size(client)
    named = fields(await refused(client, body))
    assert set(named) == {"kind", "title", "occurred", "places[0].country", "places[1].subdivision",
                          "places[2].country", "actors[0].role", "codes.acled_event_type", "codes.plover",
                          "source.url"}
    assert "talks" in named["kind"] and "agreement" in named["kind"]
    assert "blank" in named["title"]
    assert "not on the calendar" in named["occurred"]
    assert "ISO 3166-1" in named["places[0].country"]
    assert "prefix must be the country" in named["places[1].subdivision"]
    assert "two-letter ISO 3166-1 country code" in named["places[2].country"]
    assert "^" not in named["places[2].country"], "a format is said in words, not as a regex"
    assert "Strategic developments" in named["codes.acled_event_type"]
    assert "whitespace" in named["codes.plover"]
    assert "http or https URL" in named["source.url"]
    assert await log_size(client) == before


@pytest.mark.parametrize("occurred", ["2023-02-29", "1999-02-29T10:00:00", "15XX-02-30", "2015/2016/2017",
                                      "\u0662\u0660\u0661\u0665", "\uff12\uff10\uff11\uff15", " 2015", "2015 ",
                                      "0000", "-0100", "Y12345", "2015-03/2015-02"])
async def test_dates_spec_section_2_refuses_are_422_naming_occurred(client, occurred):
    assert set(fields(await refused(client, event_body(occurred=occurred)))) == {"occurred"}


@pytest.mark.parametrize("where, value", [
    (("known_at",), " 2025-03-11"), (("source", "published_at"), "2025-03-11\n"),
    (("places", 0, "country"), "UA "), (("places", 0, "subdivision"), " UA-14"), (("actors", 0, "role"), "party "),
    (("kind",), "talks "), (("source", "reliability"), " A"), (("codes", "pax_stage"), "Pre "),
])
async def test_surrounding_whitespace_in_dates_times_codes_and_enum_values_is_422(client, where, value):
    body = event_body(places=[{"name": "Donetsk", "country": "UA", "subdivision": "UA-14"}],
                      actors=[{"name": "Ukraine", "role": "party"}], codes={"pax_stage": "Pre"})
    target = body
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    path = ".".join(str(s) for s in where).replace(".0.", "[0].")
    assert path in fields(await refused(client, body))


async def test_free_text_is_trimmed_when_stored(client):
    created = await client.post("/v1/events", headers=WRITER, json=event_body(
        title="  Jeddah talks \n", summary=" Talks. ", tags=[" jeddah "],
        actors=[{"name": " Ukraine ", "role": "party"}], places=[{"name": " Jeddah", "country": "SA"}],
        source=source(publisher=" Reuters ")))
    assert created.status_code == 201, created.text
    event = (await client.get(f"/v1/events/{created.json()['id']}")).json()
    assert (event["title"], event["summary"], event["tags"]) == ("Jeddah talks", "Talks.", ["jeddah"])
    assert (event["actors"][0]["name"], event["places"][0]["name"]) == ("Ukraine", "Jeddah")
    assert event["sources"][0]["publisher"] == "Reuters"
    corrected = await client.post(f"/v1/events/{event['id']}/corrections", headers=WRITER, json={
        "changes": {"title": " Talks in Jeddah "}, "reason": " typo ", "source": source()})
    assert corrected.status_code == 201, corrected.text
    assert (await client.get(f"/v1/events/{event['id']}")).json()["title"] == "Talks in Jeddah"


async def test_a_correction_lists_every_bad_change_and_a_blank_title(client):
    created = (await client.post("/v1/events", headers=WRITER, json=event_body())).json()
    named = fields(await refused(client, {"changes": {"title": "  ", "occurred": "2023-02-29", "kind": None,
                                                      "places": [{"name": "Kursk", "country": "ZZ"}]},
                                          "reason": "", "source": source()},
                                 f"/v1/events/{created['id']}/corrections"))
    assert set(named) == {"changes.title", "changes.occurred", "changes.kind", "changes.places[0].country", "reason"}


async def test_a_batch_lists_the_problems_of_every_entry(client):
    problem = await refused(client, {"entries": [
        {"op": "report", "body": event_body(title=" ")},
        {"op": "report", "body": event_body()},
        {"op": "report", "body": event_body(occurred="2023-02-29", kind="picnic")}]}, "/v1/batch")
    assert set(fields(problem)) == {"entries[0].body.title", "entries[2].body.occurred", "entries[2].body.kind"}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "text/csv", None])
async def test_a_body_that_is_not_labelled_json_is_415_and_stores_nothing(client, content_type):
    import json

    before = await log_size(client)
    headers = {**WRITER, **({"Content-Type": content_type} if content_type else {})}
    response = await client.post("/v1/events", content=json.dumps(event_body()).encode(), headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert await log_size(client) == before


async def test_json_with_a_charset_is_json(client):
    import json

    response = await client.post("/v1/events", content=json.dumps(event_body()).encode(),
                                 headers={**WRITER, "Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("path", ["/v1/timeline?knownat=2024-08-10", "/v1/events/{id}?known=2024",
                                  "/v1/changes?since=2024-01-01&known_at=2024-08-10", "/v1/audit/root?x=1",
                                  "/v1/analysis/lead-up/{id}?day=3", "/v1/claims/{claim}?as_of=2024",
                                  "/health?verbose=1"])
async def test_an_unknown_query_parameter_is_400_naming_it(client, path):
    created = (await client.post("/v1/events", headers=WRITER, json=event_body())).json()
    claim = (await client.post(f"/v1/events/{created['id']}/claims", headers=WRITER, json={
        "claimant": "ISW", "statement": "x", "source": source()})).json()
    response = await client.get(path.format(id=created["id"], claim=claim["claim_id"]))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    name = path.split("?")[1].split("&")[-1].split("=")[0]
    assert [error["field"] for error in response.json()["errors"]] == [name]
    assert name in response.json()["detail"]


async def test_an_unknown_query_parameter_on_a_write_is_400_and_stores_nothing(client):
    before = await log_size(client)
    response = await client.post("/v1/events?dry_run=true", json=event_body(), headers=WRITER)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "dry_run"
    assert await log_size(client) == before


async def test_a_plus_in_an_offset_sent_unencoded_is_explained(client):
    response = await client.get("/v1/timeline?known_at=2025-03-10T10:00:00+02:00")
    assert response.status_code == 400
    assert "%2B" in response.json()["detail"] and response.json()["errors"][0]["field"] == "known_at"
    encoded = await client.get("/v1/timeline?known_at=2025-03-10T10:00:00%2B02:00")
    assert encoded.status_code == 200


async def test_a_route_that_takes_another_media_type_names_it_and_only_it_is_accepted():
    from litestar import Litestar, Request, post
    from litestar.testing import AsyncTestClient

    from api.errors import EXCEPTION_HANDLERS
    from api.requests import JsonRequest, check_request

    @post("/snapshots", opt={"request_media_types": ("text/csv",)})
    async def snapshot(request: Request) -> dict:
        return {"lines": len((await request.body()).splitlines())}

    app = Litestar([snapshot], before_request=check_request, request_class=JsonRequest,
                   exception_handlers=EXCEPTION_HANDLERS)
    async with AsyncTestClient(app) as client:
        taken = await client.post("/snapshots", content=b"a,b\n1,2\n", headers={"Content-Type": "text/csv"})
        assert taken.status_code == 201 and taken.json() == {"lines": 2}
        refused = await client.post("/snapshots", json={"a": 1})
        assert refused.status_code == 415 and "text/csv" in refused.json()["detail"]


@pytest.mark.parametrize("path, detail", [
    ("/v1/timeline?limit=many", "limit: must be a whole number from 1 to 1000"),
    ("/v1/analysis/lead-up/00000000-0000-0000-0000-000000000000?days=-1", "days: must be a whole number from 0 to 3650"),
    ("/v1/audit/consistency?from_size=x", "from_size: must be a whole number of at least 0"),
])
async def test_a_malformed_number_parameter_is_said_in_words(client, path, detail):
    response = await client.get(path)
    assert response.status_code == 400 and response.json()["errors"] == [
        {"field": detail.split(":")[0], "detail": detail}]
    assert "Expected" not in response.json()["detail"]
