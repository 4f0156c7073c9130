"""The raw log and the audit endpoints (SPEC §7)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter

from api import params
from api.auth import auditor, reader
from api.controllers.reads import KnownAt, Limit, RecordedAt, run
from api.schemas import EntryPage

Size = Annotated[int | None, QueryParameter(ge=0, description="a tree size; default the current one")]


class LogController(Controller):
    path = "/v1"
    guards = [auditor]
    tags = ["audit"]

    @get("/log", summary="The raw log in position order (auditor)")
    async def log(self, request: Request, after: Annotated[int, QueryParameter(ge=0, le=params.MAX_POSITION)] = 0,
                  limit: Limit = None) -> Response[EntryPage]:
        return Response(await run(request.app.state.log_reader.log, after, params.limit(limit, 100)))

    @get("/audit/verify", summary="Recompute every leaf and check every signed root (auditor)")
    async def verify(self, request: Request) -> Response[dict]:
        return Response(await run(request.app.state.audit.verify))

    @get("/audit/replay", summary="Fold the log from scratch up to R and compare with the projections (auditor)")
    async def replay(self, request: Request, recorded_at: RecordedAt = None, known_at: KnownAt = None) -> Response[dict]:
        return Response(await run(request.app.state.audit.replay, params.replay_point(known_at, recorded_at)))


class ProofController(Controller):
    path = "/v1/audit"
    guards = [reader]
    tags = ["audit"]

    @get("/root", summary="The current signed tree root")
    async def root(self, request: Request) -> Response[dict]:
        return Response(await run(request.app.state.audit.signed_root))

    @get("/proof/{position:int}", summary="Merkle inclusion proof of one entry")
    async def proof(self, request: Request, position: FromPath[int], tree_size: Size = None) -> Response[dict]:
        return Response(await run(request.app.state.audit.inclusion, position, tree_size))

    @get("/consistency", summary="Consistency proof between two tree sizes")
    async def consistency(self, request: Request, from_size: Size = None, to_size: Size = None) -> Response[dict]:
        return Response(await run(request.app.state.audit.consistency, from_size, to_size))
