"""The event-store application: get → check → append, for one command or a batch.

Rules are checked against the stream's state folded from the whole log (the
same fold the read side uses); the store's (id, version) key catches anyone
who appended in between, and the command is planned again.
"""

from __future__ import annotations

import uuid

from domain import clock, rules
from domain.commands import (
    AddSource,
    Command,
    CorrectEvent,
    MakeClaim,
    Op,
    ReinstateEvent,
    ReportEvent,
    RetractEvent,
    TakePosition,
    TakeStance,
)
from domain.entries import (
    POSITION_KINDS,
    ClaimMade,
    ClaimStanceTaken,
    EventCorrected,
    EventReinstated,
    EventReported,
    EventRetracted,
    PositionTaken,
    SourceAdded,
    entry_from,
)
from domain.errors import Conflict, DomainError, InvalidInput, NotFound
from domain.ports import EventStore, IdempotentReplay, Pending, Receipt, StoreConflict
from domain.view import EventState, Logged, fold

ENTRY_OF = {
    ReportEvent: EventReported, AddSource: SourceAdded, CorrectEvent: EventCorrected,
    RetractEvent: EventRetracted, ReinstateEvent: EventReinstated, MakeClaim: ClaimMade,
    TakeStance: ClaimStanceTaken, TakePosition: PositionTaken,
}
# What a retracted event still takes (SPEC §3).
AFTER_RETRACTION = (SourceAdded, ClaimMade, ClaimStanceTaken, EventReinstated)
ATTEMPTS = 8


class IdempotencyMismatch(InvalidInput):
    pass


class Timeline:
    def __init__(self, store: EventStore):
        self.store = store

    def execute(self, ops: list[Op], recorded_by: str, *, batch: bool = False,
                idempotency: tuple[str, str, str] | None = None) -> tuple[list[Receipt], bool]:
        """Append the entries the commands call for; (receipts, replayed)."""
        for _ in range(ATTEMPTS):
            if idempotency and (known := self.store.idempotent(idempotency[0], idempotency[1])):
                return self._replay(idempotency, *known), True
            with self.store.read() as tx:
                pending = _Plan(self.store, tx, batch).plan(ops)
            try:
                return self.store.append(pending, recorded_by, idempotency), False
            except IdempotentReplay as replay:
                return self._replay(idempotency, replay.request_hash, replay.receipts), True
            except StoreConflict:
                continue  # someone appended first: plan again against the new state
        raise Conflict("the event is being written by others; retry")

    @staticmethod
    def _replay(idempotency, request_hash: str, receipts: list[Receipt]) -> list[Receipt]:
        if request_hash != idempotency[2]:
            raise IdempotencyMismatch.at(
                "Idempotency-Key", "was already used with another method, path or body")
        return receipts


class _Plan:
    """Checks a sequence of commands against the log plus what earlier ones add."""

    def __init__(self, store: EventStore, tx, batch: bool):
        self.store, self.tx, self.batch = store, tx, batch
        self.now = clock.now_micros()
        self.streams: dict[str, list[Logged]] = {}
        self.claims: dict[str, str] = {}  # claims made earlier in this plan → their event
        self.pending: list[Pending] = []

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
        if isinstance(command, ReportEvent):
            rules.check_report(command)
            event_id = _uuid(command.id) if command.id else str(uuid.uuid4())
            if command.id and self._stream(event_id):  # a fresh uuid4 is nobody's; the store's key checks anyway
                raise Conflict(f"event id {event_id} is taken")
            self.streams.setdefault(event_id, [])
            entry = entry_from(EventReported, command)
            return self._add(event_id, entry, known_at)
        event_id, claim_id = self._target(op)
        state = fold(event_id, self._stream(event_id))
        self._check(command, state)
        self._add(event_id, self._entry(command, state, claim_id), known_at)

    def _target(self, op: Op) -> tuple[str, str | None]:
        """The event a command is about, and for a stance, its claim."""
        if isinstance(op.command, TakeStance):
            claim_id = _uuid(op.claim_id or "", "claim")
            event_id = self.claims.get(claim_id) or self.store.event_of_claim(self.tx, claim_id)
            if not event_id:
                raise NotFound(f"claim {claim_id} is unknown")
            return event_id, claim_id
        event_id = _uuid(op.event_id or "", "event")
        if not self._stream(event_id):
            raise NotFound(f"event {event_id} is unknown")
        return event_id, None

    def _check(self, command: Command, state: EventState) -> None:
        expected = command.expected_version
        if expected is not None and expected != state.view.version:
            raise Conflict(f"expected version {expected}, but the event is at version {state.view.version}",
                           current_version=state.view.version)
        entry_type = ENTRY_OF[type(command)]
        if state.retracted and entry_type not in AFTER_RETRACTION:
            raise Conflict("the event is retracted: it takes only sources, claims, stances and a reinstatement",
                           current_version=state.view.version)
        if entry_type is EventReinstated and not state.retracted:
            raise Conflict("the event is not retracted", current_version=state.view.version)
        if entry_type is PositionTaken and state.view.kind not in POSITION_KINDS:
            raise InvalidInput.at("position", f"a {state.view.kind} event takes no positions; "
                                              f"only {', '.join(sorted(POSITION_KINDS))} events do")
        if isinstance(command, CorrectEvent):
            rules.check_changes(command.changes, claim=command.claim_id is not None)
            if command.claim_id and _uuid(command.claim_id) not in state.claim_ids:
                raise InvalidInput.at("claim_id", "names no claim of this event")
        if isinstance(command, RetractEvent) and command.duplicate_of:
            original = _uuid(command.duplicate_of)
            if original == state.view.id or not self._stream(original):
                raise InvalidInput.at("duplicate_of", "must name another known event")

    def _entry(self, command: Command, state: EventState, stance_claim: str | None):
        entry_type = ENTRY_OF[type(command)]
        if isinstance(command, MakeClaim):
            claim_id = _uuid(command.claim_id) if command.claim_id else str(uuid.uuid4())
            if claim_id in self.claims or self.store.event_of_claim(self.tx, claim_id):
                raise Conflict(f"claim id {claim_id} is taken")
            self.claims[claim_id] = state.view.id
            return entry_from(entry_type, command, claim_id=claim_id)
        if isinstance(command, TakeStance):
            return entry_from(entry_type, command, claim_id=stance_claim)
        if isinstance(command, CorrectEvent) and command.claim_id:
            return entry_from(entry_type, command, claim_id=_uuid(command.claim_id))
        if isinstance(command, RetractEvent) and command.duplicate_of:
            return entry_from(entry_type, command, duplicate_of=_uuid(command.duplicate_of))
        return entry_from(entry_type, command)

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


def _uuid(text: str, what: str = "event") -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise NotFound(f"{what} {text!r} is unknown") from None


def _in_entry(error: DomainError, index: int) -> DomainError:
    """The same error, naming the batch entry it came from."""
    if isinstance(error, InvalidInput):
        return error.under(f"entries[{index}].body.")
    error.detail = f"entries[{index}]: {error.detail}"
    error.args = (error.detail,)
    error.errors = [{"field": f"entries[{index}]", "detail": error.detail}]
    return error
