"""Writes appended together (the API's concurrent requests go through `Timeline.execute_many`), on
every backend: each is answered as if made alone, and the index they write is the one a rebuild writes."""

from __future__ import annotations

from domain.application import Write
from domain.errors import Conflict, NotFound
from projections.rebuild import rebuild
from tests.builders import add_source, claim, correct, parties, position, report, retract
from tests.integration.test_audit import index_rows


def together(timeline, *ops) -> list:
    """One write per op, all appended together: each one's receipts, or its error."""
    return timeline.execute_many([Write(ops=[op], recorded_by="alice") for op in ops])


def test_writes_on_one_event_made_together_each_take_their_own_version_in_arrival_order(timeline, store):
    event = timeline.execute([report()], "alice")[0].id
    outcomes = together(timeline, add_source(event, "2025-03-12"), claim(event), correct(event, {"title": "Retitled"}))
    assert [(receipt.version, receipt.position) for [receipt] in outcomes] == [(2, 2), (3, 3), (4, 4)]
    with store.read() as tx:
        assert [entry.position for entry in store.stream(tx, event)] == [1, 2, 3, 4]


def test_a_refused_write_fails_alone_and_leaves_no_gap(timeline, store):
    event = timeline.execute([report()], "alice")[0].id
    outcomes = together(timeline, report(title="First"), correct(event, {"title": "x"}, expected_version=7),
                        add_source("8e0f4b1e-1b8c-4c4e-9d55-0a4b8b2d9c11", "2025-03-12"),
                        report(title="Second"))
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[2], NotFound)
    assert [outcomes[0][0].position, outcomes[3][0].position] == [2, 3]
    assert store.size() == 3


def test_writes_made_together_index_row_for_row_what_a_rebuild_writes(timeline, store):
    opened = [receipt.id for receipt in timeline.execute(
        [report(title=f"Event {n}", occurred=f"2025-0{n + 1}", actors=parties("Ukraine", "Russia")) for n in range(3)],
        "alice", batch=True)]
    outcomes = together(timeline, add_source(opened[0], "2025-03-01"), correct(opened[1], {"title": "Retitled"}),
                        report(title="Late news", published_at="2025-01-02"), retract(opened[2]),
                        claim(opened[0]), position(opened[1], "Ukraine", "accepts", published_at="2025-02-20"),
                        correct(opened[0], {"occurred": "2025-05"}, published_at="2025-03-20"))
    assert sorted(receipt.position for [receipt] in outcomes) == list(range(4, 11))
    written_together = index_rows(store)
    rebuild(store)
    assert index_rows(store) == written_together
