"""SPEC §9's query mix, Q1–Q10: each shape's random questions, asked in process and over HTTP.

A question is drawn once and asked both ways: `call` runs it against the
readers in this process, `path` is the same question as a GET.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

import msgspec

from adapters.store import Store
from bench.synth import FIRST, LAST, PARTIES, PEOPLE
from domain import clock
from projections import selection
from projections.listings import listing
from projections.log import LogReader
from projections.matching import TimelineFilter, words
from projections.queries import PointInTime, Reader

DAY = 86_400 * clock.MICROS
LIMIT = 50


@dataclass(frozen=True)
class Question:
    call: Callable[[], object]
    path: str


@dataclass(frozen=True)
class Shape:
    code: str  # the metric prefix, e.g. q3_slider
    questions: Callable[[random.Random], Question]


class Mix:
    """The questions of every shape, over one store's log."""

    def __init__(self, store: Store, rng: random.Random):
        self.reader, self.log, self.rng = Reader(store), LogReader(store), rng
        with store.read() as tx:
            self.first_recorded = tx.one("SELECT recorded_at FROM {s}ledger WHERE position = 1")["recorded_at"]
            self.head = store.head(tx)[1]
            reported = [(str(r["event_id"]), r["known_at"])
                        for r in tx.rows("SELECT event_id, known_at FROM {s}ledger WHERE version = 1")]
            self.reported = rng.sample(reported, min(len(reported), 2000))
            self.events = [event_id for event_id, _ in self.reported]
            ids = [event_id for event_id, _ in reported]
            self.agreements = [str(r["event_id"]) for r in tx.rows(
                f"SELECT event_id FROM {{s}}event_states WHERE kind = 'agreement' AND recorded_to = {clock.FOREVER} "
                f"AND known_to = {clock.FOREVER} AND visible = 1 AND retracted = 0")] or ids
            titles = tx.rows(f"SELECT v.view FROM {selection.ROW} {selection.VIEW} WHERE s.recorded_to = {clock.FOREVER} "
                             f"AND s.event_id IN ({', '.join('?' * min(len(ids), 500))})", self.events[:500])
        self.title_words = [words(msgspec.json.decode(bytes(row["view"]))["title"]) for row in titles]

    def shapes(self) -> list[Shape]:
        return [Shape("q1_now", self.now), Shape("q2_window", self.window), Shape("q3_slider", self.slider),
                Shape("q4_before", self.before), Shape("q5_past_r", self.past_r), Shape("q6_text", self.text),
                Shape("q7_actor", self.actor), Shape("q8_lead_up", self.lead_up), Shape("q9_changes", self.changes),
                Shape("q10_event", self.event)]

    # --- the shapes ------------------------------------------------------------------------------

    def now(self, rng) -> Question:
        return self._timeline(TimelineFilter(), self._now(), {})

    def window(self, rng) -> Question:
        start, end = self._month(rng)
        return self._timeline(TimelineFilter(start=start, end=end), self._now(), {"from": start[:7], "to": end[:7]})

    def slider(self, rng) -> Question:
        start, end = self._month(rng)
        known = _instant(date.fromisoformat(start) + timedelta(days=rng.randrange(61)))
        return self._timeline(TimelineFilter(start=start, end=end), PointInTime(known, clock.now_micros()),
                              {"from": start[:7], "to": end[:7]})

    def before(self, rng) -> Question:
        start, end = self._month(rng)
        known = _instant(date.fromisoformat(start) - timedelta(days=rng.randrange(1, 366)))
        return self._timeline(TimelineFilter(start=start, end=end), PointInTime(known, clock.now_micros()),
                              {"from": start[:7], "to": end[:7]})

    def past_r(self, rng) -> Question:
        recorded = rng.randrange(self.first_recorded, self.head)
        return self._timeline(TimelineFilter(), PointInTime(recorded, recorded), {})

    def text(self, rng) -> Question:
        title = rng.choice(self.title_words)
        asked = " ".join(rng.sample(title, min(len(title), rng.randint(1, 2))))
        return self._timeline(TimelineFilter(text=asked), self._now(), {"q": asked})

    def actor(self, rng) -> Question:
        name, year = rng.choice([*PEOPLE, *PARTIES]), rng.randrange(FIRST.year, LAST.year + 1)
        where = TimelineFilter(start=f"{year}-01-01", end=f"{year}-12-31", actor=name)
        return self._timeline(where, self._now(), {"actor": name, "from": str(year), "to": str(year)})

    def lead_up(self, rng) -> Question:
        event_id, at = rng.choice(self.agreements), self._now()
        return Question(lambda: self.reader.lead_up(event_id, 30, at, LIMIT),
                        f"/v1/analysis/lead-up/{event_id}?days=30&limit={LIMIT}&{_times(at)}")

    def changes(self, rng) -> Question:
        since = _instant(FIRST + timedelta(days=rng.randrange((LAST - FIRST).days)))
        until, at = since + 7 * DAY, self._now()
        return Question(lambda: self.log.changes(since, until, at, None, LIMIT, False),
                        f"/v1/changes?since={_q(since)}&until={_q(until)}&recorded_at={_q(at.recorded_at)}"
                        f"&limit={LIMIT}")

    def event(self, rng) -> Question:
        event_id, reported = rng.choice(self.reported)
        now = clock.now_micros()
        at = PointInTime(reported + rng.randrange(now - reported), now)  # known by then: a view, not a 404
        return Question(lambda: self.reader.event(event_id, at), f"/v1/events/{event_id}?{_times(at)}")

    # --- the listings (SPEC §9: p50 <= 50 ms at 1M) -------------------------------------------------

    def listings(self) -> list[Shape]:
        return [Shape(f"listing_{name}s", lambda rng, name=name: Question(
            lambda: listing(self.reader, name, self._now()), f"/v1/{name}s")) for name in ("track", "actor", "place")]

    # --- pieces --------------------------------------------------------------------------------

    def _timeline(self, where: TimelineFilter, at: PointInTime, query: dict[str, str]) -> Question:
        query = {**query, "limit": str(LIMIT), "known_at": clock.format_instant(at.known_at),
                 "recorded_at": clock.format_instant(at.recorded_at)}
        return Question(lambda: self.reader.timeline(where, at, LIMIT, None),
                        "/v1/timeline?" + "&".join(f"{k}={quote(v)}" for k, v in query.items()))

    @staticmethod
    def _now() -> PointInTime:
        now = clock.now_micros()
        return PointInTime(now, now)

    @staticmethod
    def _month(rng) -> tuple[str, str]:
        first = date(rng.randrange(FIRST.year, LAST.year + 1), rng.randint(1, 12), 1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return first.isoformat(), last.isoformat()


def latencies(questions: list[Question]) -> list[float]:
    spent = []
    for question in questions:
        began = time.perf_counter()
        question.call()
        spent.append(time.perf_counter() - began)
    return spent


def _instant(day: date) -> int:
    return clock.parse_instant(day.isoformat(), "bench")


def _q(instant: int) -> str:
    return quote(clock.format_instant(instant))


def _times(at: PointInTime) -> str:
    return f"known_at={_q(at.known_at)}&recorded_at={_q(at.recorded_at)}"
