"""Specification of adapters.merkle (RFC 9162 §2.1 Merkle tree).

Three independent witnesses:
  * a naive reference implementation written straight from RFC 9162's
    recursive definitions of MTH, PATH and PROOF (below; it shares no code
    with adapters.merkle), compared for every tree size 1..70;
  * the transparency-dev/merkle conformance vectors (tests/unit/merkle_vectors,
    Apache-2.0, see the LICENSE there);
  * hypothesis: random trees, proofs verify, any flipped byte does not.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters import merkle

VECTORS = Path(__file__).resolve().parent / "merkle_vectors"


# --- Reference implementation: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1, verbatim ---


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + d[0])
    k = _k(n)
    return _sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# --- Helpers ---

# Distinct leaves of lengths 0..69 (the first is the empty string).
DATA = [bytes([i]) * i for i in range(70)]


def source(data: list[bytes]):
    """A leaf source over `data` that also checks the caller's ranges."""
    hashes = [merkle.leaf_hash(x) for x in data]

    def leaves(start: int, end: int):
        assert 0 <= start <= end <= len(hashes), (start, end)
        return iter(hashes[start:end])

    return leaves


def b64(s: str | None) -> bytes:
    return base64.b64decode(s or "")


def flip(h: bytes, byte: int) -> bytes:
    i = byte % len(h)
    return h[:i] + bytes([h[i] ^ 0x01]) + h[i + 1 :]


# --- Hashes ---


def test_leaf_hash_is_sha256_of_0x00_then_the_data():
    assert merkle.leaf_hash(b"abc") == _sha256(b"\x00abc")
    # The empty leaf, as given in the transparency-dev vectors.
    assert merkle.leaf_hash(b"") == b64("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=")


def test_node_hash_is_sha256_of_0x01_then_left_then_right():
    left, right = _sha256(b"l"), _sha256(b"r")
    assert merkle.node_hash(left, right) == _sha256(b"\x01" + left + right)


def test_root_of_the_empty_tree_is_sha256_of_the_empty_string():
    assert merkle.root(source([]), 0) == _sha256(b"")
    assert merkle.Frontier().root() == _sha256(b"")


# --- Against the reference implementation, every size 1..70 ---

SIZES = range(1, 71)


@pytest.mark.parametrize("size", SIZES)
def test_root_equals_the_rfc_mth_for_every_size(size):
    assert merkle.root(source(DATA), size) == ref_mth(DATA[:size])


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_proof_equals_the_rfc_path_and_verifies_for_every_index(size):
    d, leaves = DATA[:size], source(DATA)
    tree_root = ref_mth(d)
    for index in range(size):
        proof = merkle.inclusion_proof(leaves, index, size)
        assert proof == ref_path(index, d), index
        leaf = merkle.leaf_hash(d[index])
        assert merkle.verify_inclusion(leaf, index, size, proof, tree_root), index
        # The same proof does not vouch for a different leaf at that index.
        other = merkle.leaf_hash(d[index] + b"!")
        assert not merkle.verify_inclusion(other, index, size, proof, tree_root), index


@pytest.mark.parametrize("size", SIZES)
def test_consistency_proof_equals_the_rfc_proof_and_verifies_for_every_old_size(size):
    d, leaves = DATA[:size], source(DATA)
    new_root = ref_mth(d)
    for old_size in range(1, size + 1):
        proof = merkle.consistency_proof(leaves, old_size, size)
        assert proof == ref_proof(old_size, d), old_size
        old_root = ref_mth(d[:old_size])
        assert merkle.verify_consistency(old_size, size, old_root, new_root, proof), old_size
        # ... and not against a tree that differs in its first leaf.
        forked_old = ref_mth([b"forged"] + d[1:old_size])
        assert not merkle.verify_consistency(old_size, size, forked_old, new_root, proof)


# --- Frontier ---


def test_frontier_gives_the_running_root_after_every_append():
    frontier = merkle.Frontier()
    for n, data in enumerate(DATA, start=1):
        frontier.append(merkle.leaf_hash(data))
        assert frontier.size == n
        assert frontier.root() == ref_mth(DATA[:n])


def test_frontier_keeps_one_perfect_subtree_per_set_bit_of_its_size():
    frontier = merkle.Frontier()
    for n, data in enumerate(DATA, start=1):
        frontier.append(merkle.leaf_hash(data))
        sizes = [s for s, _ in frontier.nodes]
        assert sizes == [1 << b for b in reversed(range(n.bit_length())) if n >> b & 1]
        start = 0
        for s, h in frontier.nodes:  # each node is the MTH of its leaves
            assert h == ref_mth(DATA[start : start + s])
            start += s


# --- Errors ---


def test_inclusion_proof_refuses_an_index_outside_the_tree():
    leaves = source(DATA)
    with pytest.raises(ValueError, match="out of range"):
        merkle.inclusion_proof(leaves, 5, 5)
    with pytest.raises(ValueError, match="out of range"):
        merkle.inclusion_proof(leaves, 0, 0)
    with pytest.raises(ValueError, match="non-negative"):
        merkle.inclusion_proof(leaves, -1, 5)


