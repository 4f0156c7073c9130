"""The real `ceasefire serve` process over a socket: the seed story, the live stream, the audit guide's offline verifier."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import drop_schema, fresh_schema_url

ROOT = Path(__file__).resolve().parents[2]
WRITER = {"Authorization": "Bearer writer-token"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, data_dir: Path, **env) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=data_dir,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CEASEFIRE_DATABASE_URL": database_url,
             "CEASEFIRE_TOKENS": "writer:writer-token,auditor:auditor-token",
             "CEASEFIRE_SIGNING_KEY": "9Zr3Yp3QmV9oVh0cZ0pTvXH1mQ1n0mYVbXn3Z4b1bq0=", **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


@pytest.fixture(scope="module")
def seeded_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("server")
    process, base = start_server(f"sqlite:///{data_dir}/store.sqlite3", data_dir, CEASEFIRE_LOAD_FIXTURES="true")
    yield base
    process.terminate()
    process.wait(10)


def test_the_seed_timeline_answers_what_was_known_before_and_after_the_qatar_report(seeded_server):
    def titles(known_at):
        body = httpx.get(f"{seeded_server}/v1/timeline", params={"known_at": known_at, "from": "2024-08", "to": "2024-08"}).json()
        return [item["title"] for item in body["items"]]

    assert not any("Qatar" in title for title in titles("2024-08-10"))
    assert any("Qatar" in title for title in titles("2024-08-20"))


def test_the_audit_guides_offline_verifier_accepts_the_servers_signed_root_and_proof(seeded_server):
    snippet = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "audit.md").read_text(), re.S).group(1)
    namespace: dict = {}
    exec(snippet.replace("http://127.0.0.1:8000", seeded_server), namespace)  # raises if a check fails
    assert namespace["verify_inclusion"] is not None


def read_events(response, wanted: int, found: list) -> None:
    for line in response.iter_lines():
        if line.startswith("id:"):
            found.append(int(line[3:].strip()))
            if len(found) >= wanted:
                return


def test_the_stream_delivers_new_entries_and_resumes_after_the_last_event_id(seeded_server):
    head = len(httpx.get(f"{seeded_server}/v1/changes", params={"since": "1900-01-01", "limit": 1000}).json()["items"])
    found: list[int] = []
    with httpx.stream("GET", f"{seeded_server}/v1/stream", headers={"Last-Event-ID": str(head)}, timeout=20) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        body = {"kind": "statement", "title": "Streamed", "occurred": "2025-03-19",
                "source": {"publisher": "p", "title": "t", "url": "https://example.org/s"}}
        reader = threading.Thread(target=read_events, args=(response, 1, found))
        reader.start()
        created = httpx.post(f"{seeded_server}/v1/events", json=body, headers=WRITER).json()
        reader.join(15)
    assert found == [created["position"]]


def test_the_stream_window_keeps_late_facts_about_the_past_and_drops_the_rest(seeded_server):
    head = httpx.get(f"{seeded_server}/v1/audit/root").json()["tree_size"]
    source = {"publisher": "p", "title": "t", "url": "https://example.org/w", "published_at": "2015-02-20"}
    inside = {"kind": "battle", "title": "Late fact about 2015", "occurred": "2015-02", "source": source}
    outside = {"kind": "battle", "title": "Elsewhere in time", "occurred": "2024-05", "source": source}
    httpx.post(f"{seeded_server}/v1/events", json=outside, headers=WRITER)
    created = httpx.post(f"{seeded_server}/v1/events", json=inside, headers=WRITER).json()
    found: list[int] = []
    with httpx.stream("GET", f"{seeded_server}/v1/stream", params={"after": head, "from": "2015-01", "to": "2015-03"},
                      timeout=20) as response:
        read_events(response, 1, found)
    assert found == [created["position"]]


def test_a_stream_on_one_process_hears_appends_made_through_another_on_postgresql(postgres_base_url, tmp_path):
    url, schema = fresh_schema_url(postgres_base_url)
    writer_process, writer = start_server(url, tmp_path)
    streamer_process, streamer = start_server(url, tmp_path)
    try:
        found: list[int] = []
        with httpx.stream("GET", f"{streamer}/v1/stream", params={"after": 0}, timeout=20) as response:
            reader = threading.Thread(target=read_events, args=(response, 2, found))
            reader.start()
            body = {"kind": "call", "title": "Trump–Putin call", "occurred": "2025-03-18",
                    "source": {"publisher": "p", "title": "t", "url": "https://example.org/c"}}
            for _ in range(2):
                assert httpx.post(f"{writer}/v1/events", json=body, headers=WRITER).status_code == 201
            reader.join(15)
        assert found == [1, 2]
        assert json.loads(httpx.get(f"{streamer}/ready").text)["ready"] is True
    finally:
        for process in (writer_process, streamer_process):
            process.terminate()
            process.wait(10)
        drop_schema(postgres_base_url, schema)
