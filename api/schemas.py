"""Response shapes as the OpenAPI document shows them (SPEC §5).

Reads are served from stored views spliced with their `as_of`, without decoding;
these Structs describe exactly those bytes.
"""

from __future__ import annotations

from typing import Any

import msgspec

from domain.commands import OpName
from domain.ports import Receipt
from domain.view import ClaimView, EventView
from projections.log import EntryPage, LogEntry
from projections.queries import AsOf


class EventOut(EventView, kw_only=True):
    as_of: AsOf


class ClaimOut(ClaimView, kw_only=True):
    as_of: AsOf


class TimelineOut(msgspec.Struct, kw_only=True):
    items: list[EventOut]
    next_cursor: str | None
    as_of: AsOf


class TrackOut(msgspec.Struct, kw_only=True):
    track: str
    items: list[EventOut]
    agreement_status: str | None
    agreement_event_id: str | None
    as_of: AsOf


class LeadUpOut(msgspec.Struct, kw_only=True):
    event: EventOut
    days: int
    items: list[EventOut]
    next_cursor: str | None
    as_of: AsOf


# A write's answer is the store's receipt: {id, version, position, recorded_at, known_at, hash, type, claim_id}.
WriteAnswer = Receipt


class BatchEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    op: OpName
    event_id: str | None = None
    claim_id: str | None = None
    body: dict[str, Any]


class BatchRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    entries: list[BatchEntry]


class BatchAnswer(msgspec.Struct, kw_only=True):
    items: list[WriteAnswer]


__all__ = ["EntryPage", "LogEntry", "EventOut", "ClaimOut", "TimelineOut", "TrackOut", "LeadUpOut",
           "WriteAnswer", "BatchRequest", "BatchAnswer"]
