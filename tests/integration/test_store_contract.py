"""The EventStore contract, held by every store: in memory, a SQLite file, and PostgreSQL.

The unit tests decide commands against the in-memory store; this suite is what
keeps it honest, by asking all three the same questions.
"""

from __future__ import annotations

import uuid

import pytest

from adapters.memory import MemoryStore
from adapters.store import Store
from domain import clock
from domain.entries import ClaimMade, EventReported, SourceAdded
from domain.ports import Append, IdempotentReplay, Pending, StoreConflict
from tests.builders import source
from tests.conftest import drop_schema, fresh_schema_url


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def event_store(request, tmp_path):
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{tmp_path}/contract.sqlite3", None
    else:
        base = request.getfixturevalue("postgres_base_url")
        url, schema = fresh_schema_url(base)
        cleanup = lambda: drop_schema(base, schema)  # noqa: E731
    store = Store(url)
    store.create_tables()
    yield store
    store.close()
    if cleanup:
        cleanup()


EVENT, OTHER = str(uuid.uuid4()), str(uuid.uuid4())


def reported(title: str = "Talks in Jeddah") -> EventReported:
    return EventReported(kind="talks", title=title, occurred="2025-03-11", source=source())


def made(claim_id: str) -> ClaimMade:
    return ClaimMade(claim_id=claim_id, claimant="Kremlin", statement="encircled", source=source())


def pending(event_id: str, version: int, entry, known_at: int | None = None) -> Pending:
    return Pending(event_id=event_id, version=version, entry=entry, known_at=known_at)


def test_positions_follow_on_without_gaps_and_record_times_strictly_increase(event_store):
    first = event_store.append([pending(EVENT, 1, reported()), pending(OTHER, 1, reported("Other"))], "alice")
    second = event_store.append([pending(EVENT, 2, SourceAdded(source=source()))], "alice")
    receipts = first + second
    assert [r.position for r in receipts] == [1, 2, 3]
    assert [r.recorded_at for r in receipts] == sorted(set(r.recorded_at for r in receipts))
    with event_store.read() as tx:
        assert event_store.head(tx) == (3, clock.parse_instant(receipts[-1].recorded_at, "r"))
    assert event_store.size() == 3


def test_a_stream_gives_back_its_entries_with_their_clocks_in_position_order(event_store):
    known = clock.parse_instant("2025-03-11", "k")
    receipts = event_store.append([pending(EVENT, 1, reported(), known), pending(OTHER, 1, reported("Other")),
                                   pending(EVENT, 2, SourceAdded(source=source()))], "alice")
    with event_store.read() as tx:
        stream = event_store.stream(tx, EVENT)
    assert [(e.position, e.version) for e in stream] == [(1, 1), (3, 2)]
    assert stream[0].known_at == known and stream[0].entry == reported()
    assert [clock.format_instant(e.recorded_at) for e in stream] == [receipts[0].recorded_at, receipts[2].recorded_at]


def test_many_streams_read_at_once_are_each_as_read_alone_and_unknown_ones_empty(event_store):
    event_store.append([pending(EVENT, 1, reported()), pending(OTHER, 1, reported("Other")),
                        pending(EVENT, 2, SourceAdded(source=source()))], "alice")
    unknown = str(uuid.uuid4())
    with event_store.read() as tx:
        streams = event_store.streams(tx, [EVENT, OTHER, unknown])
        assert streams == {EVENT: event_store.stream(tx, EVENT), OTHER: event_store.stream(tx, OTHER), unknown: []}


def test_a_stream_read_at_an_earlier_record_time_leaves_out_later_entries(event_store):
    first = event_store.append([pending(EVENT, 1, reported())], "alice")[0]
    event_store.append([pending(EVENT, 2, SourceAdded(source=source()))], "alice")
    with event_store.read() as tx:
        assert len(event_store.stream(tx, EVENT, clock.parse_instant(first.recorded_at, "r"))) == 1


def test_a_taken_version_is_refused_and_the_whole_append_stores_nothing(event_store):
    event_store.append([pending(EVENT, 1, reported())], "alice")
    with pytest.raises(StoreConflict):
        event_store.append([pending(OTHER, 1, reported("Other")), pending(EVENT, 1, reported("Again"))], "alice")
    assert event_store.size() == 1
    with event_store.read() as tx:
        assert event_store.stream(tx, OTHER) == []


def test_a_claim_id_is_made_once(event_store):
    claim_id = str(uuid.uuid4())
    event_store.append([pending(EVENT, 1, reported()), pending(EVENT, 2, made(claim_id))], "alice")
    with pytest.raises(StoreConflict):
        event_store.append([pending(OTHER, 1, reported("Other")), pending(OTHER, 2, made(claim_id))], "alice")
    with event_store.read() as tx:
        assert event_store.event_of_claim(tx, claim_id) == EVENT
        assert event_store.event_of_claim(tx, str(uuid.uuid4())) is None


def test_an_idempotency_key_is_kept_with_the_first_answer_and_a_second_use_stores_nothing(event_store):
    first = event_store.append([pending(EVENT, 1, reported())], "alice", ("alice", "k1", "hash-1"))
    assert event_store.idempotent("alice", "k1") == ("hash-1", first)
    assert event_store.idempotent("bob", "k1") is None
    with pytest.raises(IdempotentReplay) as replay:
        event_store.append([pending(OTHER, 1, reported("Other"))], "alice", ("alice", "k1", "hash-2"))
    assert (replay.value.request_hash, replay.value.receipts) == ("hash-1", first)
    assert event_store.size() == 1


def test_an_empty_store_has_no_head_and_no_streams(event_store):
    with event_store.read() as tx:
        assert event_store.head(tx) == (0, 0)
        assert event_store.stream(tx, EVENT) == []
    assert event_store.size() == 0


def test_appends_made_together_are_each_atomic_and_a_refused_one_leaves_the_others(event_store):
    third = str(uuid.uuid4())
    event_store.append([pending(EVENT, 1, reported())], "alice", ("alice", "k1", "hash-1"))
    outcomes = event_store.append_many([
        Append(pending=[pending(OTHER, 1, reported("Other")), pending(OTHER, 2, SourceAdded(source=source()))],
               recorded_by="bob"),
        Append(pending=[pending(third, 1, reported("Third")), pending(EVENT, 1, reported("Again"))],
               recorded_by="bob"),  # EVENT's version 1 is taken: neither of its entries is stored
        Append(pending=[pending(third, 1, reported("Third"))], recorded_by="carol", idempotency=("carol", "k2", "h")),
        Append(pending=[pending(str(uuid.uuid4()), 1, reported())], recorded_by="alice",
               idempotency=("alice", "k1", "hash-3")),
        Append(pending=[pending(str(uuid.uuid4()), 1, reported())], recorded_by="carol",
               idempotency=("carol", "k2", "h")),  # the key the third append used just before
    ])
    assert [[r.position for r in o] if isinstance(o, list) else type(o) for o in outcomes] == [
        [2, 3], StoreConflict, [4], IdempotentReplay, IdempotentReplay]
    assert outcomes[4].receipts == outcomes[2]
    assert outcomes[3].request_hash == "hash-1"
    assert event_store.size() == 4
    assert event_store.idempotent("carol", "k2") == ("h", outcomes[2])
    with event_store.read() as tx:
        assert [e.position for e in event_store.stream(tx, third)] == [4]
        assert len(event_store.stream(tx, EVENT)) == 1
        times = [event_store.stream(tx, event_id)[-1].recorded_at for event_id in (EVENT, OTHER, third)]
    assert times == sorted(set(times))
