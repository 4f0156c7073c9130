"""Point-in-time reads: one indexed lookup each, never a replay of the log.

A query at (K, R) sees the index rows valid at knowledge time K and record time
R. When R is at or after the newest entry, the rows still open in record time
are exactly those, and the (recorded_to, occurred_start, event_id) index hands
them over in world order. At an earlier R, the world-order index carries both
clocks' bounds, so rows are tested in the index without reading their views.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property

import msgspec

from adapters.store import Store, Tx
from domain import clock
from domain.errors import NotFound
from projections import matching, selection
from projections.matching import TimelineFilter

_encoder = msgspec.json.Encoder()


class AsOf(msgspec.Struct, frozen=True):
    known_at: str
    recorded_at: str


@dataclass(frozen=True)
class PointInTime:
    known_at: int
    recorded_at: int

    @property
    def as_of(self) -> AsOf:
        return AsOf(clock.format_instant(self.known_at), clock.format_instant(self.recorded_at))

    @cached_property
    def as_of_json(self) -> bytes:  # spliced into every view of a page: encoded once
        return _encoder.encode(self.as_of)


class Page(msgspec.Struct):
    items: list[msgspec.Raw]
    next_cursor: str | None
    as_of: AsOf


class LeadUp(msgspec.Struct):
    event: msgspec.Raw
    days: int
    items: list[msgspec.Raw]
    next_cursor: str | None
    as_of: AsOf


class Reader:
    def __init__(self, store: Store, replica: bool = False):
        self.store, self.replica = store, replica

    def seen(self, at: PointInTime) -> PointInTime:
        """(K, R) with R no later than the last entry this store holds, if it is a lagging replica."""
        if not self.replica:
            return at
        with self.store.read() as tx:
            newest = self.store.head(tx)[1]
        return PointInTime(at.known_at, min(at.recorded_at, newest))

    # --- events ----------------------------------------------------------------------------

    def event(self, event_id: str, at: PointInTime) -> msgspec.Raw:
        at = self.seen(at)
        with self.store.read() as tx:
            row = self._state(tx, event_id, at)
        if not row or not row["visible"]:
            raise NotFound(f"event {event_id} is not known at known_at={at.as_of.known_at}, "
                           f"recorded_at={at.as_of.recorded_at}")
        return with_as_of(row["view"], at)

    def _state(self, tx: Tx, event_id: str, at: PointInTime):
        recorded, params = self.recorded(tx, at, "s")
        return tx.one(f"SELECT s.visible, v.view FROM {selection.ROW} {selection.VIEW} WHERE s.event_id = ? "
                      f"AND {recorded} AND s.known_from <= ? AND s.known_to > ?",
                      (event_id, *params, at.known_at, at.known_at))

    def titles(self, tx: Tx, event_ids: set[str], at: PointInTime) -> dict[str, str]:
        """Each event's title at (K, R), visible or not, in one query (without reading views)."""
        if not event_ids:
            return {}
        recorded, params = self.recorded(tx, at, "s")
        rows = tx.rows(f"SELECT s.event_id, s.title FROM {selection.ROW} "
                       f"WHERE s.event_id IN ({', '.join('?' * len(event_ids))}) "
                       f"AND {recorded} AND s.known_from <= ? AND s.known_to > ?",
                       [*event_ids, *params, at.known_at, at.known_at])
        return {str(row["event_id"]): bytes(row["title"]).decode() for row in rows}

    def claim(self, claim_id: str, at: PointInTime) -> dict:
        at = self.seen(at)
        with self.store.read() as tx:
            made = tx.one("SELECT event_id FROM {s}ledger WHERE claim_id = ? AND type = 'ClaimMade' "
                          "AND known_at <= ? AND recorded_at <= ?", (claim_id, at.known_at, at.recorded_at))
            row = made and self._state(tx, str(made["event_id"]), at)
        claims = msgspec.json.decode(bytes(row["view"]))["claims"] if row else []
        for claim in claims:
            if claim["claim_id"] == claim_id:
                return {**claim, "as_of": msgspec.structs.asdict(at.as_of)}
        raise NotFound(f"claim {claim_id} is not known at known_at={at.as_of.known_at}")

    # --- lists -----------------------------------------------------------------------------

    def timeline(self, where: TimelineFilter, at: PointInTime, limit: int, after: tuple[str, str] | None) -> Page:
        at = self.seen(at)
        items, cursor = self._page(where, at, limit, after)
        return Page(items=items, next_cursor=cursor, as_of=at.as_of)

    def pages(self, where: TimelineFilter, at: PointInTime, size: int = 500) -> Iterator[list[msgspec.Raw]]:
        """The whole timeline, a page of views at a time (exports, dataset snapshots): never all in memory."""
        return following(at, lambda at, after: self.timeline(where, at, size, after))

    def _page(self, where: TimelineFilter, at: PointInTime, limit: int, after: tuple[str, str] | None,
              extra: tuple[str, ...] = (), extra_params: tuple = ()) -> tuple[list[msgspec.Raw], str | None]:
        """Up to `limit` views in world order after `after` (the last page's occurred start and event id),
        meeting `where` and the `extra` clauses on `s`; and the cursor to the next page, if any is left."""
        later = ["(s.occurred_start > ? OR (s.occurred_start = ? AND s.event_id > ?))"] if after else []
        with self.store.read() as tx:
            rows = selection.select(tx, self.recorded(tx, at, "s"), at, where, [*extra, *later],
                                    [*extra_params, *([after[0], after[0], after[1]] if after else [])], limit + 1)
        items = [with_as_of(row["view"], at) for row in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        return items, encode_cursor(at, [last["occurred_start"], str(last["event_id"])]) if last else None

    def track(self, track: str, at: PointInTime, include_retracted: bool = False) -> dict:
        at = self.seen(at)
        where = TimelineFilter(track=track, include_retracted=include_retracted)
        with self.store.read() as tx:
            rows = selection.select(tx, self.recorded(tx, at, "s"), at, where, [], [], 1000)
        if not rows:
            raise NotFound(f"track {track!r} has no event known at known_at={at.as_of.known_at}")
        views = [msgspec.json.decode(bytes(row["view"])) for row in rows]
        statuses = [v for v in views if v["agreement_status"] is not None]
        return {"track": track, "items": [with_as_of(row["view"], at) for row in rows],
                "agreement_status": statuses[-1]["agreement_status"] if statuses else None,
                "agreement_event_id": statuses[-1]["id"] if statuses else None,
                "as_of": msgspec.structs.asdict(at.as_of)}

    def lead_up(self, event_id: str, days: int, at: PointInTime, limit: int = 1000,
                after: tuple[str, str] | None = None) -> LeadUp:
        """The offensives, battles and violations meeting the `days` before the event, paged as the timeline."""
        at = self.seen(at)
        event = self.event(event_id, at)
        occurred = msgspec.json.decode(bytes(event))["occurred"]
        where = matching.lead_up(occurred["start"], occurred["end"], days)
        items, cursor = self._page(where, at, limit, after, ("s.event_id <> ?",), (event_id,)) if where else ([], None)
        return LeadUp(event=event, days=days, items=items, next_cursor=cursor, as_of=at.as_of)

    def lead_up_pages(self, event_id: str, days: int, at: PointInTime) -> Iterator[list[msgspec.Raw]]:
        """The whole lead-up, a page of views at a time."""
        return following(at, lambda at, after: self.lead_up(event_id, days, at, after=after))

    def knowledge_times(self, where: TimelineFilter, at: PointInTime) -> list[int]:
        """The distinct known_at of the entries recorded by R about the events that pass `where` at some
        knowledge time: the steps at which the answer to `where` can change."""
        at = self.seen(at)
        where = replace(where, include_retracted=True, ongoing="include")
        with self.store.read() as tx:
            if where == TimelineFilter(include_retracted=True):  # every event: the ledger's own index answers
                rows = tx.rows("SELECT DISTINCT known_at FROM {s}ledger WHERE recorded_at <= ? ORDER BY known_at",
                               [at.recorded_at])
            else:
                clauses, params = selection.clauses(where, tx.dialect.name)
                recorded, recorded_params = self.recorded(tx, at, "s")
                rows = tx.rows(f"SELECT DISTINCT known_at FROM {{s}}ledger WHERE recorded_at <= ? AND event_id IN "
                               f"(SELECT s.event_id FROM {selection.ROW} WHERE {recorded} AND {' AND '.join(clauses)}) "
                               "ORDER BY known_at", [at.recorded_at, *recorded_params, *params])
        return [row["known_at"] for row in rows]

    def recorded(self, tx: Tx, at: PointInTime, row: str = "") -> tuple[str, list]:
        """The rows valid at record time R (of the table aliased `row`, if any), as SQL."""
        row = f"{row}." if row else ""
        if at.recorded_at >= self.store.head(tx)[1]:
            return f"{row}recorded_to = {clock.FOREVER}", []  # a literal: see index.apply
        return f"{row}recorded_from <= ? AND {row}recorded_to > ?", [at.recorded_at, at.recorded_at]


def with_as_of(view: bytes, at: PointInTime) -> msgspec.Raw:
    """The stored view with the query's (K, R) spliced in, without decoding it."""
    view = bytes(view)
    return msgspec.Raw(view[:-1] + b',"as_of":' + at.as_of_json + b"}")


def following(at: PointInTime, page_of: Callable[[PointInTime, tuple[str, str] | None], Page | LeadUp],
              ) -> Iterator[list[msgspec.Raw]]:
    """Every page of a paged read, each asked at the (K, R) its cursor pinned (a lagging replica's R
    moves on between pages) after the place it names, until no page is left."""
    after = None
    while True:
        page = page_of(at, after)
        yield page.items
        if not page.next_cursor:
            return
        cursor = decode_cursor(page.next_cursor)
        at, after = PointInTime(cursor.k, cursor.r), tuple(cursor.after)


def encode_cursor(at: PointInTime, after: list) -> str:
    payload = _encoder.encode({"k": at.known_at, "r": at.recorded_at, "after": after})
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


class Cursor(msgspec.Struct):
    k: int
    r: int
    after: list[str | int]


def decode_cursor(text: str) -> Cursor:
    """Raises ValueError for anything that is not a cursor we issued."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return msgspec.json.decode(raw, type=Cursor)
    except Exception as error:
        raise ValueError("is not a cursor this service issued") from error
