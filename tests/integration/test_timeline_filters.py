"""The timeline's filters (SPEC §5) and the listings of what can be filtered on, on every backend."""

from __future__ import annotations

import msgspec

from domain.entries import Actor, Place
from projections.listings import listing
from projections.queries import TimelineFilter, decode_cursor
from tests.builders import at, correct, parties, report, retract


def append(timeline, *ops):
    return timeline.execute(list(ops), "alice", batch=len(ops) > 1)


def titles(reader, when=None, **filters):
    page = reader.timeline(TimelineFilter(**filters), when or at("2025-12-31"), 50, None)
    return [msgspec.json.decode(bytes(item))["title"] for item in page.items]


def test_text_search_matches_word_starts_in_any_order_whatever_the_case_accents_or_dashes(timeline, reader):
    append(timeline, report("Trump–Putin call on the Kursk offensive", kind="call", occurred="2025-03-18"),
           report("Zelenskyy visits Kyiv", occurred="2025-03-19", summary="Переговоры в Стамбуле"),
           report("Café talks in Genève", occurred="2025-03-20"))
    assert titles(reader, text="trump-putin") == ["Trump–Putin call on the Kursk offensive"]
    assert titles(reader, text="Kurs PUTIN") == ["Trump–Putin call on the Kursk offensive"]
    assert titles(reader, text="стамб") == ["Zelenskyy visits Kyiv"]
    assert titles(reader, text="cafe geneve") == ["Café talks in Genève"]
    assert titles(reader, text="ursk") == []  # a word's start, never its middle
    assert titles(reader, text="putin kyiv") == []  # every word must match


def test_text_search_follows_corrections_and_the_knowledge_time(timeline, reader):
    event = append(timeline, report("Talks in Jeddah", occurred="2025-03-11", published_at="2025-03-11"))[0]
    append(timeline, correct(event.id, {"title": "Talks in Riyadh"}, published_at="2025-03-20"))
    assert titles(reader, at("2025-03-15"), text="jeddah") == ["Talks in Jeddah"]
    assert titles(reader, at("2025-03-25"), text="jeddah") == []
    assert titles(reader, at("2025-03-25"), text="riyadh") == ["Talks in Riyadh"]


def test_an_actor_matches_any_whole_word_of_a_name_but_not_part_of_one(timeline, reader):
    append(timeline, report("Call", kind="call", actors=[Actor(name="Vladimir Putin", role="caller"),
                                                          Actor(name="Donald Trump", role="callee")]),
           report("Talks", actors=parties("Ukraine")))
    assert titles(reader, actor="Putin") == ["Call"]
    assert titles(reader, actor="vladimir putin") == ["Call"]
    assert titles(reader, actor="Put") == []
    assert titles(reader, actor="Putin Donald") == []  # words of two names are not one name
    assert titles(reader, actor="UKRAINE") == ["Talks"]


def test_a_place_matches_its_name_or_its_country_code(timeline, reader):
    append(timeline, report("Sudzha", places=[Place(name="Sudzha", country="RU", subdivision="RU-KRS")]),
           report("Kyiv", places=[Place(name="Kyiv", country="UA")]))
    assert titles(reader, place="sudzha") == ["Sudzha"]
    assert titles(reader, place="ua") == ["Kyiv"]
    assert titles(reader, place="Sud") == []


def test_a_tag_keeps_the_events_carrying_it(timeline, reader):
    append(timeline, report("Grain deal", tags=["grain", "black-sea"]), report("Strike", tags=["energy"]))
    assert titles(reader, tag="Black-Sea") == ["Grain deal"]
    assert titles(reader, tag="black") == []


def test_ongoing_separates_events_under_way_from_those_beginning_in_the_window(timeline, reader):
    append(timeline, report("Kursk incursion", kind="offensive", occurred="2024-08-06/.."),
           report("Qatar talks", occurred="2024-08", published_at="2024-08-17"),
           report("Earlier talks", occurred="2024-06-01", published_at="2024-06-01"))
    window = {"start": "2024-09-01", "end": "2024-09-30"}
    assert titles(reader, **window) == ["Kursk incursion"]
    assert titles(reader, **window, ongoing="exclude") == []
    assert titles(reader, start="2024-08-10", ongoing="only") == ["Qatar talks", "Kursk incursion"]
    assert titles(reader, start="2024-08-01", ongoing="exclude") == ["Qatar talks", "Kursk incursion"]
    assert titles(reader, ongoing="only") == []  # without `from`, nothing began before it
    assert titles(reader, ongoing="exclude") == titles(reader)


