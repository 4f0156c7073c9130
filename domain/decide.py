"""Decide: each command's rules over the event's folded state, giving the entry to append (SPEC §3).

One function per command, `decide(state, command, known) -> entry`: `state` is the
event's stream folded with everything known (None for a report opening a new
stream), and `known` answers the two questions that reach beyond this stream.
Nothing here reads a store; the application does that and appends what we return.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from domain import rules
from domain.commands import (
    AddSource,
    Command,
    CorrectEvent,
    MakeClaim,
    ReinstateEvent,
    ReportEvent,
    RetractEvent,
    TakePosition,
    TakeStance,
    entity_id,
)
from domain.entries import (
    POSITION_KINDS,
    ClaimMade,
    ClaimStanceTaken,
    Entry,
    EventCorrected,
    EventReinstated,
    EventReported,
    EventRetracted,
    PositionTaken,
    SourceAdded,
    entry_from,
)
from domain.errors import Conflict, InvalidInput
from domain.view import EventState


class Known(Protocol):
    """What a decision needs to know beyond the event's own stream."""

    def event_exists(self, event_id: str) -> bool: ...

    def claim_taken(self, claim_id: str) -> bool: ...


def decide(state: EventState | None, command: Command, known: Known, *, claim_id: str | None = None,
           checked: bool = False) -> Entry:
    """The entry `command` appends to the event in `state`; `claim_id` is the claim a stance is about.

    `checked`: the command was decoded by `domain.validation`, which applied its input rules then; a
    command built in code is held to the same rules here, so each command meets them exactly once."""
    if not checked:
        rules.check_command(command)
    return _DECIDERS[type(command)](state, command, known, claim_id)


def report_event(state: EventState | None, command: ReportEvent, known: Known, claim_id: None) -> EventReported:
    if state is not None:
        raise Conflict(f"event id {state.event_id} is taken")
    return entry_from(EventReported, command)


def add_source(state: EventState, command: AddSource, known: Known, claim_id: None) -> SourceAdded:
    _check_version(state, command.expected_version)  # a retracted event still takes sources
    return entry_from(SourceAdded, command)


def correct_event(state: EventState, command: CorrectEvent, known: Known, claim_id: None) -> EventCorrected:
    _check_open(state, command.expected_version)
    if command.claim_id is None:
        return entry_from(EventCorrected, command)
    corrected = entity_id(command.claim_id, "claim")
    if corrected not in state.claim_ids:
        raise InvalidInput.at("claim_id", "names no claim of this event")
    return entry_from(EventCorrected, command, claim_id=corrected)


def retract_event(state: EventState, command: RetractEvent, known: Known, claim_id: None) -> EventRetracted:
    _check_open(state, command.expected_version)
    if command.duplicate_of is None:
        return entry_from(EventRetracted, command)
    original = entity_id(command.duplicate_of)
    if original == state.event_id or not known.event_exists(original):
        raise InvalidInput.at("duplicate_of", "must name another known event")
    return entry_from(EventRetracted, command, duplicate_of=original)


def reinstate_event(state: EventState, command: ReinstateEvent, known: Known, claim_id: None) -> EventReinstated:
    _check_version(state, command.expected_version)
    if not state.retracted:
        raise Conflict("the event is not retracted", current_version=state.version)
    return entry_from(EventReinstated, command)


def make_claim(state: EventState, command: MakeClaim, known: Known, claim_id: None) -> ClaimMade:
    _check_version(state, command.expected_version)  # a retracted event still takes claims
    made = entity_id(command.claim_id, "claim") if command.claim_id else str(uuid.uuid4())
    if known.claim_taken(made):
        raise Conflict(f"claim id {made} is taken")
    return entry_from(ClaimMade, command, claim_id=made)


def take_stance(state: EventState, command: TakeStance, known: Known, claim_id: str) -> ClaimStanceTaken:
    _check_version(state, command.expected_version)  # and stances on its claims
    return entry_from(ClaimStanceTaken, command, claim_id=claim_id)


def take_position(state: EventState, command: TakePosition, known: Known, claim_id: None) -> PositionTaken:
    _check_open(state, command.expected_version)
    if state.kind not in POSITION_KINDS:
        raise InvalidInput.at("position", f"a {state.kind} event takes no positions; "
                                          f"only {', '.join(sorted(POSITION_KINDS))} events do")
    return entry_from(PositionTaken, command)


def _check_version(state: EventState, expected: int | None) -> None:
    """`expected_version` (or If-Match), when given, must be the event's version now."""
    if expected is not None and expected != state.version:
        raise Conflict(f"expected version {expected}, but the event is at version {state.version}",
                       current_version=state.version)


def _check_open(state: EventState, expected: int | None) -> None:
    """Corrections, retractions and positions need an event that is not retracted."""
    _check_version(state, expected)
    if state.retracted:
        raise Conflict("the event is retracted: it takes only sources, claims, stances and a reinstatement",
                       current_version=state.version)


_DECIDERS: dict[type, Callable[..., Any]] = {
    ReportEvent: report_event, AddSource: add_source, CorrectEvent: correct_event, RetractEvent: retract_event,
    ReinstateEvent: reinstate_event, MakeClaim: make_claim, TakeStance: take_stance, TakePosition: take_position,
}
