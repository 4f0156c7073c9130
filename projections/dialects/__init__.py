"""What each backend says its own way: the full-text index, and how to hold the planner to an index.

Both text indexes hold the same words (see projections.matching) and answer
"every asked word begins an indexed word"; only the SQL differs, one module per
backend.
"""

from __future__ import annotations

from types import ModuleType

from projections.dialects import postgresql, sqlite


def for_dialect(name: str) -> ModuleType:
    return postgresql if name == "postgresql" else sqlite
