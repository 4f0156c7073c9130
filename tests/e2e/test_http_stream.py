"""`GET /v1/stream` over a real socket: what a browser's EventSource receives."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.controllers import stream
from tests.e2e.conftest import WRITER, event_body
from tests.e2e.test_server import free_port


@pytest.fixture
def served(settings):
    """The app under uvicorn in this process, so a test may shorten its timings."""
    server = uvicorn.Server(uvicorn.Config(create_app(settings), port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = server.force_exit = True
    thread.join(10)


def test_a_quiet_stream_sends_keep_alives_as_comments_never_as_empty_messages(served, monkeypatch):
    monkeypatch.setattr(stream, "KEEP_ALIVE_SECONDS", 0.1)  # SPEC: at least every 15 s; shortened to observe it
    lines: list[str] = []
    with httpx.stream("GET", f"{served}/v1/stream", params={"after": 0}, timeout=10) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            lines.append(line)
            if lines.count(": keep-alive") == 2:
                break
    assert not [line for line in lines if line.startswith(("data:", "event:", "id:"))]


def test_keep_alives_continue_while_every_new_entry_falls_outside_the_window(served, monkeypatch):
    monkeypatch.setattr(stream, "KEEP_ALIVE_SECONDS", 0.3)
    stop = threading.Event()

    def write_elsewhere_in_time() -> None:
        while not stop.is_set():
            body = event_body(title="Elsewhere in time", occurred="2024-05")
            assert httpx.post(f"{served}/v1/events", json=body, headers=WRITER).status_code == 201
            time.sleep(0.05)

    writer = threading.Thread(target=write_elsewhere_in_time)
    writer.start()
    lines: list[str] = []
    try:
        with httpx.stream("GET", f"{served}/v1/stream", params={"after": 0, "from": "2015-01", "to": "2015-03"},
                          timeout=10) as response:
            for line in response.iter_lines():
                lines.append(line)
                if lines.count(": keep-alive") == 3:
                    break
    finally:
        stop.set()
        writer.join()
    assert not [line for line in lines if line.startswith(("data:", "id:"))]
