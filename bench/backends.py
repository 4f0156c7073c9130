"""A fresh database per run: a SQLite file in a temporary directory, or fresh PostgreSQL schemas.

Each backend also gives the environment of the baseline eventsourcing
`Application`, on the same backend but in its own file or schema.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass(frozen=True)
class Backend:
    name: str
    url: str  # CEASEFIRE_DATABASE_URL
    baseline_env: dict[str, str]  # eventsourcing Application environment
    workdir: Path  # the server's working directory (its generated signing key lands here)


@contextmanager
def prepared(name: str, keep: Path | None = None) -> Iterator[Backend]:
    """`keep`: a directory whose SQLite log (or, on PostgreSQL, schemas named after it) outlives the
    run and is reused by the next one; the baseline's store never is."""
    workdir = keep or Path(tempfile.mkdtemp(prefix=f"ceasefire-bench-{name}-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        if name == "sqlite":
            yield Backend(name, f"sqlite:///{workdir}/ceasefire.sqlite3", {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "baseline.sqlite3"),
                "SQLITE_LOCK_TIMEOUT": "30"}, workdir)
        else:
            with _schemas(f"bench_keep_{keep.name}" if keep else None) as (url, baseline_env):
                yield Backend(name, url, baseline_env, workdir)
    finally:
        if keep:
            (workdir / "baseline.sqlite3").unlink(missing_ok=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def _schemas(kept: str | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """Fresh schemas, dropped after the run; or, named `kept`, made if missing and kept (the baseline's
    is always made afresh)."""
    import psycopg

    base = os.environ.get("CEASEFIRE_BENCH_DATABASE_URL", DEFAULT_PG).split("?")[0]
    schema = kept or "bench_" + uuid.uuid4().hex[:10]
    ours, theirs = schema, schema + "_es"
    with psycopg.connect(base, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{theirs}" CASCADE')
        for name in (ours, theirs):
            connection.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    parsed = urlparse(base)
    env = {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
           "POSTGRES_HOST": parsed.hostname or "127.0.0.1", "POSTGRES_PORT": str(parsed.port or 5432),
           "POSTGRES_USER": unquote(parsed.username or "postgres"), "POSTGRES_PASSWORD": unquote(parsed.password or ""),
           "POSTGRES_SCHEMA": theirs, "POSTGRES_POOL_SIZE": "4", "POSTGRES_MAX_OVERFLOW": "16"}
    try:
        yield f"{base}?schema={ours}", env
    finally:
        with psycopg.connect(base, autocommit=True, connect_timeout=5) as connection:
            for name in ([theirs] if kept else [ours, theirs]):
                connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
