"""The seed story as specification: what was known, and when (SPEC §4), on every backend."""

from __future__ import annotations

import msgspec
import pytest

from domain import clock
from domain.entries import Actor
from domain.errors import NotFound
from projections.queries import PointInTime, TimelineFilter
from tests.builders import (
    add_source,
    at,
    claim,
    correct,
    folded,
    parties,
    position,
    reinstate,
    report,
    retract,
    stance,
)


def append(timeline, *ops):
    return timeline.execute(list(ops), "alice", batch=len(ops) > 1)


def view(reader, event_id, when):
    return msgspec.json.decode(bytes(reader.event(event_id, when)))


def titles(reader, when, **filters):
    page = reader.timeline(TimelineFilter(**filters), when, 50, None)
    return [msgspec.json.decode(bytes(item))["title"] for item in page.items]


def test_secret_talks_are_invisible_before_their_first_report_and_visible_after(timeline, reader):
    talks = append(timeline, report("Qatar-mediated talks", occurred="2024-08", published_at="2024-08-17"))[0]
    assert titles(reader, at("2024-08-10")) == []
    with pytest.raises(NotFound):
        reader.event(talks.id, at("2024-08-10"))
    assert titles(reader, at("2024-08-20")) == ["Qatar-mediated talks"]


def test_a_backfilled_event_is_known_from_its_knowledge_time_but_not_before_it_was_recorded(timeline, reader):
    before_recording = clock.now_micros()
    append(timeline, report("Minsk II", kind="agreement", occurred="2015-02-12", published_at="2015-02-12"))
    assert titles(reader, at("2015-02-13")) == ["Minsk II"]
    assert titles(reader, at("2015-02-13", recorded_at=before_recording)) == []


def test_an_earlier_source_makes_the_event_known_earlier_with_the_reports_fields(timeline, reader):
    event = append(timeline, report("Minsk Protocol", occurred="2014-09-05", published_at="2014-09-08"))[0]
    append(timeline, add_source(event.id, "2014-09-05"))
    seen = view(reader, event.id, at("2014-09-06"))
    assert seen["title"] == "Minsk Protocol"
    assert seen["known_since"] == "2014-09-05T00:00:00.000000Z"
    assert [s["published_at"] for s in seen["sources"]] == ["2014-09-05"]


def test_corrections_apply_in_knowledge_order_whatever_order_they_were_recorded_in(timeline, reader):
    event = append(timeline, report("Draft", published_at="2025-03-01"))[0]
    append(timeline, correct(event.id, {"title": "Later"}, published_at="2025-03-20"))
    append(timeline, correct(event.id, {"title": "Earlier"}, published_at="2025-03-10"))
    assert view(reader, event.id, at("2025-03-05"))["title"] == "Draft"
    assert view(reader, event.id, at("2025-03-15"))["title"] == "Earlier"
    assert view(reader, event.id, at("2025-03-25"))["title"] == "Later"


def test_a_retracted_event_leaves_the_timeline_but_still_answers_as_retracted(timeline, reader):
    event = append(timeline, report("Claimed strike"))[0]
    append(timeline, retract(event.id, published_at="2025-03-12"))
    assert titles(reader, at("2025-03-11")) == ["Claimed strike"]
    assert titles(reader, at("2025-03-13")) == []
    assert titles(reader, at("2025-03-13"), include_retracted=True) == ["Claimed strike"]
    assert view(reader, event.id, at("2025-03-13"))["status"] == "retracted"
    append(timeline, reinstate(event.id, published_at="2025-03-14"))
    assert view(reader, event.id, at("2025-03-15"))["status"] == "active"


def test_the_claimed_kursk_encirclement_is_asserted_then_disputed_by_the_isw(timeline, reader):
    event = append(timeline, report("Russian Kursk offensive", kind="offensive", occurred="2025-03"))[0]
    made = append(timeline, claim(event.id, "Vladimir Putin", published_at="2025-03-13"))[0]
    append(timeline, stance(made.claim_id, "Institute for the Study of War", "disputes", published_at="2025-03-14"))
    assert reader.claim(made.claim_id, at("2025-03-13T12:00:00Z"))["status"] == "asserted"
    assert reader.claim(made.claim_id, at("2025-03-15"))["status"] == "disputed"
    with pytest.raises(NotFound):
        reader.claim(made.claim_id, at("2025-03-12"))


def test_the_jeddah_proposal_is_conditional_from_ukraines_conditional_acceptance(timeline, reader):
    actors = [*parties("Ukraine", "Russia"), Actor(name="United States", role="proposer")]
    jeddah = append(timeline, report("Jeddah interim ceasefire proposal", kind="ceasefire", actors=actors))[0]
    append(timeline, position(jeddah.id, "United States", "proposes", published_at="2025-03-11"))
    assert view(reader, jeddah.id, at("2025-03-11T06:00:00Z"))["agreement_status"] == "proposed"
    append(timeline, position(jeddah.id, "Ukraine", "accepts_with_conditions", published_at="2025-03-11",
                              conditions="Russia implements it simultaneously"))
    on_the_day = view(reader, jeddah.id, at("2025-03-11T12:00:00Z"))
    assert on_the_day["agreement_status"] == "conditional"
    assert {p["party"]: p["position"] for p in on_the_day["positions"]}["Ukraine"] == "accepts_with_conditions"
    append(timeline, position(jeddah.id, "Russia", "accepts_with_conditions", published_at="2025-03-13"))
    append(timeline, position(jeddah.id, "Russia", "rejects", published_at="2025-03-20"))
    assert view(reader, jeddah.id, at("2025-03-14"))["agreement_status"] == "conditional"
    assert view(reader, jeddah.id, at("2025-03-21"))["agreement_status"] == "rejected"


