"""The edges: the Litestar app and its controllers (thin: decode, call, answer), the one mapping from
errors to RFC 9457 problems, query parameters, batches and fixtures loading, and the `ceasefire` command."""

from importlib import metadata

try:
    __version__ = metadata.version("ceasefire-timeline")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
