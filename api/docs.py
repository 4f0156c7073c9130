"""The API's description of itself: the OpenAPI document made to tell the truth, and its docs page.

Litestar documents each operation's success answer and parameters; `describe`
adds what it cannot know (SPEC §5, round 2): the RFC 9457 problems each
operation can answer, which need a bearer token, and a description for every
parameter (a handler's own, else the one this module gives its name). The page
is rendered on the server: no script and no CDN, so it works offline, on an
air-gapped analyst's machine too.
"""

from __future__ import annotations

import html
import json
from typing import Any

from litestar import Litestar, Request
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.routes import HTTPRoute

from api.auth import auditor, reader, writer

PROBLEM = "application/problem+json"
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT, required=["title", "status", "detail"],
    description="An RFC 9457 problem. For invalid input, `errors` names every bad field.",
    properties={
        "type": Schema(type=OpenAPIType.STRING), "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER), "detail": Schema(type=OpenAPIType.STRING),
        "instance": Schema(type=OpenAPIType.STRING),
        "errors": Schema(type=OpenAPIType.ARRAY, description="every bad field: its path (actors[2].role) and what is wrong",
                         items=Schema(type=OpenAPIType.OBJECT, required=["field", "detail"], properties={
                             "field": Schema(type=OpenAPIType.STRING), "detail": Schema(type=OpenAPIType.STRING)})),
        "current_version": Schema(type=OpenAPIType.INTEGER, description="on a 409: the event's version now"),
    },
)
PROBLEMS = {
    400: "Malformed request: a bad or unknown query parameter, an inverted window, malformed JSON",
    401: "A valid 'Authorization: Bearer <token>' is required",
    403: "The token's role may not do this",
    404: "Not known at this (known_at, recorded_at), or no such id",
    409: "Conflict: a stale expected version (If-Match), a taken id, or a state that forbids this",
    413: "The body is over 1 MiB (256 MiB for a dataset snapshot)",
    415: "The body is not of the operation's media type (application/json; text/csv for a dataset snapshot)",
    422: "Invalid input: `errors` names every bad field",
}
PARAMETERS = {
    "known_at": "knowledge time K: what was publicly known by then (RFC 3339 with an offset, or a date); default now",
    "recorded_at": "record time R: what this log held by then (RFC 3339 with an offset, or a date); default now",
    "event_id": "the event's id (a UUID)",
    "claim_id": "the claim's id (a UUID)",
    "track": "a negotiation track's slug, e.g. minsk",
    "position": "a log position, from 1",
    "format": "an export format: timelinejs, plover, acled-csv or ged-csv",
    "from": "an EDTF date: the world-time window starts at its start",
    "to": "an EDTF date: the world-time window ends at its end",
    "kind": "event kinds to keep, comma-separated (talks, offensive, …)",
    "actor": "an actor's name, or a whole word of it, case-insensitive",
    "place": "a place's name or its ISO 3166-1 country code, case-insensitive",
    "tag": "a tag the event carries",
    "q": "words that must each begin a word of the title or summary",
    "include_retracted": "true to keep retracted events (default false)",
    "ongoing": "include (default), exclude or only: events begun before `from` that still meet the window",
    "cursor": "the next_cursor of the previous page; it pins that page's (K, R)",
    "limit": "page size",
    "after": "start after this log position",
    "since": "K1: entries known after this time (exclusive)",
    "until": "K2: entries known by this time (inclusive); default now",
    "days": "how many days before the event's start to look (0–3650, default 30)",
    "tree_size": "the tree size the proof is for; default the current one",
    "from_size": "the older tree size",
    "to_size": "the newer tree size; default the current one",
    "Idempotency-Key": "a retry with the same key, method, path and body returns the first answer, storing nothing",
    "If-Match": '"<version>": 409 if the event has moved on',
    "If-None-Match": "an ETag this read gave before: 304 if the state at (K, R) is unchanged",
    "Last-Event-ID": "resume after this log position",
}


