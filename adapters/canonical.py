"""An entry's canonical bytes and leaf hash (SPEC §7).

The bytes are the RFC 8785 (JCS) JSON of the entry as `/v1/log` shows it to an
auditor; the hash is its RFC 9162 leaf hash, in padded base64.
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec
import rfc8785

from adapters.merkle import leaf_hash


def log_data(raw: dict[str, Any]) -> dict[str, Any]:
    """The stored payload without its union tag, which travels as `type`."""
    return {key: value for key, value in raw.items() if key != "type"}


def canonical_bytes(*, position: int, event_id: str, version: int, type: str, known_at: str,
                    recorded_at: str, recorded_by: str, data: dict[str, Any]) -> bytes:
    return jcs({
        "position": position, "event_id": event_id, "version": version, "type": type,
        "known_at": known_at, "recorded_at": recorded_at, "recorded_by": recorded_by, "data": data,
    })


def jcs(value: Any) -> bytes:
    """RFC 8785 bytes. The rfc8785 package writes them in pure Python, a value at a time; where msgspec
    writes the same bytes (ASCII keys, integers within 2^53, and floats that both write in plain
    decimals; tests/unit/test_canonical.py holds them to it), msgspec does, several times faster."""
    if _same_in_json(value):
        try:
            return _sorted_json(value)
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what to do with it
            pass
    return rfc8785.dumps(value)


_sorted_json = msgspec.json.Encoder(order="sorted").encode
_SAFE_INT = 2**53  # JCS numbers are IEEE doubles: beyond this, rfc8785 refuses
_STR = {str}


def _same_in_json(value: Any) -> bool:
    """Whether msgspec writes `value` as RFC 8785 does. A loop over a stack, not a recursion: every
    appended entry passes through here, and its strings, the most of it, need no more than a look."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is dict:
            if not ({*map(type, item)} <= _STR and "".join(item).isascii()):
                return False
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif kind is int:
            if not -_SAFE_INT < item < _SAFE_INT:
                return False
        elif kind is float:  # Python and ECMAScript both write the shortest digits; in this range both in plain form
            if not (1e-4 <= abs(item) < 1e16 and not item.is_integer()):
                return False
        else:
            return False
    return True


HASHED = ("position", "event_id", "version", "type", "known_at", "recorded_at", "recorded_by", "data")


def entry_hash(**entry: Any) -> str:
    return b64(leaf_hash(canonical_bytes(**entry)))


def leaf_of(entry: Any) -> bytes:
    """The leaf hash of an entry as `/v1/log` shows it to an auditor (anything with the hashed fields)."""
    return leaf_hash(canonical_bytes(**{name: getattr(entry, name) for name in HASHED}))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
