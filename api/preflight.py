"""What a command checks before it opens a store (SPEC §6).

Each mistake a user can make in the configuration gets one sentence saying
what is wrong and what to do, instead of a traceback or, for a PostgreSQL
database that is not there, a pool timeout that never names the cause.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg

from adapters.signing import load_key
from adapters.store import postgres_params, postgres_schema
from api.auth import Tokens
from api.settings import Settings

CONNECT_TIMEOUT = 3  # seconds: a server that has not answered by then is reported, not waited for
WHERE_TO_FIX = "pass --database URL or set CEASEFIRE_DATABASE_URL"


class Refused(Exception):
    """A user's mistake, in one sentence; the command line prints it and exits 2."""


def check(settings: Settings, *, must_exist: bool) -> None:
    """Refuse bad tokens, a bad signing key, or a database that cannot be used (or, with `must_exist`,
    that holds no store) — before anything is created."""
    try:
        Tokens(settings.tokens)
        if settings.signing_key:
            load_key(settings.signing_key, settings.data_dir)
    except ValueError as error:
        raise Refused(str(error)) from None
    if settings.sqlite_path:
        _check_sqlite(settings.sqlite_path.resolve(), must_exist)
    elif settings.database_url.startswith(("postgresql://", "postgres://")):
        _check_postgresql(settings.database_url, must_exist)
    else:
        raise Refused(f"{settings.database_url!r} is not a database URL: use sqlite:///PATH or "
                      "postgresql://USER@HOST:PORT/DB")


def _check_sqlite(path: Path, must_exist: bool) -> None:
    if path.is_dir():
        raise Refused(f"{path} is a directory: name the store's file, e.g. sqlite:///{path / 'ceasefire.sqlite3'}")
    if not path.exists():
        if must_exist:
            raise Refused(f"no store at {path}: {WHERE_TO_FIX} to name an existing one")
        return
    try:  # read-only, so that checking never creates or changes anything
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            found = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone()
    except sqlite3.DatabaseError as error:
        raise Refused(f"{path} is not a store this service can open ({error}): {WHERE_TO_FIX}") from None
    if must_exist and not found:
        raise Refused(f"no store at {path}: the file holds no log; {WHERE_TO_FIX} to name an existing one")


def _check_postgresql(url: str, must_exist: bool) -> None:
    params, schema = postgres_params(url), postgres_schema(url)
    where = f"{params['host']}:{params['port']}/{params['dbname']}"
    try:
        with psycopg.connect(**params, connect_timeout=CONNECT_TIMEOUT) as connection:
            ledger = f'"{schema}".ledger' if schema else "ledger"
            found = connection.execute("SELECT to_regclass(%s)", (ledger,)).fetchone()[0]
    except psycopg.Error as error:
        raise Refused(_unusable(error, where, params)) from None
    if must_exist and found is None:
        named = f" (schema {schema})" if schema else ""
        raise Refused(f"no store at postgresql://{where}{named}: {WHERE_TO_FIX} to name an existing one")


def _unusable(error: psycopg.Error, where: str, params: dict) -> str:
    """libpq's own reason, cut to its last clause, with what to do about it."""
    reason = str(error).splitlines()[0].rpartition(" failed: ")[2].removeprefix("FATAL:").strip()
    if "does not exist" in reason and "database" in reason:
        advice = f"create it (createdb -h {params['host']} -p {params['port']} -U {params['user']} " \
                 f"{params['dbname']}) or {WHERE_TO_FIX}"
    elif "refused" in reason or "resolve" in reason or "timeout" in reason:
        advice = f"start PostgreSQL there or {WHERE_TO_FIX}"
    else:
        advice = f"check the user, password and database in the URL ({WHERE_TO_FIX})"
    return f"cannot use PostgreSQL at {where}: {reason}; {advice}"
