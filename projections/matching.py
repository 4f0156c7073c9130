"""The timeline's filters as rules over one event's view, and the text they compare.

Text is normalised once, here, when a row is indexed and when a query is read:
casefolded, diacritics stripped, dashes and quotes folded, split into words. The
SQL of each backend then compares these words only, so both answer alike; the
property test holds the SQL to `meets`, the one Python statement of each rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from domain import dates
from domain.dates import WORLD_END, WORLD_START
from domain.view import EventView

Ongoing = Literal["include", "exclude", "only"]

_FOLDS = {**dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"),
          **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u00b4`"), "'"),
          **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"), '"')}
_WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)  # an event's rows repeat its texts
def normalise(text: str) -> str:
    """Casefolded, without diacritics, with one dash and one style of each quote."""
    if text.isascii():
        return text.lower().translate(_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).translate(_FOLDS)


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalise(text)))


def words(text: str) -> list[str]:
    return list(_words(text))


@dataclass
class TimelineFilter:
    start: str | None = None  # keep events whose occurred interval meets [start, end]
    end: str | None = None
    kinds: list[str] = field(default_factory=list)
    actor: str | None = None
    track: str | None = None
    place: str | None = None
    tag: str | None = None
    text: str | None = None
    include_retracted: bool = False
    ongoing: Ongoing = "include"


def lead_up(start: str | None, end: str | None, days: int) -> TimelineFilter | None:
    """SPEC §5: the offensives, battles and violations meeting the `days` before an event that occurred
    from `start` to `end` (counted back from its end when its start is unknown; none when both are)."""
    anchor = start or end
    if not anchor:
        return None
    return TimelineFilter(start=dates.days_before(anchor, days), end=anchor, kinds=["offensive", "battle", "violation"])


def occurred_bounds(view: EventView) -> tuple[str, str]:
    return view.occurred.start or WORLD_START, view.occurred.end or WORLD_END


def meets(view: EventView, retracted: bool, where: TimelineFilter) -> bool:
    """Whether a visible event belongs in the timeline `where` asks for."""
    began_before = where.start is not None and occurred_bounds(view)[0] < where.start
    return ((where.include_retracted or not retracted)
            and dates.meets(view.occurred, where.start, where.end)
            and not (where.ongoing == "exclude" and began_before)
            and not (where.ongoing == "only" and not began_before)
            and (not where.kinds or view.kind in where.kinds)
            and (where.track is None or view.track == where.track)
            and (where.actor is None or any(names_phrase(a.name, where.actor) for a in view.actors))
            and (where.place is None or normalise(where.place.strip()) in place_keys(view))
            and (where.tag is None or normalise(where.tag.strip()) in tag_keys(view))
            and (where.text is None or has_prefixes(search_words(view), words(where.text))))


def names_phrase(name: str, asked: str) -> bool:
    """`asked` is the name, or a run of its whole words (`Putin` in "Vladimir Putin")."""
    name_words, asked_words = words(name), words(asked)
    return bool(asked_words) and any(name_words[i:i + len(asked_words)] == asked_words
                                     for i in range(len(name_words)))


def has_prefixes(indexed: list[str], asked: list[str]) -> bool:
    """Every asked word begins some indexed word, in any order."""
    return all(any(word.startswith(prefix) for word in indexed) for prefix in asked)


def search_words(view: EventView) -> list[str]:
    return text_words(view.title, view.summary)


def text_words(title: str, summary: str) -> list[str]:
    return words(f"{title}\n{summary}")


def place_keys(view: EventView) -> set[str]:
    return {normalise(key) for p in view.places for key in (p.name, p.country)}


def tag_keys(view: EventView) -> set[str]:
    return {normalise(tag) for tag in view.tags}
