"""Stores for every backend: a SQLite file, and PostgreSQL in a fresh schema per test.

PostgreSQL comes from CEASEFIRE_TEST_DATABASE_URL, else a testcontainers
container when Docker answers, else the tests skip — unless
CEASEFIRE_REQUIRE_POSTGRES=1, which makes the skip a failure.
"""

from __future__ import annotations

import os
import uuid

import pytest

from api.app import open_store
from api.settings import Settings
from domain.application import Timeline
from projections.log import LogReader
from projections.queries import Reader

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_base_url():
    url = os.environ.get("CEASEFIRE_TEST_DATABASE_URL")
    if url:
        yield url
        return
    try:
        try:
            from testcontainers.community.postgres import PostgresContainer
        except ImportError:
            from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
            return
    except Exception as error:  # no Docker here
        reason = f"no PostgreSQL: set CEASEFIRE_TEST_DATABASE_URL or run Docker ({error.__class__.__name__})"
        if os.environ.get("CEASEFIRE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def fresh_schema_url(base: str) -> tuple[str, str]:
    schema = "t_" + uuid.uuid4().hex[:16]
    return f"{base}{'&' if '?' in base else '?'}schema={schema}", schema


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.split("?")[0], autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/store.sqlite3"
        return
    base = request.getfixturevalue("postgres_base_url")
    url, schema = fresh_schema_url(base)
    yield url
    drop_schema(base, schema)


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings(database_url=database_url, tokens="alice=writer:writer-token,auditor:auditor-token",
                    signing_key=None)


@pytest.fixture
def store(database_url):
    store = open_store(Settings(database_url=database_url))
    yield store
    store.close()


@pytest.fixture
def timeline(store):
    return Timeline(store)


@pytest.fixture
def reader(store):
    return Reader(store)


@pytest.fixture
def log_reader(store):
    return LogReader(store)
