"""Stored Merkle nodes: the hashes of the log's aligned complete subtrees of BLOCK leaves and more.

With them a root or proof over n leaves reads O(log n) nodes and the leaves of at most one partial
block, instead of rehashing all n leaves (adapters/merkle.py splits every range it needs into such
subtrees). The table is a cache of the ledger's leaf hashes: filled from where it stops whenever a
root or proof is asked for (so a store written before it existed fills it on first use), emptied
by a rebuild, and never trusted by `verify`, which recomputes everything from the entries.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator

from adapters import merkle
from adapters.canonical import b64
from adapters.store import Store, Tx
from projections.log import CHUNK

NODES_DDL = """
CREATE TABLE IF NOT EXISTS {s}merkle_nodes (
    size {int} NOT NULL, first {int} NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (size, first));
"""
BLOCK = 256  # the smallest stored subtree, and the most leaves a root or proof reads in one piece
FILL_STEP = 1 << 16  # leaves hashed per committed step of a fill


def leaves(tx: Tx) -> merkle.LeafSource:
    """The ledger's leaf hashes. A range inside one block is served from that whole block, read
    once: a proof's small subtrees all lie in the block of its leaf."""
    block: dict[int, list[bytes]] = {}

    def read(start: int, end: int) -> Iterator[bytes]:
        first = start - start % BLOCK
        if end > first + BLOCK:
            yield from _ledger(tx, start, end)
            return
        if first not in block:
            block.clear()
            block[first] = list(_ledger(tx, first, first + BLOCK))
        yield from block[first][start - first:end - first]
    return read


def _ledger(tx: Tx, start: int, end: int) -> Iterator[bytes]:
    while start < end:
        rows = tx.rows("SELECT position, hash FROM {s}ledger WHERE position > ? AND position <= ? "
                       "ORDER BY position", (start, min(end, start + CHUNK)))
        if not rows:
            return
        for row in rows:
            yield base64.b64decode(row["hash"])
        start = rows[-1]["position"]


def nodes(tx: Tx, leaf_indices: Iterable[int] = (), tree_sizes: Iterable[int] = ()) -> merkle.NodeSource:
    """Stored nodes. Those a root or proof at these leaves and sizes reads are fetched in one query
    (a round trip each would be most of a proof's time on PostgreSQL); any other, alone."""
    known = _fetched(tx, _on_paths(list(leaf_indices), list(tree_sizes)))

    def read(start: int, end: int) -> bytes | None:
        if end - start < BLOCK:
            return None
        if (start, end) in known:
            return known[(start, end)]
        row = tx.one("SELECT hash FROM {s}merkle_nodes WHERE size = ? AND first = ?", (end - start, start))
        return base64.b64decode(row["hash"]) if row else None
    return read


def _on_paths(leaf_indices: list[int], tree_sizes: list[int]) -> set[tuple[int, int]]:
    """The subtrees of BLOCK leaves or more that MTH splits out around these leaves and sizes: at
    each level, the sibling of each leaf's ancestor, and the piece of each size's frontier."""
    top = max([*tree_sizes, *(i + 1 for i in leaf_indices), 0]).bit_length()
    ranges = set()
    for level in range(BLOCK.bit_length() - 1, top):
        size = 1 << level
        ranges |= {(start, start + size) for start in (((i >> level) ^ 1) << level for i in leaf_indices)}
        ranges |= {(start, start + size) for start in ((n >> (level + 1)) << (level + 1)
                                                       for n in tree_sizes if n >> level & 1)}
    return ranges


def _fetched(tx: Tx, ranges: set[tuple[int, int]]) -> dict[tuple[int, int], bytes | None]:
    if not ranges:
        return {}
    wanted = sorted(ranges)
    rows = tx.rows("SELECT size, first, hash FROM {s}merkle_nodes WHERE "
                   + " OR ".join(["(size = ? AND first = ?)"] * len(wanted)),
                   [value for start, end in wanted for value in (end - start, start)])
    known: dict[tuple[int, int], bytes | None] = dict.fromkeys(wanted)
    known.update({(row["first"], row["first"] + row["size"]): base64.b64decode(row["hash"]) for row in rows})
    return known


def fill(store: Store) -> None:
    """Store the nodes of every complete block up to the log's head, from where the table stops."""
    while True:
        with store.read() as tx:
            done, head = _filled(tx), store.head(tx)[0]
            until = min(head - head % BLOCK, done + FILL_STEP)
            if done >= until:
                return
            # `done` is a multiple of BLOCK: the frontier there is made of stored nodes.
            tree, completed = merkle.frontier(leaves(tx), done, nodes(tx, tree_sizes=[done])), []
            for leaf in _ledger(tx, done, until):
                completed += [(size, tree.size - size, b64(digest))
                              for size, digest in tree.append(leaf) if size >= BLOCK]
        if tree.size != until:  # a gap in the ledger: `verify` names it; store nothing built on it
            return
        with store.write() as tx:  # another process may have filled the same nodes: they are equal
            tx.many("INSERT INTO {s}merkle_nodes VALUES (?, ?, ?) ON CONFLICT DO NOTHING", completed)


def clear(tx: Tx) -> None:
    tx.run("DELETE FROM {s}merkle_nodes")


def _filled(tx: Tx) -> int:
    """How many leaves the stored blocks cover, from the first."""
    row = tx.one("SELECT MAX(first) AS last FROM {s}merkle_nodes WHERE size = ?", (BLOCK,))
    return 0 if row["last"] is None else row["last"] + BLOCK
