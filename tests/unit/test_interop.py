"""The field's vocabularies and the snapshot diff, with no database (SPEC §10)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import interop
from domain.datasets import event_id_of, plan, read_rows
from domain.dates import normalise
from domain.entries import EventReported, entry_from
from domain.errors import InvalidInput
from domain.view import Logged, fold

PLOVER_CATEGORIES = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
                     "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
HEADER = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,iso,location,notes,fatalities,timestamp\n"


def rows(*lines: str, head: str = HEADER) -> list[str]:
    return [head, *(line + "\n" for line in lines)]


@pytest.mark.parametrize("edtf, expected", [
    ("2024-08-06", ("2024-08-06", 1)),
    ("2024-08-07~/2024-08-13~", ("2024-08-10", 2)),
    ("2024-08-06/2024-08-07", ("2024-08-06", 2)),
    ("2024-08", ("2024-08-01", 3)),
    ("2024-02", ("2024-02-01", 3)),
    ("2024-08-01/2024-08-20", ("2024-08-10", 3)),
    ("2024", None), ("2024-08-06/..", None), ("../2024-08-06", None), ("2024-07-01/2024-08-20", None),
])
def test_acled_time_precision_holds_a_day_a_week_or_a_month(edtf, expected):
    assert interop.acled_date(normalise(edtf)) == expected


@pytest.mark.parametrize("edtf, expected", [
    ("2024-08-06", 1), ("2024-08-06/2024-08-07", 2), ("2024-08-06/2024-08-11", 2), ("2024-08-06/2024-08-12", 3),
    ("2024-08-06/2024-08-13", 4), ("2024-08", 4), ("2024-08-01/2024-09-15", 5), ("2024", 5),
    ("2023-06/2024-08", None), ("2024-08-06/..", None),
])
def test_ged_date_prec_follows_the_span(edtf, expected):
    assert interop.ged_precision(normalise(edtf)) == expected


def test_acled_precisions_read_as_a_day_a_week_around_it_approximate_or_the_month():
    day = date(2025, 3, 11)
    assert [interop.occurred_of_acled(day, p) for p in (1, 2, 3)] == [
        "2025-03-11", "2025-03-08~/2025-03-14~", "2025-03"]
    assert interop.acled_date(normalise(interop.occurred_of_acled(day, 2))) == ("2025-03-11", 2)


def test_ged_dates_are_approximate_when_less_than_exact():
    assert interop.occurred_of_ged(date(2024, 8, 6), date(2024, 8, 9), 2) == "2024-08-06~/2024-08-09~"
    assert interop.occurred_of_ged(date(2024, 8, 6), date(2024, 8, 6), 1) == "2024-08-06"


def test_every_kind_maps_to_acled_types_and_reads_back_as_itself_or_a_close_kind():
    for plover, event_type, sub_event_type in interop.KIND_CODES.values():
        assert plover is None or plover in PLOVER_CATEGORIES
        assert event_type in interop.ACLED_EVENT_TYPES and sub_event_type in interop.ACLED_SUB_EVENT_TYPES
        assert interop.kind_of(event_type, sub_event_type) in interop.KIND_CODES
    assert interop.kind_of("Battles", "Armed clash") == "battle"
    assert interop.kind_of("Protests", "Peaceful protest") == "statement"


def test_countries_read_from_numbers_and_names_including_ucdps_bracketed_former_names():
    assert interop.country_code("804") == "UA"
    assert interop.country_code("643") == "RU"
    assert interop.country_code("Russia (Soviet Union)") == "RU"
    assert interop.country_code("Atlantis") is None


def test_a_row_is_named_by_its_physical_line_past_comments_and_multiline_cells():
    lines = ("# exported 2024-09-01\n# second comment\n" + HEADER
             + 'A1,2024-08-06,1,Battles,Armed clash,804,Pokrovsk,"two\nlines",0,1723500000\n'
             + "A2,2024-08-07,1,Battles,Armed clash,804,Pokrovsk,x,lots,1723500000\n").splitlines(keepends=True)
    with pytest.raises(InvalidInput) as refused:
        read_rows(lines, "acled-csv", "acled", None)
    assert [e["field"] for e in refused.value.errors] == ["line[6].fatalities"]


def test_every_bad_cell_of_a_snapshot_is_named_at_once():
    lines = rows("A1,2024-02-30,1,Battles,,804,Kyiv,x,0,1723500000",
                 "A2,2024-08-07,4,Fights,,999,Kyiv,x,0,1723500000",
                 "A1,2024-08-07,1,Battles,,804,Kyiv,x,0,")
    with pytest.raises(InvalidInput) as refused:
        read_rows(lines, "acled-csv", "acled", None)
    assert [e["field"] for e in refused.value.errors] == [
        "line[2].event_date", "line[3].time_precision", "line[3].event_type", "line[3].iso",
        "line[4].event_id_cnty", "line[4].timestamp"]


def test_a_row_timestamp_in_the_future_is_refused():
    with pytest.raises(InvalidInput) as refused:
        read_rows(rows("A1,2024-08-06,1,Battles,,804,Kyiv,x,0,9999999999"), "acled-csv", "acled", None)
    assert refused.value.errors[0]["field"] == "line[2].timestamp"


def test_the_diff_corrects_only_what_changed_and_leaves_the_same_row_be():
    old = read_rows(rows("A1,2024-08-06,1,Battles,Armed clash,804,Kyiv,x,3,1723500000"), "acled-csv", "acled", None)
    report_op = plan("acled", old, {}, False, None).ops[0]
    event_id = event_id_of("acled", "A1")
    assert report_op.command.id == event_id
    held = _view_after(report_op.command, event_id)
    assert plan("acled", old, {event_id: held}, False, None).ops == []
    new = read_rows(rows("A1,2024-08-06,1,Battles,Armed clash,804,Kyiv,x,4,1726000000"), "acled-csv", "acled", None)
    revision = plan("acled", new, {event_id: held}, False, None)
    assert [op.command.changes for op in revision.ops] == [{"fatalities": {"low": None, "best": 4, "high": None}}]


def _view_after(command, event_id: str):
    """The event as the log would hold it once the report is stored."""
    stored = Logged(position=1, version=1, known_at=1, recorded_at=1, entry=entry_from(EventReported, command))
    return fold(event_id, [stored]).view