def test_an_agreement_is_signed_when_every_party_signed(timeline, reader):
    minsk = append(timeline, report("Minsk II", kind="agreement", occurred="2015-02-12",
                                    actors=parties("Ukraine", "Russia"), published_at="2015-02-12"))[0]
    append(timeline, position(minsk.id, "Ukraine", "signs", published_at="2015-02-12"))
    assert view(reader, minsk.id, at("2015-02-13"))["agreement_status"] == "proposed"
    append(timeline, position(minsk.id, "Russia", "signs", published_at="2015-02-12"))
    assert view(reader, minsk.id, at("2015-02-13"))["agreement_status"] == "signed"


def test_the_lead_up_holds_the_offensives_battles_and_violations_before_the_event(timeline, reader):
    ilovaisk = append(timeline, report("Ilovaisk encirclement", kind="battle", occurred="2014-08-24/2014-08-29",
                                       published_at="2014-08-29"))[0]
    append(timeline, report("Talks elsewhere", kind="talks", occurred="2014-08-30", published_at="2014-08-30"))
    append(timeline, report("Far earlier battle", kind="battle", occurred="2014-05", published_at="2014-05-31"))
    minsk = append(timeline, report("Minsk Protocol", kind="agreement", occurred="2014-09-05",
                                    published_at="2014-09-05"))[0]
    lead_up = reader.lead_up(minsk.id, 30, at("2014-09-06"))
    assert [msgspec.json.decode(bytes(item))["id"] for item in lead_up.items] == [ilovaisk.id]


def test_timeline_filters_by_world_time_kind_actor_place_track_and_text(timeline, reader):
    append(timeline, report("Debaltseve", kind="battle", occurred="2015-01-15/2015-02-18", published_at="2015-02-18",
                            actors=[Actor(name="Armed Forces of Ukraine", role="defender")], track="minsk"))
    append(timeline, report("Kursk incursion", kind="offensive", occurred="2024-08-06/..", published_at="2024-08-06"))
    now = at("2026-01-01")
    assert titles(reader, now, start="2015-02-01", end="2015-02-28") == ["Debaltseve"]
    assert titles(reader, now, start="2025-01-01", end="2025-12-31") == ["Kursk incursion"]  # open end
    assert titles(reader, now, kinds=["offensive"]) == ["Kursk incursion"]
    assert titles(reader, now, actor="armed forces of ukraine") == ["Debaltseve"]
    assert titles(reader, now, track="minsk") == ["Debaltseve"]
    assert titles(reader, now, text="KURSK") == ["Kursk incursion"]
    assert titles(reader, now, text="100%") == []


def test_timeline_pages_stay_stable_while_writes_go_on(timeline, reader):
    for day in range(1, 6):
        append(timeline, report(f"Day {day}", occurred=f"2025-03-0{day}", published_at="2025-03-10"))
    when = at("2026-01-01")
    first = reader.timeline(TimelineFilter(), when, 2, None)
    append(timeline, report("Day 0", occurred="2025-02-28", published_at="2025-03-10"))
    append(timeline, report("Day 3b", occurred="2025-03-03", published_at="2025-03-10"))
    from projections.queries import decode_cursor
    cursor = decode_cursor(first.next_cursor)
    second = reader.timeline(TimelineFilter(), PointInTime(cursor.k, cursor.r), 10, tuple(cursor.after))
    names = [msgspec.json.decode(bytes(i))["title"] for i in [*first.items, *second.items]]
    assert names == ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5"]


def test_the_indexed_answer_equals_the_fold_for_a_story_with_backfills(timeline, reader, store):
    event = append(timeline, report("Talks", published_at="2025-03-10"))[0]
    append(timeline, add_source(event.id, "2025-03-01"))
    made = append(timeline, claim(event.id, published_at="2025-03-05"))[0]
    append(timeline, stance(made.claim_id, "ISW", "refutes", published_at="2025-03-04"))
    append(timeline, correct(event.id, {"occurred": "2025-03~"}, published_at="2025-02-01"))
    for day in ("2025-02-15", "2025-03-02", "2025-03-04T12:00:00Z", "2025-03-06", "2025-03-11"):
        when = at(day)
        expected = folded(store, event.id, when)
        if not expected.visible:
            with pytest.raises(NotFound):
                reader.event(event.id, when)
            continue
        got = view(reader, event.id, when)
        got.pop("as_of")
        assert got == msgspec.to_builtins(expected.view)
