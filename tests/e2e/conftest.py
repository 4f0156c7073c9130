"""HTTP tests go through Litestar's test client against `create_app(settings)`, on every backend."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app

WRITER = {"Authorization": "Bearer writer-token"}
AUDITOR = {"Authorization": "Bearer auditor-token"}


@pytest.fixture
async def client(settings, tmp_path):
    app = create_app(settings)
    async with AsyncTestClient(app) as client:
        yield client


def source(published_at="2025-03-11", **extra):
    return {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r", "published_at": published_at, **extra}


def event_body(**fields):
    return {"kind": "talks", "title": "Jeddah talks", "occurred": "2025-03-11", "source": source(), **fields}


async def post(client, path, body):
    """A write as the writer, which must be stored (201); its answer."""
    response = await client.post(path, json=body, headers=WRITER)
    assert response.status_code == 201, response.text
    return response.json()


async def titles(client, query):
    """The titles the timeline answers for a query string."""
    response = await client.get(f"/v1/timeline?{query}")
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]
