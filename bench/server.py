"""The real API: `ceasefire serve` as a subprocess on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

WRITER_TOKEN = "bench-writer-token"


class Server:
    def __init__(self, database_url: str, workdir: Path):
        self.database_url, self.workdir = database_url, workdir
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.log = workdir / "server.log"

    def __enter__(self) -> Server:
        command = Path(sys.executable).with_name("ceasefire")
        argv = [str(command)] if command.exists() else [sys.executable, "-m", "api.cli"]
        env = {**os.environ, "CEASEFIRE_DATABASE_URL": self.database_url,
               "CEASEFIRE_TOKENS": f"bench=writer:{WRITER_TOKEN}", "CEASEFIRE_LOAD_FIXTURES": "false"}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen([*argv, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                                            env=env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def __exit__(self, *_) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def rss_mb(self) -> float:
        """VmRSS of the server process, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS for the server process")

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ceasefire serve exited ({self.process.returncode}): {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"ceasefire serve did not answer /health in {timeout} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
