"""The real `ceasefire serve` process, on a store that outlives it, for the reliability specifications.

Each test gets its own store: a SQLite file in its tmp_path, or a fresh
PostgreSQL schema dropped afterwards. The server's log goes to a file in the
data directory, and `Server.log_tail()` puts its end into assertion messages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import drop_schema, fresh_schema_url
from tests.e2e.test_server import ROOT, free_port

WRITER = {"Authorization": "Bearer writer-token"}
AUDITOR = {"Authorization": "Bearer auditor-token"}
SIGNING_KEY = "9Zr3Yp3QmV9oVh0cZ0pTvXH1mQ1n0mYVbXn3Z4b1bq0="


class Server:
    """One `ceasefire serve` process; `start` again on the same store after a kill."""

    def __init__(self, database_url: str, data_dir: Path, **env: str):
        self.database_url, self.data_dir, self.env = database_url, data_dir, env
        self.process: subprocess.Popen | None = None
        self.base = ""
        self.starts = 0

    def start(self) -> Server:
        port = free_port()
        self.starts += 1
        log = (self.data_dir / f"server-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=self.data_dir,
            env={**os.environ, "PYTHONPATH": str(ROOT), "CEASEFIRE_DATABASE_URL": self.database_url,
                 "CEASEFIRE_TOKENS": "writer:writer-token,auditor:auditor-token",
                 "CEASEFIRE_SIGNING_KEY": SIGNING_KEY, **self.env},
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the server did not start:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, no closing of connections."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, headers: dict | None = None, timeout: float = 20) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers=headers or {}, timeout=timeout)

    def log_tail(self, lines: int = 60) -> str:
        text = "".join(path.read_text(errors="replace") for path in sorted(self.data_dir.glob("server-*.log")))
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def store_url(database_url):
    """A store that outlives one server process: a SQLite file, or a fresh PostgreSQL schema."""
    return database_url


@pytest.fixture
def postgres_url(postgres_base_url):
    url, schema = fresh_schema_url(postgres_base_url)
    yield url
    drop_schema(postgres_base_url, schema)


@pytest.fixture
def server_factory(tmp_path):
    """Start servers that are always stopped at the end of the test, even when it fails."""
    servers: list[Server] = []

    def start(database_url: str, **env: str) -> Server:
        server = Server(database_url, tmp_path, **env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def report(title: str, **fields) -> dict:
    """A valid `POST /v1/events` body."""
    return {"kind": "talks", "title": title, "occurred": "2025-03-11",
            "source": {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r",
                       "published_at": "2025-03-11"}, **fields}


def unique_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4()}"


def whole_log(client: httpx.Client) -> list[dict]:
    """Every entry of `GET /v1/log`, paged with `after`, as the auditor sees it."""
    entries: list[dict] = []
    after: int | None = 0
    while after is not None:
        response = client.get("/v1/log", params={"after": after, "limit": 1000}, headers=AUDITOR)
        assert response.status_code == 200, response.text
        page = response.json()
        entries += page["items"]
        after = page["next_after"]
    return entries


def assert_log_is_sound(client: httpx.Client) -> list[dict]:
    """Positions gapless from 1, every leaf and signed root verified; the entries."""
    entries = whole_log(client)
    assert [e["position"] for e in entries] == list(range(1, len(entries) + 1))
    verified = client.get("/v1/audit/verify", headers=AUDITOR)
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True, verified.json()
    assert verified.json()["entries"] == len(entries)
    assert verified.json()["first_bad_position"] is None
    return entries
