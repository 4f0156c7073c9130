"""The bitemporal index: each event's folded state per validity rectangle.

A row holds the event's state for knowledge times [known_from, known_to) and
record times [recorded_from, recorded_to), as in SQL:2011 system-and-application
time tables. An appended entry (record time r, knowledge time k) closes, at r,
the current rows still valid at some K >= k, and inserts the refolded states
from the earliest closed row onwards; rows before k are untouched. A query at
(K, R) is then one indexed lookup, never a replay. Each row's view (the event
as the API shows it, a few kilobytes) lives apart in `event_views`, under the
row's `view_id`: rows stay small, so the filters read many to a page, and a
query reads views only for the rows it answers with. Rows written together that
hold one state share its view, and rows of one event written together with the
same occurred start and words share one entry of the text index (`text_id`): a
rebuild writes an event's rows at once, about ten to an event, so it writes a
view per state and a text per event instead of one of each per row.

Windows in world time are served by buckets (docs/index.md): a row's bucket
is the length class of its occurred interval (at most 4^c - 1 days, or
unbounded) and whether it was known before it began; `index_buckets` keeps
each bucket's largest lead and longest interval, so a window and a knowledge
time bound every bucket's range of occurred starts.

Rows are applied in the append's own transaction and tracked by position, so
each entry is applied exactly once; `rebuild` rebuilds the tables from the log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import pairwise

import msgspec

from adapters.store import Store, Tx, ddl
from domain import clock
from domain.dates import WORLD_END, WORLD_START
from domain.view import EventState, Logged, fold
from projections import dialects
from projections.matching import normalise, occurred_bounds, text_words, words

NAME = "event_states"
# 1: round 1's table; 2: buckets, words, facets and counts of names; 3: a table of words, views apart,
# each bucket's longest interval; 4: PostgreSQL keeps each row's tsvector; 5: rows refer to shared views
# and words (view_id, text_id), the facets' key is an index
SCHEMA_VERSION = 5
SEP = "\x1f"
LENGTH_CLASSES = 8  # class c < 7 holds intervals of at most 4^c - 1 days; class 7 longer or open ones
_EPOCH = datetime(1970, 1, 1)


def nul_safe(text: str) -> str:
    """PostgreSQL takes no NUL in TEXT: the index's text columns, and queries on them, hold it as U+FFFD
    (on both backends, so they answer alike). The stored entries and views keep the text exactly."""
    return text.replace("\x00", "\ufffd")


SCHEMA_DDL = """
CREATE TABLE IF NOT EXISTS {s}projection_schema (name TEXT PRIMARY KEY, version {int} NOT NULL);
CREATE TABLE IF NOT EXISTS {s}projection_position (name TEXT PRIMARY KEY, position {int} NOT NULL)
"""

INDEX_DDL = """
CREATE TABLE IF NOT EXISTS {s}event_states (
    id {int} PRIMARY KEY, event_id TEXT NOT NULL, known_from {int} NOT NULL, known_to {int} NOT NULL,
    recorded_from {int} NOT NULL, recorded_to {int} NOT NULL, visible {int} NOT NULL, retracted {int} NOT NULL,
    kind TEXT NOT NULL, track TEXT, occurred_start TEXT NOT NULL, occurred_end TEXT NOT NULL,
    bucket {int} NOT NULL, agreement_status TEXT, actors TEXT NOT NULL, places TEXT NOT NULL, tags TEXT NOT NULL,
    actor_names TEXT NOT NULL, place_names TEXT NOT NULL, title {blob} NOT NULL, view_id {int} NOT NULL,
    text_id {int} NOT NULL);
