"""Reads from a real streaming replica (SPEC §12): lag accepted only when the read accepts it."""

from __future__ import annotations

import threading
import time
from contextlib import asynccontextmanager
from dataclasses import replace

from litestar.testing import AsyncTestClient

from api.app import create_app
from bench.cluster import free_port
from tests.replica.conftest import WRITER, report


async def post(client, title: str, occurred: str = "2025-03-11") -> dict:
    answer = await client.post("/v1/events", json=report(title, occurred), headers=WRITER)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def replicas(client) -> list[dict]:
    answer = await client.get("/ready")
    assert answer.status_code == 200, answer.text
    return answer.json()["replicas"]


async def until_replicas(client, ok: bool, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while (listed := await replicas(client))[0]["ok"] is not ok:
        assert time.monotonic() < deadline, f"the replica never became ok={ok}: {listed}"
        time.sleep(0.1)
    return listed


@asynccontextmanager
async def replay_paused(client, cluster):
    """The replica caught up, seen healthy, then held at that point until the block ends."""
    cluster.wait_replayed()
    await until_replicas(client, ok=True)
    cluster.pause_replay()
    try:
        yield
    finally:
        cluster.resume_replay()


async def timeline(client, **query) -> tuple[list[str], str]:
    answer = await client.get("/v1/timeline", params=query)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    return [item["title"] for item in page["items"]], page["as_of"]["recorded_at"]


async def test_a_read_without_a_record_time_is_served_by_the_replica_at_its_replayed_head(client, cluster):
    first = await post(client, "Jeddah talks")
    cluster.wait_replayed()
    assert (await until_replicas(client, ok=True)) == [{"url_index": 0, "ok": True, "lag_seconds": 0.0}]
    cluster.pause_replay()  # the replica now stays at the first write
    try:
        await post(client, "Riyadh talks")
        titles, recorded_at = await timeline(client)
    finally:
        cluster.resume_replay()
    assert titles == ["Jeddah talks"]
    assert recorded_at == first["recorded_at"]  # its replayed head, not now


async def test_a_read_pinned_at_a_write_sees_it_while_the_replica_lags(client, cluster):
    await post(client, "Before the pause")
    async with replay_paused(client, cluster):
        written = await post(client, "During the pause")
        titles, recorded_at = await timeline(client, recorded_at=written["recorded_at"])
        assert sorted(titles) == ["Before the pause", "During the pause"]
        assert recorded_at == written["recorded_at"]
        event = await client.get(f"/v1/events/{written['id']}", params={"recorded_at": written["recorded_at"]})
        assert event.status_code == 200 and event.json()["title"] == "During the pause"
        history = await client.get(f"/v1/events/{written['id']}/history", params={"recorded_at": written["recorded_at"]})
        assert [item["position"] for item in history.json()["items"]] == [written["position"]]


async def test_a_replica_more_than_five_seconds_behind_is_skipped_and_ready_says_so(client, cluster):
    await post(client, "Before the pause")
    async with replay_paused(client, cluster):
        await post(client, "During the pause")
        assert (await timeline(client))[0] == ["Before the pause"]  # lag accepted while under 5 s
        listed = await until_replicas(client, ok=False)
        assert listed[0]["lag_seconds"] > 5
        assert sorted((await timeline(client))[0]) == ["Before the pause", "During the pause"]
    await until_replicas(client, ok=True)


async def test_a_cursor_is_served_only_by_a_replica_that_has_replayed_up_to_its_pin(client, cluster):
    for day, title in enumerate(("First", "Second"), start=1):
        await post(client, title, f"2025-03-0{day}")
    async with replay_paused(client, cluster):
        written = await post(client, "Third", "2025-03-03")
        page = (await client.get("/v1/timeline", params={"limit": 1, "recorded_at": written["recorded_at"]})).json()
        rest = (await client.get("/v1/timeline", params={"cursor": page["next_cursor"], "limit": 10})).json()
    assert [item["title"] for item in page["items"] + rest["items"]] == ["First", "Second", "Third"]
    assert rest["as_of"]["recorded_at"] == written["recorded_at"]


async def test_reads_go_to_the_primary_when_the_replica_stops_mid_load(client, cluster):
    await post(client, "Minsk II")
    cluster.wait_replayed()
    await until_replicas(client, ok=True)
    stopping = threading.Thread(target=cluster.stop_replica)
    answers = []
    try:
        for turn in range(40):
            if turn == 5:
                stopping.start()
            answer = await client.get("/v1/timeline")
            answers.append((answer.status_code, [item["title"] for item in answer.json()["items"]]))
        stopping.join()
        for _ in range(10):
            answer = await client.get("/v1/timeline")
            answers.append((answer.status_code, [item["title"] for item in answer.json()["items"]]))
        ready = await client.get("/ready")
        listed = await until_replicas(client, ok=False)
    finally:
        stopping.join()
        cluster.start_replica()
    assert answers == [(200, ["Minsk II"])] * 50
    assert ready.status_code == 200
    assert listed == [{"url_index": 0, "ok": False, "lag_seconds": None}]


async def test_of_several_replicas_one_out_of_reach_is_skipped_and_listed_as_such(settings, cluster, schema):
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres?schema={schema}"
    several = replace(settings, read_database_url=f"{cluster.replica_url(schema)}, {unreachable}")
    async with AsyncTestClient(create_app(several)) as client:
        first = await post(client, "Istanbul talks")
        cluster.wait_replayed()
        listed = await until_replicas(client, ok=True)
        assert listed[1] == {"url_index": 1, "ok": False, "lag_seconds": None}
        cluster.pause_replay()
        try:
            await post(client, "Istanbul talks, second round")
            answers = [await timeline(client) for _ in range(10)]
        finally:
            cluster.resume_replay()
    assert answers == [(["Istanbul talks"], first["recorded_at"])] * 10  # always the replica that answers


async def test_the_changes_feed_served_by_a_replica_is_as_of_its_replayed_head(client, cluster):
    first = await post(client, "Before the pause")
    async with replay_paused(client, cluster):
        written = await post(client, "During the pause")
        lagging = (await client.get("/v1/changes", params={"since": "2000-01-01"})).json()
        pinned = (await client.get("/v1/changes", params={"since": "2000-01-01",
                                                          "recorded_at": written["recorded_at"]})).json()
    assert [item["title"] for item in lagging["items"]] == ["Before the pause"]
    assert lagging["as_of"]["recorded_at"] == first["recorded_at"]
    assert [item["title"] for item in pinned["items"]] == ["Before the pause", "During the pause"]


async def test_listings_and_exports_served_by_a_replica_are_as_of_its_replayed_head(client, cluster):
    first = await post(client, "Before the pause")
    async with replay_paused(client, cluster):
        await post(client, "During the pause")
        actors = (await client.get("/v1/actors")).json()
        plover = await client.get("/v1/export/plover")
    assert actors["as_of"]["recorded_at"] == first["recorded_at"]
    assert plover.status_code == 200, plover.text
    assert len(plover.text.splitlines()) == 1  # one event per line: only what the replica holds