def test_consistency_proof_refuses_an_old_size_beyond_the_new_size():
    with pytest.raises(ValueError, match="greater than new_size"):
        merkle.consistency_proof(source(DATA), 6, 5)


def test_consistency_proof_from_the_empty_tree_is_refused():
    with pytest.raises(ValueError, match="empty tree"):
        merkle.consistency_proof(source(DATA), 0, 5)
    assert not merkle.verify_consistency(0, 5, _sha256(b""), ref_mth(DATA[:5]), [])
    assert not merkle.verify_consistency(0, 0, _sha256(b""), _sha256(b""), [])


def test_consistency_of_a_tree_with_itself_is_an_empty_proof():
    tree_root = ref_mth(DATA[:9])
    assert merkle.consistency_proof(source(DATA), 9, 9) == []
    assert merkle.verify_consistency(9, 9, tree_root, tree_root, [])
    assert not merkle.verify_consistency(9, 9, tree_root, tree_root, [tree_root])


def test_root_refuses_a_negative_size():
    with pytest.raises(ValueError, match="non-negative"):
        merkle.root(source(DATA), -1)


def test_a_leaf_source_giving_the_wrong_number_of_leaves_is_an_error():
    hashes = [merkle.leaf_hash(x) for x in DATA[:8]]
    with pytest.raises(ValueError, match="gave 8 leaves"):
        merkle.root(lambda s, e: iter(hashes[s:e]), 9)  # runs dry
    with pytest.raises(ValueError, match="more than"):
        merkle.root(lambda s, e: iter(hashes[s:]), 4)  # ignores `end`


def test_verifiers_reject_out_of_range_input_instead_of_raising():
    h = merkle.leaf_hash(b"")
    assert not merkle.verify_inclusion(h, 1, 1, [], h)
    assert not merkle.verify_inclusion(h, -1, 1, [], h)
    assert not merkle.verify_consistency(2, 1, h, h, [])
    assert not merkle.verify_consistency(-1, 1, h, h, [])


# --- transparency-dev/merkle conformance vectors ---

# The tree behind the vectors' happy paths (transparency-dev testonly.LeafInputs).
TEST_TREE = [bytes.fromhex(x) for x in (
    "", "00", "10", "2021", "3031", "40414243",
    "5051525354555657", "606162636465666768696a6b6c6d6e6f",
)]


def _vectors(kind: str) -> list:
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no vectors under {VECTORS / kind}"
    return [
        pytest.param(json.loads(f.read_text()), id=str(f.relative_to(VECTORS / kind)))
        for f in files
    ]


@pytest.mark.parametrize("v", _vectors("inclusion"))
def test_verify_inclusion_accepts_exactly_the_valid_vectors(v):
    proof = [b64(p) for p in v["proof"] or []]
    ok = merkle.verify_inclusion(b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, b64(v["root"]))
    assert ok is (not v["wantErr"]), v["desc"]


@pytest.mark.parametrize("v", _vectors("consistency"))
def test_verify_consistency_accepts_exactly_the_valid_vectors(v):
    proof = [b64(p) for p in v["proof"] or []]
    ok = merkle.verify_consistency(v["size1"], v["size2"], b64(v["root1"]), b64(v["root2"]), proof)
    assert ok is (not v["wantErr"]), v["desc"]


@pytest.mark.parametrize("case", ["0", "1", "2", "3", "4"])
def test_our_proofs_for_the_vectors_test_tree_equal_the_happy_path_vectors(case):
    leaves = source(TEST_TREE)
    inc = json.loads((VECTORS / "inclusion" / case / "happy-path.json").read_text())
    assert merkle.root(leaves, inc["treeSize"]) == b64(inc["root"])
    assert merkle.leaf_hash(TEST_TREE[inc["leafIdx"]]) == b64(inc["leafHash"])
    got = merkle.inclusion_proof(leaves, inc["leafIdx"], inc["treeSize"])
    assert got == [b64(p) for p in inc["proof"] or []]

    con = json.loads((VECTORS / "consistency" / case / "happy-path.json").read_text())
    assert merkle.root(leaves, con["size1"]) == b64(con["root1"])
    assert merkle.root(leaves, con["size2"]) == b64(con["root2"])
    got = merkle.consistency_proof(leaves, con["size1"], con["size2"])
    assert got == [b64(p) for p in con["proof"] or []]


# --- Properties ---

trees = st.lists(st.binary(max_size=16), min_size=2, max_size=300)


