"""What every request must be before its handler runs (SPEC §5, round 2).

One hook for the whole app, so a new handler or parameter joins without extra
work: the query parameters a handler accepts are read from its own signature
(an unknown one is a 400 naming it: a misspelt `knownat` must never answer
silently as of now); a body must be JSON (415 otherwise) unless the handler
lists other media types in `opt["request_media_types"]`; and a JSON body is
checked against the handler's `data` type, every problem at once, its free
text trimmed, before Litestar converts it.
"""

from __future__ import annotations

import functools
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException, SerializationException
from litestar.handlers import HTTPRouteHandler
from litestar.types import Empty

from domain import validation
from domain.errors import MalformedRequest

JSON = "application/json"
BODY_METHODS = ("POST", "PUT", "PATCH")
CHECKED_BODY = "checked_body"


class UnsupportedMediaType(HTTPException):
    status_code = 415


class JsonRequest(Request):
    """A body that is not UTF-8, or nests deeper than the decoder goes, is malformed (400), not a crash;
    a body the hook checked is handed on as checked (trimmed)."""

    async def json(self) -> Any:
        checked = self.state.get(CHECKED_BODY, Empty)
        if checked is not Empty:
            return checked
        try:
            return await super().json()
        except UnicodeDecodeError as error:
            raise ClientException(f"the body is not valid UTF-8: {error.reason} at byte {error.start}") from None
        except RecursionError:
            raise ClientException("the JSON body nests too deeply") from None
        except SerializationException as error:
            raise ClientException(f"the body is not JSON: {error.detail}") from None


async def check_request(request: JsonRequest) -> None:
    refuse_unknown_parameters(request)
    if request.method in BODY_METHODS:
        await check_body(request)


def refuse_unknown_parameters(request: Request) -> None:
    known = query_names(request.route_handler, tuple(request.path_params))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise MalformedRequest(
            f"unknown query parameter {', '.join(map(repr, unknown))}; this endpoint takes: {takes}",
            errors=[{"field": name, "detail": f"{name}: is not a parameter of this endpoint; it takes: {takes}"}
                    for name in unknown])


async def check_body(request: Request) -> None:
    """A body of the route's media types; a JSON one checked against the handler's `data` type, and trimmed."""
    media_type = request.content_type[0]
    accepted = request.route_handler.opt.get("request_media_types", (JSON,))
    if media_type not in accepted:
        raise UnsupportedMediaType(detail=f"the body must be {' or '.join(accepted)}, "
                                          f"not {media_type or 'unlabelled (no Content-Type)'}")
    body_type = data_type(request.route_handler)
    if media_type != JSON or body_type is None:
        return
    if not (await request.body()).strip():
        raise ClientException("the body is empty: a JSON object is required")
    value, problems = validation.checked(await request.json(), body_type)
    if problems:
        raise validation.refusal(problems)
    request.state[CHECKED_BODY] = value


@functools.cache
def query_names(handler: HTTPRouteHandler, path_params: tuple[str, ...]) -> frozenset[str]:
    """The names in the handler's signature, and any a handler reading the query itself lists in its
    `opt["query_parameters"]` (the web pages)."""
    model = handler.create_kwargs_model(path_parameters=dict.fromkeys(path_params))
    return frozenset(param.field_alias for param in model.expected_query_params) | set(handler.opt.get("query_parameters", ()))


@functools.cache
def data_type(handler: HTTPRouteHandler) -> type | None:
    data = handler.parsed_fn_signature.parameters.get("data")
    return data.annotation if data else None
