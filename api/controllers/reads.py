"""Point-in-time reads (SPEC §4–§5): every one takes `known_at` and `recorded_at`."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from api import params, routing
from api.auth import is_auditor, reader
from api.conveniences import NOT_MODIFIED, IfNoneMatch, tagged
from api.schemas import ClaimOut, EntryPage, EventOut, LeadUpOut, TimelineOut, TrackOut
from domain.commands import entity_id
from domain.errors import MalformedRequest
from projections.listings import ActorListing, PlaceListing, TrackListing, listing

KnownAt = Annotated[str | None, QueryParameter(description="knowledge time K (RFC 3339 with offset, or a date); default now")]
RecordedAt = Annotated[str | None, QueryParameter(description="record time R (RFC 3339 with offset, or a date); default now")]
Limit = Annotated[int | None, QueryParameter(description="page size, 1–1000", ge=1, le=1000)]
LeadUpLimit = Annotated[int | None, QueryParameter(description="page size, 1–1000; default 1000", ge=1, le=1000)]


def run(function, *args, **kwargs):
    return anyio.to_thread.run_sync(lambda: function(*args, **kwargs))


class ReadController(Controller):
    path = "/v1"
    guards = [reader]
    tags = ["reads"]

    @get("/timeline", summary="Events visible at (K, R), in world order")
    async def timeline(
        self, request: Request, known_at: KnownAt = None, recorded_at: RecordedAt = None,
        from_: Annotated[str | None, QueryParameter(name="from", description="EDTF date")] = None,
        to: Annotated[str | None, QueryParameter(description="EDTF date")] = None,
        kind: FromQuery[str | None] = None, actor: FromQuery[str | None] = None,
        track: FromQuery[str | None] = None, place: FromQuery[str | None] = None, q: FromQuery[str | None] = None,
        include_retracted: FromQuery[str | None] = None, limit: Limit = None, cursor: FromQuery[str | None] = None,
        tag: Annotated[str | None, QueryParameter(description="a tag the event carries (case-insensitive)")] = None,
        ongoing: Annotated[str | None, QueryParameter(
            description="include (default), exclude or only the events that began before `from`")] = None,
    ) -> Response[TimelineOut]:
        at, after = params.pinned(cursor, known_at, recorded_at)
        where = params.timeline_filter(from_, to, kind, actor, track, place, q, include_retracted, tag, ongoing)
        page = await run(routing.reader(request, at).timeline, where, at, params.limit(limit), params.timeline_after(after))
        return Response(page)

    @get("/events/{event_id:str}", summary="One event at (K, R)", responses=NOT_MODIFIED)
    async def event(self, request: Request, event_id: FromPath[str], known_at: KnownAt = None,
                    recorded_at: RecordedAt = None, if_none_match: IfNoneMatch = None) -> Response[EventOut]:
        at = params.point_in_time(known_at, recorded_at)
        view = await run(routing.reader(request, at).event, entity_id(event_id), at)
        return tagged(request, view)

    @get("/events/{event_id:str}/history", summary="Every entry of the event's stream, with its three times")
    async def history(self, request: Request, event_id: FromPath[str], known_at: KnownAt = None,
                      recorded_at: RecordedAt = None,
                      after: Annotated[int, QueryParameter(ge=0, le=params.MAX_POSITION)] = 0,
                      limit: Limit = None) -> Response[EntryPage]:
        at = params.point_in_time(known_at, recorded_at)
        page = await run(routing.log_reader(request, at).history, entity_id(event_id), at, after,
                         params.limit(limit, 100), is_auditor(request))
        return Response(page)

    @get("/claims/{claim_id:str}", summary="A claim, its stances and status at (K, R)", responses=NOT_MODIFIED)
    async def claim(self, request: Request, claim_id: FromPath[str], known_at: KnownAt = None,
                    recorded_at: RecordedAt = None, if_none_match: IfNoneMatch = None) -> Response[ClaimOut]:
        at = params.point_in_time(known_at, recorded_at)
        claim = await run(routing.reader(request, at).claim, entity_id(claim_id, "claim"), at)
        return tagged(request, claim)

    @get("/tracks/{track:str}", summary="A negotiation track at (K, R) and its latest agreement status")
    async def track(self, request: Request, track: FromPath[str], known_at: KnownAt = None, recorded_at: RecordedAt = None,
                    include_retracted: FromQuery[str | None] = None) -> Response[TrackOut]:
        at = params.point_in_time(known_at, recorded_at)
        result = await run(routing.reader(request, at).track, track, at,
                           params.flag(include_retracted, "include_retracted"))
        return Response(result)

    @get("/tracks", summary="The tracks at (K, R), with their counts of visible events and agreement status")
    async def tracks(self, request: Request, known_at: KnownAt = None,
                     recorded_at: RecordedAt = None) -> Response[TrackListing]:
        at = params.point_in_time(known_at, recorded_at)
        return Response(await run(listing, routing.reader(request, at), "track", at))

    @get("/actors", summary="The actors at (K, R), with their counts of visible events")
    async def actors(self, request: Request, known_at: KnownAt = None,
                     recorded_at: RecordedAt = None) -> Response[ActorListing]:
        at = params.point_in_time(known_at, recorded_at)
        return Response(await run(listing, routing.reader(request, at), "actor", at))

    @get("/places", summary="The places at (K, R), with their counts of visible events")
    async def places(self, request: Request, known_at: KnownAt = None,
                     recorded_at: RecordedAt = None) -> Response[PlaceListing]:
        at = params.point_in_time(known_at, recorded_at)
        return Response(await run(listing, routing.reader(request, at), "place", at))

    @get("/changes", summary="What became known between two knowledge times")
    async def changes(
        self, request: Request, since: Annotated[str | None, QueryParameter(description="K1 (exclusive)")] = None,
        until: Annotated[str | None, QueryParameter(description="K2 (inclusive); default now")] = None,
        recorded_at: RecordedAt = None, cursor: FromQuery[str | None] = None, limit: Limit = None,
    ) -> Response[EntryPage]:
        at, after = params.pinned(cursor, until, recorded_at)
        if after is not None:
            if len(after) != 3 or not all(isinstance(a, int) and abs(a) <= params.MAX_POSITION for a in after):
                raise MalformedRequest.at("cursor", "is not a changes cursor")
            low, after = after[0], (after[1], after[2])
        elif since is None:
            raise MalformedRequest.at("since", "is required")
        else:
            low = params.instant(since, "since", 0)
            params.knowledge_window(low, at.known_at)
        page = await run(routing.log_reader(request, at).changes, low, at.known_at, at, after,
                         params.limit(limit, 100), is_auditor(request))
        return Response(page)

    @get("/analysis/lead-up/{event_id:str}", summary="Offensives, battles and violations in the N days before")
    async def lead_up(self, request: Request, event_id: FromPath[str],
                      days: Annotated[int, QueryParameter(ge=0, le=3650)] = 30,
                      known_at: KnownAt = None, recorded_at: RecordedAt = None, limit: LeadUpLimit = None,
                      cursor: FromQuery[str | None] = None) -> Response[LeadUpOut]:
        at, after = params.pinned(cursor, known_at, recorded_at)
        result = await run(routing.reader(request, at).lead_up, entity_id(event_id), days, at,
                           params.limit(limit, 1000), params.timeline_after(after))
        return Response(result)
