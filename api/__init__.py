"""The edges: the Litestar app and its controllers (thin: decode, call, answer), the one mapping from
errors to RFC 9457 problems, query parameters, batches and fixtures loading, and the `ceasefire` command."""
