"""Exports on every backend (SPEC §10), read back with real readers (csv, json).

TimelineJS3's JSON format (timeline.knightlab.com/docs/json-format.html): `events` is required; each
slide needs `start_date`, a date object with a numeric `year` (month, day optional); `text` has
`headline` and `text`; `unique_id`, `group` and `display_date` are strings. PLOVER's fields as SPEC §10
lists them from the PLOVER manual: id, date, enddate, event, mode, actor, recipient, event_loc,
event_text, link, cite_info, coded_date.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.entries import Actor, Codes, Fatalities, Place
from domain.interop import ACLED_EVENT_TYPES, ACLED_SUB_EVENT_TYPES
from projections.datasets import take_snapshot
from projections.exports import ACLED_COLUMNS, GED_COLUMNS, export
from projections.queries import TimelineFilter
from tests.builders import at, correct, report, retract

PLOVER_FIELDS = {"id", "date", "enddate", "event", "mode", "actor", "recipient", "event_loc", "event_text", "link",
                 "cite_info", "coded_date", "as_of"}
PLOVER_CATEGORIES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                     "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
AUGUST = Path(__file__).parent.parent / "data" / "acled_2024-08-20.csv"
NOW = "2030-01-01"


@pytest.fixture
def log(timeline):
    """A day, a week, a month, a year and an open-ended event; one corrected, one retracted."""
    kursk = Place(name="Sudzha", country="RU", lat=51.19, lon=35.27)
    ops = [
        report("Clashes near Sudzha", kind="battle", occurred="2024-08-06", published_at="2024-08-07",
               places=[kursk], actors=[Actor(name="Ukraine", role="attacker"), Actor(name="Russia", role="defender")],
               fatalities=Fatalities(low=3, best=5, high=9)),
        report("Week of shelling", kind="violation", occurred="2024-08-08~/2024-08-14~", published_at="2024-08-15"),
        report("Talks in Doha", kind="talks", occurred="2024-08", published_at="2024-09-01",
               codes=Codes(plover="COOPERATE")),
        report("A year of talks", kind="talks", occurred="2024", published_at="2024-12-31"),
        report("Kursk incursion", kind="offensive", occurred="2024-08-06/..", published_at="2024-08-06"),
        report("A false report", kind="battle", occurred="2024-08-09", published_at="2024-08-09"),
    ]
    receipts = timeline.execute(ops, "test", batch=True)
    ids = [r.id for r in receipts]
    timeline.execute([correct(ids[0], {"fatalities": {"low": 3, "best": 7, "high": 9}}, published_at="2024-08-20")],
                     "test")
    timeline.execute([retract(ids[5], published_at="2024-08-10")], "test")
    return ids


def exported(reader, format: str, known_at: str = NOW, **where) -> bytes:
    return b"".join(export(reader, format, TimelineFilter(**where), at(known_at)))


def csv_rows(data: bytes) -> tuple[str, list[dict]]:
    comment, _, body = data.decode().partition("\n")
    return comment, list(csv.DictReader(io.StringIO(body)))


def test_acled_csv_holds_every_event_up_to_a_month_with_its_precision(log, reader):
    comment, rows = csv_rows(exported(reader, "acled-csv"))
    assert comment.startswith("# as_of known_at=2030-01-01T00:00:00.000000Z") and "left out: 2 events" in comment
    assert list(rows[0]) == list(ACLED_COLUMNS)
    by_id = {row["event_id_cnty"]: row for row in rows}
    assert set(by_id) == set(log[:3])
    day, week, month = (by_id[i] for i in log[:3])
    assert (day["event_date"], day["time_precision"], day["fatalities"]) == ("2024-08-06", "1", "7")
    assert (week["event_date"], week["time_precision"]) == ("2024-08-11", "2")
    assert (month["event_date"], month["time_precision"]) == ("2024-08-01", "3")
    assert (day["actor1"], day["actor2"], day["iso"], day["location"]) == ("Ukraine", "Russia", "643", "Sudzha")
    assert day["event_type"] in ACLED_EVENT_TYPES and day["sub_event_type"] in ACLED_SUB_EVENT_TYPES
    assert day["timestamp"] == str(int(datetime(2024, 8, 7, tzinfo=UTC).timestamp()))  # known since then


def test_acled_csv_at_a_past_knowledge_time_shows_what_was_known_then(log, reader):
    _, rows = csv_rows(exported(reader, "acled-csv", known_at="2024-08-16"))
    assert {row["event_id_cnty"] for row in rows} == set(log[:2])
    assert rows[0]["fatalities"] == "5"  # before the correction


def test_ged_csv_keeps_intervals_and_every_count(log, reader):
    comment, rows = csv_rows(exported(reader, "ged-csv"))
    assert "left out: 1 events" in comment  # only the open-ended one: a year still fits date_prec 5
    assert list(rows[0]) == list(GED_COLUMNS)
    by_id = {row["id"]: row for row in rows}
    assert (by_id[log[0]]["best"], by_id[log[0]]["low"], by_id[log[0]]["high"]) == ("7", "3", "9")
    assert [(by_id[i]["date_start"], by_id[i]["date_end"], by_id[i]["date_prec"]) for i in log[:4]] == [
        ("2024-08-06", "2024-08-06", "1"), ("2024-08-08", "2024-08-14", "3"), ("2024-08-01", "2024-08-31", "4"),
        ("2024-01-01", "2024-12-31", "5")]
    assert by_id[log[0]]["source_article"] == "https://example.org/a"


def test_timelinejs_has_timelinejs3s_required_fields_and_marks_open_ends(log, reader):
    document = json.loads(exported(reader, "timelinejs"))
    assert document["title"]["text"]["headline"] and document["as_of"]["known_at"].startswith("2030-01-01")
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    assert set(slides) == set(log[:5])
    for slide in slides.values():
        assert isinstance(slide["start_date"]["year"], int)
        assert slide["text"]["headline"] and isinstance(slide["group"], str) and slide["display_date"]
    assert slides[log[0]]["start_date"] == {"year": 2024, "month": 8, "day": 6, "display_date": "2024-08-06"}
    assert slides[log[2]]["start_date"] == {"year": 2024, "month": 8, "display_date": "2024-08"}
    assert slides[log[1]]["end_date"]["day"] == 14
    ongoing = slides[log[4]]
    assert "end_date" not in ongoing and ongoing["display_date"] == "2024-08-06/.. (ongoing)"
    assert document["left_out"]["events"] == 0


def test_plover_lines_carry_the_manuals_fields_and_a_category(log, reader):
    lines = [json.loads(line) for line in exported(reader, "plover").splitlines()]
    assert {line["id"] for line in lines} == set(log[:5])
    for line in lines:
        assert set(line) == PLOVER_FIELDS
        assert line["event"] in PLOVER_CATEGORIES
    first = next(line for line in lines if line["id"] == log[0])
    assert (first["date"], first["enddate"], first["event"], first["actor"], first["recipient"]) == (
        "2024-08-06", "2024-08-06", "ASSAULT", "Ukraine", "Russia")
    assert first["event_loc"] == {"name": "Sudzha", "country": "RU", "lat": 51.19, "lon": 35.27}
    assert first["link"] == "https://example.org/a" and first["cite_info"] == "2024-08-07"
    assert first["coded_date"].endswith("Z")
    assert next(line for line in lines if line["id"] == log[2])["event"] == "COOPERATE"  # codes.plover wins


def test_exports_take_the_timelines_filters(log, reader):
    _, rows = csv_rows(exported(reader, "acled-csv", kinds=["battle"]))
    assert [row["event_id_cnty"] for row in rows] == [log[0]]
    _, rows = csv_rows(exported(reader, "acled-csv", kinds=["battle"], include_retracted=True))
    assert {row["event_id_cnty"] for row in rows} == {log[0], log[5]}


def test_an_acled_snapshot_exported_and_taken_again_changes_nothing(timeline, reader):
    with AUGUST.open(newline="") as lines:
        take_snapshot(timeline, "acled", "acled-csv", lines, published_at=None, complete=True, recorded_by="test")
    data = exported(reader, "acled-csv")
    _, rows = csv_rows(data)
    assert {row["event_id_cnty"] for row in rows} == {"RUS900001", "UKR900002", "RUS900003", "RUS900004"}
    again = take_snapshot(timeline, "acled", "acled-csv", data.decode().splitlines(keepends=True),
                          published_at=None, complete=True, recorded_by="test")
    assert not again.stored and again.unchanged == 4
