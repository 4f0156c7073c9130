"""The event store in memory: the `EventStore` port without a database, for fast tests of the rules.

It keeps what the SQL stores keep (ledger rows, stored bytes, idempotency keys)
and refuses what their keys refuse (a taken (event, version), a claim made
twice), stamping entries with the same function, so the contract suite
(tests/integration/test_store_contract.py) holds for all three.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from adapters import codec
from adapters.ledger import stamp
from domain import clock
from domain.ports import Append, IdempotentReplay, Pending, Receipt, StoreConflict
from domain.view import Logged


class MemoryStore:
    def __init__(self) -> None:
        self.rows: list[tuple] = []  # ledger rows in position order (adapters.ledger.LEDGER_COLUMNS)
        self.states: dict[tuple[str, int], bytes] = {}  # (event id, version) -> stored bytes
        self.keys: dict[tuple[str, str], tuple[str, list[Receipt]]] = {}
        self.lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[int]:
        """A read sees the log as it was when it began: the log only grows, so that is a prefix."""
        yield len(self.rows)

    def stream(self, tx: int, event_id: str, recorded_at: int = clock.FOREVER) -> list[Logged]:
        return [Logged(position=row[0], version=row[2], known_at=row[4], recorded_at=row[5],
                       entry=codec.decode(self.states[(event_id, row[2])]))
                for row in self.rows[:tx] if row[1] == event_id and row[5] <= recorded_at]

    def streams(self, tx: int, event_ids: list[str]) -> dict[str, list[Logged]]:
        return {event_id: self.stream(tx, event_id) for event_id in event_ids}

    def event_of_claim(self, tx: int, claim_id: str) -> str | None:
        return next((row[1] for row in self.rows[:tx] if row[8] == claim_id and row[3] == "ClaimMade"), None)

    def head(self, tx: int) -> tuple[int, int]:
        return (self.rows[tx - 1][0], self.rows[tx - 1][5]) if tx else (0, 0)

    def size(self) -> int:
        return len(self.rows)

    def idempotent(self, principal: str, key: str) -> tuple[str, list[Receipt]] | None:
        return self.keys.get((principal, key))

    def append(self, pending: list[Pending], recorded_by: str,
               idempotency: tuple[str, str, str] | None = None) -> list[Receipt]:
        with self.lock:
            if idempotency and (known := self.keys.get(idempotency[:2])):
                raise IdempotentReplay(*known)
            stamped = stamp(pending, self.head(len(self.rows)), recorded_by)
            versions = [(row[1], row[2]) for row in stamped.rows]
            claims = [row[8] for row in [*self.rows, *stamped.rows] if row[3] == "ClaimMade"]
            if len(set(versions)) < len(versions) or not self.states.keys().isdisjoint(versions) \
                    or len(set(claims)) < len(claims):
                raise StoreConflict("an (event id, version) or a made claim id is taken")
            self.states.update(zip(versions, (event.state for event in stamped.stored), strict=True))
            self.rows += stamped.rows
            if idempotency:
                self.keys[idempotency[:2]] = (idempotency[2], stamped.receipts)
            return stamped.receipts

    def append_many(self, appends: list[Append]) -> list[list[Receipt] | Exception]:
        outcomes: list[list[Receipt] | Exception] = []
        for append in appends:
            try:
                outcomes.append(self.append(append.pending, append.recorded_by, append.idempotency))
            except (IdempotentReplay, StoreConflict) as refused:
                outcomes.append(refused)
        return outcomes
