"""The HTTP API (Litestar) and the `ceasefire` command."""

from importlib import metadata

try:
    __version__ = metadata.version("ceasefire-timeline")
except metadata.PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"
