"""What one view of the web timeline shows: two lists, their changes, lead-ups and knowledge steps (SPEC §11).

Everything comes from the read side's own functions (timeline, lead-up, diff,
knowledge times), so the page says exactly what the JSON API says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import chain

import msgspec

from api.web.query import PageQuery
from domain import clock
from projections.diff import EventDiff, diff
from projections.queries import AsOf, PointInTime, Reader

LEAD_UP_DAYS = 30
AGREEMENT_KINDS = ("agreement", "ceasefire")  # the deals whose lead-up the page shades


@dataclass
class Item:
    """One event as the page lists it."""

    view: dict
    change: list[str] = field(default_factory=list)  # data-change: added, retracted, corrected, status
    lead_up_of: list[str] = field(default_factory=list)  # the agreements whose lead-up it is in

    @property
    def id(self) -> str:
        return self.view["id"]


@dataclass
class TimelinePage:
    query: PageQuery
    as_of: AsOf
    events: list[Item]
    ongoing: list[Item]
    next_cursor: str | None
    agreements: list[Item]
    steps: list[str] = field(default_factory=list)  # the knowledge slider's stops, oldest first
    step: int = 0  # the stop shown


def build(reader: Reader, query: PageQuery, with_steps: bool = True) -> TimelinePage:
    comparing = query.compare_at is not None
    # Comparing, events retracted since `compare_at` stay listed, marked retracted.
    where = replace(query.where, include_retracted=query.where.include_retracted or comparing)
    listed = reader.timeline(replace(where, ongoing="exclude"), query.at, query.limit, query.after)
    ongoing = reader.timeline(replace(where, ongoing="only"), query.at, query.limit, None) if where.start else None
    events, under_way = _items(listed.items), _items(ongoing.items if ongoing else [])
    if comparing:
        then = PointInTime(query.compare_at, query.at.recorded_at)
        events, under_way = (_compared(reader, items, then, query) for items in (events, under_way))
    agreements = [item for item in events + under_way if is_agreement(item.view)]
    _mark_lead_ups(reader, agreements, events + under_way, query.at)
    page = TimelinePage(query=query, as_of=listed.as_of, events=events, ongoing=under_way,
                        next_cursor=listed.next_cursor, agreements=agreements)
    if with_steps:
        page.steps, page.step = knowledge_steps(reader, query)
    return page


def is_agreement(view: dict) -> bool:
    return view["kind"] in AGREEMENT_KINDS


def change_marks(event_diff: EventDiff) -> list[str]:
    """SPEC §11: `added` when unknown then; `retracted` when retracted since; `status` when an agreement's
    or a claim's status moved; `corrected` for any other changed path."""
    before, after = event_diff.before, event_diff.after
    if after is None:
        return []
    if before is None:
        return ["added"]
    marks = []
    if after["status"] == "retracted" and before["status"] != "retracted":
        marks.append("retracted")
    statuses = [path for path in event_diff.changed if path == "agreement_status" or path.endswith("].status")]
    if statuses:
        marks.append("status")
    if any(path not in statuses and not (path == "status" and "retracted" in marks) for path in event_diff.changed):
        marks.append("corrected")
    return marks


def knowledge_steps(reader: Reader, query: PageQuery) -> tuple[list[str], int]:
    """The distinct knowledge times of the window's entries, with the one shown among them; comparing, only
    those from `compare_at` on (now is never before then)."""
    times = sorted({*reader.knowledge_times(replace(query.where, ongoing="include"), query.at), query.at.known_at})
    if query.compare_at is not None:
        times = [micros for micros in times if micros >= query.compare_at]
    return [instant(micros) for micros in times], times.index(query.at.known_at)


def instant(micros: int) -> str:
    """RFC 3339 with Z, without a fraction of zeros: what the slider writes into the URL."""
    return clock.format_instant(micros).replace(".000000Z", "Z")


def _items(raws: list) -> list[Item]:
    return [Item(msgspec.json.decode(raw)) for raw in raws]


def _compared(reader: Reader, items: list[Item], then: PointInTime, query: PageQuery) -> list[Item]:
    kept = []
    for item in items:
        item.change = change_marks(diff(reader, item.id, then, query.at))
        # Listed only to show they were retracted in between; any other retracted event only when asked.
        if item.view["status"] != "retracted" or "retracted" in item.change or query.where.include_retracted:
            kept.append(item)
    return kept


def _mark_lead_ups(reader: Reader, agreements: list[Item], items: list[Item], at: PointInTime) -> None:
    by_id = {item.id: item for item in items}
    for agreement in agreements:
        # Every page of it: an item past a lead-up's first 1,000 is still in it.
        for lead_up in chain.from_iterable(reader.lead_up_pages(agreement.id, LEAD_UP_DAYS, at)):
            event_id = msgspec.json.decode(lead_up)["id"]
            if event_id in by_id:
                by_id[event_id].lead_up_of.append(agreement.id)
