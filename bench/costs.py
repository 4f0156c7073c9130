"""What the audit parts cost as the log grows (docs/scaling.md): `python -m bench.costs --entries 1000000`.

The Merkle tree needs only leaf hashes in position order, so a synthetic ledger
of N rows (made by PostgreSQL's generate_series in a fresh schema) measures it
at sizes the write path would take hours to reach: hashing N leaves in
memory, reading N leaf hashes from the ledger, an inclusion proof, the first
signed root (from nothing) and the next one (from the stored frontier).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
import uuid

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters import merkle
from api.app import open_store
from api.settings import Settings
from bench.backends import DEFAULT_PG
from projections.audit import Audit

FILL = """
INSERT INTO "{schema}".ledger
SELECT g, gen_random_uuid()::text, 1, 'EventReported', g, g, 'bench',
       encode(sha256(int8send(g)), 'base64'), NULL
FROM generate_series(%s::bigint, %s::bigint) g
"""


def timed(function, *args) -> tuple[float, object]:
    began = time.perf_counter()
    answer = function(*args)
    return time.perf_counter() - began, answer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.costs", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    n = args.entries
    base = os.environ.get("CEASEFIRE_BENCH_DATABASE_URL", DEFAULT_PG).split("?")[0]
    schema = "costs_" + uuid.uuid4().hex[:10]
    store = open_store(Settings(database_url=f"{base}?schema={schema}"))
    try:
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(FILL.format(schema=schema), (1, n))
            connection.execute(f'ANALYZE "{schema}".ledger')
            size = connection.execute(f"SELECT pg_total_relation_size('\"{schema}\".ledger')").fetchone()[0]
        leaves = [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]
        hashing, _ = timed(lambda: merkle.root(lambda start, end: leaves[start:end], n))
        audit = Audit(store, Ed25519PrivateKey.generate())
        with store.read() as tx:
            reading, _ = timed(lambda: sum(1 for _ in audit.leaves(tx)(0, n)))
        proof, _ = timed(audit.inclusion, n // 2, None)
        first_root, _ = timed(audit.signed_root)
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(FILL.format(schema=schema), (n + 1, n + 1000))
        time.sleep(1.1)  # roots are signed at most once a second
        next_root, answer = timed(audit.signed_root)
        assert answer["tree_size"] == n + 1000
        print(f"entries: {n:,}; ledger with its indexes: {size / n:.0f} bytes per entry")
        print(f"Merkle root over {n:,} leaves in memory: {hashing:.2f} s")
        print(f"reading {n:,} leaf hashes from the ledger: {reading:.2f} s")
        print(f"inclusion proof at {n:,}: {proof:.2f} s")
        print(f"first signed root at {n:,} (no frontier stored): {first_root:.2f} s")
        print(f"next signed root, 1,000 entries later (from the stored frontier): {next_root * 1000:.1f} ms")
    finally:
        store.close()
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
