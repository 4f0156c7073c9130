"""PostgreSQL: the words under a GIN index of their `simple` tsvector (no stemming, no stop words).

A GIN index hands matches over in no order. The words are filed under keys that
sort as the timeline does (projections.index.text_key), so a range of days is a
range of keys: a search reads matches a slice of days at a time (see
projections.selection), each slice the GIN index's matches ANDed with a range of
the keys' own index, and stops at the page's end.
"""

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
MATCHING = "to_tsvector('simple', words) @@ to_tsquery('simple', ?)"
MATCHING_IDS = f"SELECT id & 4294967295 FROM {{s}}event_words WHERE {MATCHING}"
IN_WORLD_ORDER = None  # see IN_KEY_RANGE
# The matches whose keys fall in [?, ?), the rows they are words of as `s`.
IN_KEY_RANGE = ("SELECT s.id, s.occurred_start, s.event_id FROM {s}event_words w "
                f"JOIN {{s}}event_states s ON s.id = w.id & 4294967295 WHERE {MATCHING} AND w.id >= ? AND w.id < ?")
FIRST_KEY_FROM = "SELECT id FROM {s}event_words WHERE id >= ? ORDER BY id LIMIT 1"


def write(tx, keyed_words: list[tuple[int, str]], unindexed: bool = False) -> None:
    """`unindexed`: rows of events not yet indexed, whose words are copied in."""
    if unindexed:
        tx.copy(TABLE, keyed_words)
    else:
        tx.many(INSERT, keyed_words)


def bulk(tx) -> nullcontext:
    """Nothing to hold: the GIN index is made after a rebuild's rows (projections.index)."""
    return nullcontext()


def query(prefixes: list[str], tx=None) -> str:
    """Words are letters and digits only, so no tsquery operator can hide in one."""
    return " & ".join(f"{word}:*" for word in prefixes)


# Every bucket's range in one statement: the ranges (bucket, lowest start, highest start) come as three
# arrays, and each is read in world order to the page's end, so the plan is the same whatever they hold
# and one round trip reads them all. (A UNION of one statement per range is planned afresh each time.)
EACH_RANGE = ("SELECT f.event_id, f.occurred_start, v.view FROM (SELECT f.id, f.occurred_start, f.event_id FROM "
              "unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS r (bucket, low, high) "
              "CROSS JOIN LATERAL ({one_range}) f ORDER BY f.occurred_start, f.event_id LIMIT ?) f "
              "JOIN {s}event_views v ON v.id = f.id ORDER BY f.occurred_start, f.event_id")
BY_BUCKET = BY_EVENT = ""  # PostgreSQL's planner chooses from its statistics (ANALYZE after a rebuild)