@settings(max_examples=200, deadline=None)
@given(d=trees, data=st.data())
def test_any_inclusion_proof_verifies_and_any_flipped_byte_breaks_it(d, data):
    size = data.draw(st.integers(2, len(d)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    leaves = source(d)
    tree_root = merkle.root(leaves, size)
    leaf = merkle.leaf_hash(d[index])
    proof = merkle.inclusion_proof(leaves, index, size)
    assert merkle.verify_inclusion(leaf, index, size, proof, tree_root)

    at = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    byte = data.draw(st.integers(0, 31), label="byte")
    bad = proof[:at] + [flip(proof[at], byte)] + proof[at + 1 :]
    assert not merkle.verify_inclusion(leaf, index, size, bad, tree_root)
    assert not merkle.verify_inclusion(flip(leaf, byte), index, size, proof, tree_root)
    assert not merkle.verify_inclusion(leaf, index, size, proof, flip(tree_root, byte))


@settings(max_examples=200, deadline=None)
@given(d=trees, data=st.data())
def test_any_consistency_proof_verifies_and_any_flipped_byte_breaks_it(d, data):
    new_size = data.draw(st.integers(2, len(d)), label="new_size")
    old_size = data.draw(st.integers(1, new_size - 1), label="old_size")
    leaves = source(d)
    old_root, new_root = merkle.root(leaves, old_size), merkle.root(leaves, new_size)
    proof = merkle.consistency_proof(leaves, old_size, new_size)
    assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)

    at = data.draw(st.integers(0, len(proof) - 1), label="proof element")
    byte = data.draw(st.integers(0, 31), label="byte")
    bad = proof[:at] + [flip(proof[at], byte)] + proof[at + 1 :]
    assert not merkle.verify_consistency(old_size, new_size, old_root, new_root, bad)
    assert not merkle.verify_consistency(old_size, new_size, flip(old_root, byte), new_root, proof)
    assert not merkle.verify_consistency(old_size, new_size, old_root, flip(new_root, byte), proof)


@settings(max_examples=100, deadline=None)
@given(d=st.lists(st.binary(max_size=8), max_size=200))
def test_frontier_root_equals_root_for_any_leaves(d):
    frontier = merkle.Frontier()
    for x in d:
        frontier.append(merkle.leaf_hash(x))
    assert frontier.size == len(d)
    assert frontier.root() == merkle.root(source(d), len(d)) == ref_mth(d)


# --- Stored nodes: proofs read the hashes of aligned complete subtrees instead of their leaves ---


def stored_nodes(d: list[bytes], smallest: int):
    """Every aligned complete subtree of `smallest` leaves or more, as a store would keep them,
    from the reference MTH; and the ranges asked for, to see them used."""
    table = {}
    size = smallest
    while size <= len(d):
        for start in range(0, len(d) - size + 1, size):
            table[(start, start + size)] = ref_mth(d[start:start + size])
        size *= 2
    asked = []

    def nodes(start, end):
        asked.append((start, end))
        return table.get((start, end))
    return nodes, asked


def counted(leaves):
    read = []

    def source(start, end):
        read.append(end - start)
        return leaves(start, end)
    return source, read


@pytest.mark.parametrize("size", [1, 7, 8, 9, 31, 32, 33, 63, 64, 65, 70])
def test_proofs_and_roots_from_stored_nodes_equal_those_from_the_leaves_alone(size):
    leaves = source(DATA)
    for smallest in (2, 4, 8):
        nodes, _ = stored_nodes(DATA[:size], smallest)
        assert merkle.root(leaves, size, nodes) == merkle.root(leaves, size)
        assert merkle.frontier(leaves, size, nodes).nodes == merkle.frontier(leaves, size).nodes
        for index in range(size):
            assert merkle.inclusion_proof(leaves, index, size, nodes) == merkle.inclusion_proof(leaves, index, size)
        for old_size in range(1, size + 1):
            assert (merkle.consistency_proof(leaves, old_size, size, nodes)
                    == merkle.consistency_proof(leaves, old_size, size))


def test_a_root_over_stored_nodes_reads_only_the_leaves_after_the_last_complete_node():
    nodes, asked = stored_nodes(DATA[:64], 8)
    leaves, read = counted(source(DATA))
    assert merkle.root(leaves, 70, nodes) == ref_mth(DATA[:70])
    assert (0, 64) in asked and sum(read) == 6


def test_a_missing_node_is_computed_from_its_leaves():
    nodes, _ = stored_nodes(DATA[:32], 8)  # [0, 64) not stored: one streamed read of its leaves
    leaves, read = counted(source(DATA))
    assert merkle.root(leaves, 64, nodes) == ref_mth(DATA[:64])
    assert read == [64]


def test_each_append_to_a_frontier_names_the_perfect_subtrees_it_completes():
    frontier, seen = merkle.Frontier(), {}
    for data in DATA[:64]:
        for size, digest in frontier.append(merkle.leaf_hash(data)):
            seen[(frontier.size - size, frontier.size)] = digest
    assert seen == {(s, e): ref_mth(DATA[s:e]) for s, e in seen} and len(seen) == 32 + 16 + 8 + 4 + 2 + 1
