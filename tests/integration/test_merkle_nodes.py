"""Stored Merkle nodes (projections/tree_nodes.py) as specification, on every backend.

Roots and proofs read from the stored hashes of complete subtrees equal those computed from the
leaves alone and verify by RFC 9162 (the verifiers written in test_audit.py, against leaves hashed
there from the log as an auditor reads it); a rebuild, or a store written before the node table
existed, gives the same answers. Most tests shrink the block to 4 leaves, so that a log of 70
entries has nodes of five sizes and many block boundaries; one keeps the real block of 256.
"""

from __future__ import annotations

import pytest

from adapters import merkle
from adapters.signing import load_key
from api.app import open_store
from api.settings import Settings
from projections import tree_nodes
from projections.audit import Audit
from projections.rebuild import rebuild
from tests.integration.test_audit import (
    auditor_leaves,
    b64,
    grow,
    mth,
    rfc_verify_consistency,
    rfc_verify_inclusion,
    sign,
    unb64,
)

AROUND_BLOCKS = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 70]


@pytest.fixture
def audit(store, tmp_path):
    return Audit(store, load_key(None, tmp_path / "keys"))


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(tree_nodes, "BLOCK", 4)
    monkeypatch.setattr(tree_nodes, "FILL_STEP", 8)  # a fill commits in several steps


def from_leaves_alone(leaves: list[bytes]) -> merkle.LeafSource:
    return lambda start, end: iter(leaves[start:end])


def stored_nodes(store) -> dict[tuple[int, int], bytes]:
    with store.read() as tx:
        rows = tx.rows("SELECT size, first, hash FROM {s}merkle_nodes")
    return {(row["first"], row["first"] + row["size"]): unb64(row["hash"]) for row in rows}


def indices_near_boundaries(size: int) -> list[int]:
    near = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, size // 2, size - 2, size - 1}
    return sorted(i for i in near if 0 <= i < size)


def check_inclusion(audit, leaves: list[bytes], sizes: list[int]) -> None:
    for size in sizes:
        root = mth(leaves[:size])
        for index in indices_near_boundaries(size):
            proof = audit.inclusion(index + 1, size)
            path = [unb64(h) for h in proof["audit_path"]]
            assert path == merkle.inclusion_proof(from_leaves_alone(leaves), index, size), (index, size)
            assert unb64(proof["root"]) == root and unb64(proof["leaf_hash"]) == leaves[index]
            assert rfc_verify_inclusion(index, size, leaves[index], path, root), (index, size)


def check_consistency(audit, leaves: list[bytes], sizes: list[int]) -> None:
    for new in sizes:
        for old in (s for s in sizes if s <= new):
            proof = audit.consistency(old, new)
            path = [unb64(h) for h in proof["consistency_path"]]
            assert path == merkle.consistency_proof(from_leaves_alone(leaves), old, new), (old, new)
            assert rfc_verify_consistency(old, new, mth(leaves[:old]), mth(leaves[:new]), path), (old, new)


def answers(audit, sizes: list[int]) -> list[dict]:
    return ([audit.inclusion(index + 1, size) for size in sizes for index in indices_near_boundaries(size)]
            + [audit.consistency(old, new) for new in sizes for old in sizes if old <= new])


def test_inclusion_proofs_from_stored_nodes_equal_those_from_the_leaves_alone_around_every_block_boundary(
        store, timeline, audit, small_blocks):
    grow(timeline, 70, batch=35)
    leaves = auditor_leaves(store)
    check_inclusion(audit, leaves, AROUND_BLOCKS)
    assert stored_nodes(store)  # the proofs above were read from them


def test_consistency_proofs_from_stored_nodes_equal_those_from_the_leaves_alone_around_every_block_boundary(
        store, timeline, audit, small_blocks):
    grow(timeline, 70, batch=35)
    check_consistency(audit, auditor_leaves(store), AROUND_BLOCKS)


