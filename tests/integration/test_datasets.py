"""Dataset snapshots on every backend (SPEC §10): two ACLED-style exports a month apart, kept as history.

tests/data/acled_2024-08-20.csv and acled_2024-09-20.csv hold invented rows in ACLED's shape.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from domain.datasets import event_id_of
from domain.errors import InvalidInput
from projections.datasets import take_snapshot
from projections.queries import TimelineFilter
from tests.builders import at

DATA = Path(__file__).parent.parent / "data"
AUGUST, SEPTEMBER = DATA / "acled_2024-08-20.csv", DATA / "acled_2024-09-20.csv"


def snapshot(timeline, path: Path, complete: bool = True, published_at: str | None = None, dataset: str = "acled",
             format: str = "acled-csv"):
    with path.open(newline="") as lines:
        return take_snapshot(timeline, dataset, format, lines, published_at=published_at, complete=complete,
                             recorded_by="test")


def event(reader, row_id: str, known_at: str = "2030-01-01") -> dict:
    return msgspec.json.decode(reader.event(event_id_of("acled", row_id), at(known_at)))


def log_size(store) -> int:
    with store.read() as tx:
        return store.head(tx)[0]


@pytest.fixture
def both(timeline):
    first = snapshot(timeline, AUGUST, published_at="2024-08-20")
    second = snapshot(timeline, SEPTEMBER, published_at="2024-09-20")
    return first, second


def test_a_first_snapshot_reports_every_row_as_a_tagged_event_named_by_its_row(timeline, reader):
    answer = snapshot(timeline, AUGUST)
    assert (answer.reported, answer.corrected, answer.unchanged) == (4, 0, 0)
    sudzha = event(reader, "RUS900001")
    assert sudzha["kind"] == "battle" and sudzha["occurred"]["edtf"] == "2024-08-06"
    assert sudzha["fatalities"]["best"] == 5 and "dataset:acled" in sudzha["tags"]
    assert sudzha["sources"][0]["url"] == "urn:ceasefire:acled:RUS900001"
    assert sudzha["known_since"] == "2024-08-12T22:00:00.000000Z"  # the row's timestamp
    assert [p["name"] for p in sudzha["places"]] == ["Sudzha", "Kursk"]
    assert event(reader, "UKR900002")["occurred"]["edtf"] == "2024-08-07~/2024-08-13~"  # a week, approximate
    assert event(reader, "RUS900003")["occurred"]["edtf"] == "2024-08"


def test_the_dataset_as_known_before_the_second_snapshot_shows_the_old_values(both, reader):
    assert event(reader, "RUS900001", "2024-09-01")["fatalities"]["best"] == 5
    assert event(reader, "UKR900002", "2024-09-01")["occurred"]["edtf"] == "2024-08-07~/2024-08-13~"
    assert event(reader, "RUS900004", "2024-09-01")["status"] == "active"
    page = reader.timeline(TimelineFilter(place="Kursk"), at("2024-09-01"), 50, None)
    assert {msgspec.json.decode(item)["sources"][0]["title"] for item in page.items} == {
        "acled row RUS900001", "acled row RUS900003", "acled row RUS900004"}


def test_after_the_second_snapshot_the_new_values_and_the_deletion_show(both, reader):
    first, second = both
    assert (second.reported, second.corrected, second.retracted, second.unchanged) == (1, 2, 1, 1)
    assert event(reader, "RUS900001")["fatalities"]["best"] == 7
    assert event(reader, "UKR900002")["occurred"]["edtf"] == "2024-08-11"
    removed = event(reader, "RUS900004")
    assert removed["status"] == "retracted"
    assert removed["retraction"]["reason"] == "removed from acled snapshot of 2024-09-20"
    assert event(reader, "RUS900005")["title"].startswith("On 5 September 2024")


def test_history_shows_each_revision_with_only_what_changed(both, log_reader):
    page = log_reader.history(event_id_of("acled", "RUS900001"), at("2030-01-01"), 0, 100, False)
    assert [entry.type for entry in page.items] == ["EventReported", "EventCorrected"]
    assert page.items[1].data["changes"] == {"fatalities": {"low": None, "best": 7, "high": None}}
    assert page.items[1].known_at == "2024-09-10T20:26:40.000000Z"


def test_importing_either_snapshot_again_stores_nothing(timeline, store):
    snapshot(timeline, AUGUST)
    size = log_size(store)
    again = snapshot(timeline, AUGUST)
    assert (again.reported, again.corrected, again.retracted, again.reinstated, again.unchanged) == (0, 0, 0, 0, 4)
    assert log_size(store) == size
    snapshot(timeline, SEPTEMBER, published_at="2024-09-20")
    size = log_size(store)
    assert not snapshot(timeline, SEPTEMBER, published_at="2024-09-20").stored
    assert log_size(store) == size


def test_a_row_that_returns_to_a_complete_snapshot_is_reinstated(both, timeline, reader):
    back = snapshot(timeline, AUGUST, published_at="2024-10-20")
    assert back.reinstated == 1  # RUS900004 is back
    assert back.retracted == 0  # RUS900005 (5 September) lies past August's dates: not the snapshot's to judge
    assert event(reader, "RUS900004")["status"] == "active"
    assert event(reader, "RUS900004", "2024-10-01")["status"] == "retracted"


def test_an_incomplete_snapshot_retracts_nothing(timeline, reader):
    snapshot(timeline, AUGUST)
    answer = snapshot(timeline, SEPTEMBER, complete=False)
    assert answer.retracted == 0 and event(reader, "RUS900004")["status"] == "active"


def test_a_malformed_row_stores_nothing_and_names_its_line_and_column(timeline, store, tmp_path):
    lines = AUGUST.read_text().splitlines(keepends=True)
    # line 1 is the comment, 2 the header; RUS900003's notes span lines 5-6, so RUS900004 is line 7
    lines[6] = lines[6].replace(",12,,", ",twelve,,")
    bad = tmp_path / "bad.csv"
    bad.write_text("".join(lines))
    with pytest.raises(InvalidInput) as refused:
        snapshot(timeline, bad)
    assert [e["field"] for e in refused.value.errors] == ["line[7].fatalities"]
    assert log_size(store) == 0


def test_a_snapshot_lacking_a_required_column_names_the_header_line(timeline, store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id_cnty,event_date\nX1,2024-08-01\n")
    with pytest.raises(InvalidInput) as refused:
        snapshot(timeline, bad)
    assert refused.value.errors[0]["field"] == "line[1].event_type"
    assert log_size(store) == 0


def test_ged_rows_keep_their_intervals_and_all_three_counts(timeline, reader):
    answer = snapshot(timeline, DATA / "ged_2024.csv", dataset="ucdp-ged", format="ged-csv",
                      published_at="2025-06-01")
    assert answer.reported == 2
    sudzha = msgspec.json.decode(reader.event(event_id_of("ucdp-ged", "9000001"), at("2030-01-01")))
    assert sudzha["occurred"]["edtf"] == "2024-08-06~/2024-08-09~"
    assert sudzha["fatalities"] == {"low": 9, "best": 14, "high": 30}
    assert sudzha["known_since"] == "2025-06-01T00:00:00.000000Z"


def test_ged_without_a_published_at_is_refused(timeline):
    with pytest.raises(InvalidInput) as refused:
        snapshot(timeline, DATA / "ged_2024.csv", dataset="ucdp-ged", format="ged-csv")
    assert refused.value.errors[0]["field"] == "published_at"


def test_a_complete_snapshot_retracts_only_within_its_countries_and_dates(timeline, reader, tmp_path):
    snapshot(timeline, AUGUST)
    header, ukraine = AUGUST.read_text().splitlines(keepends=True)[1:4:2]  # the header and UKR900002
    only_ukraine = tmp_path / "ukraine.csv"
    only_ukraine.write_text(header + ukraine)
    answer = snapshot(timeline, only_ukraine)
    assert (answer.unchanged, answer.retracted) == (1, 0)
    assert event(reader, "RUS900001")["status"] == "active"
