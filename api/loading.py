"""Load write requests (the fixtures, or any JSON Lines of batch entries) through the API's validation.

Every line is checked before anything is written, and the whole load is one
atomic append, so a bad line stores nothing; errors name the file and the
line (1-based, as an editor counts them).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from api.batches import batch_ops
from api.schemas import BatchEntry, BatchRequest
from domain import validation
from domain.application import Timeline
from domain.commands import MakeClaim, Op, ReportEvent, TakeStance
from domain.errors import Conflict, DomainError, InvalidInput

FIXTURES_LOADER = "fixtures"  # recorded_by of the built-in fixtures, and of nothing else
DEFAULT_LOADER = "load"
_ENTRY = re.compile(r"entries\[(\d+)\](?:\.body\.|: |\.)?")  # how a batch error names its entry


@dataclass(frozen=True)
class Line:
    """One write request and where it was read."""

    where: str  # "path line N"
    op: Op


@dataclass(frozen=True)
class Loaded:
    written: int
    skipped: int  # entries about events already stored (--skip-existing)


def read_lines(path: Path, progress: Callable[[int, int], None] | None = None) -> list[Line]:
    """Every non-blank line of a file, or of a directory's *.jsonl in name order, checked as a batch entry."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    raw = [(f"{file} line {number}", text) for file in files
           for number, text in enumerate(file.read_bytes().splitlines(), start=1) if text.strip()]
    lines = []
    for done, (where, text) in enumerate(raw, start=1):
        try:
            decoded = msgspec.json.decode(text)
        except msgspec.DecodeError as error:
            raise InvalidInput(f"{where}: not JSON ({error})") from None
        if not isinstance(decoded, dict):
            raise InvalidInput(f"{where}: not a JSON object")
        try:
            entry = validation.decoded(decoded, BatchEntry, "entries[0]")
            [op] = batch_ops(BatchRequest(entries=[entry]))
        except DomainError as error:
            raise _at_lines(error, [where]) from None
        lines.append(Line(where, op))
        if progress:
            progress(done, len(raw))
    return lines


def load(timeline: Timeline, path: Path, recorded_by: str = DEFAULT_LOADER, *, skip_existing: bool = False,
         progress: Callable[[int, int], None] | None = None) -> Loaded:
    """Append every request in order, all or nothing."""
    lines = read_lines(path, progress)
    kept = _not_stored(timeline, lines) if skip_existing else lines
    if not kept:
        return Loaded(written=0, skipped=len(lines))
    try:
        receipts = timeline.execute([line.op for line in kept], recorded_by, batch=True, checked=True)
    except DomainError as error:
        raise _at_lines(error, [line.where for line in kept]) from None
    return Loaded(written=len(receipts), skipped=len(lines) - len(kept))


def load_fixtures_if_empty(timeline: Timeline, fixtures: Path) -> int:
    if timeline.store.size():
        return 0
    try:
        return load(timeline, fixtures, FIXTURES_LOADER).written
    except Conflict:  # another worker loaded them first
        return 0


def _not_stored(timeline: Timeline, lines: list[Line]) -> list[Line]:
    """The lines left once an event whose report is already stored is taken as loaded, with every line
    about it and its claims (a second load of the same file then stores nothing)."""
    store, events, claims = timeline.store, set(), set()
    kept = []
    with store.read() as tx:
        for line in lines:
            command = line.op.command
            event_id = _id(command.id if isinstance(command, ReportEvent) else line.op.event_id)
            claim_id = _id(command.claim_id if isinstance(command, MakeClaim) else line.op.claim_id)
            if isinstance(command, ReportEvent) and event_id and store.stream(tx, event_id):
                events.add(event_id)
            if isinstance(command, MakeClaim) and claim_id and (
                    event_id in events or store.event_of_claim(tx, claim_id)):
                claims.add(claim_id)
            if event_id in events or (isinstance(command, (MakeClaim, TakeStance)) and claim_id in claims):
                continue
            kept.append(line)
    return kept


def _id(text: str | None) -> str | None:
    try:
        return str(uuid.UUID(text)) if text else None
    except ValueError:
        return None  # the planner names it


def _at_lines(error: DomainError, where: list[str]) -> DomainError:
    """The same error, naming each batch entry by its file and line instead of its index."""
    def name(text: str) -> str:
        return _ENTRY.sub(lambda found: f"{where[int(found[1])]}: ", text, count=1)

    error.errors = [{"field": name(e["field"]).removesuffix(": "), "detail": name(e["detail"])} for e in error.errors]
    error.detail = _said_once(e["detail"] for e in error.errors) if error.errors else name(error.detail)
    error.args = (error.detail,)
    return error



def _said_once(details) -> str:
    """Problems joined, each line named once: `a.jsonl line 1: kind: …; title: …; a.jsonl line 4: …`."""
    said, last = [], None
    for detail in details:
        where, _, rest = detail.partition(": ")
        said.append(rest if where == last else detail)
        last = where
    return "; ".join(said)
