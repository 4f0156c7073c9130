"""Property-based API testing from our own OpenAPI document, against the real server
(schemathesis's command): no 5xx, and every response conforms to the schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.e2e.test_server import start_server


def schemathesis(base: str, token: str, *paths: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/schema/openapi.json",
               "--checks", "not_a_server_error,response_schema_conformance", "--max-examples", "15",
               "--header", f"Authorization: Bearer {token}", "--request-timeout", "30", "--exclude-path", "/v1/stream"]
    for path in paths:
        command += ["--include-path", path]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def test_the_api_never_fails_and_answers_as_documented(tmp_path):
    process, base = start_server(f"sqlite:///{tmp_path}/store.sqlite3", tmp_path, CEASEFIRE_LOAD_FIXTURES="true")
    try:
        as_writer = schemathesis(base, "writer-token")
        as_auditor = schemathesis(base, "auditor-token", "/v1/log", "/v1/audit/verify", "/v1/audit/replay")
    finally:
        process.terminate()
        process.wait(10)
    assert as_writer.returncode == 0, as_writer.stdout[-4000:]
    assert as_auditor.returncode == 0, as_auditor.stdout[-4000:]
