"""Each backend's full-text index over the normalised words of a row's title and summary.

Both index the same words (see projections.matching) and answer "every asked
word begins an indexed word"; only the SQL differs, one module per backend.
"""

from __future__ import annotations

from types import ModuleType

from projections.search import postgresql, sqlite


def for_dialect(name: str) -> ModuleType:
    return postgresql if name == "postgresql" else sqlite
