"""Domain errors: each maps to one RFC 9457 problem in api/errors.py."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[dict[str, str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def at(cls, field: str, detail: str):
        """The error, naming the offending field (a path such as `actors[2].role`)."""
        return cls(f"{field}: {detail}", errors=[{"field": field, "detail": f"{field}: {detail}"}])


class InvalidInput(DomainError):
    """A rule or schema refused the input; `errors` names each offending field."""

    status = 422
    title = "Invalid input"

    def under(self, prefix: str) -> InvalidInput:
        """The same error with every field path prefixed (`entries[2].body.` …)."""
        errors = [{"field": f"{prefix}{e['field']}", "detail": f"{prefix}{e['detail']}"} for e in self.errors]
        return InvalidInput(f"{prefix}{self.detail}", errors=errors)


class MalformedRequest(DomainError):
    """A malformed query parameter or header: 400, naming it."""

    status = 400
    title = "Malformed request"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"

    def __init__(self, detail: str, *, current_version: int | None = None):
        super().__init__(detail)
        self.current_version = current_version


class Unavailable(DomainError):
    """The store cannot be reached; the request may be retried."""

    status = 503
    title = "Store unavailable"
