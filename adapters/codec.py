"""The msgspec mapper between entries and eventsourcing's StoredEvent.

eventsourcing 9.5.6 ships no msgspec transcoder; this is the small one we need.
The stored state is the entry's JSON (with its `type` tag); stored bytes are
never rewritten, so old shapes are upcast on read: `UPCASTERS[(tag, v)]` turns
a version-v payload into version v+1, and `_v` (absent means 1) says which.
Changing an entry class means raising its `CURRENT_VERSION` and adding the
upcaster from the version before; entries are then written with that `_v`, so
the upcaster never touches them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import StoredEvent

from domain.entries import ENTRY_TYPES, Entry

CURRENT_VERSION: dict[str, int] = {tag: 1 for tag in ENTRY_TYPES}
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}

_encoder = msgspec.json.Encoder()
_raw_decoder = msgspec.json.Decoder(dict[str, Any])
_decoder = msgspec.json.Decoder(Entry)


def encode(entry: Entry) -> bytes:
    """The entry's JSON, carrying `_v` once its class has moved past version 1."""
    written = _encoder.encode(entry)
    version = CURRENT_VERSION[type(entry).__struct_config__.tag]
    return written if version == 1 else written[:-1] + b',"_v":' + str(version).encode() + b"}"


def decode_raw(state: bytes) -> dict[str, Any]:
    """The stored payload exactly as written: what the log and the audit show."""
    return _raw_decoder.decode(state)


def upcast(raw: dict[str, Any]) -> Entry:
    """The current entry class from any stored version of it."""
    tag = raw.get("type")
    version = raw.get("_v", 1)
    while (tag, version) in UPCASTERS:
        raw = UPCASTERS[(tag, version)](dict(raw))
        version += 1
    raw = {k: v for k, v in raw.items() if k != "_v"}
    return msgspec.convert(raw, Entry)


def decode(state: bytes) -> Entry:
    # With nothing to upcast, straight to the class: no dict between (a fifth of the time).
    if not UPCASTERS and b'"_v"' not in state:
        return _decoder.decode(state)
    return upcast(decode_raw(state))


def to_stored_event(event_id: str, version: int, entry: Entry) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(event_id),
        originator_version=version,
        topic=type(entry).__struct_config__.tag,
        state=encode(entry),
    )
