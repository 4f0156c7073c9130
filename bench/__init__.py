"""`python -m bench`: the performance targets of SPEC §9, measured against a synthetic log."""
