"""SQLite: an FTS5 table holding only its index (contentless), keyed by the row's id; index hints."""

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


# Without statistics (and with them, misled by the open record-time literal) SQLite's planner reads a
# bucket's range through the (recorded_to, …) index; these name the index each range is built for.
BY_BUCKET = "INDEXED BY event_states_bucket"
BY_EVENT = "INDEXED BY event_states_event"
