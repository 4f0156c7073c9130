"""`python -m bench.rebuild_run URL`: rebuild and a bare read of the log in a fresh process, as
`ceasefire rebuild` runs (nothing cached from writing the log); prints one JSON object."""

from __future__ import annotations

import sys

import msgspec

from api.app import open_store
from api.settings import Settings
from bench import measures


def main(url: str) -> None:
    store = open_store(Settings(database_url=url))
    try:
        bare = max(measures.bare_read_rate(store) for _ in range(2))
        rate, same = measures.rebuild_rate(store)
    finally:
        store.close()
    sys.stdout.write(msgspec.json.encode({"rebuild": rate, "bare": bare, "same": same}).decode() + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
