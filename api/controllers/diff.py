"""Then vs now: `GET /v1/events/{id}/diff?from=K1&to=K2` (SPEC §5)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from api import params, routing
from api.auth import reader
from api.controllers.reads import RecordedAt, run
from api.schemas import EventOut
from domain import clock
from domain.commands import entity_id
from domain.errors import MalformedRequest
from projections.diff import EventDiff, diff
from projections.queries import PointInTime


class DiffOut(EventDiff, kw_only=True):
    """`before` and `after` are the event as `GET /v1/events/{id}` gives it at each time, or null."""

    before: EventOut | None
    after: EventOut | None


def knowledge_pair(then: str | None, now: str | None, recorded_at: str | None,
                   then_name: str, now_name: str) -> tuple[PointInTime, PointInTime]:
    """Two knowledge times at one record time, `then` not after `now`; each parsed as `known_at` is."""
    if then is None:
        raise MalformedRequest.at(then_name, "is required")
    default = clock.now_micros()
    then_at, now_at = params.instant(then, then_name, default), params.instant(now, now_name, default)
    params.knowledge_window(then_at, now_at, (then_name, now_name))
    record = params.instant(recorded_at, "recorded_at", default)
    return PointInTime(then_at, record), PointInTime(now_at, record)


class DiffController(Controller):
    path = "/v1"
    guards = [reader]
    tags = ["reads"]

    @get("/events/{event_id:str}/diff", summary="The event as known at two knowledge times, and what changed")
    async def diff(
        self, request: Request, event_id: FromPath[str],
        from_: Annotated[str | None, QueryParameter(name="from", description="K1, 'then' (required; as known_at)")] = None,
        to: Annotated[str | None, QueryParameter(description="K2, 'now' (as known_at); default now")] = None,
        recorded_at: RecordedAt = None,
    ) -> Response[DiffOut]:
        then, now = knowledge_pair(from_, to, recorded_at, "from", "to")
        return Response(await run(diff, routing.reader(request, now), entity_id(event_id), then, now))
