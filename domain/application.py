"""The event-store application: get → decide → append, for one command or a batch.

Each command is decided against its event's state folded from the whole log
(the same fold the read side uses) plus what earlier commands of the batch add;
the store's (id, version) key catches anyone who appended in between, and the
commands are decided again. Writes that arrive together (the API's concurrent
requests) are decided one by one and appended in one transaction, each still
atomic and answered as if alone.
"""

from __future__ import annotations

import uuid
from contextlib import ExitStack

import msgspec

from domain import clock, rules
from domain.commands import Op, ReportEvent, TakeStance, entity_id
from domain.decide import decide
from domain.entries import ClaimMade
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.ports import Append, EventStore, IdempotentReplay, Pending, Receipt, StoreConflict
from domain.view import Logged, fold

ATTEMPTS = 8


class IdempotencyMismatch(InvalidInput):
    pass


class Write(msgspec.Struct, frozen=True, kw_only=True):
    """One request's commands, appended atomically; `idempotency` is (principal, key, request hash).

    `checked`: the commands were decoded by `domain.validation` (as the API and batch files decode
    them), so their input rules are not applied again."""

    ops: list[Op]
    recorded_by: str
    batch: bool = False
    idempotency: tuple[str, str, str] | None = None
    checked: bool = False


class Timeline:
    def __init__(self, store: EventStore):
        self.store = store

    def execute(self, ops: list[Op], recorded_by: str, *, batch: bool = False,
                idempotency: tuple[str, str, str] | None = None, checked: bool = False) -> list[Receipt]:
        """Append the entries the commands call for, atomically.

        A retry with a used key gets the first answer back and stores nothing."""
        outcome = self.execute_many([Write(ops=ops, recorded_by=recorded_by, batch=batch, idempotency=idempotency,
                                           checked=checked)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def execute_many(self, writes: list[Write]) -> list[list[Receipt] | Exception]:
        """Several requests' writes, each decided and answered as if made alone, appended together
        (one transaction serves them all); a write refused gets its error and leaves the others."""
        outcomes: list[list[Receipt] | Exception | None] = [None] * len(writes)
        undecided = list(range(len(writes)))
        for _ in range(ATTEMPTS):
            planned: list[tuple[int, Append]] = []
            for index in undecided:
                try:
                    decided = self._decide(writes[index])
                except Exception as error:  # refused (or worse) alone: the group's other writes go on
                    outcomes[index] = error
                    continue
                if isinstance(decided, Append):
                    planned.append((index, decided))
                else:
                    outcomes[index] = decided
            undecided = []
            if not planned:
                break
            stored = self.store.append_many([append for _, append in planned])
            for (index, append), outcome in zip(planned, stored, strict=True):
                if isinstance(outcome, StoreConflict):
                    undecided.append(index)  # someone appended first: decide again against the new state
                elif isinstance(outcome, IdempotentReplay):  # the same key, in a write that came first
                    try:
                        outcomes[index] = _replay(append.idempotency, outcome.request_hash, outcome.receipts)
                    except IdempotencyMismatch as mismatch:
                        outcomes[index] = mismatch
                else:
                    outcomes[index] = outcome
            if not undecided:
                break
        for index in undecided:
            outcomes[index] = Conflict("the event is being written by others; retry")
        return outcomes

    def _decide(self, write: Write) -> Append | list[Receipt]:
        """The append a write calls for; for a retry with a used key, the first answer."""
        if write.idempotency and (known := self.store.idempotent(write.idempotency[0], write.idempotency[1])):
            return _replay(write.idempotency, *known)
        with _Plan(self.store, write.batch, write.checked) as plan:
            pending = plan.plan(write.ops)
        return Append(pending=pending, recorded_by=write.recorded_by, idempotency=write.idempotency)


def _replay(idempotency: tuple[str, str, str], request_hash: str, receipts: list[Receipt]) -> list[Receipt]:
    if request_hash != idempotency[2]:
        raise IdempotencyMismatch.at("Idempotency-Key", "was already used with another method, path or body")
    return receipts


class _Plan:
    """Decides a sequence of commands against the log plus what earlier ones add; it is also
    what the decisions ask (`Known`) about other events and claims."""

    def __init__(self, store: EventStore, batch: bool, checked: bool):
        self.store, self.batch, self.checked = store, batch, checked
        self.reading = ExitStack()
        self._tx = None
        self.now = clock.now_micros()
        self.streams: dict[str, list[Logged]] = {}
        self.claims: dict[str, str] = {}  # claims made earlier in this plan → their event
        self.pending: list[Pending] = []

    def __enter__(self) -> _Plan:
        return self

    def __exit__(self, *_) -> None:
        self.reading.close()

    @property
    def tx(self):
        """One read transaction for all the plan's reads, begun at the first: a report under a new
        id reads nothing, and then costs the store nothing until it is appended."""
        if self._tx is None:
            self._tx = self.reading.enter_context(self.store.read())
        return self._tx

    def plan(self, ops: list[Op]) -> list[Pending]:
        if len(ops) > 1:
            self._read_ahead(ops)
        for index, op in enumerate(ops):
            try:
                self._plan_one(op)
            except DomainError as error:
                if not self.batch:
                    raise
                raise _in_entry(error, index) from None
        return self.pending

    def _plan_one(self, op: Op) -> None:
        command = op.command
        known_at = rules.requested_known_at(command.known_at, command.source, self.now)
        event_id, claim_id = self._target(op)
        stream = self._stream(event_id)
        if not stream and not isinstance(command, ReportEvent):
            raise NotFound(f"event {event_id} is unknown")
        entry = decide(fold(event_id, stream) if stream else None, command, self, claim_id=claim_id,
                       checked=self.checked)
        if isinstance(entry, ClaimMade):
            self.claims[entry.claim_id] = event_id
        self._add(event_id, entry, known_at)

    def _target(self, op: Op) -> tuple[str, str | None]:
        """The event a command is about, and for a stance, its claim."""
        if isinstance(op.command, ReportEvent):
            if op.command.id:
                return entity_id(op.command.id), None
            fresh = str(uuid.uuid4())  # nobody's stream: no need to read it, and the store's key checks anyway
            self.streams[fresh] = []
            return fresh, None
        if isinstance(op.command, TakeStance):
            claim_id = entity_id(op.claim_id or "", "claim")
            event_id = self.claims.get(claim_id) or self.store.event_of_claim(self.tx, claim_id)
            if not event_id:
                raise NotFound(f"claim {claim_id} is unknown")
            return event_id, claim_id
        return entity_id(op.event_id or ""), None

    # --- Known: what decisions ask beyond their own stream ----------------------------------

    def event_exists(self, event_id: str) -> bool:
        return bool(self._stream(event_id))

    def claim_taken(self, claim_id: str) -> bool:
        return claim_id in self.claims or self.store.event_of_claim(self.tx, claim_id) is not None

    # --- streams as the plan grows them ----------------------------------------------------

    def _read_ahead(self, ops: list[Op]) -> None:
        """Read every stream a batch names in a few queries, not one each (a dataset snapshot names 100k)."""
        named = {op.command.id if isinstance(op.command, ReportEvent) else op.event_id for op in ops}
        ids = []
        for text in named - {None}:
            try:
                ids.append(str(uuid.UUID(text)))
            except ValueError:
                continue  # refused with its entry's index when planned
        self.streams.update(self.store.streams(self.tx, sorted(set(ids) - set(self.streams))))

    def _stream(self, event_id: str) -> list[Logged]:
        if event_id not in self.streams:
            self.streams[event_id] = self.store.stream(self.tx, event_id)
        return self.streams[event_id]

    def _add(self, event_id: str, entry, known_at: int | None) -> None:
        stream = self._stream(event_id)
        version = len(stream) + 1
        # Until stored, an entry sorts after everything already in the log.
        stream.append(Logged(position=clock.FOREVER - 1000 + len(self.pending), version=version,
                             known_at=self.now if known_at is None else min(known_at, self.now),
                             recorded_at=self.now, entry=entry))
        self.pending.append(Pending(event_id=event_id, version=version, entry=entry, known_at=known_at))


def _in_entry(error: DomainError, index: int) -> DomainError:
    """The same error, naming the batch entry it came from."""
    if isinstance(error, InvalidInput):
        return error.under(f"entries[{index}].body.")
    error.detail = f"entries[{index}]: {error.detail}"
    error.args = (error.detail,)
    error.errors = [{"field": f"entries[{index}]", "detail": error.detail}]
    return error

