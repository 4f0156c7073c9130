"""Audit (SPEC §7): signed tree heads, proofs, verification of the stored bytes, replay.

Leaves are the entries' leaf hashes in position order. Proofs and roots are built
from the stored hashes and the stored nodes of complete subtrees (projections/tree_nodes.py),
filled up to the head before each is answered; `verify` recomputes every leaf from the stored content and
checks it against both the stored hash and every root the server ever signed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator

import msgspec
import rfc8785

from adapters import merkle
from adapters.canonical import b64, leaf_of
from adapters.codec import decode
from adapters.signing import public_key_b64, sign
from adapters.store import Store, StoreConflict, Tx
from domain import clock
from domain.errors import MalformedRequest, NotFound
from domain.view import Logged, fold
from projections import selection, tree_nodes
from projections.log import CHUNK, ENTRY_SQL, scan, to_entry
from projections.queries import PointInTime

AUDIT_DDL = """
CREATE TABLE IF NOT EXISTS {s}signed_roots (
    tree_size {int} PRIMARY KEY, root TEXT NOT NULL, timestamp TEXT NOT NULL, signature TEXT NOT NULL,
    frontier TEXT NOT NULL, signed_at {int} NOT NULL);
""" + tree_nodes.NODES_DDL
MAX_BAD_LISTED = 100
Progress = Callable[[int], None]


class Audit:
    def __init__(self, store: Store, key):
        self.store, self.key = store, key
        self.public_key = public_key_b64(key)

    # --- signed roots ------------------------------------------------------------------------

    def signed_root(self) -> dict:
        """The root at the current size, signed when first asked for (at most one a second)."""
        tree_nodes.fill(self.store)
        with self.store.read() as tx:
            size = self.store.head(tx)[0]
            latest = tx.one("SELECT * FROM {s}signed_roots ORDER BY tree_size DESC LIMIT 1")
            if latest and (latest["tree_size"] == size or
                           clock.now_micros() - latest["signed_at"] < clock.MICROS):
                return self._root_answer(latest)
            frontier = merkle.frontier(tree_nodes.leaves(tx), size, tree_nodes.nodes(tx, tree_sizes=[size]))
        root, timestamp = b64(frontier.root()), clock.format_instant(clock.now_micros())
        row = {"tree_size": size, "root": root, "timestamp": timestamp,
               "signature": sign(self.key, size, root, timestamp),
               # Still written: processes of earlier versions grow their next root from it.
               "frontier": msgspec.json.encode([[n, b64(h)] for n, h in frontier.nodes]).decode(),
               "signed_at": clock.now_micros()}
        try:
            with self.store.write() as tx:
                tx.run("INSERT INTO {s}signed_roots VALUES (?, ?, ?, ?, ?, ?)", tuple(row.values()))
        except StoreConflict:  # another process signed this size first: serve theirs
            with self.store.read() as tx:
                row = tx.one("SELECT * FROM {s}signed_roots WHERE tree_size = ?", (size,))
        return self._root_answer(row)

    def _root_answer(self, row) -> dict:
        return {"tree_size": row["tree_size"], "root": row["root"], "timestamp": row["timestamp"],
                "signature": row["signature"], "public_key": self.public_key}

    # --- proofs ------------------------------------------------------------------------------

    def leaves(self, tx: Tx) -> merkle.LeafSource:
        return tree_nodes.leaves(tx)

    def inclusion(self, position: int, tree_size: int | None) -> dict:
        tree_nodes.fill(self.store)
        with self.store.read() as tx:
            size = self._size(tx, tree_size, "tree_size")
            if not 1 <= position <= size:
                raise NotFound(f"position {position} is not in the tree of size {size}")
            leaves, nodes = self.leaves(tx), tree_nodes.nodes(tx, [position - 1], [size])
            path = merkle.inclusion_proof(leaves, position - 1, size, nodes)
            leaf = next(iter(leaves(position - 1, position)))
            root = merkle.root(leaves, size, nodes)
        return {"leaf_index": position - 1, "tree_size": size, "leaf_hash": b64(leaf),
                "audit_path": [b64(h) for h in path], "root": b64(root)}

    def consistency(self, from_size: int | None, to_size: int | None) -> dict:
        tree_nodes.fill(self.store)
        with self.store.read() as tx:
            new = self._size(tx, to_size, "to_size")
            old = self._size(tx, from_size, "from_size")
            if not 1 <= old <= new:
                raise MalformedRequest.at("from_size", f"must be between 1 and to_size ({new})")
            leaves, nodes = self.leaves(tx), tree_nodes.nodes(tx, [old - 1], [old, new])
            path = merkle.consistency_proof(leaves, old, new, nodes)
            old_root, new_root = merkle.root(leaves, old, nodes), merkle.root(leaves, new, nodes)
        return {"from_size": old, "to_size": new, "from_root": b64(old_root), "to_root": b64(new_root),
                "consistency_path": [b64(h) for h in path]}

    def _size(self, tx: Tx, requested: int | None, name: str) -> int:
        current = self.store.head(tx)[0]
        if requested is None:
            return current
        if not 0 <= requested <= current:
            raise MalformedRequest.at(name, f"must be between 1 and the current tree size {current}")
        return requested

    # --- verify ------------------------------------------------------------------------------

    def verify(self, progress: Progress | None = None) -> dict:
        """Recompute every leaf from the stored content; check hashes, gaps and issued roots.
        `bad_positions` lists up to MAX_BAD_LISTED entries that are missing or no longer match their hash."""
        with self.store.read() as tx:
            issued = {row["tree_size"]: row["root"] for row in
                      tx.rows("SELECT tree_size, root FROM {s}signed_roots ORDER BY tree_size")}
            frontier, entries, first_bad, failed_roots, good_roots = merkle.Frontier(), 0, None, [], [0]
            bad: list[int] = []
            previous = 0
            for row in scan(tx):
                entries += 1
                _note(bad, range(previous + 1, row["position"]))  # cut out of the log
                previous = row["position"]
                leaf = _recomputed_leaf(row)
                intact = leaf is not None and b64(leaf) == row["hash"]
                if not intact:
                    _note(bad, [row["position"]])
                if first_bad is None:
                    if row["position"] != entries or not intact:
                        first_bad = entries
                    else:
                        frontier.append(leaf)
                        if frontier.size in issued:
                            ok = b64(frontier.root()) == issued[frontier.size]
                            (good_roots if ok else failed_roots).append(frontier.size)
                if progress:
                    progress(1)
        failed_roots += [size for size in issued if size > frontier.size]  # the tail is gone or bad
        _note(bad, range(previous + 1, max(issued, default=0) + 1))  # a cut tail
        if failed_roots:
            below = [size for size in good_roots if size < min(failed_roots)]
            first_bad = min(first_bad or entries + 1, max(below) + 1)
        return {"ok": first_bad is None, "entries": entries, "root": b64(frontier.root()),
                "first_bad_position": first_bad, "bad_positions": sorted(set(bad)), "failed_roots": failed_roots}

    # --- replay ------------------------------------------------------------------------------

    def replay(self, at: PointInTime, progress: Progress | None = None) -> dict:
        """Fold the log from scratch up to R, and compare with the indexed projections."""
        folded, indexed = hashlib.sha256(b"["), hashlib.sha256(b"[")
        count = 0
        as_of = {"known_at": clock.format_instant(at.known_at), "recorded_at": clock.format_instant(at.recorded_at)}
        with self.store.read() as tx:
            try:
                for event_id, stream in _streams(tx, at.recorded_at, progress):
                    state = fold(event_id, stream, at.known_at)
                    if state.visible:
                        folded.update((b"," if count else b"") + rfc8785.dumps(msgspec.to_builtins(state.view)))
                        count += 1
            except _Undecodable as error:
                return {"digest": None, "equal": False, "events": count, "as_of": as_of,
                        "error": f"the entry at position {error.position} no longer decodes: run verify"}
            listed = 0
            for view in _indexed_views(tx, at):
                indexed.update((b"," if listed else b"") + rfc8785.dumps(view))
                listed += 1
        digest = base64.b64encode(_close(folded)).decode()
        return {"digest": digest, "equal": digest == base64.b64encode(_close(indexed)).decode(),
                "events": count, "as_of": as_of}


class _Undecodable(Exception):
    def __init__(self, position: int):
        self.position = position


def _close(digest) -> bytes:
    digest.update(b"]")
    return digest.digest()


def _note(bad: list[int], positions) -> None:
    bad.extend(positions[:max(0, MAX_BAD_LISTED - len(bad))])


def _recomputed_leaf(row) -> bytes | None:
    """The leaf hash of an entry from its stored content, or None if it no longer decodes."""
    entry = to_entry(row, auditor=True)
    if entry.corrupt:
        return None
    try:
        return leaf_of(entry)
    except Exception:  # a value rewritten behind our back into something unencodable
        return None


def _streams(tx: Tx, recorded_at: int, progress: Progress | None) -> Iterator[tuple[str, list[Logged]]]:
    """Every event's entries recorded by R, event by event in id order."""
    order = 'l.event_id COLLATE "C"' if tx.dialect.name == "postgresql" else "l.event_id"
    after = ("", 0)
    current, stream = None, []
    while True:
        rows = tx.rows(f"{ENTRY_SQL} WHERE l.recorded_at <= ? AND (l.event_id > ? OR (l.event_id = ? AND "
                       f"l.position > ?)) ORDER BY {order}, l.position LIMIT ?",
                       (recorded_at, after[0], after[0], after[1], CHUNK))
        if not rows:
            break
        for row in rows:
            event_id = str(row["event_id"])
            if event_id != current and stream:
                yield current, stream
                stream = []
            current = event_id
            try:
                entry = decode(bytes(row["state"]))
            except Exception:
                raise _Undecodable(row["position"]) from None
            stream.append(Logged(position=row["position"], version=row["version"], known_at=row["known_at"],
                                 recorded_at=row["recorded_at"], entry=entry))
            if progress:
                progress(1)
        after = (str(rows[-1]["event_id"]), rows[-1]["position"])
    if stream:
        yield current, stream


def _indexed_views(tx: Tx, at: PointInTime) -> Iterator[dict]:
    order = 's.event_id COLLATE "C"' if tx.dialect.name == "postgresql" else "s.event_id"
    rows = tx.rows(f"SELECT v.view FROM {selection.ROW} {selection.VIEW} WHERE s.visible = 1 AND s.known_from <= ? "
                   f"AND s.known_to > ? AND s.recorded_from <= ? AND s.recorded_to > ? ORDER BY {order}",
                   (at.known_at, at.known_at, at.recorded_at, at.recorded_at))
    for row in rows:
        yield msgspec.json.decode(bytes(row["view"]))

