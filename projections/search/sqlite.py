"""SQLite: an FTS5 table holding only its index (contentless), keyed by the row's id."""

from __future__ import annotations

# The words are normalised before they get here: the tokenizer only splits them at spaces.
DDL = """
CREATE VIRTUAL TABLE IF NOT EXISTS {s}event_words USING fts5(
    words, content='', tokenize='unicode61 remove_diacritics 0')
"""
DROP = "DROP TABLE IF EXISTS {s}event_words"
INSERT = "INSERT INTO {s}event_words (rowid, words) VALUES (?, ?)"
MATCHING_IDS = "SELECT rowid FROM {s}event_words WHERE event_words MATCH ?"


def query(prefixes: list[str]) -> str:
    """Words are letters and digits only, so quoting each is enough."""
    return " AND ".join(f'"{word}"*' for word in prefixes)
