"""The audit endpoints over HTTP: who may call them, and what bad sizes answer."""

from __future__ import annotations

from tests.e2e.conftest import AUDITOR, WRITER, event_body


async def seed(client, count=3):
    for n in range(count):
        assert (await client.post("/v1/events", json=event_body(title=f"E{n}"), headers=WRITER)).status_code == 201


async def test_roots_and_proofs_are_public_and_verify_and_replay_are_for_auditors(client):
    await seed(client)
    root = (await client.get("/v1/audit/root")).json()
    assert root["tree_size"] == 3 and {"root", "timestamp", "signature", "public_key"} <= set(root)
    proof = (await client.get("/v1/audit/proof/2?tree_size=3")).json()
    assert proof["leaf_index"] == 1 and proof["root"] == root["root"]
    consistency = (await client.get("/v1/audit/consistency?from_size=1")).json()
    assert consistency["to_size"] == 3 and consistency["to_root"] == root["root"]
    for path in ("/v1/audit/verify", "/v1/audit/replay"):
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=WRITER)).status_code == 403
    verified = (await client.get("/v1/audit/verify", headers=AUDITOR)).json()
    assert verified == {"ok": True, "entries": 3, "root": root["root"], "first_bad_position": None,
                        "bad_positions": [], "failed_roots": []}
    assert (await client.get("/v1/audit/replay", headers=AUDITOR)).json()["equal"] is True


async def test_a_leaf_hash_is_the_entrys_hash_as_written(client):
    created = (await client.post("/v1/events", json=event_body(), headers=WRITER)).json()
    assert (await client.get("/v1/audit/proof/1")).json()["leaf_hash"] == created["hash"]


async def test_impossible_sizes_and_positions_are_refused_as_problems(client):
    await seed(client, 2)
    assert (await client.get("/v1/audit/proof/3")).status_code == 404
    assert (await client.get("/v1/audit/proof/1?tree_size=9")).status_code == 400
    assert (await client.get("/v1/audit/consistency?from_size=0")).status_code == 400
    assert (await client.get("/v1/audit/consistency?from_size=2&to_size=1")).status_code == 400
    assert (await client.get("/v1/audit/consistency?from_size=x")).status_code == 400
