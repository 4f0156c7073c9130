"""Query parameters and headers shared by the handlers, each refused with a 400 naming it."""

from __future__ import annotations

import re

from domain import clock
from domain.dates import parse
from domain.entries import EventKind
from domain.errors import InvalidInput, MalformedRequest
from projections.queries import PointInTime, TimelineFilter, decode_cursor

KINDS = set(EventKind.__args__)
MAX_POSITION = 2**63 - 1  # the largest integer both stores hold: a larger one is malformed, not a crash
_INSTANTS = range(clock.parse_instant("0001-01-01", "k"), clock.parse_instant("9999-12-31T23:59:59.999999Z", "k") + 1)


def instant(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        return clock.parse_instant(value, name)
    except InvalidInput as error:
        if re.fullmatch(r".*T[0-9:.]+ [0-9]{2}:[0-9]{2}", value):  # an unencoded '+' arrives as a space
            raise MalformedRequest.at(name, f"{value!r} has a space where its offset's '+' was: "
                                            "send '+' in a query string as %2B (or use Z)") from None
        raise MalformedRequest(error.detail, errors=error.errors) from None


def point_in_time(known_at: str | None, recorded_at: str | None) -> PointInTime:
    now = clock.now_micros()
    return PointInTime(instant(known_at, "known_at", now), instant(recorded_at, "recorded_at", now))


def replay_point(known_at: str | None, recorded_at: str | None) -> PointInTime:
    """The (K, R) of a replay: R defaults to now, and K to R (what was known when the log stood there)."""
    at = point_in_time(known_at, recorded_at)
    return at if known_at is not None else PointInTime(at.recorded_at, at.recorded_at)


def pinned(cursor: str | None, known_at: str | None, recorded_at: str | None):
    """The (K, R) of a query: a cursor's pins win, so paging is stable under writes."""
    if not cursor:
        return point_in_time(known_at, recorded_at), None
    try:
        decoded = decode_cursor(cursor)
    except ValueError as error:
        raise MalformedRequest.at("cursor", str(error)) from None
    if decoded.k not in _INSTANTS or decoded.r not in _INSTANTS:
        raise MalformedRequest.at("cursor", "is not a cursor this service issued")
    return PointInTime(decoded.k, decoded.r), decoded.after


def timeline_after(after: list | None) -> tuple[str, str] | None:
    """A timeline cursor's place: the last (occurred start, id) handed out."""
    if after is not None and (len(after) != 2 or not all(isinstance(a, str) for a in after)):
        raise MalformedRequest.at("cursor", "is not a timeline cursor")
    return tuple(after) if after else None


def limit(value: int | None, default: int = 50, maximum: int = 1000) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise MalformedRequest.at("limit", f"must be between 1 and {maximum}")
    return value


def world_bound(value: str | None, name: str, end: bool) -> str | None:
    if value is None:
        return None
    try:
        occurred = parse(value, name)
    except InvalidInput as error:
        raise MalformedRequest(error.detail, errors=error.errors) from None
    return occurred.end if end else occurred.start


def world_window(from_: str | None, to: str | None) -> tuple[str | None, str | None]:
    """The world-time window [from.start, to.end]; `from` after `to` is a 400, never an empty answer."""
    start, end = world_bound(from_, "from", end=False), world_bound(to, "to", end=True)
    if start is not None and end is not None and start > end:
        raise MalformedRequest.at("from", f"{from_!r} is after to={to!r}: the window would be inverted")
    return start, end


def knowledge_window(since: int, until: int, names: tuple[str, str] = ("since", "until")) -> None:
    if since > until:
        raise MalformedRequest.at(names[0], f"is after {names[1]}: the window would be inverted")


def kinds(value: str | None) -> list[str]:
    chosen = [k.strip() for k in (value or "").split(",") if k.strip()]
    for kind in chosen:
        if kind not in KINDS:
            raise MalformedRequest.at("kind", f"{kind!r} is not one of {', '.join(sorted(KINDS))}")
    return chosen


ONGOING = ("include", "exclude", "only")


def ongoing(value: str | None) -> str:
    if value is None:
        return "include"
    if value not in ONGOING:
        raise MalformedRequest.at("ongoing", f"{value!r} is not one of {', '.join(ONGOING)}")
    return value


def flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise MalformedRequest.at(name, "must be true or false")


def if_match(header: str | None) -> int | None:
    if header is None:
        return None
    text = header.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise MalformedRequest.at("If-Match", 'must be a quoted version, e.g. "3"')
    return int(text)


def timeline_filter(from_: str | None, to: str | None, kind: str | None, actor: str | None, track: str | None,
                    place: str | None, q: str | None, include_retracted: str | None, tag: str | None = None,
                    ongoing_: str | None = None) -> TimelineFilter:
    """The timeline's filters, as the timeline and the exports take them."""
    start, end = world_window(from_, to)
    return TimelineFilter(start=start, end=end, kinds=kinds(kind), actor=actor, track=track, place=place, tag=tag,
                          text=q, include_retracted=flag(include_retracted, "include_retracted"),
                          ongoing=ongoing(ongoing_))
