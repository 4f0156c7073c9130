"""The bitemporal index: each event's folded state per validity rectangle.

A row holds the event's state for knowledge times [known_from, known_to) and
record times [recorded_from, recorded_to), as in SQL:2011 system-and-application
time tables. An appended entry (record time r, knowledge time k) closes, at r,
the current rows still valid at some K >= k, and inserts the refolded states
from the earliest closed row onwards; rows before k are untouched. A query at
(K, R) is then one indexed lookup, never a replay.

Rows are applied in the append's own transaction and tracked by position, so
each entry is applied exactly once; `rebuild` replays the log into empty tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from adapters.store import Store, Tx
from domain import clock
from domain.dates import WORLD_END, WORLD_START
from domain.view import EventState, Logged, fold

NAME = "event_states"
SEP = "\x1f"


def nul_safe(text: str) -> str:
    """PostgreSQL takes no NUL in TEXT: the index's text columns, and queries on them, hold it as U+FFFD
    (on both backends, so they answer alike). The stored entries and views keep the text exactly."""
    return text.replace("\x00", "\ufffd")


INDEX_DDL = """
CREATE TABLE IF NOT EXISTS {s}event_states (
    event_id TEXT NOT NULL, known_from {int} NOT NULL, known_to {int} NOT NULL,
    recorded_from {int} NOT NULL, recorded_to {int} NOT NULL, visible {int} NOT NULL, retracted {int} NOT NULL,
    kind TEXT NOT NULL, track TEXT, occurred_start TEXT NOT NULL, occurred_end TEXT NOT NULL,
    search TEXT NOT NULL, actors TEXT NOT NULL, places TEXT NOT NULL, view {blob} NOT NULL);
CREATE INDEX IF NOT EXISTS event_states_current ON {s}event_states (recorded_to, occurred_start, event_id);
CREATE INDEX IF NOT EXISTS event_states_world_when ON {s}event_states
    (occurred_start, event_id, recorded_from, recorded_to, known_from, known_to, visible, retracted);
CREATE INDEX IF NOT EXISTS event_states_event ON {s}event_states (event_id, recorded_to, known_from);
CREATE TABLE IF NOT EXISTS {s}projection_position (name TEXT PRIMARY KEY, position {int} NOT NULL);
INSERT INTO {s}projection_position SELECT 'event_states', 0
    WHERE NOT EXISTS (SELECT 1 FROM {s}projection_position WHERE name = 'event_states');
"""

_encoder = msgspec.json.Encoder()


def install(store: Store) -> None:
    store.ddl_scripts.append(INDEX_DDL)
    store.on_append.append(lambda tx, appended: apply_appended(store, tx, appended))


def apply_appended(store: Store, tx: Tx, appended: list[tuple[str, Logged]]) -> None:
    """Index what an append wrote, if the index is caught up (else `rebuild` will).

    One compare-and-set both checks that and moves the applied position on."""
    first, last = appended[0][1].position, appended[-1][1].position
    caught_up = tx.count("UPDATE {s}projection_position SET position = ? WHERE name = ? AND position = ?",
                         (last, NAME, first - 1))
    if caught_up:
        apply(store, tx, [(event_id, entry.position) for event_id, entry in appended], appended)


@dataclass(eq=False)  # rectangles are told apart by identity
class _Rectangle:
    """One validity rectangle of an event's state; `state` is None for rows already stored."""

    known_from: int
    known_to: int
    recorded_from: int
    recorded_to: int = clock.FOREVER
    state: EventState | None = None


