"""Bearer tokens from CEASEFIRE_TOKENS, kept only as SHA-256 hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

ROLES = ("writer", "auditor")


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


class Tokens:
    def __init__(self, spec: str):
        self._by_hash: list[tuple[bytes, Principal]] = []
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, _, rest = item.rpartition("=") if "=" in item.split(":", 1)[0] else ("", "", item)
            role, _, token = rest.partition(":")
            if role not in ROLES or not token:
                raise ValueError(f"CEASEFIRE_TOKENS: {item.split(':')[0]!r} is not 'role:token' or 'name=role:token'")
            digest = hashlib.sha256(token.encode()).digest()
            self._by_hash.append((digest, Principal(name or f"{role}-{digest.hex()[:8]}", role)))

    def principal(self, authorization: str | None) -> Principal | None:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        digest = hashlib.sha256(token.strip().encode()).digest()
        found = None
        for known, principal in self._by_hash:  # look at every one: the time taken says nothing
            if hmac.compare_digest(known, digest):
                found = principal
        return found


def principal_of(connection: ASGIConnection) -> Principal | None:
    return connection.app.state.tokens.principal(connection.headers.get("authorization"))


def is_auditor(connection: ASGIConnection) -> bool:
    principal = principal_of(connection)
    return bool(principal and principal.role == "auditor")


def _require(connection: ASGIConnection, role: str) -> None:
    principal = principal_of(connection)
    if principal is None:
        raise NotAuthorizedException(detail="a valid 'Authorization: Bearer <token>' is required")
    if principal.role != role:
        raise PermissionDeniedException(detail=f"this needs the {role} role; the token's role is {principal.role}")


# The guards are coroutines although they never wait: Litestar runs a plain-function guard in a worker
# thread, a thread hop on every request for a hash and a comparison.
async def writer(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, "writer")


async def auditor(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    _require(connection, "auditor")


async def reader(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.app.state.settings.read_token_required and principal_of(connection) is None:
        raise NotAuthorizedException(detail="reads need a valid bearer token here")
