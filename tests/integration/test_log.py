"""The log on every backend: appends, clocks, conflicts, idempotency, batches, reopening."""

from __future__ import annotations

import threading

import pytest

from api.app import open_store
from api.settings import Settings
from domain import clock
from domain.application import Timeline
from domain.errors import Conflict, InvalidInput, NotFound
from tests.builders import add_source, claim, correct, position, reinstate, report, retract, stance


def append(timeline, *ops, key=None, body_hash="h"):
    return timeline.execute(list(ops), "alice", batch=len(ops) > 1,
                            idempotency=("alice", key, body_hash) if key else None)


def test_positions_are_gapless_and_record_times_strictly_increase(timeline):
    first = append(timeline, report())[0]
    append(timeline, add_source(first.id, "2025-03-12"), correct(first.id, {"title": "Jeddah talks"}))
    append(timeline, report("Another"))
    with timeline.store.read() as tx:
        rows = tx.rows("SELECT position, recorded_at, version, event_id FROM {s}ledger ORDER BY position")
    assert [r["position"] for r in rows] == [1, 2, 3, 4]
    times = [r["recorded_at"] for r in rows]
    assert times == sorted(set(times))
    assert [r["version"] for r in rows] == [1, 2, 3, 1]


def test_known_at_defaults_to_the_source_publication_then_to_the_record_time(timeline):
    dated = append(timeline, report(published_at="2015-02-12"))[0]
    undated = append(timeline, report(published_at=None))[0]
    assert dated.known_at == "2015-02-12T00:00:00.000000Z"
    assert undated.known_at == undated.recorded_at


def test_known_at_a_little_ahead_is_clamped_to_the_record_time(timeline):
    ahead = clock.format_instant(clock.now_micros() + 60 * clock.MICROS)
    receipt = append(timeline, report(known_at=ahead))[0]
    assert receipt.known_at == receipt.recorded_at


def test_known_at_far_in_the_future_is_refused_and_nothing_is_stored(timeline):
    ahead = clock.format_instant(clock.now_micros() + 600 * clock.MICROS)
    with pytest.raises(InvalidInput) as refused:
        append(timeline, report(known_at=ahead))
    assert refused.value.errors[0]["field"] == "known_at"
    with timeline.store.read() as tx:
        assert timeline.store.head(tx) == (0, 0)


def test_a_taken_event_id_is_a_conflict(timeline):
    first = append(timeline, report())[0]
    with pytest.raises(Conflict):
        append(timeline, report(id=first.id))


def test_a_stale_expected_version_is_a_conflict_carrying_the_current_version(timeline):
    event = append(timeline, report())[0]
    append(timeline, add_source(event.id, "2025-03-12"))
    with pytest.raises(Conflict) as stale:
        append(timeline, correct(event.id, {"title": "x"}, expected_version=1))
    assert stale.value.current_version == 2
    assert append(timeline, correct(event.id, {"title": "x"}, expected_version=2))[0].version == 3


def test_an_idempotent_retry_returns_the_first_answer_and_stores_nothing(timeline):
    first = append(timeline, report(), key="k1")
    again = append(timeline, report(), key="k1")
    assert again == first
    with timeline.store.read() as tx:
        assert timeline.store.head(tx)[0] == 1


def test_the_same_idempotency_key_with_another_request_is_refused(timeline):
    append(timeline, report(), key="k1", body_hash="one")
    with pytest.raises(InvalidInput):
        append(timeline, report("Other"), key="k1", body_hash="two")


def test_a_batch_is_all_or_nothing(timeline):
    event = append(timeline, report())[0]
    with pytest.raises(NotFound) as failed:
        append(timeline, add_source(event.id, "2025-03-12"), add_source("00000000-0000-0000-0000-000000000000", "2025-03-12"))
    assert "entries[1]" in failed.value.detail
    with timeline.store.read() as tx:
        assert timeline.store.head(tx)[0] == 1


