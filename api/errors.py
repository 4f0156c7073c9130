"""One mapping from every error to an RFC 9457 problem (application/problem+json)."""

from __future__ import annotations

import logging

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import Conflict, DomainError

PROBLEM = "application/problem+json"
log = logging.getLogger("ceasefire")


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, str]] = []
    current_version: int | None = None


def problem(request: Request, status: int, title: str, detail: str, **extra) -> Response:
    body = Problem(title=title, status=status, detail=detail, instance=request.url.path, **extra)
    return Response(body, status_code=status, media_type=PROBLEM)


def domain_error(request: Request, error: DomainError) -> Response:
    extra = {"current_version": error.current_version} if isinstance(error, Conflict) else {}
    return problem(request, error.status, error.title, error.detail, errors=error.errors, **extra)


def validation_error(request: Request, error: ValidationException) -> Response:
    """Litestar refused a parameter (400), or a body the checks let through (422), each named; a parameter's
    problem is said in words from its declaration, not in msgspec's."""
    items = [item for item in (error.extra or []) if isinstance(item, dict)]
    errors = [{"field": str(item.get("key")),
               "detail": f"{item.get('key')}: {_in_words(request, str(item.get('key'))) or item.get('message')}"}
              for item in items]
    detail = "; ".join(e["detail"] for e in errors) or str(error.detail)
    if items and all(item.get("source") == "body" for item in items):
        return problem(request, 422, "Invalid input", detail, errors=errors)
    return problem(request, 400, "Malformed request", detail, errors=errors)


def _in_words(request: Request, name: str) -> str | None:
    """What a whole-number parameter must be, from its handler's declaration (type, bounds)."""
    for parameter in request.route_handler.parsed_fn_signature.parameters.values():
        declared = parameter.kwarg_definition
        alias = getattr(declared, "query", None) or getattr(declared, "header", None) or parameter.name
        if alias != name:
            continue
        if not (parameter.is_subclass_of(int) or parameter.has_inner_subclass_of(int)):
            return None
        low, high = getattr(declared, "ge", None), getattr(declared, "le", None)
        bounds = f" from {low} to {high}" if low is not None and high is not None else \
            f" of at least {low}" if low is not None else f" of at most {high}" if high is not None else ""
        return f"must be a whole number{bounds}"
    return None


def http_error(request: Request, error: HTTPException) -> Response:
    title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
             413: "Request body too large", 415: "Unsupported media type"}.get(error.status_code, "Malformed request")
    response = problem(request, error.status_code, title, str(error.detail))
    if error.status_code == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


def unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(request, 500, "Internal error", "the server failed; the error was logged and nothing was stored")


EXCEPTION_HANDLERS = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected,
}
