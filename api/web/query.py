"""The web timeline's query parameters: the timeline's own, each refused with a 400 naming it (SPEC §11)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from api import params
from domain.errors import MalformedRequest
from projections.matching import TimelineFilter
from projections.queries import PointInTime

# `ongoing` is not among them: the page sets it itself, one list for each side of the window's start.
PAGE_PARAMETERS = ("known_at", "recorded_at", "from", "to", "kind", "track", "actor", "place", "tag", "q",
                   "include_retracted", "limit", "cursor", "compare_at")
EVENT_PARAMETERS = ("known_at", "recorded_at", "after")
PAGE_SIZE = 100


@dataclass(frozen=True)
class PageQuery:
    where: TimelineFilter
    at: PointInTime
    after: tuple[str, str] | None
    limit: int
    compare_at: int | None
    given: dict[str, str]  # the parameters as asked, for the links that keep them

    def link(self, path: str = "/timeline", **changes: str | None) -> str:
        """A link to `path` with the same parameters, some changed (None drops one)."""
        query = {name: value for name, value in {**self.given, **changes}.items() if value is not None}
        return f"{path}?{urlencode(query)}" if query else path


def given(query, allowed: tuple[str, ...]) -> dict[str, str]:
    """The parameters with a value: an empty form field means the parameter was left out.

    Unknown names never get here: the app's request check refuses them, reading `allowed` from the route's
    `opt["query_parameters"]`."""
    repeated = sorted(name for name in allowed if len(query.getall(name, [])) > 1)
    if repeated:
        errors = [{"field": name, "detail": f"{name}: is given more than once"} for name in repeated]
        raise MalformedRequest("; ".join(error["detail"] for error in errors), errors=errors)
    return {name: query.get(name) for name in allowed if query.get(name)}


def page_query(query) -> PageQuery:
    asked = given(query, PAGE_PARAMETERS)
    at, after = params.pinned(asked.get("cursor"), asked.get("known_at"), asked.get("recorded_at"))
    where = params.timeline_filter(asked.get("from"), asked.get("to"), asked.get("kind"), asked.get("actor"),
                                   asked.get("track"), asked.get("place"), asked.get("q"),
                                   asked.get("include_retracted"), asked.get("tag"))
    compare_at = params.instant(asked["compare_at"], "compare_at", 0) if "compare_at" in asked else None
    if compare_at is not None:
        params.knowledge_window(compare_at, at.known_at, ("compare_at", "known_at"))
    return PageQuery(where=where, at=at, after=params.timeline_after(after), limit=_limit(asked.get("limit")),
                     compare_at=compare_at, given=asked)


def event_query(query) -> tuple[PointInTime, int]:
    asked = given(query, EVENT_PARAMETERS)
    after = asked.get("after", "0")
    if not after.isdigit() or int(after) > params.MAX_POSITION:
        raise MalformedRequest.at("after", "must be a log position (a whole number)")
    return params.point_in_time(asked.get("known_at"), asked.get("recorded_at")), int(after)


def _limit(value: str | None) -> int:
    if value is None:
        return PAGE_SIZE
    if not value.isdigit():
        raise MalformedRequest.at("limit", "must be a whole number between 1 and 1000")
    return params.limit(int(value), PAGE_SIZE)
