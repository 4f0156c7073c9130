"""The HTTP API (Litestar) and the `ceasefire` command."""
