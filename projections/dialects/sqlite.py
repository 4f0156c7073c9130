"""SQLite: an FTS5 table holding only its index (contentless); index hints.

A row's words are filed under a key that sorts as the timeline does: the day its
occurred interval starts, then the row's `text_id` (rows of one event with the
same words and start share one entry). FTS5 hands matches over in key
order, so a text search reads matches in world order and stops at the page's
end, however common the word.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

# The words are normalised before they get here: the tokenizer only splits them at spaces.
DDL = """
CREATE VIRTUAL TABLE IF NOT EXISTS {s}event_words USING fts5(
    words, content='', prefix='1 2 3', tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS {s}event_terms (term TEXT PRIMARY KEY) WITHOUT ROWID
"""
# Every word ever indexed, for spelling out a prefix: FTS5's own vocabulary table counts each word's
# rows as it lists it, so reading it costs as much as the word is common (milliseconds at 100k rows).
DROP = ["DROP TABLE IF EXISTS {s}event_words", "DROP TABLE IF EXISTS {s}event_terms",
        "DROP TABLE IF EXISTS {s}event_word_terms"]  # the vocabulary table of schema version 2
INDEXES: dict[str, str] = {}  # FTS5 keeps its own
TERMS = "SELECT term FROM {s}event_terms WHERE term >= ? AND term < ? LIMIT ?"
SPELLED_OUT = 32  # a longer prefix naming at most this many words is asked as those words
TABLE = "{s}event_words (rowid, words)"  # where a row's words go
INSERT = f"INSERT INTO {TABLE} VALUES (?, ?)"
# FTS5 writes the words it holds to a new segment whenever they pass `hashsize` bytes (1 MB unless set),
# and merges segments as they pile up: while a rebuild writes a chunk, a whole chunk's words gather first.
HOLD_WORDS = "INSERT INTO {s}event_words (event_words, rank) VALUES ('hashsize', ?)"
WORDS_HELD_IN_BULK, WORDS_HELD = 64 << 20, 1 << 20


def store_views_compactly(tx) -> None:
    """SQLite stores a value as it is given."""


def write(tx, keyed_words: list[tuple[int, str]], unindexed: bool = False) -> None:
    """Index each row's words (space-separated, normalised) under its key, and remember new words.

    `unindexed` (rows of events not yet indexed) changes nothing here: SQLite copies by INSERT."""
    tx.many(INSERT, keyed_words)
    terms = sorted({word for _, text in keyed_words for word in text.split(" ") if word})
    tx.many("INSERT INTO {s}event_terms VALUES (?) ON CONFLICT DO NOTHING", [(term,) for term in terms])


MATCHING_IDS = "SELECT rowid & 4294967295 FROM {s}event_words WHERE event_words MATCH ?"
# Matches in world order: the rows they are words of, `s`, joined by text id. (A range on the key, which
# one day's matches need, makes FTS5 give up reading in key order: the first page asks for none.)
IN_WORLD_ORDER = ("SELECT s.id, s.occurred_start, s.event_id, w.rowid AS text_key FROM {s}event_words w "
                  "JOIN {s}event_states s ON s.text_id = (w.rowid & 4294967295) WHERE w.event_words MATCH ?")
ON_ONE_DAY = f"{IN_WORLD_ORDER} AND w.rowid >= ? AND w.rowid < ?"


def text_key(text_id: int, start_day: int) -> int:
    return start_day << 32 | text_id


def day_of_key(key: int) -> int:
    return key >> 32


def query(prefixes: list[str], tx=None) -> str:
    """Words are letters and digits only, so quoting each is enough.

    FTS5 reads a prefix longer than its prefix indexes (three letters) by merging every matching row
    first; the few words it names, asked as alternatives, are read lazily, in key order, instead."""
    return " AND ".join(_prefix(word, tx) for word in prefixes)


def _prefix(word: str, tx) -> str:
    if tx is None or len(word) <= 3:
        return f'"{word}"*'
    terms = [row["term"] for row in tx.rows(TERMS, (word, word[:-1] + chr(ord(word[-1]) + 1), SPELLED_OUT + 1))]
    if not terms or len(terms) > SPELLED_OUT:
        return f'"{word}"*'
    return "(" + " OR ".join(f'"{term}"' for term in terms) + ")"


# Without statistics (and with them, misled by the open record-time literal) SQLite's planner reads a
# bucket's range through the (recorded_to, …) index; these name the index each range is built for.
BY_BUCKET = "INDEXED BY event_states_bucket"
# A compound SELECT whose arms are each in world order is merged lazily, so the ranges of a name's rows
# are read in one statement (see selection.select).
MERGES_RANGES = True
EACH_RANGE = None  # a statement costs little in process: each range is read alone (see selection.select)
BY_EVENT = "INDEXED BY event_states_event"


# A bulk write touches and sorts far more pages than SQLite's default cache (2 MB) holds: through it,
# making the lookup indexes of a million-entry log wrote over 100 GB and took a quarter of an hour;
# through 64 MB, 3 GB and 25 s. The connection's own setting is back once the bulk write is done.
BULK_CACHE_KIB = 64 * 1024


def discarding(tx) -> AbstractContextManager[None]:
    """Pages freed meanwhile (by dropping or emptying the index's tables) are left as they are, not zeroed.

    Some builds of SQLite zero every freed page (`secure_delete`): emptying a 100k log's index then wrote
    the whole of it out again, through the WAL and back, and took a rebuild's longest statement. The
    index holds nothing the log does not, and the log stays."""
    return _meanwhile(tx, "secure_delete", 0)


@contextmanager
def bulk(tx) -> Iterator[None]:
    """Words written meanwhile are held (up to 64 MB); the settings are back before the transaction ends."""
    tx.run(HOLD_WORDS, (WORDS_HELD_IN_BULK,))
    with index_building(tx):
        yield
    tx.run(HOLD_WORDS, (WORDS_HELD,))


def index_building(tx) -> AbstractContextManager[None]:
    """A page cache big enough for bulk inserts and index builds, for as long as they last."""
    return _meanwhile(tx, "cache_size", -BULK_CACHE_KIB)


@contextmanager
def _meanwhile(tx, pragma: str, value: int) -> Iterator[None]:
    """The connection's `pragma` at `value` meanwhile, and back to what it was after."""
    was = tx.one(f"PRAGMA {pragma}")[0]
    tx.run(f"PRAGMA {pragma} = {value}")
    try:
        yield
    finally:
        tx.run(f"PRAGMA {pragma} = {int(was)}")
