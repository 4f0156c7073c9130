"""Interop (SPEC §10): exports in the field's formats, and dataset snapshots taken in as CSV."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from litestar import Controller, Request, Response, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import PathParameter, QueryParameter, RawBody
from litestar.response import Stream

from api import params, routing
from api.auth import principal_of, reader, writer
from api.controllers.reads import KnownAt, RecordedAt
from domain import datasets
from domain.errors import MalformedRequest, NotFound
from projections import exports
from projections.datasets import SnapshotAnswer, take_snapshot

MAX_SNAPSHOT = 256 * 1024 * 1024
DATASET_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,91}")  # its tag, dataset:<name>, stays within 100


class ExportController(Controller):
    path = "/v1/export"
    guards = [reader]
    tags = ["interop"]

    @get("/{format:str}", summary="The visible events at (K, R) as TimelineJS, PLOVER, ACLED or UCDP GED; streamed")
    async def export(
        self, request: Request, format: Annotated[str, PathParameter(description=", ".join(exports.FORMATS))],
        known_at: KnownAt = None, recorded_at: RecordedAt = None,
        from_: Annotated[str | None, QueryParameter(name="from", description="EDTF date: events meeting it or later")] = None,
        to: Annotated[str | None, QueryParameter(description="EDTF date: events meeting it or earlier")] = None,
        kind: Annotated[str | None, QueryParameter(description="comma-separated event kinds")] = None,
        actor: Annotated[str | None, QueryParameter(description="an actor's name")] = None,
        track: Annotated[str | None, QueryParameter(description="a negotiation track")] = None,
        place: Annotated[str | None, QueryParameter(description="a place's name or country code")] = None,
        q: Annotated[str | None, QueryParameter(description="words of title and summary")] = None,
        include_retracted: Annotated[str | None, QueryParameter(description="true: retracted events too")] = None,
        tag: Annotated[str | None, QueryParameter(description="a tag the event carries (case-insensitive)")] = None,
        ongoing: Annotated[str | None, QueryParameter(
            description="include (default), exclude or only the events that began before `from`")] = None,
    ) -> Stream:
        if format not in exports.FORMATS:
            raise NotFound(f"no export format {format!r}; formats: {', '.join(exports.FORMATS)}")
        where = params.timeline_filter(from_, to, kind, actor, track, place, q, include_retracted, tag, ongoing)
        at = params.point_in_time(known_at, recorded_at)
        chunks = exports.export(routing.reader(request, at), format, where, at)
        return Stream(chunks, media_type=exports.MEDIA_TYPES[format])


@dataclass
class CsvBodyOperation(Operation):
    """The snapshot's body is read raw (it is CSV, not JSON), so the document is told of it here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(required=True, description="ACLED's or UCDP GED's CSV export, up to 256 MiB",
                                        content={"text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))})


class DatasetController(Controller):
    path = "/v1/datasets"
    guards = [writer]
    tags = ["interop"]

    @post("/{name:str}/snapshots", summary="Take a dataset snapshot (ACLED or UCDP GED CSV) as one atomic batch",
          request_max_body_size=MAX_SNAPSHOT, status_code=201, operation_class=CsvBodyOperation,
          opt={"request_media_types": ("text/csv",)})
    async def snapshot(
        self, request: Request, body: RawBody, name: Annotated[str, PathParameter(description="the dataset, e.g. acled")],
        format: Annotated[str, QueryParameter(description="acled-csv or ged-csv")],
        published_at: Annotated[str | None, QueryParameter(
            description="when the snapshot was published (RFC 3339 or a date); required for ged-csv")] = None,
        complete: Annotated[str | None, QueryParameter(
            description="true: rows of earlier snapshots missing from this one are retracted")] = None,
    ) -> Response[SnapshotAnswer]:
        if not DATASET_NAME.fullmatch(name):
            raise MalformedRequest.at("name", "must be 1-92 letters, digits, '.', '_' or '-', starting with a letter or digit")
        if format not in datasets.FORMATS:
            raise MalformedRequest.at("format", f"{format!r} is not one of {', '.join(datasets.FORMATS)}")
        params.instant(published_at, "published_at", 0)
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise MalformedRequest.at("body", f"is not valid UTF-8: {error.reason} at byte {error.start}") from None
        answer = await anyio.to_thread.run_sync(lambda: take_snapshot(
            request.app.state.timeline, name, format, text.splitlines(keepends=True), published_at=published_at,
            complete=params.flag(complete, "complete"), recorded_by=principal_of(request).name))
        return Response(answer, status_code=201 if answer.stored else 200)
