"""Every entry the log stores, as msgspec Structs in one tagged union.

Tags are permanent: stored entries outlive class names. A changed entry gets
new fields with defaults, or a new version with an upcaster (see `codec`).
Request bodies share these field sets: the API's commands subclass the
`…Fields` bases and add only what the server consumes (`id`, `known_at`,
`expected_version`), so an entry is always exactly what the writer said.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from msgspec import Meta, Struct

from domain import vocabulary

# Descriptions say a format in words; `extra` carries the rules for what is written (domain.validation),
# which stored entries, decoded by msgspec alone, never meet (SPEC §8).
FREE_TEXT = {"free_text": True}  # trimmed before it is checked or stored
Text = Annotated[str, Meta(min_length=1, max_length=2000, extra=FREE_TEXT)]
LongText = Annotated[str, Meta(max_length=20_000, extra=FREE_TEXT)]
Url = Annotated[str, Meta(pattern=r"^(https?://|urn:)\S+$", max_length=2000,  # urn: names a dataset row (SPEC §10)
                          description="an http or https URL, or a urn:, without spaces")]
Slug = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", description=(
    "a slug of up to 100 letters, digits, '.', '_' or '-', beginning with a letter or digit"))]
Uuid = Annotated[str, Meta(pattern=r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
                           description="a UUID")]
Instant = Annotated[str, Meta(description="an RFC 3339 time with an offset (2015-02-12T09:00:00Z) or a date (2015-02-12)",
                              extra={"check": "instant"})]
EdtfDate = Annotated[str, Meta(max_length=64, extra={"check": "edtf"}, description=(
    "an EDTF date: 2015, 2024-08, 2015-02-12, 2015-02-11/2015-02-12, 2024-08-06/.., with ~ or ? for doubt"))]

EventKind = Literal[
    "talks", "meeting", "call", "agreement", "ceasefire", "offensive", "battle",
    "withdrawal", "violation", "statement", "endorsement", "sanction", "other",
]
ActorRole = Literal[
    "party", "mediator", "proposer", "signatory", "attacker", "defender",
    "caller", "callee", "observer", "speaker",
]
Stance = Literal["supports", "disputes", "confirms", "refutes", "retracts"]
PositionName = Literal["proposes", "accepts", "accepts_with_conditions", "rejects", "signs", "withdraws"]
POSITION_KINDS = frozenset({"agreement", "ceasefire", "talks", "meeting", "call"})


class Model(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=False):
    pass


class Source(Model, kw_only=True):
    publisher: Text
    title: Text
    url: Url
    published_at: Instant | None = None
    quote: LongText | None = None
    archive_url: Url | None = None
    reliability: Literal["A", "B", "C", "D", "E", "F"] | None = None


class Place(Model, kw_only=True):
    name: Text
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$", extra={"check": "country"},
                                 description="a two-letter ISO 3166-1 country code such as UA")]
    subdivision: Annotated[str, Meta(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$",
                                     description="an ISO 3166-2 subdivision code such as RU-KRS")] | None = None
    lat: Annotated[float, Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, Meta(ge=-180, le=180)] | None = None


class Actor(Model, kw_only=True):
    name: Text
    role: ActorRole
    wikidata: Annotated[str, Meta(pattern=r"^Q[0-9]+$", description="a Wikidata item id such as Q212")] | None = None


def _code(values: tuple[str, ...]):
    return Annotated[str, Meta(min_length=1, max_length=2000, extra={"one_of": values},
                               description=f"one of, spelt as published: {', '.join(values)}")]


Count = Annotated[int, Meta(ge=0, le=1_000_000_000)]  # bounded: the canonical JSON holds integers below 2^53


class Fatalities(Model, kw_only=True):
    """How many died, as reported; low <= best <= high is checked by rules.check_fatalities."""

    low: Count | None = None
    best: Count | None = None
    high: Count | None = None


class Codes(Model, kw_only=True):
    acled_event_type: _code(vocabulary.ACLED_EVENT_TYPES) | None = None
    acled_sub_event_type: _code(vocabulary.ACLED_SUB_EVENT_TYPES) | None = None
    plover: _code(vocabulary.PLOVER) | None = None
    pax_stage: _code(vocabulary.PAX_STAGES) | None = None


# --- field sets shared by requests and entries -------------------------------------------

class ReportFields(Model, kw_only=True):
    kind: EventKind
    title: Annotated[str, Meta(min_length=1, max_length=300, extra=FREE_TEXT)]
    summary: LongText | None = ""  # optional fields take null as "none given"
    occurred: EdtfDate
    places: Annotated[list[Place], Meta(max_length=100)] | None = []
    actors: Annotated[list[Actor], Meta(max_length=100)] | None = []
    track: Slug | None = None
    tags: Annotated[list[Annotated[str, Meta(min_length=1, max_length=100, extra=FREE_TEXT)]], Meta(max_length=50)] | None = []
    codes: Codes | None = None
    fatalities: Fatalities | None = None
    source: Source


CORRECTABLE_FIELDS = ("kind", "title", "summary", "occurred", "places", "actors", "track", "tags", "codes", "fatalities")
CORRECTABLE_CLAIM_FIELDS = ("claimant", "statement")


class SourceFields(Model, kw_only=True):
    source: Source


class CorrectionFields(Model, kw_only=True):
    changes: dict[str, Any]
    reason: Text
    claim_id: Uuid | None = None
    source: Source


class RetractionFields(Model, kw_only=True):
    reason: Text
    duplicate_of: Uuid | None = None
    source: Source


class ReinstatementFields(Model, kw_only=True):
    reason: Text
    source: Source


class ClaimFields(Model, kw_only=True):
    claim_id: Uuid | None = None
    claimant: Text
    statement: LongText
    source: Source


class StanceFields(Model, kw_only=True):
    by: Text
    stance: Stance
    statement: LongText | None = None
    source: Source


class PositionFields(Model, kw_only=True):
    party: Text
    position: PositionName
    conditions: LongText | None = None
    statement: LongText | None = None
    source: Source


# --- the stored entries ------------------------------------------------------------------

class EventReported(ReportFields, tag="EventReported", tag_field="type", kw_only=True):
    pass


class SourceAdded(SourceFields, tag="SourceAdded", tag_field="type", kw_only=True):
    pass


class EventCorrected(CorrectionFields, tag="EventCorrected", tag_field="type", kw_only=True):
    pass


class EventRetracted(RetractionFields, tag="EventRetracted", tag_field="type", kw_only=True):
    pass


class EventReinstated(ReinstatementFields, tag="EventReinstated", tag_field="type", kw_only=True):
    pass


class ClaimMade(ClaimFields, tag="ClaimMade", tag_field="type", kw_only=True):
    claim_id: Uuid  # always set once stored


class ClaimStanceTaken(StanceFields, tag="ClaimStanceTaken", tag_field="type", kw_only=True):
    claim_id: Uuid


class PositionTaken(PositionFields, tag="PositionTaken", tag_field="type", kw_only=True):
    pass


Entry = (
    EventReported | SourceAdded | EventCorrected | EventRetracted | EventReinstated
    | ClaimMade | ClaimStanceTaken | PositionTaken
)
ENTRY_TYPES: dict[str, type] = {cls.__struct_config__.tag: cls for cls in Entry.__args__}


def entry_from(cls: type, fields: Model, **extra: Any) -> Any:
    """Build the stored entry `cls` from a request sharing its field set."""
    values = {name: getattr(fields, name) for name in cls.__struct_fields__ if hasattr(fields, name)}
    values.update(extra)
    return cls(**values)
