"""PostgreSQL: the words under a GIN index of their `simple` tsvector (no stemming, no stop words)."""

from __future__ import annotations

from contextlib import nullcontext

DDL = """
CREATE TABLE IF NOT EXISTS {s}event_words (id BIGINT PRIMARY KEY, words TEXT NOT NULL)
"""
# Made with the index's lookups (projections.index): a rebuild makes it once its rows are in.
INDEXES = {"event_words_text": "ON {s}event_words USING GIN (to_tsvector('simple', words))"}
DROP = ["DROP TABLE IF EXISTS {s}event_words"]
TABLE = "{s}event_words (id, words)"  # where a row's words go
INSERT = f"INSERT INTO {TABLE} VALUES (?, ?)"
MATCHING_IDS = "SELECT id FROM {s}event_words WHERE to_tsvector('simple', words) @@ to_tsquery('simple', ?)"
IN_WORLD_ORDER = None  # a GIN index knows no order: text is one more filter on the row


# Views are JSON of a few kilobytes, and PostgreSQL compresses those over 2 kB: by default with pglz, which
# made copying them in half again as slow. lz4 (PostgreSQL 14 on, where the server was built with it) makes
# them as small several times faster, and reads them back faster too.
LZ4_BUILT_IN = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"


def store_views_compactly(tx) -> None:
    if tx.one(LZ4_BUILT_IN):
        tx.run("ALTER TABLE {s}event_views ALTER COLUMN view SET COMPRESSION lz4")


def write(tx, keyed_words: list[tuple[int, str]], unindexed: bool = False) -> None:
    """`unindexed`: rows of events not yet indexed, whose words are copied in."""
    if unindexed:
        tx.copy(TABLE, keyed_words)
    else:
        tx.many(INSERT, keyed_words)


def discarding(tx) -> nullcontext:
    """Nothing to do: PostgreSQL drops and truncates a table by unlinking its files."""
    return nullcontext()


def bulk(tx) -> nullcontext:
    """Nothing to hold: the GIN index is made after a rebuild's rows (projections.index)."""
    return nullcontext()


def text_key(text_id: int, start_day: int) -> int:
    return text_id


def query(prefixes: list[str], tx=None) -> str:
    """Words are letters and digits only, so no tsquery operator can hide in one."""
    return " & ".join(f"{word}:*" for word in prefixes)


BY_BUCKET = BY_EVENT = ""  # PostgreSQL's planner chooses from its statistics (ANALYZE after a rebuild)
