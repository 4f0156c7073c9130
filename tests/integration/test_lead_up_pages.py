"""The lead-up in pages (SPEC §5): limit and cursor as the timeline takes them, on every backend."""

from __future__ import annotations

import msgspec

from projections.queries import PointInTime, decode_cursor
from tests.builders import at, report, retract

MINSK_II = "2015-02-12"


def ids(items) -> list[str]:
    return [msgspec.json.decode(bytes(item))["id"] for item in items]


def escalation(timeline) -> tuple[str, list[str]]:
    """Minsk II and the fighting before it: several battles a day (the order within a day is by id), one
    retracted, one long before the window, one after the deal."""
    ops = [report(f"Battle {n}", kind=kind, occurred=occurred, published_at="2015-02-12")
           for n, (kind, occurred) in enumerate([
               ("battle", "2015-01-14/2015-02-18"), ("offensive", "2015-02-01"), ("violation", "2015-02-01"),
               ("battle", "2015-02-01"), ("violation", "2015-02-10"), ("battle", "2015-01-20/.."),
               ("offensive", "2015-02-12"), ("battle", "2014-11"), ("battle", "2015-02-20"),
               ("violation", "2015-01-13")])]
    ops.append(report("Minsk II", kind="agreement", occurred=MINSK_II, published_at=MINSK_II))
    receipts = timeline.execute(ops, "alice", batch=True)
    timeline.execute([retract(receipts[3].id, published_at="2015-02-12")], "alice")
    return receipts[-1].id, [receipt.id for receipt in receipts[:-1]]


def paged(reader, event_id: str, when: PointInTime, limit: int, after: tuple | None = None) -> list[list[str]]:
    """Every page of the lead-up (after `after`), each asked as a caller passing the last page's cursor asks it."""
    pages = []
    while True:
        page = reader.lead_up(event_id, 30, when, limit, after)
        pages.append(ids(page.items))
        if page.next_cursor is None:
            return pages
        cursor = decode_cursor(page.next_cursor)
        when, after = PointInTime(cursor.k, cursor.r), tuple(cursor.after)


def test_the_lead_ups_pages_put_together_are_the_whole_lead_up_in_world_order(timeline, reader):
    minsk, _ = escalation(timeline)
    whole = reader.lead_up(minsk, 30, at("2015-02-13"))
    assert len(whole.items) == 7 and whole.next_cursor is None
    for limit in (1, 2, 3, 7):
        pages = paged(reader, minsk, at("2015-02-13"), limit)
        assert all(len(page) == limit for page in pages[:-1]) and 0 < len(pages[-1]) <= limit
        assert [event_id for page in pages for event_id in page] == ids(whole.items)


def test_a_lead_up_cursor_pins_the_knowledge_and_record_time_of_its_first_page(timeline, reader):
    minsk, _ = escalation(timeline)
    when = at("2015-02-13")
    first = reader.lead_up(minsk, 30, when, 3)
    cursor = decode_cursor(first.next_cursor)
    assert (cursor.k, cursor.r) == (when.known_at, when.recorded_at)
    backfilled = timeline.execute([report("Backfilled battle", kind="battle", occurred="2015-02-11",
                                          published_at="2015-02-11")], "alice")[0].id
    assert backfilled in ids(reader.lead_up(minsk, 30, at("2015-02-13")).items)  # seen by a new question
    pages = paged(reader, minsk, PointInTime(cursor.k, cursor.r), 3, tuple(cursor.after))  # not by the old one's
    assert ids(first.items) + [event_id for page in pages for event_id in page] == ids(
        reader.lead_up(minsk, 30, when).items)
    assert backfilled not in [event_id for page in pages for event_id in page]


def test_a_lead_up_that_fits_its_page_says_nothing_is_left(timeline, reader):
    minsk, _ = escalation(timeline)
    assert reader.lead_up(minsk, 30, at("2015-02-13"), 7).next_cursor is None
    assert reader.lead_up(minsk, 30, at("2015-02-13"), 6).next_cursor is not None


def test_the_web_pages_reading_of_a_lead_up_follows_every_page(timeline, reader):
    minsk, _ = escalation(timeline)
    read = [event_id for page in reader.lead_up_pages(minsk, 30, at("2015-02-13")) for event_id in ids(page)]
    assert read == ids(reader.lead_up(minsk, 30, at("2015-02-13")).items)


def test_a_lead_up_of_more_than_a_thousand_says_so_instead_of_stopping_silently(timeline, reader):
    fighting = [report(f"Shelling {n}", kind="violation", occurred="2015-02-01", published_at="2015-02-01")
                for n in range(1001)]
    minsk = timeline.execute([*fighting, report("Minsk II", kind="agreement", occurred=MINSK_II, published_at=MINSK_II)],
                             "alice", batch=True)[-1].id
    first = reader.lead_up(minsk, 30, at("2015-03-01"))
    assert len(first.items) == 1000 and first.next_cursor is not None
    cursor = decode_cursor(first.next_cursor)
    rest = reader.lead_up(minsk, 30, PointInTime(cursor.k, cursor.r), after=tuple(cursor.after))
    assert len(rest.items) == 1 and rest.next_cursor is None
    assert len(set(ids(first.items + rest.items))) == 1001