def apply(store: Store, tx: Tx, appended: list[tuple[str, int]],
          fresh: list[tuple[str, Logged]] = ()) -> None:
    """Apply entries (event id, position), in position order: read once, write in bulk.

    `fresh` are entries just appended: an event they open needs no reading at all."""
    event_ids = sorted({event_id for event_id, _ in appended})
    opened = {event_id: [] for event_id, entry in fresh if entry.version == 1}
    for event_id, entry in fresh:
        if event_id in opened:
            opened[event_id].append(entry)
    streams = {event_id: opened.get(event_id) or store.stream(tx, event_id) for event_id in event_ids}
    current: dict[str, list[_Rectangle]] = {event_id: [] for event_id in event_ids}
    known = [event_id for event_id in event_ids if event_id not in opened]
    for start in range(0, len(known), 500):
        chunk = known[start:start + 500]
        # The open end is written as a literal: as a parameter, PostgreSQL's generic plan takes it for a
        # selective value and scans the (recorded_to, …) index, where nearly every row is open.
        for row in tx.rows(f"SELECT event_id, known_from, known_to FROM {{s}}event_states WHERE "
                           f"event_id IN ({', '.join('?' * len(chunk))}) AND recorded_to = {clock.FOREVER}", chunk):
            current[str(row["event_id"])].append(_Rectangle(row["known_from"], row["known_to"], 0))
    closed, opening_rows = [], []
    for event_id, position in appended:
        entries = [e for e in streams[event_id] if e.position <= position]
        closing, opening = advance(event_id, current[event_id], entries)
        for rectangle in closing:
            rectangle.recorded_to = entries[-1].recorded_at
            if rectangle.state is None:
                closed.append((rectangle.recorded_to, event_id, rectangle.known_from))
        current[event_id] = [r for r in current[event_id] if r not in closing] + opening
        opening_rows += [(event_id, rectangle) for rectangle in opening]
    tx.many(f"UPDATE {{s}}event_states SET recorded_to = ? WHERE event_id = ? AND known_from = ? "
            f"AND recorded_to = {clock.FOREVER}", closed)
    tx.many("INSERT INTO {s}event_states VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_row(event_id, rectangle) for event_id, rectangle in opening_rows])


def advance(event_id: str, current: list[_Rectangle], entries: list[Logged]):
    """Appending entries[-1] (record time r, knowledge time k) closes, at r, the rectangles still
    valid at some K >= k, and opens refolded ones from the earliest closed one on."""
    new = entries[-1]
    closing = [r for r in current if r.known_to > new.known_at]
    refold_from = min([new.known_at, *(r.known_from for r in closing)])
    opening = [_Rectangle(start, end, new.recorded_at, state=fold(event_id, entries, start))
               for start, end in _intervals(entries, refold_from)]
    return closing, opening


def _intervals(entries: list[Logged], since: int) -> list[tuple[int, int]]:
    """The knowledge intervals from `since` on, split at every entry's known_at."""
    breaks = sorted({e.known_at for e in entries if e.known_at >= since})
    return list(zip(breaks, [*breaks[1:], clock.FOREVER], strict=True))


def _row(event_id: str, rectangle: _Rectangle) -> tuple:
    state, view = rectangle.state, rectangle.state.view
    return (
        event_id, rectangle.known_from, rectangle.known_to, rectangle.recorded_from, rectangle.recorded_to,
        int(state.visible), int(state.retracted),
        view.kind, view.track, view.occurred.start or WORLD_START, view.occurred.end or WORLD_END,
        nul_safe(f"{view.title}\n{view.summary}".casefold()),
        nul_safe(SEP + SEP.join(a.name.casefold() for a in view.actors) + SEP),
        nul_safe(SEP + SEP.join(k for p in view.places for k in (p.name.casefold(), p.country.casefold())) + SEP),
        _encoder.encode(view),
    )


def applied_position(tx: Tx) -> int:
    row = tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (NAME,))
    return row["position"] if row else 0


def set_applied_position(tx: Tx, position: int) -> None:
    if tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (NAME,)):
        tx.run("UPDATE {s}projection_position SET position = ? WHERE name = ?", (position, NAME))
    else:
        tx.run("INSERT INTO {s}projection_position VALUES (?, ?)", (NAME, position))
