"""The read side, kept from the log: the bitemporal index and its point-in-time queries, the raw log and
history, the audit (signed roots, proofs, verify, replay), rebuild, and export/import."""
