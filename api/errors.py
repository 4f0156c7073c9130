"""One mapping from every error to an RFC 9457 problem (application/problem+json)."""

from __future__ import annotations

import logging

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import Conflict, DomainError, InvalidInput

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
    """Litestar refused the body or a parameter: the body's schema is 422, the rest 400."""
    cause = error.__cause__
    if request.headers.get("content-length") == "0" and request.method == "POST":
        return problem(request, 400, "Malformed request", "the body is empty: a JSON object is required")
    sources = {item.get("source") for item in (error.extra or []) if isinstance(item, dict)}
    if isinstance(cause, msgspec.ValidationError) and sources <= {"body"}:
        message, sep, path = str(cause).partition(" - at `$.data")
        invalid = InvalidInput.from_msgspec(msgspec.ValidationError(message + (sep and " - at `$" + path)))
        return domain_error(request, invalid)
    errors = [{"field": str(item.get("key")), "detail": f"{item.get('key')}: {item.get('message')}"}
              for item in (error.extra or []) if isinstance(item, dict)]
    detail = "; ".join(e["detail"] for e in errors) or str(error.detail)
    return problem(request, 400, "Malformed request", detail, errors=errors)


def http_error(request: Request, error: HTTPException) -> Response:
    title = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
             413: "Request body too large"}.get(error.status_code, "Malformed request")
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
