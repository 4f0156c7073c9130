"""The field's vocabularies (SPEC §10): our kinds against PLOVER and ACLED, and EDTF against their
date precisions. One table, read forwards by the exports and backwards by the dataset import;
docs/interop.md shows it to users.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pycountry

from domain import vocabulary
from domain.dates import Occurred

ACLED_EVENT_TYPES, ACLED_SUB_EVENT_TYPES = vocabulary.ACLED_EVENT_TYPES, vocabulary.ACLED_SUB_EVENT_TYPES

# kind -> (PLOVER category, ACLED event type, ACLED sub-event type). PLOVER codes no neutral statement,
# so `statement` and `other` have no category unless an event's codes.plover gives one.
KIND_CODES: dict[str, tuple[str | None, str, str]] = {
    "battle": ("ASSAULT", "Battles", "Armed clash"),
    "offensive": ("ASSAULT", "Battles", "Government regains territory"),
    "violation": ("ASSAULT", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "agreement": ("AGREE", "Strategic developments", "Agreement"),
    "ceasefire": ("AGREE", "Strategic developments", "Agreement"),
    "withdrawal": ("RETREAT", "Strategic developments", "Non-violent transfer of territory"),
    "talks": ("CONSULT", "Strategic developments", "Other"),
    "meeting": ("CONSULT", "Strategic developments", "Other"),
    "call": ("CONSULT", "Strategic developments", "Other"),
    "endorsement": ("SUPPORT", "Strategic developments", "Other"),
    "sanction": ("SANCTION", "Strategic developments", "Other"),
    "statement": (None, "Strategic developments", "Other"),
    "other": (None, "Strategic developments", "Other"),
}

# Read backwards: a row's sub-event type names a kind first, then its event type; else `statement`.
KIND_OF_SUB_EVENT_TYPE = {
    "Armed clash": "battle", "Government regains territory": "offensive",
    "Non-state actor overtakes territory": "offensive", "Agreement": "agreement",
    "Non-violent transfer of territory": "withdrawal",
}
KIND_OF_EVENT_TYPE = {"Battles": "battle", "Explosions/Remote violence": "battle"}
# Which side of a row each actor column stands on, by kind: the first actor column and its associates,
# then the second. Agreements' actors are parties (so their positions make a status); fighting has
# an attacker and a defender; anything else a speaker and whoever it was about.
SIDE_ROLES = {"agreement": ("party", "party"), "ceasefire": ("party", "party"),
              "battle": ("attacker", "defender"), "offensive": ("attacker", "defender"),
              "violation": ("attacker", "defender")}
OTHER_SIDE_ROLES = ("speaker", "observer")


def plover_category(kind: str, codes) -> str | None:
    return (codes and codes.plover) or KIND_CODES[kind][0]


def acled_types(kind: str, codes) -> tuple[str, str]:
    """The ACLED (event type, sub-event type): the event's own codes, else the kind's."""
    _, event_type, sub_event_type = KIND_CODES[kind]
    if codes and codes.acled_event_type:
        return codes.acled_event_type, codes.acled_sub_event_type or ""
    return event_type, sub_event_type


def kind_of(event_type: str, sub_event_type: str) -> str:
    return KIND_OF_SUB_EVENT_TYPE.get(sub_event_type) or KIND_OF_EVENT_TYPE.get(event_type) or "statement"


def side_roles(kind: str) -> tuple[str, str]:
    return SIDE_ROLES.get(kind, OTHER_SIDE_ROLES)


# --- dates -----------------------------------------------------------------------------------

def span_days(occurred: Occurred) -> int | None:
    """Days from start to end, both counted; None for an open or unknown bound."""
    if not occurred.start or not occurred.end:
        return None
    return (date.fromisoformat(occurred.end) - date.fromisoformat(occurred.start)).days + 1


def middle(occurred: Occurred) -> str:
    start = date.fromisoformat(occurred.start)
    return (start + timedelta(days=(span_days(occurred) - 1) // 2)).isoformat()


def acled_date(occurred: Occurred) -> tuple[str, int] | None:
    """(event_date, time_precision): 1 a day, 2 up to a week, 3 up to a month; None when vaguer.

    A week or an interval is coded at its middle, as ACLED codes a week; a month at its first day."""
    days = span_days(occurred)
    if days is None or days > 31:
        return None
    if days == 1:
        return occurred.start, 1
    if occurred.precision == "month":
        return occurred.start, 3
    return middle(occurred), 2 if days <= 7 else 3


def occurred_of_acled(event_date: date, time_precision: int) -> str:
    """ACLED's date and precision as EDTF: the day; the coded day +- 3 days, approximate; the month."""
    if time_precision == 1:
        return event_date.isoformat()
    if time_precision == 2:
        return f"{(event_date - timedelta(days=3)).isoformat()}~/{(event_date + timedelta(days=3)).isoformat()}~"
    return event_date.isoformat()[:7]


def ged_precision(occurred: Occurred) -> int | None:
    """UCDP's date_prec: 1 exact, 2 2-6 days, 3 a week, 4 8-30 days or a month, 5 up to a year."""
    days = span_days(occurred)
    if days is None or days > 366:
        return None
    if days == 1:
        return 1
    if days <= 6:
        return 2
    if days == 7:
        return 3
    return 4 if days <= 31 else 5


def occurred_of_ged(start: date, end: date, date_prec: int) -> str:
    mark = "~" if date_prec > 1 else ""
    if start == end:
        return f"{start.isoformat()}{mark}"
    return f"{start.isoformat()}{mark}/{end.isoformat()}{mark}"


# --- countries -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def country_code(name_or_number: str) -> str | None:
    """ISO 3166-1 alpha-2 from a numeric code (ACLED's iso) or an English name (ACLED's and UCDP's
    country; UCDP adds a former name in brackets: "Russia (Soviet Union)")."""
    text = name_or_number.split(" (")[0].strip()
    if not text:
        return None
    if text.isdigit():
        found = pycountry.countries.get(numeric=f"{int(text):03d}")
        return found.alpha_2 if found else None
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        pass
    try:
        return pycountry.countries.search_fuzzy(text)[0].alpha_2
    except LookupError:
        return None


@functools.lru_cache(maxsize=1024)
def country_name(alpha_2: str) -> str:
    found = pycountry.countries.get(alpha_2=alpha_2)
    return getattr(found, "common_name", None) or (found.name if found else alpha_2)


@functools.lru_cache(maxsize=1024)
def country_number(alpha_2: str) -> str:
    found = pycountry.countries.get(alpha_2=alpha_2)
    return str(int(found.numeric)) if found else ""
