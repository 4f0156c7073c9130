"""Interop over HTTP (SPEC §10): fatalities, streamed exports, dataset snapshots as text/csv."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from domain.datasets import event_id_of
from tests.e2e.conftest import AUDITOR, WRITER, event_body

DATA = Path(__file__).parent.parent / "data"
CSV = {**WRITER, "Content-Type": "text/csv"}


async def log_size(client) -> int:
    return len((await client.get("/v1/log?limit=1000", headers=AUDITOR)).json()["items"])


async def post_snapshot(client, name: str, query: str = "format=acled-csv&complete=true", headers=CSV):
    return await client.post(f"/v1/datasets/acled/snapshots?{query}", content=(DATA / name).read_bytes(),
                             headers=headers)


@pytest.mark.parametrize("fatalities, field", [
    ({"low": 5, "best": 3}, "fatalities.best"),
    ({"best": 10, "high": 2}, "fatalities.high"),
    ({"low": 9, "high": 2}, "fatalities.high"),
    ({"best": -1}, "fatalities.best"),
    ({"high": 2**60}, "fatalities.high"),
    ({"best": "many"}, "fatalities.best"),
    ({"dead": 3}, "fatalities.dead"),
])
async def test_fatalities_out_of_order_or_not_counts_are_422_naming_the_field(client, fatalities, field):
    response = await client.post("/v1/events", json=event_body(fatalities=fatalities), headers=WRITER)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await log_size(client) == 0


async def test_fatalities_are_corrected_as_of_their_knowledge_time(client):
    reported = await client.post("/v1/events", json=event_body(fatalities={"best": 5}), headers=WRITER)
    event_id = reported.json()["id"]
    correction = {"changes": {"fatalities": {"low": 5, "best": 7, "high": 12}}, "reason": "a later count",
                  "source": {"publisher": "p", "title": "t", "url": "https://e.org/x", "published_at": "2025-03-20"}}
    assert (await client.post(f"/v1/events/{event_id}/corrections", json=correction, headers=WRITER)).status_code == 201
    before = (await client.get(f"/v1/events/{event_id}?known_at=2025-03-15")).json()
    after = (await client.get(f"/v1/events/{event_id}")).json()
    assert before["fatalities"] == {"low": None, "best": 5, "high": None}
    assert after["fatalities"] == {"low": 5, "best": 7, "high": 12}
    bad = {**correction, "changes": {"fatalities": {"low": 9, "best": 7}}}
    refused = await client.post(f"/v1/events/{event_id}/corrections", json=bad, headers=WRITER)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "changes.fatalities.best"


async def test_a_snapshot_is_201_with_its_counts_and_the_same_one_again_200(client):
    first = await post_snapshot(client, "acled_2024-08-20.csv")
    assert first.status_code == 201
    answer = first.json()
    assert {k: answer[k] for k in ("dataset", "reported", "corrected", "retracted", "reinstated", "unchanged")} == {
        "dataset": "acled", "reported": 4, "corrected": 0, "retracted": 0, "reinstated": 0, "unchanged": 0}
    assert set(answer["as_of"]) == {"known_at", "recorded_at"}
    again = await post_snapshot(client, "acled_2024-08-20.csv")
    assert again.status_code == 200 and again.json()["unchanged"] == 4 and again.json()["reported"] == 0


async def test_what_acled_said_on_a_day_between_two_snapshots(client):
    await post_snapshot(client, "acled_2024-08-20.csv")
    second = await post_snapshot(client, "acled_2024-09-20.csv", "format=acled-csv&complete=true&published_at=2024-09-20")
    assert second.status_code == 201 and second.json()["retracted"] == 1
    sudzha = event_id_of("acled", "RUS900001")
    then = (await client.get(f"/v1/events/{sudzha}?known_at=2024-09-01")).json()
    now = (await client.get(f"/v1/events/{sudzha}")).json()
    assert (then["fatalities"]["best"], now["fatalities"]["best"]) == (5, 7)
    kursk = (await client.get("/v1/timeline?known_at=2024-09-01&place=Kursk")).json()["items"]
    assert len(kursk) == 3
    history = (await client.get(f"/v1/events/{sudzha}/history")).json()["items"]
    assert [entry["type"] for entry in history] == ["EventReported", "EventCorrected"]


async def test_a_bad_row_is_a_422_naming_line_and_column_and_stores_nothing(client):
    lines = (DATA / "acled_2024-08-20.csv").read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace(",2024-08-10,", ",2024-13-10,")
    response = await client.post("/v1/datasets/acled/snapshots?format=acled-csv", content="".join(lines).encode(),
                                 headers=CSV)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["line[4].event_date"]
    assert await log_size(client) == 0


@pytest.mark.parametrize("query, field", [
    ("format=xlsx", "format"), ("format=acled-csv&published_at=yesterday", "published_at"),
    ("format=acled-csv&complete=perhaps", "complete"),
])
async def test_bad_snapshot_parameters_are_400_naming_them(client, query, field):
    response = await post_snapshot(client, "acled_2024-08-20.csv", query)
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await log_size(client) == 0


async def test_a_snapshot_needs_a_writer_and_a_csv_body(client):
    assert (await post_snapshot(client, "acled_2024-08-20.csv", headers={"Content-Type": "text/csv"})).status_code == 401
    assert (await post_snapshot(client, "acled_2024-08-20.csv",
                                headers={**AUDITOR, "Content-Type": "text/csv"})).status_code == 403
    wrong_type = await post_snapshot(client, "acled_2024-08-20.csv", headers={**WRITER, "Content-Type": "application/json"})
    assert wrong_type.status_code == 415
    assert await log_size(client) == 0


async def test_an_export_is_streamed_in_its_formats_media_type_with_the_timelines_filters(client):
    await post_snapshot(client, "acled_2024-08-20.csv")
    response = await client.get("/v1/export/acled-csv?place=Sudzha&known_at=2024-09-01")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    comment, _, body = response.text.partition("\n")
    assert comment.startswith("# as_of known_at=2024-09-01")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [(row["event_id_cnty"], row["fatalities"]) for row in rows] == [("RUS900001", "5")]
    timeline = await client.get("/v1/export/timelinejs?kind=battle")
    assert timeline.headers["content-type"].startswith("application/json")
    assert {slide["text"]["headline"][:5] for slide in json.loads(timeline.text)["events"]} == {"On 6 ", "Aroun"}
    plover = await client.get("/v1/export/plover")
    assert len(plover.text.splitlines()) == 4


@pytest.mark.parametrize("path, status", [
    ("/v1/export/xlsx", 404), ("/v1/export/acled-csv?known_at=yesterday", 400),
    ("/v1/export/acled-csv?kind=picnic", 400), ("/v1/export/ged-csv?from=March", 400),
])
async def test_a_bad_export_request_is_a_problem_never_a_broken_stream(client, path, status):
    response = await client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_snapshot_may_exceed_the_1_mib_limit_of_json_bodies(client):
    header, *rows = (DATA / "acled_2024-08-20.csv").read_text().splitlines(keepends=True)[1:3]
    long_notes = "x" * 4000
    body = header + "".join(
        rows[0].replace("RUS900001", f"RUS8{number:05d}").replace("On 6 August 2024", long_notes)
        for number in range(300))
    assert len(body.encode()) > 1024 * 1024
    response = await client.post("/v1/datasets/acled/snapshots?format=acled-csv", content=body.encode(), headers=CSV)
    assert response.status_code == 201 and response.json()["reported"] == 300
