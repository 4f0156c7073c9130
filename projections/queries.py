"""Point-in-time reads: one indexed lookup each, never a replay of the log.

A query at (K, R) sees the index rows valid at knowledge time K and record time
R. When R is at or after the newest entry, the rows still open in record time
are exactly those, and the (recorded_to, occurred_start, event_id) index hands
them over in world order. At an earlier R, the world-order index carries both
clocks' bounds, so rows are tested in the index without reading their views.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace

import msgspec

from adapters.store import Store, Tx
from domain import clock
from domain.dates import days_before
from domain.errors import NotFound
from projections.index import SEP, nul_safe

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


@dataclass
class TimelineFilter:
    start: str | None = None  # keep events whose occurred interval meets [start, end]
    end: str | None = None
    kinds: list[str] = field(default_factory=list)
    actor: str | None = None
    track: str | None = None
    place: str | None = None
    text: str | None = None
    include_retracted: bool = False
    ongoing: str = "include"  # SPEC §5: include, exclude (begin inside the window) or only (began before `start`)


class Page(msgspec.Struct):
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
        recorded, params = self._recorded(tx, at)
        return tx.one(f"SELECT visible, view FROM {{s}}event_states WHERE event_id = ? AND {recorded} "
                      "AND known_from <= ? AND known_to > ?", (event_id, *params, at.known_at, at.known_at))

    def views(self, tx: Tx, event_ids: set[str], at: PointInTime) -> dict[str, bytes]:
        """Each event's indexed view at (K, R), visible or not, in one query."""
        if not event_ids:
            return {}
        recorded, params = self._recorded(tx, at)
        rows = tx.rows(f"SELECT event_id, view FROM {{s}}event_states WHERE event_id IN ({', '.join('?' * len(event_ids))}) "
                       f"AND {recorded} AND known_from <= ? AND known_to > ?",
                       [*event_ids, *params, at.known_at, at.known_at])
        return {str(row["event_id"]): bytes(row["view"]) for row in rows}

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
        clauses, params = self._visible(where)
        if after:
            clauses.append("(occurred_start > ? OR (occurred_start = ? AND event_id > ?))")
            params += [after[0], after[0], after[1]]
        with self.store.read() as tx:
            rows = self._select(tx, at, clauses, params, limit + 1)
        items = [with_as_of(row["view"], at) for row in rows[:limit]]
        last = rows[limit - 1] if len(rows) > limit else None
        cursor = encode_cursor(at, [last["occurred_start"], str(last["event_id"])]) if last else None
        return Page(items=items, next_cursor=cursor, as_of=at.as_of)

    def track(self, track: str, at: PointInTime, include_retracted: bool = False) -> dict:
        at = self.seen(at)
        clauses, params = self._visible(TimelineFilter(track=track, include_retracted=include_retracted))
        with self.store.read() as tx:
            rows = self._select(tx, at, clauses, params, 1000)
        if not rows:
            raise NotFound(f"track {track!r} has no event known at known_at={at.as_of.known_at}")
        views = [msgspec.json.decode(bytes(row["view"])) for row in rows]
        statuses = [v for v in views if v["agreement_status"] is not None]
        return {"track": track, "items": [with_as_of(row["view"], at) for row in rows],
                "agreement_status": statuses[-1]["agreement_status"] if statuses else None,
                "agreement_event_id": statuses[-1]["id"] if statuses else None,
                "as_of": msgspec.structs.asdict(at.as_of)}

    def lead_up(self, event_id: str, days: int, at: PointInTime) -> dict:
        at = self.seen(at)
        event = self.event(event_id, at)
        occurred = msgspec.json.decode(bytes(event))["occurred"]
        anchor = occurred["start"] or occurred["end"]
        items: list = []
        if anchor:
            window_start = days_before(anchor, days)
            clauses, params = self._visible(TimelineFilter(start=window_start, end=anchor))
            clauses += ["kind IN ('offensive', 'battle', 'violation')", "event_id <> ?"]
            with self.store.read() as tx:
                rows = self._select(tx, at, clauses, [*params, event_id], 1000)
            items = [with_as_of(row["view"], at) for row in rows]
        return {"event": event, "days": days, "items": items, "as_of": msgspec.structs.asdict(at.as_of)}

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
                clauses, params = self._visible(where)
                recorded, recorded_params = self._recorded(tx, at)
                rows = tx.rows(f"SELECT DISTINCT known_at FROM {{s}}ledger WHERE recorded_at <= ? AND event_id IN "
                               f"(SELECT event_id FROM {{s}}event_states WHERE {recorded} AND {' AND '.join(clauses)}) "
                               "ORDER BY known_at", [at.recorded_at, *recorded_params, *params])
        return [row["known_at"] for row in rows]

    @staticmethod
    def _visible(where: TimelineFilter) -> tuple[list[str], list]:
        clauses, params = ["visible = 1"], []
        if not where.include_retracted:
            clauses.append("retracted = 0")
        if where.start:
            clauses.append("occurred_end >= ?")
            params.append(where.start)
        if where.end:
            clauses.append("occurred_start <= ?")
            params.append(where.end)
        if where.ongoing == "exclude" and where.start:
            clauses.append("occurred_start >= ?")
            params.append(where.start)
        elif where.ongoing == "only":
            clauses.append("occurred_start < ?" if where.start else "1 = 0")  # without a window nothing is ongoing
            params += [where.start] if where.start else []
        if where.kinds:
            clauses.append(f"kind IN ({', '.join('?' * len(where.kinds))})")
            params += where.kinds
        if where.track:
            clauses.append("track = ?")
            params.append(nul_safe(where.track))
        for column, value in (("actors", where.actor), ("places", where.place)):
            if value:
                clauses.append(f"{column} LIKE ? ESCAPE '\\'")
                params.append(f"%{SEP}{_like(nul_safe(value.strip().casefold()))}{SEP}%")
        if where.text:
            clauses.append("search LIKE ? ESCAPE '\\'")
            params.append(f"%{_like(nul_safe(where.text.casefold()))}%")
        return clauses, params

    def _select(self, tx: Tx, at: PointInTime, clauses: list[str], params: list, limit: int) -> list:
        recorded, recorded_params = self._recorded(tx, at)
        sql = (f"SELECT event_id, occurred_start, view FROM {{s}}event_states WHERE {recorded} "
               f"AND known_from <= ? AND known_to > ? AND {' AND '.join(clauses)} "
               "ORDER BY occurred_start, event_id LIMIT ?")
        return tx.rows(sql, [*recorded_params, at.known_at, at.known_at, *params, limit])

    def _recorded(self, tx: Tx, at: PointInTime) -> tuple[str, list]:
        if at.recorded_at >= self.store.head(tx)[1]:
            return f"recorded_to = {clock.FOREVER}", []  # a literal: see index.apply
        return "recorded_from <= ? AND recorded_to > ?", [at.recorded_at, at.recorded_at]


def with_as_of(view: bytes, at: PointInTime) -> msgspec.Raw:
    """The stored view with the query's (K, R) spliced in, without decoding it."""
    view = bytes(view)
    return msgspec.Raw(view[:-1] + b',"as_of":' + _encoder.encode(at.as_of) + b"}")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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
