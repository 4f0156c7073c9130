"""An entry's canonical bytes and leaf hash (SPEC §7).

The bytes are the RFC 8785 (JCS) JSON of the entry as `/v1/log` shows it to an
auditor; the hash is its RFC 9162 leaf hash, in padded base64.
"""

from __future__ import annotations

import base64
from typing import Any

import rfc8785

from adapters.merkle import leaf_hash


def log_data(raw: dict[str, Any]) -> dict[str, Any]:
    """The stored payload without its union tag, which travels as `type`."""
    return {key: value for key, value in raw.items() if key != "type"}


def canonical_bytes(*, position: int, event_id: str, version: int, type: str, known_at: str,
                    recorded_at: str, recorded_by: str, data: dict[str, Any]) -> bytes:
    return rfc8785.dumps({
        "position": position, "event_id": event_id, "version": version, "type": type,
        "known_at": known_at, "recorded_at": recorded_at, "recorded_by": recorded_by, "data": data,
    })


HASHED = ("position", "event_id", "version", "type", "known_at", "recorded_at", "recorded_by", "data")


def entry_hash(**entry: Any) -> str:
    return b64(leaf_hash(canonical_bytes(**entry)))


def leaf_of(entry: Any) -> bytes:
    """The leaf hash of an entry as `/v1/log` shows it to an auditor (anything with the hashed fields)."""
    return leaf_hash(canonical_bytes(**{name: getattr(entry, name) for name in HASHED}))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
