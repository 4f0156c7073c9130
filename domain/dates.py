"""World time: EDTF (ISO 8601-2, level 1) dates, normalised to stated bounds.

`start` and `end` are the stated bounds; `~` and `?` are carried as flags and
never widen them (SPEC §2). `parse` is the rule for what is written (and for a
query's world-time bounds); `normalise` reads what the log already holds, which
an older version may have accepted under looser rules, and never fails.
"""

from __future__ import annotations

import calendar
import functools
import re
import time
from datetime import date

import edtf
import msgspec

from domain.errors import InvalidInput

WORLD_START, WORLD_END = "0000-01-01", "9999-12-31"  # an open end sorts and compares as unbounded
_PRECISION_RANK = {"day": 0, "month": 1, "season": 2, "year": 3, "decade": 4, "century": 5}
_EXAMPLES = "e.g. 2024-08, 2015-02-12~ or 2024-08-06/.."


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


def parse(text: str, field: str = "occurred") -> Occurred:
    """A date as a writer states it; InvalidInput naming `field` when it is not one this service takes."""
    try:
        return _parse(text)
    except InvalidInput as error:
        raise InvalidInput.at(field, error.errors[0]["detail"].removeprefix("occurred: ")) from None


def normalise(text: str) -> Occurred:
    """A stored date, read robustly: what `parse` refuses today still reads, with bounds on the calendar."""
    try:
        return _parse(text)
    except InvalidInput:
        return _as_stored(text)


@functools.lru_cache(maxsize=65536)  # the same dates recur in every fold, whatever field named them
def _parse(text: str) -> Occurred:
    field = "occurred"
    if not isinstance(text, str) or not text or len(text) > 64:
        raise InvalidInput.at(field, f"an EDTF date is required, {_EXAMPLES}")
    if text != text.strip():
        raise InvalidInput.at(field, f"{text!r} begins or ends with whitespace")
    if not text.isascii():
        raise InvalidInput.at(field, f"{text!r} holds characters other than ASCII digits, letters and signs")
    parts = text.split("/")
    if len(parts) > 2:
        raise InvalidInput.at(field, f"{text!r} has {len(parts)} parts; an interval has two, start/end")
    if not [p for p in parts if p not in ("", "..")]:  # "../..": an interval open at both ends states no time
        raise InvalidInput.at(field, f"{text!r} states neither a start nor an end")
    start, end = _plain_bounds(parts) or _library_bounds(text)
    start, end = _open_ends(parts, start, end)
    for bound in (start, end):
        if bound is not None and not re.fullmatch(r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}", bound):
            raise InvalidInput.at(field, f"{text!r} lies outside the years 0001-9999 that world time is ordered in")
        if bound is not None and not _on_calendar(bound):
            raise InvalidInput.at(field, f"{text!r} is not on the calendar: {bound} is no such day")
    if start and end and start > end:
        raise InvalidInput.at(field, f"{text!r} ends before it starts")
    return _occurred(text, parts, start, end)


def _as_stored(text) -> Occurred:
    """What an older version stored: its bounds moved onto the calendar, or null when nothing reads."""
    text = text if isinstance(text, str) else str(text)
    parts = text.strip().split("/")
    try:
        start, end = _plain_bounds(parts, lenient=True) or _library_bounds(text.strip())
        start, end = _open_ends(parts, _onto_calendar(start, up=False), _onto_calendar(end, up=True))
    except (InvalidInput, ValueError, IndexError):
        start = end = None
    if start and end and start > end:
        start = end = None
    stated = [p for p in parts if p not in ("", "..")] or [text]
    return msgspec.structs.replace(_occurred(text, stated, start, end), uncertain=True)


def _occurred(text: str, parts: list[str], start: str | None, end: str | None) -> Occurred:
    stated = [p for p in parts if p not in ("", "..")]
    return Occurred(
        edtf=text,
        start=start,
        end=end,
        precision=max((_precision(p) for p in stated), key=_PRECISION_RANK.__getitem__, default="century"),
        approximate=any(q in p for p in stated for q in "~%"),
        uncertain=any(q in p for p in stated for q in "?%"),
    )


def _open_ends(parts: list[str], start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """An open or unknown end (`2024-08-06/..`, `1985/`) is unbounded, never a guess."""
    if len(parts) == 2:
        start = None if parts[0] in ("", "..") else start
        end = None if parts[1] in ("", "..") else end
    return start, end


def _on_calendar(bound: str) -> bool:
    try:
        date.fromisoformat(bound)
    except ValueError:
        return False
    return True


def _onto_calendar(bound: str | None, up: bool) -> str | None:
    match = bound and re.fullmatch(r"(-?[0-9]+)-([0-9]{2})-([0-9]{2})", bound)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not 1 <= year <= 9999:
        return "9999-12-31" if up and year > 9999 else "0001-01-01" if not up and year < 1 else None
    month = min(max(month, 1), 12)
    return f"{year:04d}-{month:02d}-{min(max(day, 1), calendar.monthrange(year, month)[1]):02d}"


# The common forms (YYYY, YYYY-MM, YYYY-MM-DD, each with ~ ? %, and intervals of them) are read
# here; the edtf library, which takes milliseconds a date, reads the rest (seasons, X digits, sets…).
def _plain_bounds(parts: list[str], lenient: bool = False) -> tuple[str | None, str | None] | None:
    """Leniently (for what is already stored), any Unicode digits, and a day past the month's end is its last."""
    digits = r"\d" if lenient else "[0-9]"
    pattern = re.compile(rf"({digits}{{4}})(?:-({digits}{{2}})(?:-({digits}{{2}}))?)?[~?%]?")
    bounds = []
    for part in parts:
        if part in ("", "..") and len(parts) == 2:
            bounds.append(None)
            continue
        match = pattern.fullmatch(part)
        if not match:
            return None
        year, month, day = (int(g) if g else None for g in match.groups())
        if (month is not None and not 1 <= month <= 12) or year == 0:
            return None
        last = calendar.monthrange(year, month)[1] if month else 31
        if day is not None and not 1 <= day <= last:
            if not lenient:
                return None
            day = min(max(day, 1), last)
        bounds.append((f"{year:04d}-{month or 1:02d}-{day or 1:02d}", f"{year:04d}-{month or 12:02d}-{day or last:02d}"))
    if len(bounds) == 1:
        return bounds[0]
    return (bounds[0][0] if bounds[0] else None), (bounds[-1][1] if bounds[-1] else None)


def _library_bounds(text: str) -> tuple[str | None, str | None]:
    try:
        parsed = edtf.parse_edtf(text)
        return _bound(parsed.lower_strict()), _bound(parsed.upper_strict())
    except Exception:
        raise InvalidInput.at("occurred", f"{text!r} is not an EDTF date ({_EXAMPLES})") from None


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


@functools.lru_cache(maxsize=4096)  # every windowed query asks it once per bucket
def days_before(day: str, days: int) -> str:
    """The calendar day `days` before `day`, never before 0001-01-01; a day an older version put in a
    stored view, off the calendar, counts from the nearest day on it."""
    start = date.fromisoformat(_onto_calendar(day, up=False) or "0001-01-01")
    return date.fromordinal(max(1, start.toordinal() - days)).isoformat()
