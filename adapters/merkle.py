"""RFC 9162 §2.1 Merkle tree: tree hashes, proofs, and their verification.

Pure functions over hashlib, no I/O. The log may hold millions of leaves, so
nothing here holds the whole tree: proof builders read leaf hashes through a
callable ``leaves(start, end)`` yielding the leaf hashes of [start, end) in
order, and fold each requested range with a `Frontier` (O(log n) memory).
They may also be given ``nodes(start, end)``, the stored hash of an aligned
complete subtree [start, end) or None: every subtree a proof needs splits into
such subtrees (RFC 9162 splits at powers of two), so with the nodes stored a
proof reads O(log n) of them plus the leaves of one partial block.

Builders raise ValueError for impossible requests (they are our own calls);
verifiers return False for anything that does not verify, never raise, since
they take untrusted input from whoever hands us a proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

LeafSource = Callable[[int, int], Iterable[bytes]]
NodeSource = Callable[[int, int], "bytes | None"]

# MTH({}) = HASH(), RFC 9162 §2.1.1.
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    # The 0x00 / 0x01 prefixes keep a leaf from ever passing for an inner
    # node (second-preimage resistance, RFC 9162 §2.1.1).
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """The right edge of a growing tree: its perfect-subtree roots.

    `nodes` holds (size, hash) pairs with strictly decreasing power-of-two
    sizes: the binary digits of `size`. That is all MTH needs, because MTH
    splits at the largest power of two below n, so a tree is its leftmost
    perfect subtree followed by a smaller tree of the same shape.
    """

    def __init__(self) -> None:
        self._nodes: list[tuple[int, bytes]] = []
        self._size = 0

    @classmethod
    def restore(cls, nodes: Iterable[tuple[int, bytes]]) -> Frontier:
        """A frontier from the `nodes` of an earlier one: grow a tree without rereading it."""
        frontier = cls()
        frontier._nodes = [(int(size), bytes(digest)) for size, digest in nodes]
        frontier._size = sum(size for size, _ in frontier._nodes)
        return frontier

    @property
    def size(self) -> int:
        return self._size

    @property
    def nodes(self) -> tuple[tuple[int, bytes], ...]:
        return tuple(self._nodes)

    def append(self, leaf_hash: bytes) -> list[tuple[int, bytes]]:
        """Add a leaf; returns the (size, hash) of each perfect subtree it completes, smallest
        first. Each ends at the new `size`, so it begins at `size - its size`."""
        self._nodes.append((1, leaf_hash))
        self._size += 1
        completed = []
        # Two equal neighbours are the two halves of a perfect subtree: merge
        # them (like carrying in binary addition).
        while len(self._nodes) > 1 and self._nodes[-1][0] == self._nodes[-2][0]:
            (size, right), (_, left) = self._nodes.pop(), self._nodes.pop()
            self._nodes.append((2 * size, node_hash(left, right)))
            completed.append(self._nodes[-1])
        return completed

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        # Hash right to left: each smaller subtree is the right child.
        acc = self._nodes[-1][1]
        for _, left in reversed(self._nodes[:-1]):
            acc = node_hash(left, acc)
        return acc


def _check_size(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


def _split(n: int) -> int:
    """The largest power of two strictly less than n (n > 1), RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) as the aligned complete subtrees MTH splits it into, left to right, when
    `start` is a multiple of the largest of them (as for [0, n)): the frontier at `end`."""
    pieces = []
    while start < end:
        size = 1 << ((end - start).bit_length() - 1)
        pieces.append((start, start + size))
        start += size
    return pieces


def _is_perfect(start: int, end: int) -> bool:
    size = end - start
    return size > 0 and size & (size - 1) == 0 and start % size == 0


def _range_root(leaves: LeafSource, start: int, end: int, nodes: NodeSource | None = None) -> bytes:
    """MTH of leaves [start, end): a stored node when there is one, else split, else streamed."""
    if nodes is not None and end - start > 1:
        if _is_perfect(start, end):
            stored = nodes(start, end)
            if stored is not None:
                return stored
        else:  # MTH's own split; its left half is perfect, its right half splits again
            k = _split(end - start)
            return node_hash(_range_root(leaves, start, start + k, nodes),
                             _range_root(leaves, start + k, end, nodes))
    return _streamed_root(leaves, start, end)


def _streamed_root(leaves: LeafSource, start: int, end: int) -> bytes:
    """MTH of leaves [start, end), streamed."""
    # A source giving too few or too many leaves would silently yield the
    # root of some other tree, so the count is checked.
    want, frontier = end - start, Frontier()
    for h in leaves(start, end):
        if frontier.size == want:
            raise ValueError(f"leaf source gave more than {want} leaves for [{start}, {end})")
        frontier.append(h)
    if frontier.size != want:
        raise ValueError(
            f"leaf source gave {frontier.size} leaves for [{start}, {end}), expected {want}"
        )
    return frontier.root()


def root(leaves: LeafSource, size: int, nodes: NodeSource | None = None) -> bytes:
    """MTH(D[0:size]), RFC 9162 §2.1.1."""
    _check_size("size", size)
    return _range_root(leaves, 0, size, nodes)


def frontier(leaves: LeafSource, size: int, nodes: NodeSource | None = None) -> Frontier:
    """The `Frontier` of D[0:size], each of its subtrees read as one range."""
    _check_size("size", size)
    return Frontier.restore((end - start, _range_root(leaves, start, end, nodes))
                            for start, end in perfect_subtrees(0, size))


def inclusion_proof(leaves: LeafSource, index: int, size: int, nodes: NodeSource | None = None) -> list[bytes]:
    """PATH(index, D[0:size]), RFC 9162 §2.1.3.1; leaf-level sibling first."""
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"index {index} is out of range for tree size {size}")
    # Walk down from the root, noting the sibling subtree at each split;
    # the proof lists them bottom-up.
    siblings: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            siblings.append((lo, lo + k))
            lo += k
    return [_range_root(leaves, a, b, nodes) for a, b in reversed(siblings)]


def consistency_proof(leaves: LeafSource, old_size: int, new_size: int,
                      nodes: NodeSource | None = None) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]), RFC 9162 §2.1.4.1."""
    _check_size("old_size", old_size)
    _check_size("new_size", new_size)
    if old_size > new_size:
        raise ValueError(f"old_size {old_size} is greater than new_size {new_size}")
    if old_size == 0:
        # RFC 9162 defines proofs for 0 < m only; every tree extends the empty one.
        raise ValueError("no consistency proof exists from the empty tree (old_size 0)")
    # SUBPROOF(m, D[lo:hi], b), unrolled: follow the old tree's right edge down.
    ranges: list[tuple[int, int]] = []
    lo, hi, m, whole_old_tree = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m, whole_old_tree = lo + k, m - k, False
    # The verifier already knows the old root, so a subtree equal to the whole
    # old tree is left out; any other one is needed to rebuild it.
    if not whole_old_tree:
        ranges.append((lo, hi))
    return [_range_root(leaves, a, b, nodes) for a, b in reversed(ranges)]


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    if not 0 <= index < size:  # 1. leaf_index >= tree_size: fail.
        return False
    # Not in the RFC text, but implied by it: a leaf hash is a SHA-256 output.
    # (Else, at size 1, any value "proves" itself, e.g. b"" against b"".)
    if len(leaf_hash) != hashlib.sha256().digest_size:
        return False
    fn, sn = index, size - 1  # 2.
    r = leaf_hash  # 3.
    for p in proof:  # 4.
        if sn == 0:  # a. proof longer than the path: fail.
            return False
        if fn & 1 or fn == sn:  # b. p is a left sibling
            r = node_hash(p, r)
            if not fn & 1:  # on the right edge: skip levels with no sibling
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:  # p is a right sibling
            r = node_hash(r, p)
        fn >>= 1  # c.
        sn >>= 1
    return sn == 0 and r == root  # 5.


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2 (first = old_size, second = new_size), step by step."""
    # The RFC algorithm is for 0 < first < second. A consistency check from
    # the empty tree proves nothing, so it is refused; equal sizes are
    # consistent exactly when the roots match and the proof is empty
    # (SUBPROOF(m, D[m], true) = {}).
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    path = list(proof)
    if not path:  # 1.
        return False
    if old_size & (old_size - 1) == 0:  # 2. first is a power of 2: it is its own node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # 3.
    while fn & 1:  # 4.
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # 5.
    for c in path[1:]:  # 6.
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b. c is left of both trees' paths
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:  # c is only in the new tree, to the right
            sr = node_hash(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0  # 7.
