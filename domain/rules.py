"""The point-in-time rules of SPEC §4 that decide a status, written once.

Pure functions over what has been seen; both the write side (to guard
commands) and every read model (to answer queries) call these.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import msgspec

from domain import clock, validation
from domain.entries import CorrectionFields, ReportFields, Source
from domain.errors import InvalidInput


def claim_status(claimant: str, stances: Iterable[tuple[str, str]]) -> str:
    """`stances` are (by, stance) in (known_at, position) order."""
    stances = list(stances)
    if any(s == "retracts" and _same(by, claimant) for by, s in stances):
        return "retracted"
    verdicts = [s for _, s in stances if s in ("confirms", "refutes")]
    if verdicts:
        return "confirmed" if verdicts[-1] == "confirms" else "refuted"
    if any(s == "disputes" for _, s in stances):
        return "disputed"
    return "asserted"


def agreement_status(parties: list[str], latest: Mapping[str, str]) -> str | None:
    """`latest` maps each party's casefolded name to its latest position.

    Parties are the actors with role party or signatory; with none listed,
    whoever answered with something other than `proposes`.
    """
    if not parties:
        parties = [p for p, position in latest.items() if position != "proposes"]
        if not parties and not latest:
            return None
    answers = [latest.get(_key(p)) for p in parties]
    if "withdraws" in answers:
        return "withdrawn"
    if "rejects" in answers:
        return "rejected"
    if parties and all(a == "signs" for a in answers):
        return "signed"
    if parties and all(a in ("accepts", "signs") for a in answers):
        return "accepted"
    if "accepts_with_conditions" in answers:
        return "conditional"
    return "proposed"


def is_retracted(marks: Iterable[bool]) -> bool:
    """`marks`: True for a retraction, False for a reinstatement, in (known_at, position) order."""
    state = False
    for retracted in marks:
        state = retracted
    return state


def _key(name: str) -> str:
    return name.strip().casefold()


def _same(a: str, b: str) -> bool:
    return _key(a) == _key(b)


party_key = _key


# --- input rules ---------------------------------------------------------------------------

def requested_known_at(known_at: str | None, source: Source, now: int) -> int | None:
    """The writer's knowledge time in microseconds; None means "when recorded".

    Later than now plus the skew is refused; the store clamps the rest to the record time.
    The source's published_at must read as a time even where `known_at` overrides it.
    """
    published = None if source.published_at is None else \
        clock.parse_instant(source.published_at, "source.published_at")
    if known_at is not None:
        moment, field = clock.parse_instant(known_at, "known_at"), "known_at"
    elif published is not None:
        moment, field = published, "source.published_at"
    else:
        return None
    if moment > now + clock.SKEW_MICROS:
        raise InvalidInput.at(field, "is in the future: information cannot be known before it exists")
    return moment


def check_command(command) -> None:
    """A command built in code meets the input rules a decoded one met (domain.validation): a report's
    fields, a correction's changes; the other commands' fields are checked by their types alone."""
    if isinstance(command, ReportFields):
        check_report(command)
    elif isinstance(command, CorrectionFields):
        check_changes(command.changes, claim=command.claim_id is not None)


def check_report(report: ReportFields) -> None:
    """A report built in code meets the rules a decoded one does (domain.validation)."""
    validation.decoded(msgspec.to_builtins(report), type(report))


def check_changes(changes: dict, claim: bool) -> dict:
    """A correction's `changes`, checked field by field as a report's fields are; the trimmed changes."""
    cleaned, problems = validation.checked_changes(changes, claim)
    if problems:
        raise validation.refusal(problems)
    return cleaned
