"""PostgreSQL: the words under a GIN index of their `simple` tsvector (no stemming, no stop words)."""

from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS {s}event_words (id BIGINT PRIMARY KEY, words TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS event_words_text ON {s}event_words USING GIN (to_tsvector('simple', words))
"""
DROP = ["DROP TABLE IF EXISTS {s}event_words"]
INSERT = "INSERT INTO {s}event_words (id, words) VALUES (?, ?)"
MATCHING_IDS = "SELECT id FROM {s}event_words WHERE to_tsvector('simple', words) @@ to_tsquery('simple', ?)"
IN_WORLD_ORDER = None  # a GIN index knows no order: text is one more filter on the row


def write(tx, keyed_words: list[tuple[int, str]]) -> None:
    tx.many(INSERT, keyed_words)


def text_key(row_id: int, start_day: int) -> int:
    return row_id


def query(prefixes: list[str], tx=None) -> str:
    """Words are letters and digits only, so no tsquery operator can hide in one."""
    return " & ".join(f"{word}:*" for word in prefixes)


BY_BUCKET = BY_EVENT = ""  # PostgreSQL's planner chooses from its statistics (ANALYZE after a rebuild)