def describe(app: Litestar) -> None:
    """Add the problems, the security and the parameter descriptions to the app's OpenAPI document."""
    document = app.openapi_schema
    components = document.components
    components.schemas["Problem"] = PROBLEM_SCHEMA
    components.security_schemes = {**(components.security_schemes or {}), "bearer": SecurityScheme(
        type="http", scheme="bearer",
        description="Authorization: Bearer <token>; tokens and their roles come from CEASEFIRE_TOKENS")}
    for route in app.routes:
        if isinstance(route, HTTPRoute) and route.path_format in (document.paths or {}):
            for method, (handler, _) in route.route_handler_map.items():
                operation = getattr(document.paths[route.path_format], method.lower(), None)
                if operation is not None:
                    _describe(operation, handler, has_path_parameters=bool(route.path_parameters))


def _describe(operation: Operation, handler, has_path_parameters: bool) -> None:
    guards = {getattr(guard, "func", guard) for guard in handler.resolve_guards()}
    codes = {400}
    if guards & {writer, auditor}:
        codes |= {401, 403}
        operation.security = [{"bearer": []}]
    elif reader in guards:
        codes.add(401)  # when CEASEFIRE_READ_TOKEN_REQUIRED is set
    if has_path_parameters:
        codes.add(404)
    if {"data", "body"} & set(handler.parsed_fn_signature.parameters):  # a decoded body, or a raw one (CSV)
        codes |= {409, 413, 415, 422}
    operation.responses = operation.responses or {}
    for code in sorted(codes):
        operation.responses[str(code)] = OpenAPIResponse(description=PROBLEMS[code], content={
            PROBLEM: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))})
    for parameter in operation.parameters or []:
        if not parameter.description and parameter.name in PARAMETERS:
            parameter.description = PARAMETERS[parameter.name]


class OfflineDocsPlugin(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path=["/", "/docs"], media_type="text/html")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        info = openapi_schema.get("info", {})
        parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(info.get('title'))}</title>",
                 "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
                 "code,pre{background:#f4f4f4;padding:.1rem .3rem}h3{margin-bottom:.2rem}"
                 "details{margin:.3rem 0 1rem}</style></head><body>",
                 f"<h1>{_e(info.get('title'))} <small>{_e(info.get('version'))}</small></h1>",
                 f"<p>{_e(info.get('description'))}</p>",
                 "<p>The machine-readable document: <a href='/schema/openapi.json'>/schema/openapi.json</a>.</p>"]
        for path, operations in openapi_schema.get("paths", {}).items():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                parts.append(f"<h3><code>{method.upper()} {_e(path)}</code></h3><p>{_e(operation.get('summary'))}</p>")
                if operation.get("security"):
                    parts.append("<p>Needs <code>Authorization: Bearer &lt;token&gt;</code>.</p>")
                for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
                    name = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                    parts.append(f"<p>Body ({_e(media_type)}): <a href='#schema-{_e(name)}'><code>{_e(name)}</code></a></p>")
                rows = "".join(f"<li><code>{_e(p.get('name'))}</code> ({_e(p.get('in'))}"
                               f"{', required' if p.get('required') else ''}): {_e(p.get('description'))}</li>"
                               for p in operation.get("parameters", []))
                if rows:
                    parts.append(f"<ul>{rows}</ul>")
                answers = ", ".join(f"{code} {_e(r.get('description'))}" for code, r in operation.get("responses", {}).items())
                parts.append(f"<p>Answers: {answers}</p>")
        schemas = openapi_schema.get("components", {}).get("schemas", {})
        parts.append("<h2>Schemas</h2>")
        for name, schema in schemas.items():
            parts.append(f"<details id='schema-{_e(name)}'><summary><code>{_e(name)}</code></summary>"
                         f"<pre>{_e(json.dumps(schema, indent=2))}</pre></details>")
        parts.append("</body></html>")
        return "".join(parts).encode()


def _e(text: Any) -> str:
    return html.escape(str(text or ""))
