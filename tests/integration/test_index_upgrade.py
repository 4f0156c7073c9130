"""A store written by round 1 opens: its index, of an older schema, is rebuilt at start (SPEC §8)."""

from __future__ import annotations

import msgspec

from api.app import open_store
from api.settings import Settings
from projections.queries import Reader, TimelineFilter
from tests.builders import at, correct, report

ROUND_ONE_INDEX = """
CREATE TABLE {s}event_states (
    event_id TEXT NOT NULL, known_from {int} NOT NULL, known_to {int} NOT NULL,
    recorded_from {int} NOT NULL, recorded_to {int} NOT NULL, visible {int} NOT NULL, retracted {int} NOT NULL,
    kind TEXT NOT NULL, track TEXT, occurred_start TEXT NOT NULL, occurred_end TEXT NOT NULL,
    search TEXT NOT NULL, actors TEXT NOT NULL, places TEXT NOT NULL, view {blob} NOT NULL);
CREATE INDEX event_states_current ON {s}event_states (recorded_to, occurred_start, event_id)
"""


def as_round_one_left_it(store) -> None:
    """Round 1 had no schema version, no words, buckets nor counts: only its own event_states."""
    from adapters.store import ddl

    with store.write() as tx:
        for table in ("event_states", "event_words", "index_buckets", "index_counts", "projection_schema"):
            tx.run(f"DROP TABLE IF EXISTS {{s}}{table}")
        for statement in ddl(tx.dialect, ROUND_ONE_INDEX):
            tx.run(statement)
        tx.run("UPDATE {s}projection_position SET position = 2 WHERE name = 'event_states'")


def test_a_round_one_store_opens_with_its_index_rebuilt_and_says_so_on_the_console(database_url, capfd):
    from domain.application import Timeline

    store = open_store(Settings(database_url=database_url))
    event = Timeline(store).execute([report("Talks in Jeddah")], "alice")[0]
    Timeline(store).execute([correct(event.id, {"title": "Talks in Riyadh"})], "alice")
    as_round_one_left_it(store)
    store.close()

    reopened = open_store(Settings(database_url=database_url))
    try:
        assert "rebuilding the index: 2/2 entries" in capfd.readouterr().err
        page = Reader(reopened).timeline(TimelineFilter(text="riyadh"), at("2025-12-31"), 50, None)
        assert [msgspec.json.decode(bytes(item))["title"] for item in page.items] == ["Talks in Riyadh"]
    finally:
        reopened.close()


def test_a_current_store_opens_without_a_rebuild(database_url, capfd):
    from domain.application import Timeline

    store = open_store(Settings(database_url=database_url))
    Timeline(store).execute([report("Talks in Jeddah")], "alice")
    store.close()
    open_store(Settings(database_url=database_url)).close()
    assert "rebuilding" not in capfd.readouterr().err
