"""Audit proofs over a large log stream its leaves: memory stays logarithmic in the tree size.

A reliability bound rather than a unit specification: it hashes 131,072 leaves
several times under tracemalloc, which takes seconds.
"""

from __future__ import annotations

import hashlib
import tracemalloc

from adapters import merkle


def test_root_and_proofs_stream_the_leaves_in_logarithmic_memory():
    size = 1 << 17  # 131,072 leaves, generated lazily

    def leaves(start, end):
        return (hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(start, end))

    tracemalloc.start()
    try:
        tree_root = merkle.root(leaves, size)
        proof = merkle.inclusion_proof(leaves, 12345, size)
        cproof = merkle.consistency_proof(leaves, 100_000, size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A list of all leaf hashes alone would take > 8 MB.
    assert peak < 64 * 1024, peak
    leaf = next(iter(leaves(12345, 12346)))
    assert merkle.verify_inclusion(leaf, 12345, size, proof, tree_root)
    old_root = merkle.root(leaves, 100_000)
    assert merkle.verify_consistency(100_000, size, old_root, tree_root, cproof)
