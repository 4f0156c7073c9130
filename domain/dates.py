"""World time: EDTF (ISO 8601-2, level 1) dates, normalised to stated bounds.

`start` and `end` are the stated bounds; `~` and `?` are carried as flags and
never widen them (SPEC §2).
"""

from __future__ import annotations

import calendar
import functools
import re
import time

import edtf
import msgspec

from domain.errors import InvalidInput

WORLD_START, WORLD_END = "0000-01-01", "9999-12-31"  # an open end sorts and compares as unbounded
_PRECISION_RANK = {"day": 0, "month": 1, "season": 2, "year": 3, "decade": 4, "century": 5}


class Occurred(msgspec.Struct, frozen=True, kw_only=True):
    edtf: str
    start: str | None
    end: str | None
    precision: str
    approximate: bool
    uncertain: bool


def meets(occurred: Occurred, start: str | None, end: str | None) -> bool:
    """Whether the event's stated time meets the world window [start, end] (None: unbounded).

    The rule of `from`/`to` (SPEC §5); the index computes it in SQL and a property test compares the two."""
    return ((start is None or (occurred.end or WORLD_END) >= start)
            and (end is None or (occurred.start or WORLD_START) <= end))


def normalise(text: str, field: str = "occurred") -> Occurred:
    try:
        return _normalise(text)
    except InvalidInput as error:
        raise InvalidInput.at(field, error.errors[0]["detail"].removeprefix("occurred: ")) from None


@functools.lru_cache(maxsize=65536)  # the same dates recur in every fold, whatever field named them
def _normalise(text: str, field: str = "occurred") -> Occurred:
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        raise InvalidInput.at(field, "an EDTF date is required, e.g. 2024-08, 2015-02-12 or 2015-02-11/2015-02-12")
    parts = text.split("/") if "/" in text else [text]
    start, end = _plain_bounds(parts) or _library_bounds(text, field)
    if "/" in text and parts[1] in ("", ".."):
        end = None  # open or unknown end: unbounded, never a guess
    if "/" in text and parts[0] in ("", ".."):
        start = None
    if any(bound and not re.fullmatch(r"(?!0000)\d{4}-\d{2}-\d{2}", bound) for bound in (start, end)):
        raise InvalidInput.at(field, f"{text!r} lies outside the years 0001-9999 that this service orders")
    if start and end and start > end:
        raise InvalidInput.at(field, f"{text!r} ends before it starts")
    stated = [p for p in parts if p not in ("", "..")]
    if not stated:  # "../..": an interval open at both ends states no time at all
        raise InvalidInput.at(field, f"{text!r} states neither a start nor an end")
    return Occurred(
        edtf=text,
        start=start,
        end=end,
        precision=max((_precision(p) for p in stated), key=_PRECISION_RANK.__getitem__),
        approximate=any(q in p for p in stated for q in "~%"),
        uncertain=any(q in p for p in stated for q in "?%"),
    )


# The common forms (YYYY, YYYY-MM, YYYY-MM-DD, each with ~ ? %, and intervals of them) are read
# here; the edtf library, which takes milliseconds a date, reads the rest (seasons, X digits, sets…).
_PLAIN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?[~?%]?")


def _plain_bounds(parts: list[str]) -> tuple[str | None, str | None] | None:
    bounds = []
    for part in parts:
        if part in ("", "..") and len(parts) == 2:
            bounds.append(None)
            continue
        match = _PLAIN.fullmatch(part)
        if not match:
            return None
        year, month, day = (int(g) if g else None for g in match.groups())
        if (month is not None and not 1 <= month <= 12) or year == 0:
            return None
        last = calendar.monthrange(year, month)[1] if month else 31
        if day is not None and not 1 <= day <= last:
            return None
        bounds.append((f"{year:04d}-{month or 1:02d}-{day or 1:02d}", f"{year:04d}-{month or 12:02d}-{day or last:02d}"))
    if len(bounds) == 1:
        return bounds[0]
    return (bounds[0][0] if bounds[0] else None), (bounds[1][1] if bounds[1] else None)


def _library_bounds(text: str, field: str) -> tuple[str | None, str | None]:
    try:
        parsed = edtf.parse_edtf(text)
    except Exception:
        raise InvalidInput.at(field, f"{text!r} is not an EDTF date (e.g. 2024-08, 2015-02-12~, 2024-08-06/..)") from None
    return _bound(parsed.lower_strict()), _bound(parsed.upper_strict())


def _bound(value) -> str | None:
    if not isinstance(value, time.struct_time):
        return None  # ±infinity
    return f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"


def _precision(part: str) -> str:
    core = re.sub(r"[~?%]", "", part)
    pieces = core.lstrip("-").split("-")
    if len(pieces) >= 3:
        return "day" if "X" not in pieces[2] else "month"
    if len(pieces) == 2:
        if pieces[1].isdigit() and int(pieces[1]) > 12:
            return "season"
        return "month" if "X" not in pieces[1] else "year"
    year = pieces[0]
    if year.endswith("XX"):
        return "century"
    return "decade" if year.endswith("X") else "year"
