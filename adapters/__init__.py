"""Infrastructure behind the domain's ports: the event store (store) on eventsourcing's SQLite and
PostgreSQL recorders extended with our ledger (sqlite, postgres, ledger) or in memory for tests (memory);
the codec between entries and stored bytes; canonical bytes and leaf hashes; the Merkle tree; signing."""
