"""The fold of SPEC §4: an event's state from the entries seen at (K, R).

Written once and used everywhere: the write side folds the whole stream to
guard commands, the bitemporal index stores its result per validity interval,
and the audit replay folds the log from scratch. They cannot drift.
"""

from __future__ import annotations

from operator import attrgetter

from msgspec import Struct, structs

from domain import clock, rules
from domain.dates import Occurred, normalise
from domain.entries import (
    CORRECTABLE_CLAIM_FIELDS,
    Actor,
    ClaimMade,
    ClaimStanceTaken,
    Codes,
    EventCorrected,
    EventReinstated,
    EventReported,
    EventRetracted,
    Fatalities,
    Place,
    PositionTaken,
    Source,
    SourceAdded,
)


class Logged(Struct, frozen=True, kw_only=True):
    """One entry of a stream with the clocks the store gave it."""

    position: int
    version: int
    known_at: int
    recorded_at: int
    entry: object


_ORDER = attrgetter("known_at", "position")  # a stream's entries in knowledge order, then log order


class SourceView(Source, kw_only=True):
    known_at: str


class StanceView(Struct, kw_only=True):
    by: str
    stance: str
    statement: str | None
    known_at: str
    source: Source


class ClaimView(Struct, kw_only=True):
    claim_id: str
    event_id: str
    claimant: str
    statement: str
    status: str
    known_since: str
    stances: list[StanceView]
    source: Source


class PositionView(Struct, kw_only=True):
    party: str
    position: str
    conditions: str | None
    statement: str | None
    known_at: str


class RetractionView(Struct, kw_only=True):
    reason: str
    duplicate_of: str | None
    known_at: str


class EventView(Struct, kw_only=True):
    id: str
    kind: str
    title: str
    summary: str
    occurred: Occurred
    places: list[Place]
    actors: list[Actor]
    track: str | None
    tags: list[str]
    codes: Codes | None
    status: str
    known_since: str | None
    version: int
    sources: list[SourceView]
    claims: list[ClaimView]
    positions: list[PositionView]
    agreement_status: str | None
    retraction: RetractionView | None = None
    fatalities: Fatalities | None = None


class EventState(Struct, kw_only=True):
    """What the rules guard (the event's kind, version, retraction and claims), and its view."""

    event_id: str
    kind: str
    version: int
    visible: bool
    retracted: bool
    claim_ids: set[str]
    view: EventView


class _Claim(Struct, kw_only=True):
    """A claim as folded so far: its claimant and statement as corrected, and its stances."""

    made: ClaimMade
    known_at: int
    claimant: str
    statement: str
    stances: list[StanceView]


def fold(event_id: str, recorded: list[Logged], known_at: int = clock.FOREVER) -> EventState:
    """The event as seen at knowledge time `known_at`, from its entries recorded by R.

    Visible through an earlier source alone, it still takes its fields from its
    report, which needs only to be recorded.
    """
    report = next(item.entry for item in recorded if isinstance(item.entry, EventReported))
    seen = sorted((item for item in recorded if item.known_at <= known_at), key=_ORDER)
    fields = {name: getattr(report, name) for name in ("kind", "title", "summary", "occurred", "places",
                                                      "actors", "track", "tags", "codes", "fatalities")}
    openers = [item for item in seen if isinstance(item.entry, (EventReported, SourceAdded))]
    claims: dict[str, _Claim] = {}
    latest_positions: dict[str, tuple[PositionTaken, int]] = {}
    marks: list[tuple[bool, Logged]] = []
    for item in seen:
        entry = item.entry
        kind = type(entry)  # stored entries decode to exactly their class: no subclass to test for
        if kind is EventCorrected:
            if entry.claim_id is None:
                fields.update(entry.changes)
            elif entry.claim_id in claims:
                for name in CORRECTABLE_CLAIM_FIELDS:
                    if name in entry.changes:
                        setattr(claims[entry.claim_id], name, entry.changes[name])
        elif kind is ClaimMade:
            claims[entry.claim_id] = _Claim(made=entry, known_at=item.known_at, stances=[],
                                            claimant=entry.claimant, statement=entry.statement)
        elif kind is ClaimStanceTaken:
            if entry.claim_id in claims:
                claims[entry.claim_id].stances.append(StanceView(
                    by=entry.by, stance=entry.stance, statement=entry.statement,
                    known_at=clock.format_instant(item.known_at), source=entry.source))
        elif kind is PositionTaken:
            latest_positions.pop(rules.party_key(entry.party), None)  # keep order of latest answers
            latest_positions[rules.party_key(entry.party)] = (entry, item.known_at)
        elif kind is EventRetracted or kind is EventReinstated:
            marks.append((kind is EventRetracted, item))
    retracted = rules.is_retracted(mark for mark, _ in marks)
    version = max((item.version for item in seen), default=0)
    actors = _actors(fields["actors"])
    parties = [a.name for a in actors if a.role in ("party", "signatory")]
    view = EventView(
        id=event_id,
        kind=fields["kind"],
        title=fields["title"],
        summary=fields["summary"] or "",
        occurred=normalise(fields["occurred"]),
        places=_places(fields["places"]),
        actors=actors,
        track=fields["track"],
        tags=list(fields["tags"] or []),
        codes=_codes(fields["codes"]),
        status="retracted" if retracted else "active",
        known_since=clock.format_instant(openers[0].known_at) if openers else None,  # seen is in knowledge order
        version=version,
        sources=[_source_view(item) for item in openers],
        claims=[_claim_view(event_id, claim_id, c) for claim_id, c in claims.items()],
        positions=[PositionView(party=p.party, position=p.position, conditions=p.conditions,
                                statement=p.statement, known_at=clock.format_instant(k))
                   for p, k in latest_positions.values()],
        agreement_status=rules.agreement_status(
            parties, {key: p.position for key, (p, _) in latest_positions.items()}),
        retraction=_retraction(marks[-1][1]) if retracted else None,
        fatalities=_fatalities(fields["fatalities"]),
    )
    return EventState(event_id=event_id, kind=view.kind, version=version, visible=bool(openers),
                      retracted=retracted, claim_ids=set(claims), view=view)


def _source_view(item: Logged) -> SourceView:
    return SourceView(**structs.asdict(item.entry.source), known_at=clock.format_instant(item.known_at))


def _claim_view(event_id: str, claim_id: str, claim: _Claim) -> ClaimView:
    return ClaimView(
        claim_id=claim_id, event_id=event_id, claimant=claim.claimant, statement=claim.statement,
        status=rules.claim_status(claim.claimant, ((s.by, s.stance) for s in claim.stances)),
        known_since=clock.format_instant(claim.known_at), stances=claim.stances, source=claim.made.source)


def _retraction(item: Logged) -> RetractionView:
    return RetractionView(reason=item.entry.reason, duplicate_of=item.entry.duplicate_of,
                          known_at=clock.format_instant(item.known_at))


# Corrections carry plain JSON (validated on the way in); give them the report's types back.
def _places(values) -> list[Place]:
    return [v if isinstance(v, Place) else Place(**v) for v in values or []]


def _actors(values) -> list[Actor]:
    return [v if isinstance(v, Actor) else Actor(**v) for v in values or []]


def _codes(value) -> Codes | None:
    return value if value is None or isinstance(value, Codes) else Codes(**value)


def _fatalities(value) -> Fatalities | None:
    return value if value is None or isinstance(value, Fatalities) else Fatalities(**value)
