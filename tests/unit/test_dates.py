"""World time: EDTF level 1, normalised to the stated bounds (SPEC §2)."""

from __future__ import annotations

import pytest

from domain.dates import normalise, parse
from domain.errors import InvalidInput


@pytest.mark.parametrize("edtf, start, end, precision", [
    ("2015-02-12", "2015-02-12", "2015-02-12", "day"),
    ("2024-08", "2024-08-01", "2024-08-31", "month"),
    ("2024-02", "2024-02-01", "2024-02-29", "month"),
    ("2015", "2015-01-01", "2015-12-31", "year"),
    ("2015-02-11/2015-02-12", "2015-02-11", "2015-02-12", "day"),
    ("2015-01/2015-02-18", "2015-01-01", "2015-02-18", "month"),
    ("201X", "2010-01-01", "2019-12-31", "decade"),
])
def test_dates_and_intervals_normalise_to_their_stated_bounds(edtf, start, end, precision):
    occurred = normalise(edtf)
    assert (occurred.edtf, occurred.start, occurred.end, occurred.precision) == (edtf, start, end, precision)
    assert not occurred.approximate and not occurred.uncertain


def test_an_open_end_is_null_and_an_open_start_too():
    assert (normalise("2024-08-06/..").start, normalise("2024-08-06/..").end) == ("2024-08-06", None)
    assert (normalise("../2015").start, normalise("../2015").end) == (None, "2015-12-31")


def test_approximate_and_uncertain_are_flags_that_never_widen_the_bounds():
    approximate, uncertain, both = normalise("2014-08~"), normalise("2015?"), normalise("2015-02-12%")
    assert (approximate.start, approximate.end, approximate.approximate, approximate.uncertain) == \
        ("2014-08-01", "2014-08-31", True, False)
    assert (uncertain.start, uncertain.end, uncertain.approximate, uncertain.uncertain) == \
        ("2015-01-01", "2015-12-31", False, True)
    assert both.approximate and both.uncertain


def test_an_interval_takes_the_coarser_precision_and_either_ends_doubt():
    occurred = normalise("2015-01~/2015-02-18")
    assert occurred.precision == "month" and occurred.approximate and not occurred.uncertain


@pytest.mark.parametrize("text", ["March 2015", "2015-13-01", "2015-02-30", "", "2015-02-18/2015-01-01", "x" * 100])
def test_what_does_not_parse_is_refused_naming_the_field(text):
    with pytest.raises(InvalidInput) as refused:
        parse(text, "occurred")
    assert refused.value.errors[0]["field"] == "occurred"


@pytest.mark.parametrize("text", [
    "2015", "2024-08", "2024-02", "2023-02", "2015-02-12", "2014-08~", "2015?", "2015-02-12%", "2015-02-11/2015-02-12",
    "2015-01~/2015-02-18", "2024-08-06/..", "../2015", "2024-08-06/", "/2015-03", "1900-02", "2000-02-29",
])
def test_the_fast_reading_of_common_forms_agrees_with_the_edtf_library(text):
    from domain import dates

    fast = dates._plain_bounds(text.split("/") if "/" in text else [text])
    start, end = dates._library_bounds(text)
    parts = text.split("/")
    if len(parts) == 2:  # open or unknown ends are null, whatever the library guesses for them
        start, end = (None if parts[0] in ("", "..") else start), (None if parts[1] in ("", "..") else end)
    assert fast == (start, end)


@pytest.mark.parametrize("text", ["2023-02-29", "1999-02-29T10:00:00", "15XX-02-30", "2023-02-29/2023-03",
                                  "2023-02-29~"])
def test_a_day_that_is_not_on_the_calendar_is_refused_even_where_the_edtf_grammar_allows_it(text):
    with pytest.raises(InvalidInput, match="not on the calendar") as refused:
        parse(text, "changes.occurred")
    assert refused.value.errors[0]["field"] == "changes.occurred"


def test_29_february_is_taken_in_a_leap_year():
    assert (parse("2024-02-29").start, parse("2000-02-29T10:00:00").end) == ("2024-02-29", "2000-02-29")


@pytest.mark.parametrize("text, why", [
    ("2015/2016/2017", "has 3 parts"), ("2015-02-18/2015-01-01", "ends before it starts"),
    ("\u0662\u0660\u0661\u0665", "other than ASCII"), ("\uff12\uff10\uff11\uff15", "other than ASCII"),
    (" 2015", "whitespace"), ("2015\n", "whitespace"), ("2015-02-12\t", "whitespace"),
    ("0000", "outside the years"), ("-0100", "outside the years"), ("Y12345", "outside the years"),
    ("../..", "neither a start nor an end"),
])
def test_what_spec_section_2_refuses_is_refused_with_the_reason(text, why):
    with pytest.raises(InvalidInput, match=why):
        parse(text)


def test_an_unknown_interval_end_is_null_never_a_guess():
    assert (parse("1985/").start, parse("1985/").end) == ("1985-01-01", None)
    assert (parse("/2006").start, parse("/2006").end) == (None, "2006-12-31")


@pytest.mark.parametrize("stored, start, end", [
    ("2023-02-29", "2023-02-28", "2023-02-28"), ("15XX-02-30", "1500-02-28", "1599-02-28"),
    ("\u0662\u0660\u0661\u0665", "2015-01-01", "2015-12-31"), (" 2015", "2015-01-01", "2015-12-31"),
    ("2015/2016/2017", "2015-01-01", "2017-12-31"), ("yesterday", None, None), ("", None, None),
])
def test_a_date_an_older_version_stored_still_reads_with_calendar_bounds_and_is_marked_uncertain(stored, start, end):
    occurred = normalise(stored)
    assert (occurred.edtf, occurred.start, occurred.end, occurred.uncertain) == (stored, start, end, True)


def test_the_lead_up_window_counts_back_from_any_stored_day_even_one_off_the_calendar():
    from domain.dates import days_before

    assert days_before("2015-03-01", 1) == "2015-02-28"
    assert days_before("2023-02-29", 1) == "2023-02-27"
    assert days_before("0001-01-05", 30) == "0001-01-01"
