"""A real streaming replica: a throwaway primary and hot standby built once per session (about 3 s).

The suite skips when the PostgreSQL server binaries are absent, and fails
instead under CEASEFIRE_REQUIRE_POSTGRES=1. Each test works in a fresh schema
of the cluster's primary, which the replica replays.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import httpx
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings
from bench.cluster import Cluster
from bench.cluster import Unavailable as NoServerBinaries

TOKENS = "alice=writer:writer-token,auditor:auditor-token"
WRITER = {"Authorization": "Bearer writer-token"}


@pytest.fixture(scope="session")
def cluster():
    try:
        built = Cluster(log_statements=True)
    except NoServerBinaries as error:
        if os.environ.get("CEASEFIRE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"no PostgreSQL server binaries to build a replica: {error}")
        pytest.skip(f"no PostgreSQL server binaries to build a replica: {error}")
    with built:
        yield built


@pytest.fixture
def schema(cluster):
    return "r_" + uuid.uuid4().hex[:12]


@pytest.fixture
def settings(cluster, schema):
    return Settings(database_url=cluster.primary_url(schema), read_database_url=cluster.replica_url(schema),
                    tokens=TOKENS, signing_key="9Zr3Yp3QmV9oVh0cZ0pTvXH1mQ1n0mYVbXn3Z4b1bq0=")


@pytest.fixture
async def client(settings):
    async with AsyncTestClient(create_app(settings)) as client:
        yield client


def report(title: str, occurred: str = "2025-03-11") -> dict:
    return {"kind": "talks", "title": title, "occurred": occurred,
            "source": {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r"}}


class Subscriber:
    """A client of `/v1/stream` in a thread, reconnecting with Last-Event-ID as a browser does."""

    def __init__(self, base: str, after: int = 0):
        self.base, self.ids, self.heard_at, self.reconnects = base, [], {}, 0
        self.connected = threading.Event()
        self._after, self._stop = after, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self.connected.wait(15), "the stream did not connect"

    def _run(self) -> None:
        while not self._stop.is_set():
            last = self.ids[-1] if self.ids else self._after
            try:
                with httpx.stream("GET", f"{self.base}/v1/stream", headers={"Last-Event-ID": str(last)},
                                  timeout=httpx.Timeout(5, read=30)) as response:
                    self.connected.set()
                    for line in response.iter_lines():
                        if line.startswith("id:"):
                            position = int(line[3:])
                            self.heard_at[position] = time.monotonic()
                            self.ids.append(position)
                        if self._stop.is_set():
                            return
            except (httpx.HTTPError, httpx.StreamError, OSError):
                if self._stop.is_set():
                    return
                self.reconnects += 1
                time.sleep(0.2)

    def wait_for(self, count: int, timeout: float = 20) -> list[int]:
        deadline = time.monotonic() + timeout
        while len(self.ids) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.ids)

    def __enter__(self) -> Subscriber:
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()  # the thread ends at its next line, or with the server
