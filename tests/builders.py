"""Small builders for commands, so each test says only what matters to it."""

from __future__ import annotations

from domain import clock
from domain.commands import (
    AddSource,
    CorrectEvent,
    MakeClaim,
    Op,
    ReinstateEvent,
    ReportEvent,
    RetractEvent,
    TakePosition,
    TakeStance,
)
from domain.entries import Actor, Source
from domain.view import fold
from projections.queries import PointInTime


def source(published_at: str | None = "2025-03-11", url: str = "https://example.org/a", **extra) -> Source:
    return Source(publisher="Example News", title="A report", url=url, published_at=published_at, **extra)


def report(title: str = "Talks in Jeddah", kind: str = "talks", occurred: str = "2025-03-11",
           published_at: str | None = "2025-03-11", **fields) -> Op:
    return Op(command=ReportEvent(kind=kind, title=title, occurred=occurred, source=source(published_at), **fields))


def add_source(event_id: str, published_at: str, **fields) -> Op:
    return Op(event_id=event_id, command=AddSource(source=source(published_at, url="https://example.org/b"), **fields))


def correct(event_id: str, changes: dict, published_at: str = "2025-03-12", **fields) -> Op:
    return Op(event_id=event_id, command=CorrectEvent(changes=changes, reason="a later report", source=source(published_at), **fields))


def retract(event_id: str, published_at: str = "2025-03-12", **fields) -> Op:
    return Op(event_id=event_id, command=RetractEvent(reason="false", source=source(published_at), **fields))


def reinstate(event_id: str, published_at: str = "2025-03-13", **fields) -> Op:
    return Op(event_id=event_id, command=ReinstateEvent(reason="the retraction was wrong", source=source(published_at), **fields))


def claim(event_id: str, claimant: str = "Russian MoD", published_at: str = "2025-03-13", **fields) -> Op:
    return Op(event_id=event_id, command=MakeClaim(claimant=claimant, statement="troops are encircled",
                                                   source=source(published_at), **fields))


def stance(claim_id: str, by: str, stance: str, published_at: str = "2025-03-14") -> Op:
    return Op(claim_id=claim_id, command=TakeStance(by=by, stance=stance, source=source(published_at)))


def position(event_id: str, party: str, position: str, published_at: str = "2025-03-11", **fields) -> Op:
    return Op(event_id=event_id, command=TakePosition(party=party, position=position, source=source(published_at), **fields))


def parties(*names: str) -> list[Actor]:
    return [Actor(name=name, role="party") for name in names]


def at(known_at: str, recorded_at: int | None = None) -> PointInTime:
    return PointInTime(clock.parse_instant(known_at, "known_at"), recorded_at or clock.now_micros())


def folded(store, event_id: str, when: PointInTime):
    """The from-scratch answer: the fold of the event's entries seen at (K, R)."""
    with store.read() as tx:
        return fold(event_id, store.stream(tx, event_id, when.recorded_at), when.known_at)
