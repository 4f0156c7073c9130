"""Every write of SPEC §5: decode a command, hand it to the application, answer 201."""

from __future__ import annotations

import hashlib
from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import FromPath, HeaderParameter, JSONBody

from api.auth import principal_of, writer
from api.batches import batch_ops
from api.params import if_match
from api.schemas import BatchAnswer, BatchRequest, WriteAnswer
from domain.application import Write
from domain.commands import (
    AddSource,
    CorrectEvent,
    MakeClaim,
    Op,
    ReinstateEvent,
    ReportEvent,
    RetractEvent,
    TakePosition,
    TakeStance,
    entity_id,
)

IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", max_length=200,
    description="A retry with the same key, method, path and body returns the first answer and stores nothing")]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", description='"<version>": 409 if the event moved on')]


async def append(request: Request, ops: list[Op], *, batch: bool = False) -> list:
    principal = principal_of(request)
    key = request.headers.get("idempotency-key")
    idempotency = None
    if key is not None:
        fingerprint = hashlib.sha256(request.method.encode() + b" " + request.url.path.encode() + b"\n"
                                     + await request.body()).hexdigest()
        idempotency = (principal.name, key, fingerprint)
    return await request.app.state.appender.execute(
        Write(ops=ops, recorded_by=principal.name, batch=batch, idempotency=idempotency, checked=True))


async def write_one(request: Request, op: Op, location: str) -> Response[WriteAnswer]:
    if (expected := if_match(request.headers.get("if-match"))) is not None and hasattr(op.command, "expected_version"):
        op = msgspec.structs.replace(op, command=msgspec.structs.replace(op.command, expected_version=expected))
    receipt = (await append(request, [op]))[0]
    where = location.format(id=receipt.id, claim_id=receipt.claim_id)
    return Response(receipt, status_code=201, headers={"Location": where, "ETag": f'"{receipt.version}"'})


class WriteController(Controller):
    path = "/v1"
    guards = [writer]
    tags = ["writes"]

    @post("/events", summary="Report an event (opens its stream)")
    async def report(self, request: Request, data: JSONBody[ReportEvent],
                     idempotency_key: IdempotencyKey = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(command=data), "/v1/events/{id}")

    @post("/events/{event_id:str}/sources", summary="Add a source (corroboration)")
    async def add_source(self, request: Request, event_id: FromPath[str], data: JSONBody[AddSource],
                         idempotency_key: IdempotencyKey = None,
                         if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/events/{id}")

    @post("/events/{event_id:str}/corrections", summary="Correct reported fields or a claim")
    async def correct(self, request: Request, event_id: FromPath[str], data: JSONBody[CorrectEvent],
                      idempotency_key: IdempotencyKey = None,
                      if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/events/{id}")

    @post("/events/{event_id:str}/retractions", summary="Retract an event (false, or a duplicate)")
    async def retract(self, request: Request, event_id: FromPath[str], data: JSONBody[RetractEvent],
                      idempotency_key: IdempotencyKey = None,
                      if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/events/{id}")

    @post("/events/{event_id:str}/reinstatements", summary="Undo a mistaken retraction")
    async def reinstate(self, request: Request, event_id: FromPath[str], data: JSONBody[ReinstateEvent],
                        idempotency_key: IdempotencyKey = None,
                        if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/events/{id}")

    @post("/events/{event_id:str}/claims", summary="Record a claim someone made about the event")
    async def claim(self, request: Request, event_id: FromPath[str], data: JSONBody[MakeClaim],
                    idempotency_key: IdempotencyKey = None,
                    if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/claims/{claim_id}")

    @post("/claims/{claim_id:str}/stances", summary="Take a stance on a claim")
    async def stance(self, request: Request, claim_id: FromPath[str], data: JSONBody[TakeStance],
                     idempotency_key: IdempotencyKey = None,
                     if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        op = Op(claim_id=entity_id(claim_id, "claim"), command=data)
        return await write_one(request, op, f"/v1/claims/{op.claim_id}")

    @post("/events/{event_id:str}/positions", summary="Record a party's position")
    async def position(self, request: Request, event_id: FromPath[str], data: JSONBody[TakePosition],
                       idempotency_key: IdempotencyKey = None,
                       if_match_header: IfMatch = None) -> Response[WriteAnswer]:
        return await write_one(request, Op(event_id=entity_id(event_id), command=data), "/v1/events/{id}")

    @post("/batch", summary="Append several entries atomically, in order")
    async def batch(self, request: Request, data: JSONBody[BatchRequest],
                    idempotency_key: IdempotencyKey = None) -> Response[BatchAnswer]:
        receipts = await append(request, batch_ops(data), batch=True)
        return Response(BatchAnswer(items=receipts), status_code=201)


__all__ = ["WriteController"]
