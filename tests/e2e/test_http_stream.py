"""`GET /v1/stream` over a real socket: what a browser's EventSource receives."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import uvicorn

from api.app import create_app
from api.controllers import stream
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
