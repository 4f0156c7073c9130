"""Stored entries round-trip exactly and old shapes upcast; times parse and print as RFC 3339 UTC."""

from __future__ import annotations

import pytest

from adapters import codec
from domain import clock
from domain.entries import Actor, EventReported, Place, PositionTaken, Source
from domain.errors import InvalidInput

SOURCE = Source(publisher="Reuters", title="t", url="https://example.org", published_at="2025-03-11", reliability="B")


def test_every_stored_entry_round_trips_exactly():
    entries = [
        EventReported(kind="ceasefire", title="Jeddah", occurred="2025-03-11", source=SOURCE,
                      places=[Place(name="Jeddah", country="SA", lat=21.5, lon=39.2)],
                      actors=[Actor(name="Ukraine", role="party", wikidata="Q212")], tags=["proposal"]),
        PositionTaken(party="Ukraine", position="accepts_with_conditions", conditions="simultaneous", source=SOURCE),
    ]
    for entry in entries:
        assert codec.decode(codec.encode(entry)) == entry
        assert codec.decode_raw(codec.encode(entry))["type"] == type(entry).__struct_config__.tag


def test_an_older_version_of_an_entry_is_upcast_on_read(monkeypatch):
    # Suppose version 1 of PositionTaken called the party `by`: its stored bytes stay, and read as today's shape.
    monkeypatch.setitem(codec.UPCASTERS, ("PositionTaken", 1),
                        lambda raw: {**{k: v for k, v in raw.items() if k != "by"}, "party": raw["by"], "_v": 2})
    old = b'{"type":"PositionTaken","by":"Russia","position":"rejects","source":{"publisher":"p","title":"t","url":"https://x"}}'
    entry = codec.decode(old)
    assert isinstance(entry, PositionTaken) and entry.party == "Russia"
    assert codec.decode_raw(old)["by"] == "Russia"  # the log still shows what was written


def test_once_an_entry_moves_to_version_2_new_entries_say_so_and_are_not_upcast(monkeypatch):
    monkeypatch.setitem(codec.CURRENT_VERSION, "PositionTaken", 2)
    monkeypatch.setitem(codec.UPCASTERS, ("PositionTaken", 1),
                        lambda raw: {**{k: v for k, v in raw.items() if k != "by"}, "party": raw["by"], "_v": 2})
    entry = PositionTaken(party="Ukraine", position="accepts", source=SOURCE)
    written = codec.encode(entry)
    assert codec.decode_raw(written)["_v"] == 2
    assert codec.decode(written) == entry


def test_every_entry_version_after_the_first_has_an_upcaster_from_the_one_before():
    for tag, version in codec.CURRENT_VERSION.items():
        assert all((tag, v) in codec.UPCASTERS for v in range(1, version))
        assert not any((tag, v) in codec.UPCASTERS for v in range(version, version + 5))


@pytest.mark.parametrize("text, expected", [
    ("2015-02-12", "2015-02-12T00:00:00.000000Z"),
    ("2015-02-12T09:00:00Z", "2015-02-12T09:00:00.000000Z"),
    ("2015-02-12T12:00:00+03:00", "2015-02-12T09:00:00.000000Z"),
    ("2015-02-12T09:00:00.1234567Z", "2015-02-12T09:00:00.123456Z"),
    ("1991-08-24", "1991-08-24T00:00:00.000000Z"),
])
def test_times_parse_to_utc_with_six_fraction_digits(text, expected):
    assert clock.format_instant(clock.parse_instant(text, "known_at")) == expected


@pytest.mark.parametrize("text", ["2015-02-12T09:00:00", "yesterday", "2015-02-30", "12/02/2015"])
def test_a_time_without_an_offset_or_a_real_date_is_refused(text):
    with pytest.raises(InvalidInput):
        clock.parse_instant(text, "known_at")


def test_years_before_1000_keep_four_digits():
    assert clock.format_instant(clock.parse_instant("0999-01-02", "known_at")) == "0999-01-02T00:00:00.000000Z"
