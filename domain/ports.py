"""What the application needs from a store, and the plain types that cross that line.

The adapters layer implements `EventStore` on SQLite and PostgreSQL; tests of
the rules use an in-memory one. Nothing here knows SQL or a driver.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import msgspec

from domain.view import Logged


class Pending(msgspec.Struct, kw_only=True):
    """An entry checked by the rules and waiting for its clocks and position."""

    event_id: str
    version: int
    entry: Any
    known_at: int | None  # None: known when recorded


class Receipt(msgspec.Struct, kw_only=True):
    id: str
    version: int
    position: int
    recorded_at: str
    known_at: str
    hash: str
    type: str
    claim_id: str | None = None


class Append(msgspec.Struct, kw_only=True):
    """One atomic append: its entries, who records them, and its (principal, key, request hash)."""

    pending: list[Pending]
    recorded_by: str
    idempotency: tuple[str, str, str] | None = None


class StoreConflict(Exception):
    """A uniqueness constraint refused the append: someone else wrote first."""


class IdempotentReplay(Exception):
    def __init__(self, request_hash: str, receipts: list[Receipt]):
        self.request_hash, self.receipts = request_hash, receipts


class EventStore(Protocol):
    """The log as the application sees it: read a stream, find a claim's event, append.

    Implemented by adapters.store.Store (SQLite, PostgreSQL) and adapters.memory.MemoryStore;
    tests/integration/test_store_contract.py holds all three to the same behaviour."""

    def read(self) -> AbstractContextManager[Any]: ...

    def head(self, tx: Any) -> tuple[int, int]: ...

    def size(self) -> int: ...

    def stream(self, tx: Any, event_id: str) -> list[Logged]: ...

    def streams(self, tx: Any, event_ids: list[str]) -> dict[str, list[Logged]]: ...

    def event_of_claim(self, tx: Any, claim_id: str) -> str | None: ...

    def idempotent(self, principal: str, key: str) -> tuple[str, list[Receipt]] | None: ...

    def append(self, pending: list[Pending], recorded_by: str,
               idempotency: tuple[str, str, str] | None = None) -> list[Receipt]: ...

    def append_many(self, appends: list[Append]) -> list[list[Receipt] | Exception]:
        """Each append atomic and answered as if made alone: its receipts, or the StoreConflict or
        IdempotentReplay that refused it."""
        ...