def test_a_batch_can_name_the_event_and_claim_it_creates(timeline):
    event_id, claim_id = "6f1c1a52-5b8e-4b7a-9a39-1a0c7a1d2b01", "7a2d2b63-6c9f-4c8b-8b4a-2b1d8b2e3c02"
    receipts = append(timeline, report(id=event_id, kind="offensive"), claim(event_id, claim_id=claim_id),
                      stance(claim_id, "ISW", "disputes"))
    assert [r.type for r in receipts] == ["EventReported", "ClaimMade", "ClaimStanceTaken"]
    assert receipts[1].claim_id == claim_id


def test_positions_are_only_taken_on_agreements_ceasefires_talks_meetings_and_calls(timeline):
    battle = append(timeline, report(kind="battle"))[0]
    with pytest.raises(InvalidInput) as refused:
        append(timeline, position(battle.id, "Ukraine", "accepts"))
    assert refused.value.errors[0]["field"] == "position"


def test_a_stance_needs_an_existing_claim(timeline):
    with pytest.raises(NotFound):
        append(timeline, stance("00000000-0000-0000-0000-000000000001", "ISW", "disputes"))


def test_only_reported_fields_can_be_corrected(timeline):
    event = append(timeline, report())[0]
    with pytest.raises(InvalidInput) as refused:
        append(timeline, correct(event.id, {"source": {}}))
    assert refused.value.errors[0]["field"] == "changes.source"


def test_a_retracted_event_takes_only_sources_claims_stances_and_a_reinstatement(timeline):
    event = append(timeline, report())[0]
    append(timeline, retract(event.id))
    with pytest.raises(Conflict):
        append(timeline, correct(event.id, {"title": "x"}))
    with pytest.raises(Conflict):
        append(timeline, position(event.id, "Ukraine", "accepts"))
    append(timeline, add_source(event.id, "2025-03-13"))
    made = append(timeline, claim(event.id))[0]
    append(timeline, stance(made.claim_id, "ISW", "disputes"))
    append(timeline, reinstate(event.id))
    with pytest.raises(Conflict):
        append(timeline, reinstate(event.id))


def test_reopening_the_store_gives_back_every_entry_with_its_position_version_and_times(database_url):
    first = open_store(Settings(database_url=database_url))
    receipts = append(Timeline(first), report(), report("Second"))
    first.close()
    reopened = open_store(Settings(database_url=database_url))
    with reopened.read() as tx:
        rows = tx.rows("SELECT position, version, known_at, recorded_at, hash FROM {s}ledger ORDER BY position")
        stream = reopened.stream(tx, receipts[0].id)
    reopened.close()
    assert [(r["position"], r["version"], clock.format_instant(r["known_at"]),
             clock.format_instant(r["recorded_at"]), r["hash"]) for r in rows] == \
        [(r.position, r.version, r.known_at, r.recorded_at, r.hash) for r in receipts]
    assert stream[0].entry.title == "Talks in Jeddah"


def test_concurrent_appends_to_one_event_all_land_with_distinct_versions(timeline):
    event = append(timeline, report())[0]
    errors = []

    def add(n):
        try:
            append(timeline, add_source(event.id, f"2025-03-{12 + n % 5:02d}"))
        except Exception as error:  # collected: the assertion below names it
            errors.append(error)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with timeline.store.read() as tx:
        versions = [r["version"] for r in tx.rows("SELECT version FROM {s}ledger WHERE event_id = ? ORDER BY version", (event.id,))]
    assert versions == list(range(1, 10))


def test_nothing_in_the_log_is_ever_updated(timeline):
    event = append(timeline, report())[0]
    with timeline.store.read() as tx:
        before = tx.one("SELECT hash, known_at FROM {s}ledger WHERE position = 1")
    append(timeline, correct(event.id, {"title": "Changed"}), retract(event.id))
    with timeline.store.read() as tx:
        after = tx.one("SELECT hash, known_at FROM {s}ledger WHERE position = 1")
        stream = timeline.store.stream(tx, event.id)
    assert dict(before) == dict(after)
    assert stream[0].entry.title == "Talks in Jeddah"
