"""Infrastructure behind the domain's ports: the event store on SQLite and PostgreSQL, the codec
between entries and stored bytes, canonical bytes and leaf hashes, the Merkle tree, and signing."""
