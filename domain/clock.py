"""The knowledge and record clocks: RFC 3339 UTC strings outside, integer microseconds inside.

Integers compare and index exactly on both backends; strings are made only at the edges.
"""

from __future__ import annotations

import functools
import re
import time
from datetime import UTC, datetime

from domain.errors import InvalidInput

MICROS = 1_000_000
SKEW_MICROS = 5 * 60 * MICROS  # known_at may run ahead of our clock by this much
FOREVER = 2**62  # the open end of a validity interval

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$")


def now_micros() -> int:
    return time.time_ns() // 1000


def parse_instant(text: str, field: str) -> int:
    """An RFC 3339 time with an offset, or a bare date meaning 00:00Z of that day."""
    if not isinstance(text, str) or not (_DATE.fullmatch(text) or _DATETIME.fullmatch(text)):
        raise InvalidInput.at(field, f"{text!r} is not an RFC 3339 time with an offset (e.g. 2015-02-12T09:00:00Z) or a date")
    try:
        if _DATE.fullmatch(text):
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(_trim_fraction(text.replace("z", "Z").replace("Z", "+00:00")))
    except ValueError as error:
        raise InvalidInput.at(field, f"{text!r} is not a valid time: {error}") from None
    if not 1 <= moment.year <= 9999:
        raise InvalidInput.at(field, f"{text!r} is out of range")
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds


def _trim_fraction(text: str) -> str:
    # Python parses at most six fraction digits; RFC 3339 allows more.
    return re.sub(r"(\.\d{6})\d+", r"\1", text)


@functools.lru_cache(maxsize=65536)  # the same knowledge times recur in every fold
def format_instant(micros: int) -> str:
    """RFC 3339 UTC with exactly six fraction digits (the form of every stored time)."""
    seconds, fraction = divmod(micros, MICROS)
    t = time.gmtime(seconds)  # formatted by hand: strftime's %Y drops the leading zeros of years before 1000
    return (f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
            f".{fraction:06d}Z")
