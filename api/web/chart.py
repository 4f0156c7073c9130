"""The timeline drawn as SVG: intervals as bars, doubtful dates fuzzy, open ends open, lead-ups shaded.

Laid out on the server from the same items the list shows, so the drawing
costs the browser nothing and the page stays whole without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH = 1000
LANE = 14
AXIS = 22
MIN_BAR = 4
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


@dataclass
class Bar:
    event_id: str
    label: str
    kind: str
    x: float
    width: float
    y: float
    fuzzy: bool  # approximate or uncertain: drawn with blurred edges
    open_start: bool  # no start, or it began before the drawing does
    open_end: bool  # no end: fades out to the right edge
    change: str


@dataclass
class Band:
    agreement_id: str
    x: float
    width: float


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    bands: list[Band]
    ticks: list[Tick]


def draw(items: list, agreements: list, window: tuple[str | None, str | None], lead_up_days: int) -> Chart:
    """`items` and `agreements` are the page's Items; `window` the asked (from.start, to.end)."""
    spans = [(item, *_span(item.view["occurred"])) for item in items]
    starts = [s for _, s, _ in spans if s] + [_day(a.view["occurred"]["start"]) - lead_up_days
                                             for a in agreements if a.view["occurred"]["start"]]
    ends = [e or s for _, s, e in spans if e or s]
    low = max(_day(window[0]) if window[0] else min(starts, default=date.today().toordinal()), 1)
    high = _day(window[1]) if window[1] else max(ends, default=low)
    high = max(high, low + 1) + 1  # exclusive: the last day is drawn whole
    scale = WIDTH / (high - low)

    def x(day: int) -> float:
        return round((min(max(day, low), high) - low) * scale, 1)

    bars, lanes = [], []  # lanes: the right edge of the last bar in each
    for item, start, end in sorted(spans, key=lambda s: (s[1] or low, s[0].id)):
        left = x(start if start is not None else low)
        right = x(end + 1) if end is not None else WIDTH
        width = max(right - left, MIN_BAR)
        lane = next((i for i, edge in enumerate(lanes) if edge + 2 <= left), len(lanes))
        lanes[lane:lane + 1] = [left + width]
        occurred = item.view["occurred"]
        bars.append(Bar(item.id, f"{item.view['title']} ({occurred['edtf']})", item.view["kind"], left, width,
                        AXIS + lane * LANE, occurred["approximate"] or occurred["uncertain"],
                        start is None or start < low, end is None, " ".join(item.change)))
    bands = []
    for agreement in agreements:
        if agreement.view["occurred"]["start"]:
            anchor = _day(agreement.view["occurred"]["start"])
            bands.append(Band(agreement.id, x(anchor - lead_up_days), x(anchor) - x(anchor - lead_up_days)))
    return Chart(WIDTH, AXIS + max(len(lanes), 1) * LANE + 4, bars, bands,
                 [Tick(x(day), label) for day, label in _ticks(low, high)])


def _span(occurred: dict) -> tuple[int | None, int | None]:
    return (_day(occurred["start"]) if occurred["start"] else None,
            _day(occurred["end"]) if occurred["end"] else None)


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def _ticks(low: int, high: int) -> list[tuple[int, str]]:
    """About ten labelled ticks: years, months or days, whichever the span needs."""
    first, last = date.fromordinal(max(low, 1)), date.fromordinal(min(high - 1, date.max.toordinal()))
    days = high - low
    if days > 3 * 366:
        step = max(1, round(days / 365 / 10))
        years = range(first.year + (first != date(first.year, 1, 1)), last.year + 1)
        return [(date(y, 1, 1).toordinal(), str(y)) for y in years if y % step == 0]
    if days > 62:
        step = max(1, round(days / 30 / 10))
        months = range(first.year * 12 + first.month - (first.day == 1), last.year * 12 + last.month)  # 1sts inside
        firsts = [date(m // 12, m % 12 + 1, 1) for m in months if m % step == 0]
        return [(d.toordinal(), f"{MONTHS[d.month - 1]} {d.year}" if d.month == 1 or d == firsts[0]
                 else MONTHS[d.month - 1]) for d in firsts]
    step = max(1, round(days / 10))
    return [(day, f"{date.fromordinal(day).day} {MONTHS[date.fromordinal(day).month - 1]}")
                    for day in range(first.toordinal(), last.toordinal(), step)]