def test_every_stored_node_is_the_tree_hash_of_its_leaves_and_only_complete_blocks_are_stored(
        store, timeline, audit, small_blocks):
    grow(timeline, 70, batch=35)
    audit.signed_root()
    leaves, nodes = auditor_leaves(store), stored_nodes(store)
    # 68 leaves in complete blocks of 4: 17 of 4, 8 of 8, 4 of 16, 2 of 32, 1 of 64.
    assert sorted(end - start for start, end in nodes) == [4] * 17 + [8] * 8 + [16] * 4 + [32] * 2 + [64]
    assert all(digest == mth(leaves[start:end]) for (start, end), digest in nodes.items())


def test_roots_signed_as_the_log_grows_past_block_boundaries_are_the_tree_hash_of_all_leaves(
        store, timeline, audit, small_blocks):
    for count in (3, 1, 4, 9, 16, 33):
        grow(timeline, count, batch=count)
        assert unb64(sign(audit, store)["root"]) == mth(auditor_leaves(store))


def test_after_a_rebuild_the_node_table_is_refilled_and_the_answers_are_the_same(
        store, timeline, audit, small_blocks):
    grow(timeline, 70, batch=35)
    before, nodes = answers(audit, AROUND_BLOCKS), stored_nodes(store)
    rebuild(store)
    assert stored_nodes(store) == {}
    assert answers(audit, AROUND_BLOCKS) == before and stored_nodes(store) == nodes


def test_a_store_written_before_the_node_table_existed_answers_the_same_once_reopened(
        store, database_url, timeline, audit, small_blocks, tmp_path):
    grow(timeline, 70, batch=35)
    before = answers(audit, AROUND_BLOCKS)
    with store.write() as tx:
        tx.run("DROP TABLE {s}merkle_nodes")
    reopened = open_store(Settings(database_url=database_url))
    try:
        assert answers(Audit(reopened, load_key(None, tmp_path / "keys")), AROUND_BLOCKS) == before
        assert stored_nodes(reopened)
    finally:
        reopened.close()


def test_verify_recomputes_from_the_entries_and_a_rebuild_repairs_a_damaged_node(
        store, timeline, audit, small_blocks):
    grow(timeline, 40, batch=40)
    leaves = auditor_leaves(store)
    audit.signed_root()
    with store.write() as tx:
        tx.run("UPDATE {s}merkle_nodes SET hash = ? WHERE size = 32 AND first = 0", (b64(b"\x00" * 32),))
    assert audit.verify()["ok"] and unb64(audit.verify()["root"]) == mth(leaves)
    rebuild(store)
    check_inclusion(audit, leaves, [33, 40])


def test_proofs_at_the_real_block_size_equal_those_from_the_leaves_alone_across_its_boundaries(
        store, timeline, audit):
    grow(timeline, 520, batch=130)
    leaves = auditor_leaves(store)
    sizes = [255, 256, 257, 511, 512, 513, 520]
    check_inclusion(audit, leaves, sizes)
    check_consistency(audit, leaves, sizes)
    assert sorted(end - start for start, end in stored_nodes(store)) == [256, 256, 512]


@pytest.mark.parametrize("size", [256, 257, 511, 513, 1000, 4096, 70_000])
def test_every_node_a_root_or_proof_reads_is_among_those_fetched_in_its_one_query(size):
    asked: set[tuple[int, int]] = set()

    def every_node(start, end):
        if end - start >= tree_nodes.BLOCK:
            asked.add((start, end))
        return b"\x00" * 32

    def no_leaves(start, end):
        return iter([b"\x00" * 32] * (end - start))

    for index in {0, 255, min(256, size - 1), size // 3, size - 1}:
        asked.clear()
        merkle.inclusion_proof(no_leaves, index, size, every_node)
        merkle.root(no_leaves, size, every_node)
        assert asked <= tree_nodes._on_paths([index], [size]), index
    for old in {1, 256, min(257, size), size // 2, size - 1}:
        asked.clear()
        merkle.consistency_proof(no_leaves, old, size, every_node)
        merkle.root(no_leaves, old, every_node)
        merkle.root(no_leaves, size, every_node)
        assert asked <= tree_nodes._on_paths([old - 1], [old, size]), old
