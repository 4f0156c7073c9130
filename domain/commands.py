"""Commands: what a writer asks for. Each shares its entry's field set and adds
only what the server consumes: a chosen `id`, `known_at`, `expected_version`."""

from __future__ import annotations

import uuid
from typing import Literal

from msgspec import Struct

from domain.entries import (
    ClaimFields,
    CorrectionFields,
    Instant,
    PositionFields,
    ReinstatementFields,
    ReportFields,
    RetractionFields,
    SourceFields,
    StanceFields,
    Uuid,
)
from domain.errors import NotFound


class ReportEvent(ReportFields, kw_only=True):
    id: Uuid | None = None
    known_at: Instant | None = None


class AddSource(SourceFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class CorrectEvent(CorrectionFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class RetractEvent(RetractionFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class ReinstateEvent(ReinstatementFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class MakeClaim(ClaimFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class TakeStance(StanceFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


class TakePosition(PositionFields, kw_only=True):
    known_at: Instant | None = None
    expected_version: int | None = None


Command = ReportEvent | AddSource | CorrectEvent | RetractEvent | ReinstateEvent | MakeClaim | TakeStance | TakePosition

OP_COMMANDS: dict[str, type] = {
    "report": ReportEvent, "source": AddSource, "correct": CorrectEvent, "retract": RetractEvent,
    "reinstate": ReinstateEvent, "claim": MakeClaim, "stance": TakeStance, "position": TakePosition,
}
OpName = Literal["report", "source", "correct", "retract", "reinstate", "claim", "stance", "position"]


class Op(Struct, frozen=True, kw_only=True):
    """One command aimed at an event (or, for a stance, at a claim)."""

    command: Command
    event_id: str | None = None
    claim_id: str | None = None


def entity_id(text: str, what: str = "event") -> str:
    """An event or claim id in its one written form; anything not a UUID names nothing we know."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise NotFound(f"{what} {text!r} is unknown") from None
