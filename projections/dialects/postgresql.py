"""PostgreSQL: the words under a GIN index of their `simple` tsvector (no stemming, no stop words).

A GIN index hands matches over in no order, and reading every match of a common
word costs tens of milliseconds (a prefix's matches are all gathered first). Each
row's tsvector is kept, so a search with no window first walks the timeline's own
rows in world order, testing each row's tsvector by its text's id (a common word fills a
page within a few hundred rows), and asks the GIN index only for the matches
after them (a word that did not fill the page is rare, and its matches few). See
projections.selection._by_text.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

INDEX_BUILD_MEMORY = "256MB"

DDL = """
CREATE TABLE IF NOT EXISTS {s}event_words (id BIGINT PRIMARY KEY, words TEXT NOT NULL,
    terms TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED)
"""
# Made with the index's lookups (projections.index): a rebuild makes it once its rows are in.
INDEXES = {"event_words_text": "ON {s}event_words USING GIN (terms)"}
DROP = ["DROP TABLE IF EXISTS {s}event_words"]
TABLE = "{s}event_words (id, words)"  # where a row's words go
INSERT = f"INSERT INTO {TABLE} VALUES (?, ?)"
MATCHING_IDS = "SELECT id FROM {s}event_words WHERE terms @@ to_tsquery('simple', ?)"
IN_WORLD_ORDER = None  # see WALKED
# The matches among the first `?` rows (`{rows}`, in world order) and, marked by a null id, the last of
# those rows if there were that many: where the GIN index takes over.
WALKED = ("WITH walked AS MATERIALIZED ({rows} LIMIT ?) "
          "(SELECT w.id, w.occurred_start, w.event_id FROM walked w JOIN {{s}}event_words t ON t.id = w.text_id "
          "WHERE t.terms @@ to_tsquery('simple', ?) ORDER BY w.occurred_start, w.event_id LIMIT ?) "
          "UNION ALL (SELECT NULL, occurred_start, event_id FROM walked ORDER BY occurred_start, event_id OFFSET ?)")


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


@contextmanager
def index_building(tx) -> Iterator[None]:
    """Memory for building indexes from all their rows at once, in this transaction only: GIN's build
    in particular writes its entries out in pieces when they outgrow the server's default 64 MB."""
    tx.run(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    yield


def text_key(text_id: int, start_day: int) -> int:
    return text_id


def query(prefixes: list[str], tx=None) -> str:
    """Words are letters and digits only, so no tsquery operator can hide in one."""
    return " & ".join(f"{word}:*" for word in prefixes)


# Bucket ranges read together, in one statement: they come as three arrays (bucket, lowest start,
# highest start), and each is read in world order to the page's end. One small plan whatever they hold:
# a read is planned every time (psycopg forgets prepared statements at the read's ROLLBACK), and a UNION
# of one subquery per range cost about 20 ms to plan.
EACH_RANGE = ("SELECT f.id, f.occurred_start, f.event_id FROM "
              "unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS r (bucket, low, high) "
              "CROSS JOIN LATERAL ({one_range}) f ORDER BY f.occurred_start, f.event_id LIMIT ?")
BY_BUCKET = BY_EVENT = ""  # PostgreSQL's planner chooses from its statistics (ANALYZE after a rebuild)
