"""A throwaway PostgreSQL primary and streaming replica on this machine, for the tests and the load run.

`initdb` refuses to run as root, so the servers run as the `postgres` user, in
a directory made for them (pytest's own temporary directories sit under a 0700
root that user cannot enter). The replica is `pg_basebackup -R -X stream` of
the primary: a real hot standby, replaying the primary's WAL as it streams.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

SERVER_USER = "postgres"
SETTINGS = """
listen_addresses = '127.0.0.1'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
full_page_writes = off
log_statement = '{log_statement}'
log_line_prefix = '%m [%p] '
"""


class Unavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def bindir() -> Path:
    try:
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as error:
        raise Unavailable(f"pg_config is not installed ({error})") from None
    if not (Path(found) / "initdb").exists() or not (Path(found) / "pg_basebackup").exists():
        raise Unavailable(f"no initdb or pg_basebackup in {found}")
    return Path(found)


class Cluster:
    """`with Cluster() as cluster:` a primary and one replica, each on a free port, gone at exit."""

    def __init__(self, log_statements: bool = False):
        self.bin = bindir()
        self.log_statement = "all" if log_statements else "none"
        self.root = Path(tempfile.mkdtemp(prefix="ceasefire-cluster-"))
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()

    # --- addresses --------------------------------------------------------------------------

    def primary_url(self, schema: str = "") -> str:
        return _url(self.primary_port, schema)

    def replica_url(self, schema: str = "") -> str:
        return _url(self.replica_port, schema)

    @property
    def primary_log(self) -> Path:
        return self.root / "primary.log"

    # --- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self._build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_) -> None:
        for data in (self.replica_dir, self.primary_dir):
            if (data / "postmaster.pid").exists():
                self._as_server("pg_ctl", "-D", data, "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _build(self) -> None:
        self.root.chmod(0o755)
        if os.geteuid() == 0:
            account = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._as_server("initdb", "-D", self.primary_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with (self.primary_dir / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(log_statement=self.log_statement))
            conf.write(f"port = {self.primary_port}\nunix_socket_directories = '{self.root}'\n")
        with (self.primary_dir / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        self.start_primary()
        self._as_server("pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                        "-D", self.replica_dir, "-R", "-X", "stream", "--no-sync")
        with (self.replica_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.start_replica()

    def start_primary(self) -> None:
        self._pg_ctl(self.primary_dir, "start", self.primary_log)

    def restart_primary(self) -> None:
        self._pg_ctl(self.primary_dir, "restart", self.primary_log)

    def start_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "start", self.root / "replica.log")

    def stop_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "stop")

    def _pg_ctl(self, data: Path, action: str, log: Path | None = None) -> None:
        extra = ["-l", log] if log else []
        self._as_server("pg_ctl", "-D", data, *extra, "-w", "-t", "30", "-m", "fast", action)

    def _as_server(self, program: str, *args, check: bool = True) -> None:
        command = [str(self.bin / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if check and done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip() or done.stdout.strip()}")

    # --- replication ------------------------------------------------------------------------

    def pause_replay(self) -> None:
        self._on_replica("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self._on_replica("SELECT pg_wal_replay_resume()")

    def _on_replica(self, sql: str) -> None:
        with psycopg.connect(self.replica_url(), autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql)

    def wait_replayed(self, timeout: float = 10) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with psycopg.connect(self.primary_url(), autocommit=True) as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with psycopg.connect(self.replica_url(), autocommit=True) as replica:
            while time.monotonic() < deadline:
                if replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,)).fetchone()[0]:
                    return
                time.sleep(0.05)
        raise TimeoutError("the replica did not catch up")


def _url(port: int, schema: str) -> str:
    return f"postgresql://postgres@127.0.0.1:{port}/postgres" + (f"?schema={schema}" if schema else "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