CREATE TABLE IF NOT EXISTS {s}event_views (id {int} PRIMARY KEY, view {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS {s}event_facets (
    facet TEXT NOT NULL, bucket {int} NOT NULL, occurred_start TEXT NOT NULL, event_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS {s}index_buckets (
    bucket {int} PRIMARY KEY, max_lead {int} NOT NULL, max_days {int} NOT NULL);
CREATE TABLE IF NOT EXISTS {s}index_counts (
    list TEXT NOT NULL, name TEXT NOT NULL, count {int} NOT NULL, PRIMARY KEY (list, name));
INSERT INTO {s}projection_position SELECT 'event_states', 0
    WHERE NOT EXISTS (SELECT 1 FROM {s}projection_position WHERE name = 'event_states')
"""
# The lookups' indexes, by name. A rebuild drops them and makes them again once its rows are in:
# an index built from all its rows at once costs a fraction of one kept up row by row.
LOOKUP_INDEXES = {
    "event_states_current": "ON {s}event_states (recorded_to, occurred_start, event_id)",
    "event_states_world_when": "ON {s}event_states "
                               "(occurred_start, event_id, recorded_from, recorded_to, known_from, known_to, visible, "
                               "retracted)",
    "event_states_bucket": "ON {s}event_states (bucket, occurred_start, event_id, recorded_to, recorded_from, "
                           "known_from, known_to, visible, retracted, occurred_end, kind)",
    "event_states_event": "ON {s}event_states (event_id, recorded_to, known_from)",
    "event_states_track": "ON {s}event_states (track, occurred_start, event_id) WHERE track IS NOT NULL",
    "event_states_text": "ON {s}event_states (text_id)",  # the rows an entry of the text index holds the words of
    "event_facets_key": "ON {s}event_facets (facet, bucket, occurred_start, event_id)",
}
# The facets' key is a unique index rather than the table's primary key, so that a rebuild drops it too:
# kept up as they came, a large log's facets (in no order across chunks) took a rebuild's longest insert.
# The rebuild cannot write one twice meanwhile: each event's facets are written once, with its rows.
UNIQUE_INDEXES = {"event_facets_key"}
DROP = ["DROP TABLE IF EXISTS {s}event_states", "DROP TABLE IF EXISTS {s}event_views", "DROP TABLE IF EXISTS {s}index_buckets",
        "DROP TABLE IF EXISTS {s}index_counts", "DROP TABLE IF EXISTS {s}event_facets",
        "DELETE FROM {s}projection_position WHERE name IN ('event_states', 'rebuild')"]

_encoder = msgspec.json.Encoder()


def install(store: Store) -> None:
    store.ddl_scripts.append(SCHEMA_DDL)
    store.on_append.append(lambda tx, appended: apply_appended(store, tx, appended))


def prepare(store: Store) -> bool:
    """Create the index tables, first dropping those an earlier version made (SPEC §8).

    Returns whether they were made afresh over a log that is not empty: then they need a rebuild."""
    with store.write() as tx:
        row = tx.one("SELECT version FROM {s}projection_schema WHERE name = ?", (NAME,))
        outdated = row is None or row["version"] != SCHEMA_VERSION
        if outdated:
            with dialects.for_dialect(tx.dialect.name).discarding(tx):
                for statement in [*DROP, *dialects.for_dialect(tx.dialect.name).DROP]:
                    tx.run(statement)
            tx.run("DELETE FROM {s}projection_schema WHERE name = ?", (NAME,))
            tx.run("INSERT INTO {s}projection_schema VALUES (?, ?)", (NAME, SCHEMA_VERSION))
        for script in (INDEX_DDL, dialects.for_dialect(tx.dialect.name).DDL):
            for statement in ddl(tx.dialect, script):
                tx.run(statement)
        if outdated:  # the tables are new
            dialects.for_dialect(tx.dialect.name).store_views_compactly(tx)
        create_lookup_indexes(tx)
        return outdated and store.head(tx)[0] > 0


def clear(tx: Tx) -> None:
    """Empty the index tables, for a rebuild."""
    text_index = dialects.for_dialect(tx.dialect.name)
    tables = ["{s}event_states", "{s}event_views", "{s}index_buckets", "{s}index_counts", "{s}event_facets"]
    if tx.dialect.name == "postgresql":  # at once, where DELETE would mark every row dead for VACUUM to find
        tx.run(f"TRUNCATE {', '.join(tables)}")
    else:  # SQLite empties a table whole when a DELETE names no rows
        for table in tables:
            tx.run(f"DELETE FROM {table}")
    for statement in text_index.DROP:  # an FTS5 table without content cannot be emptied row by row
        tx.run(statement)
    for statement in ddl(tx.dialect, text_index.DDL):
        tx.run(statement)


def drop_lookup_indexes(tx: Tx) -> None:
    for name in _lookup_indexes(tx):
        tx.run(f"DROP INDEX IF EXISTS {{s}}{name}")


def create_lookup_indexes(tx: Tx) -> None:
    with dialects.for_dialect(tx.dialect.name).index_building(tx):
        for name, definition in _lookup_indexes(tx).items():
            tx.run(f"CREATE {'UNIQUE ' if name in UNIQUE_INDEXES else ''}INDEX IF NOT EXISTS {name} {definition}")


def _lookup_indexes(tx: Tx) -> dict[str, str]:
    return {**LOOKUP_INDEXES, **dialects.for_dialect(tx.dialect.name).INDEXES}


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
    listed: tuple[tuple[str, str], ...] = ()  # what a stored row adds to the listings' counts

    def listings(self) -> tuple[tuple[str, str], ...]:
        if self.state is None:
            return self.listed
        view = self.state.view
        columns = (view.track and nul_safe(view.track), _names(view.actors), _place_names(view.places))
        return listed(self.state.visible, self.state.retracted, *columns)


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
        for row in tx.rows(f"SELECT event_id, known_from, known_to, visible, retracted, track, actor_names, "
                           f"place_names FROM {{s}}event_states WHERE event_id IN ({', '.join('?' * len(chunk))}) "
                           f"AND recorded_to = {clock.FOREVER}", chunk):
            stored = listed(row["visible"], row["retracted"], row["track"], row["actor_names"], row["place_names"])
            current[str(row["event_id"])].append(_Rectangle(row["known_from"], row["known_to"], 0, listed=stored))
    closed, opening_rows, counted = [], [], Counter()
    for event_id, position in appended:
        entries = [e for e in streams[event_id] if e.position <= position]
        closing, opening = advance(event_id, current[event_id], entries)
        for rectangle in closing:
            rectangle.recorded_to = entries[-1].recorded_at
            if rectangle.state is None:
                closed.append((rectangle.recorded_to, event_id, rectangle.known_from))
        current[event_id] = [r for r in current[event_id] if r not in closing] + opening
        opening_rows += [(event_id, rectangle) for rectangle in opening]
        counted.update(_latest(opening))
        counted.subtract(_latest(closing))
    tx.many(f"UPDATE {{s}}event_states SET recorded_to = ? WHERE event_id = ? AND known_from = ? "
            f"AND recorded_to = {clock.FOREVER}", closed)
    insert(tx, opening_rows)
    count(tx, counted)


def rows_of_stream(event_id: str, entries: list[Logged]) -> list[_Rectangle]:
    """Every row the appends of a whole stream make, one after another, with the record time each closed."""
    current: list[_Rectangle] = []
    made: list[_Rectangle] = []
    folds: dict = {}
    for count_so_far, entry in enumerate(entries, 1):
        closing, opening = advance(event_id, current, entries[:count_so_far], folds)
        for rectangle in closing:
            rectangle.recorded_to = entry.recorded_at
        current = [r for r in current if r not in closing] + opening
        made += opening
    return made


def write_streams(tx: Tx, streams: dict[str, list[Logged]]) -> None:
    """Index whole streams of events not yet in the index: their rows, words, buckets and counts."""
    rows = [(event_id, rectangle) for event_id, entries in streams.items()
            for rectangle in rows_of_stream(event_id, entries)]
    with dialects.for_dialect(tx.dialect.name).bulk(tx):
        insert(tx, rows, unindexed=True)
    count(tx, Counter(_latest([r for _, r in rows if r.recorded_to == clock.FOREVER])))


def _latest(rectangles: list[_Rectangle]) -> list[tuple[str, str]]:
    """What the rectangle valid at every later knowledge time, if among these, lists."""
    return [item for r in rectangles if r.known_to == clock.FOREVER for item in r.listings()]


def count(tx: Tx, counted: Counter) -> None:
    """Move the listings' counts of the latest state (K and R at or after the newest entry) by `counted`."""
    tx.many("INSERT INTO {s}index_counts VALUES (?, ?, ?) ON CONFLICT (list, name) "
            "DO UPDATE SET count = index_counts.count + excluded.count",
            [(list_name, name, change) for (list_name, name), change in sorted(counted.items()) if change])


def listed(visible: int, retracted: int, track: str | None, actor_names: str,
           place_names: str) -> tuple[tuple[str, str], ...]:
    """(list, name) of each listing a visible, standing event counts in: each name once."""
    if not visible or retracted:
        return ()
    places = place_names.split(SEP) if place_names else []
    return tuple(dict.fromkeys([
        *([("track", track)] if track is not None else []),
        *(("actor", name) for name in (actor_names.split(SEP) if actor_names else [])),
        *(("place", f"{name}{SEP}{country}") for name, country in zip(places[::2], places[1::2], strict=True)),
    ]))


def _names(actors) -> str:
    return nul_safe(SEP.join(a.name for a in actors))


def _place_names(places) -> str:
    return nul_safe(SEP.join(f"{p.name}{SEP}{p.country}" for p in places))


def insert(tx: Tx, rectangles: list[tuple[str, _Rectangle]], unindexed: bool = False) -> None:
    """Write new rows, their words, and any bucket they widen; ids follow the largest so far.

    `unindexed`: the events have no rows yet (a rebuild), so none of theirs can clash and all are copied in."""
    if not rectangles:
        return
    first = tx.one("SELECT COALESCE(MAX(id), 0) AS id FROM {s}event_states")["id"] + 1
    described: dict[int, tuple] = {}  # by the state's identity: rows often share one state
    texts_at: dict[tuple[str, str, str], int] = {}
    rows = [_row(first + offset, event_id, rectangle, described, texts_at)
            for offset, (event_id, rectangle) in enumerate(rectangles)]
    states = [row for row, _, _, _, _ in rows]
    # A view, and an entry of the text index, are written with the first row that holds them.
    views = [(row[0], view) for row, view, _, _, _ in rows if row[-2] == row[0]]
    text_index = dialects.for_dialect(tx.dialect.name)
    # In key order: FTS5 flushes what it holds to a new segment whenever a key is not above the last.
    texts = sorted((text_index.text_key(row[0], start_day(row[10])), text)
                   for row, _, text, _, _ in rows if row[-1] == row[0])
    # Rows of one state share its facets: each place of them in the world's order is expanded once.
    placed = {(row[12], row[10], row[1], facets) for row, _, _, _, facets in rows}
    faceted = sorted({(name, bucket, start, event_id) for bucket, start, event_id, facets in placed for name in facets})
    if unindexed:
        tx.copy("{s}event_states", states)
        tx.copy("{s}event_views", views)
        tx.copy("{s}event_facets", faceted)
    else:
        tx.many(f"INSERT INTO {{s}}event_states VALUES ({', '.join('?' * len(states[0]))})", states)
        tx.many("INSERT INTO {s}event_views VALUES (?, ?)", views)
        tx.insert_all("event_facets", "titt", faceted, "ON CONFLICT DO NOTHING")
    text_index.write(tx, texts, unindexed)
    known = {row["bucket"]: (row["max_lead"], row["max_days"])
             for row in tx.rows("SELECT bucket, max_lead, max_days FROM {s}index_buckets")}
    widest = dict(known)
    for bucket, lead, start, end in {(row[12], lead, row[10], row[11]) for row, _, _, lead, _ in rows}:
        most_lead, most_days = widest.get(bucket, (0, 0))
        widest[bucket] = (max(lead, most_lead), max(length_days(start, end), most_days))
    widened = {bucket: bounds for bucket, bounds in widest.items() if known.get(bucket) != bounds}
    tx.many("DELETE FROM {s}index_buckets WHERE bucket = ?", [(bucket,) for bucket in widened if bucket in known])
    tx.many("INSERT INTO {s}index_buckets VALUES (?, ?, ?)", [(bucket, *bounds) for bucket, bounds in widened.items()])


def advance(event_id: str, current: list[_Rectangle], entries: list[Logged], folds: dict | None = None):
    """Appending entries[-1] (record time r, knowledge time k) closes, at r, the rectangles still
    valid at some K >= k, and opens refolded ones from the earliest closed one on.

    `folds` remembers states by the positions seen: a stream's later appends refold, unchanged, the
    knowledge intervals before their own knowledge time."""
    new = entries[-1]
    closing = [r for r in current if r.known_to > new.known_at]
    refold_from = min([new.known_at, *(r.known_from for r in closing)])
    opening = [_Rectangle(start, end, new.recorded_at, state=_fold(event_id, entries, start, folds))
               for start, end in _intervals(entries, refold_from)]
    return closing, opening


def _fold(event_id: str, entries: list[Logged], known_at: int, folds: dict | None) -> EventState:
    if folds is None:
        return fold(event_id, entries, known_at)
    seen = tuple(e.position for e in entries if e.known_at <= known_at)
    if seen not in folds:
        folds[seen] = fold(event_id, entries, known_at)
    return folds[seen]


def _intervals(entries: list[Logged], since: int) -> list[tuple[int, int]]:
    """The knowledge intervals from `since` on, split at every entry's known_at."""
    breaks = sorted({e.known_at for e in entries if e.known_at >= since})
    return list(zip(breaks, [*breaks[1:], clock.FOREVER], strict=True))


def bucket_of(start: str, end: str, known_from: int) -> tuple[int, int]:
    """(bucket, lead in days): the interval's length class, doubled, plus 1 if known before it began."""
    began, length_class, _ = _span(start, end)
    lead = max(0, began - day_of(known_from).toordinal()) if began else 0
    return length_class * 2 + (lead > 0), lead


@lru_cache(maxsize=65536)  # an event's rows repeat its interval
def _span(start: str, end: str) -> tuple[int | None, int, int]:
    """(the day an occurred interval begins, as an ordinal, or None if unbounded; its length class; how
    many days it lasts, 0 if it has no start or no end)."""
    began = None if start == WORLD_START else date.fromisoformat(start).toordinal()
    if began is None or end == WORLD_END:
        return began, LENGTH_CLASSES - 1, 0
    days = date.fromisoformat(end).toordinal() - began
    return began, next(c for c in range(LENGTH_CLASSES) if c == LENGTH_CLASSES - 1 or days <= 4 ** c - 1), days


def start_day(start: str) -> int:
    """The day an occurred interval starts, as a number that sorts as `occurred_start` does."""
    return 0 if start == WORLD_START else date.fromisoformat(start).toordinal()


def length_days(start: str, end: str) -> int:
    """How many days an occurred interval lasts; 0 if it has no start or no end (its class is unbounded)."""
    return _span(start, end)[2]


def longest_days(bucket: int) -> int | None:
    """The longest occurred interval a bucket holds, in days; None for unbounded."""
    length_class = bucket // 2
    return None if length_class == LENGTH_CLASSES - 1 else 4 ** length_class - 1


@lru_cache(maxsize=65536)  # knowledge times repeat across an event's rows
def day_of(instant: int) -> date:
    """The UTC day an instant falls on."""
    return (_EPOCH + timedelta(microseconds=instant)).date()


def _row(row_id: int, event_id: str, rectangle: _Rectangle, described: dict[int, tuple],
         texts_at: dict[tuple[str, str, str], int]):
    """(the row, its view, its searchable words, its lead in days, its facets).

    The row refers to its view and its words by the id of the first row given them (in `described`,
    `texts_at`), which is its own if none was."""
    state = rectangle.state
    if id(state) not in described:  # the state is kept in the entry, so its id is not reused meanwhile
        described[id(state)] = (state, row_id, *_describe(state))
    _, view_id, start, end, columns, view, text, facets = described[id(state)]
    text_id = texts_at.setdefault((event_id, start, text), row_id)
    bucket, lead = bucket_of(start, end, rectangle.known_from)
    row = (row_id, event_id, rectangle.known_from, rectangle.known_to, rectangle.recorded_from, rectangle.recorded_to,
           *columns[:4], start, end, bucket, *columns[4:], view_id, text_id)
    return row, view, text, lead, facets


def name_keys(named: list[str]) -> list[str]:
    """The facets of a name of these words, or of a run of them asked for: each word, and each two
    words in a row (a given name is shared by many people; a given and a family name, by few)."""
    return [facet("actor", key) for key in (*named, *(f"{a} {b}" for a, b in pairwise(named)))]


def facet(list_name: str, key: str) -> str:
    """A facet of `event_facets`: an actor's name word, a tag or a place's name or country, normalised."""
    return nul_safe(f"{list_name}{SEP}{key}")


def _describe(state: EventState) -> tuple:
    """(occurred start, end, the row's other columns from the state, its view, its searchable words, its
    facets)."""
    view = state.view
    start, end = occurred_bounds(view)
    actors, actor_names, actor_facets = _actor_columns(tuple(view.actors))
    places, place_names, place_facets = _place_columns(tuple(view.places))
    tags, tag_facets = _tag_columns(tuple(view.tags))
    columns = (int(state.visible), int(state.retracted), view.kind, view.track and nul_safe(view.track),
               view.agreement_status, actors, places, tags, actor_names, place_names,
               view.title.encode())  # as bytes: exact on both backends, NUL included (see nul_safe)
    return (start, end, columns, _encoder.encode(view), _text(view.title, view.summary),
            actor_facets | place_facets | tag_facets)


# An event's states mostly repeat its names, places, tags and text: each is described once.
@lru_cache(maxsize=4096)
def _actor_columns(actors: tuple) -> tuple[str, str, frozenset[str]]:
    """(the actors column, their names, their facets)."""
    column = nul_safe(SEP + SEP.join(f" {' '.join(words(a.name))} " for a in actors) + SEP)
    return column, _names(actors), frozenset(key for a in actors for key in name_keys(words(a.name)))


@lru_cache(maxsize=4096)
def _place_columns(places: tuple) -> tuple[str, str, frozenset[str]]:
    """(the places column, their names and countries, their facets)."""
    keys = [normalise(key) for p in places for key in (p.name, p.country)]
    return nul_safe(SEP + SEP.join(keys) + SEP), _place_names(places), frozenset(facet("place", k) for k in keys)


@lru_cache(maxsize=4096)
def _tag_columns(tags: tuple[str, ...]) -> tuple[str, frozenset[str]]:
    """(the tags column, their facets)."""
    keys = [normalise(tag) for tag in tags]
    return nul_safe(SEP + SEP.join(keys) + SEP), frozenset(facet("tag", key) for key in keys)


@lru_cache(maxsize=4096)
def _text(title: str, summary: str) -> str:
    return " ".join(text_words(title, summary))


def refresh_statistics(tx: Tx) -> None:
    """After a bulk write (a rebuild, a dataset snapshot): without fresh statistics PostgreSQL's planner
    takes the open rows for a rare few, and scans them all where it should seek by event."""
    if tx.dialect.name == "postgresql":
        tx.run("ANALYZE {s}event_states")


def applied_position(tx: Tx) -> int:
    row = tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (NAME,))
    return row["position"] if row else 0


def set_applied_position(tx: Tx, position: int) -> None:
    if tx.one("SELECT position FROM {s}projection_position WHERE name = ?", (NAME,)):
        tx.run("UPDATE {s}projection_position SET position = ? WHERE name = ?", (position, NAME))
    else:
        tx.run("INSERT INTO {s}projection_position VALUES (?, ?)", (NAME, position))
