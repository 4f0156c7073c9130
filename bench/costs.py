"""What the audit parts cost as the log grows (docs/scaling.md): `python -m bench.costs --entries 1000000`.

The Merkle tree needs only leaf hashes in position order, so a synthetic ledger
of N rows (PostgreSQL's generate_series, or rows written straight into the
SQLite file) measures it at sizes the write path would take hours to reach:
hashing N leaves in memory, reading N leaf hashes from the ledger, a proof from
the leaves alone (as before the node table), the first use of the node table
on a store without it (it is filled then), proofs and signed roots from it, and
both again 1,000 entries later.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sqlite3
import statistics
import time
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters import merkle
from adapters.store import postgres_params, postgres_schema
from api.app import open_store
from api.settings import Settings
from bench.backends import prepared
from projections.audit import Audit

PG_FILL = """
INSERT INTO "{schema}".ledger
SELECT g, gen_random_uuid()::text, 1, 'EventReported', g, g, 'bench',
       encode(sha256(int8send(g)), 'base64'), NULL
FROM generate_series(%s::bigint, %s::bigint) g
"""


def synthetic_leaf(position: int) -> bytes:
    return hashlib.sha256(position.to_bytes(8, "big", signed=True)).digest()


def fill(url: str, first: int, last: int) -> None:
    """Ledger rows at positions first..last, written behind the application's back."""
    if url.startswith("postgresql"):
        params = postgres_params(url)
        with psycopg.connect(**params, autocommit=True) as connection:
            connection.execute(PG_FILL.format(schema=postgres_schema(url)), (first, last))
            connection.execute(f'ANALYZE "{postgres_schema(url)}".ledger')
        return
    with sqlite3.connect(Path(url[len("sqlite:///"):])) as connection:
        connection.executemany(
            "INSERT INTO ledger VALUES (?, ?, 1, 'EventReported', ?, ?, 'bench', ?, NULL)",
            ((p, f"{p:032x}", p, p, base64.b64encode(synthetic_leaf(p)).decode()) for p in range(first, last + 1)))


def timed(function, *args) -> tuple[float, object]:
    began = time.perf_counter()
    answer = function(*args)
    return time.perf_counter() - began, answer


def median_ms(function, calls) -> float:
    return 1000 * statistics.median(timed(function, *args)[0] for args in calls)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.costs", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    n = parser.parse_args().entries
    with prepared(parser.parse_args().backend) as backend:
        store = open_store(Settings(database_url=backend.url))
        try:
            measure(store, backend.url, n)
        finally:
            store.close()


def measure(store, url: str, n: int) -> None:
    fill(url, 1, n)
    leaves = [synthetic_leaf(p) for p in range(1, n + 1)]
    hashing, _ = timed(lambda: merkle.root(lambda start, end: leaves[start:end], n))
    audit = Audit(store, Ed25519PrivateKey.generate())
    with store.read() as tx:
        reading, _ = timed(lambda: sum(1 for _ in audit.leaves(tx)(0, n)))
        alone, _ = timed(lambda: (merkle.inclusion_proof(audit.leaves(tx), n // 2, n), merkle.root(audit.leaves(tx), n)))
    first_use, _ = timed(audit.inclusion, n // 2, None)
    spread = [(p, None) for p in range(1, n + 1, max(1, n // 50))]
    inclusion = median_ms(audit.inclusion, spread)
    consistency = median_ms(audit.consistency, [(m, None) for m, _ in spread])
    first_root, _ = timed(audit.signed_root)
    fill(url, n + 1, n + 1000)
    time.sleep(1.1)  # roots are signed at most once a second
    next_root, answer = timed(audit.signed_root)
    assert answer["tree_size"] == n + 1000
    grown = median_ms(audit.inclusion, spread)
    print(f"{store.dialect.name}, {n:,} entries")
    print(f"Merkle root over {n:,} leaves in memory: {hashing:.2f} s")
    print(f"reading {n:,} leaf hashes from the ledger: {reading:.2f} s")
    print(f"inclusion proof and root at {n:,} from the leaves alone (no stored nodes): {alone:.2f} s")
    print(f"first proof on a store without stored nodes (fills them): {first_use:.2f} s")
    print(f"inclusion proof at {n:,} (median of {len(spread)}): {inclusion:.1f} ms")
    print(f"consistency proof to {n:,} (median of {len(spread)}): {consistency:.1f} ms")
    print(f"first signed root at {n:,}: {first_root * 1000:.1f} ms")
    print(f"next signed root, 1,000 entries later: {next_root * 1000:.1f} ms")
    print(f"inclusion proof 1,000 entries later (median): {grown:.1f} ms")


if __name__ == "__main__":
    main()
