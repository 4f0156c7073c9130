"""The rules that pick a database for a read and feed the stream, without a database (SPEC §12)."""

from __future__ import annotations

import pytest

from api.routing import MAX_LAG_SECONDS, Replica, lag
from api.settings import Settings
from api.tail import Tail
from projections.log import EntryPage, LogEntry

REPLICA = "postgresql://reader@replica.example:5432/ceasefire"


def replica(**state) -> Replica:
    return Replica(0, REPLICA, **{"ok": True, "lag_seconds": 0.0, "head_recorded_at": 1_000, **state})


def test_a_read_that_accepts_lag_is_served_by_a_healthy_replica_at_any_head():
    assert replica(head_recorded_at=5).serves(pinned_at=None)


def test_a_read_pinned_after_the_replicas_head_is_not_served_by_it():
    assert not replica(head_recorded_at=999).serves(pinned_at=1_000)
    assert replica(head_recorded_at=1_000).serves(pinned_at=1_000)
    assert replica(head_recorded_at=1_001).serves(pinned_at=1_000)


def test_a_replica_more_than_five_seconds_behind_or_out_of_reach_serves_nothing():
    assert replica(lag_seconds=MAX_LAG_SECONDS).serves(None)
    assert not replica(lag_seconds=MAX_LAG_SECONDS + 0.1).serves(None)
    assert not replica(ok=False, lag_seconds=None).serves(None)
    assert not replica(lag_seconds=None).serves(None)  # not yet measured


def test_lag_runs_from_the_oldest_primary_wal_sample_the_replica_has_not_replayed():
    samples = [(10.0, 100), (10.5, 100), (11.0, 180), (11.5, 250)]
    assert lag(samples, replayed_wal=250, now=12.0) == 0.0
    assert lag(samples, replayed_wal=300, now=12.0) == 0.0  # replayed past the last sample
    assert lag(samples, replayed_wal=180, now=12.0) == 0.5
    assert lag(samples, replayed_wal=120, now=12.0) == 1.0
    assert lag(samples, replayed_wal=99, now=12.0) == 2.0
    assert lag([], replayed_wal=0, now=12.0) == 0.0


def test_only_postgresql_urls_name_streaming_replicas():
    with pytest.raises(ValueError, match="PostgreSQL"):
        Replica(0, "sqlite:///replica.sqlite3")


def test_read_database_urls_are_comma_separated_and_blank_ones_ignored():
    settings = Settings(read_database_url=f"{REPLICA}, {REPLICA}?schema=b ,")
    assert settings.read_database_urls == [REPLICA, f"{REPLICA}?schema=b"]
    assert Settings().read_database_urls == []


def entry(position: int) -> LogEntry:
    return LogEntry(position=position, event_id="e", version=position, type="EventReported", known_at="",
                    recorded_at="", hash="", data=None)


async def test_the_tail_hands_a_subscriber_the_entries_after_its_position_from_memory():
    tail = Tail(store=None, log_reader=None)
    tail.recent.extend(entry(p) for p in range(5, 11))
    tail.head = 10
    assert [e.position for e in tail.after(7)] == [8, 9, 10]
    assert [e.position for e in tail.after(4)] == [5, 6, 7, 8, 9, 10]
    assert tail.after(10) == [] and tail.after(12) == []


async def test_a_subscriber_further_back_than_the_tail_holds_is_told_to_read_the_database():
    tail = Tail(store=None, log_reader=None)
    tail.recent.extend(entry(p) for p in range(5, 11))
    tail.head = 10
    assert tail.after(3) is None
    tail.recent.clear()  # after a jump too far to hold
    assert tail.after(9) is None


class GrowingLog:
    """The two questions the tail asks of the store and the log reader, over positions 1..size."""

    def __init__(self, size: int):
        self.size_now, self.pages_read = size, 0

    def size(self) -> int:
        return self.size_now

    def log(self, after: int, limit: int, _recorded_by: bool) -> EntryPage:
        self.pages_read += 1
        return EntryPage(items=[entry(p) for p in range(after + 1, min(after + limit, self.size_now) + 1)])


async def test_a_tail_nobody_follows_notes_the_head_without_reading_the_entries():
    log = GrowingLog(30)
    tail = Tail(store=log, log_reader=log)
    await tail._catch_up()
    assert (tail.head, list(tail.recent), log.pages_read) == (30, [], 0)
    assert tail.after(20) is None  # a subscriber arriving now reads what it missed from the database


async def test_a_followed_tail_holds_the_entries_appended_since_it_was_followed():
    log = GrowingLog(30)
    tail = Tail(store=log, log_reader=log)
    await tail._catch_up()
    with tail.following():
        log.size_now = 34
        await tail._catch_up()
        assert [e.position for e in tail.after(30)] == [31, 32, 33, 34]