def test_a_window_finds_long_and_open_intervals_that_began_years_before_it(timeline, reader):
    append(timeline, report("War in Donbas", kind="battle", occurred="2014-04-06/2022-02-24"),
           report("Occupation", kind="other", occurred="../2024"), report("A day", occurred="2020-05-05"))
    assert titles(reader, start="2020-05-01", end="2020-05-31") == ["Occupation", "War in Donbas", "A day"]
    assert titles(reader, start="2023-01-01", end="2023-01-31") == ["Occupation"]


def test_an_event_announced_ahead_is_in_its_window_from_the_announcement(timeline, reader):
    append(timeline, report("Announced truce", kind="ceasefire", occurred="2025-05-08", published_at="2025-04-28"))
    window = {"start": "2025-05-01", "end": "2025-05-31"}
    assert titles(reader, at("2025-04-27"), **window) == []
    assert titles(reader, at("2025-04-28T00:00:00Z"), **window) == ["Announced truce"]


def names(reader, list_name, when=None):
    return [msgspec.to_builtins(item) for item in listing(reader, list_name, when or at("2100-01-01")).items]


def test_listings_count_visible_standing_events_most_frequent_first(timeline, reader):
    first = append(timeline, report("A", kind="agreement", track="minsk", actors=parties("Ukraine", "Russia"),
                                    places=[Place(name="Minsk", country="BY")]),
                   report("B", track="minsk", actors=parties("Russia")),
                   report("C", track="normandy", actors=parties("France")))[0]
    append(timeline, retract(first.id, published_at="2025-03-12"))
    assert names(reader, "track") == [{"name": "minsk", "count": 1, "agreement_status": "proposed"},
                                      {"name": "normandy", "count": 1, "agreement_status": "proposed"}]
    assert names(reader, "actor") == [{"name": "France", "count": 1}, {"name": "Russia", "count": 1}]
    assert names(reader, "place") == []
    assert names(reader, "actor", at("2025-03-11T12:00:00Z"))[0] == {"name": "Russia", "count": 2}
    assert names(reader, "place", at("2025-03-11T12:00:00Z")) == [{"name": "Minsk", "country": "BY", "count": 1}]


def test_the_counts_kept_for_the_latest_state_equal_those_counted_from_its_rows(timeline, reader):
    events = append(timeline, *[report(f"E{n}", track=f"t{n % 3}", actors=parties(f"P{n % 4}", "Ukraine"),
                                       places=[Place(name=f"Town {n % 2}", country="UA")]) for n in range(9)])
    append(timeline, correct(events[0].id, {"actors": [{"name": "Qatar", "role": "mediator"}], "track": "t9"}),
           retract(events[1].id))
    for list_name in ("track", "actor", "place"):
        latest = names(reader, list_name)
        just_before_latest = names(reader, list_name, at("2099-12-31"))  # counted from rows: not the latest K
        assert latest == just_before_latest and latest


def test_text_search_pages_in_world_order_however_rare_or_common_the_word(timeline, reader, monkeypatch):
    # PostgreSQL walks rows in world order, walks further as the matches found say, then asks its GIN
    # index: with walks this short, a page of either word takes every one of those steps.
    monkeypatch.setattr("projections.selection.WALKED_ROWS", 2)
    monkeypatch.setattr("projections.selection.MOST_WALKED", 4)
    append(timeline, *[report(f"{'Shelling' if n % 3 else 'Ceasefire'} near Avdiivka {n}", occurred=f"2024-{1 + n % 12:02}-{1 + n:02}")
                       for n in range(24)])
    every = titles(reader)
    for word in ("shelling", "ceasefire", "avdiivka"):
        expected = [title for title in every if word in title.casefold()]
        pages, after = [], None
        while True:
            page = reader.timeline(TimelineFilter(text=word), at("2025-12-31"), 3, after)
            pages += [msgspec.json.decode(bytes(item))["title"] for item in page.items]
            if not page.next_cursor:
                break
            after = tuple(decode_cursor(page.next_cursor).after)
        assert pages == expected
