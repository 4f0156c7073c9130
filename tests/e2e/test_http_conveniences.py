"""HTTP conveniences: entity tags with If-None-Match, HEAD wherever GET, CORS for configured origins."""

from __future__ import annotations

import dataclasses

import anyio
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from tests.e2e.conftest import WRITER, event_body, source


async def reported(client) -> dict:
    created = await client.post("/v1/events", headers=WRITER, json=event_body(source=source("2025-03-11")))
    claim = await client.post(f"/v1/events/{created.json()['id']}/claims", headers=WRITER, json={
        "claimant": "ISW", "statement": "encircled", "source": source("2025-03-12")})
    return {"event": f"/v1/events/{created.json()['id']}", "claim": f"/v1/claims/{claim.json()['claim_id']}"}


@pytest.mark.parametrize("what", ["event", "claim"])
async def test_an_unchanged_read_keeps_its_etag_as_time_passes_and_answers_304_to_if_none_match(client, what):
    path = (await reported(client))[what]
    first = await client.get(f"{path}?known_at=2025-03-20")
    later = await client.get(f"{path}?known_at=2025-06-01")
    assert first.status_code == later.status_code == 200
    assert first.json()["as_of"] != later.json()["as_of"]
    assert first.headers["etag"] == later.headers["etag"] and first.headers["etag"].startswith('"')
    again = await client.get(f"{path}?known_at=2025-03-20", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    other = await client.get(path, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.json()


async def test_an_event_s_etag_changes_when_what_is_known_of_it_changes(client):
    path = (await reported(client))["event"]
    before = (await client.get(path)).headers["etag"]
    await client.post(f"{path}/corrections", headers=WRITER, json={
        "changes": {"title": "Corrected"}, "reason": "typo", "source": source("2025-03-13")})
    after = await client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before
    as_known_before = await client.get(f"{path}?known_at=2025-03-12T12:00:00Z")
    assert as_known_before.headers["etag"] == before


@pytest.mark.parametrize("path", ["/v1/timeline", "{event}", "{event}/history", "{claim}", "/v1/changes?since=2025-01-01",
                                  "/v1/audit/root", "/health", "/schema/openapi.json", "/v1/stream?after=0"])
async def test_head_answers_as_get_does_without_a_body(client, path):
    paths = await reported(client)
    path = path.format(**paths)
    with anyio.fail_after(10):
        head = await client.head(path)
    assert head.status_code == 200 and head.content == b""
    if "stream" not in path:
        got = await client.get(path)
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("content-length") == got.headers.get("content-length")


async def test_head_of_an_unknown_event_is_404(client):
    assert (await client.head("/v1/events/00000000-0000-0000-0000-000000000000")).status_code == 404


async def test_cors_answers_only_for_the_configured_origins(settings):
    allowed = dataclasses.replace(settings, cors_origins=("https://newsroom.example",))
    async with AsyncTestClient(create_app(allowed)) as client:
        preflight = await client.options("/v1/events", headers={
            "Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == "https://newsroom.example"
        simple = await client.get("/v1/timeline", headers={"Origin": "https://newsroom.example"})
        assert simple.headers["access-control-allow-origin"] == "https://newsroom.example"
        assert "etag" in simple.headers.get("access-control-expose-headers", "").lower()
        stranger = await client.get("/v1/timeline", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in stranger.headers


async def test_no_origin_is_allowed_by_default(client):
    response = await client.get("/v1/timeline", headers={"Origin": "https://newsroom.example"})
    assert "access-control-allow-origin" not in response.headers
