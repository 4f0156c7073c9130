"""Load write requests (the fixtures, or any JSON Lines of batch entries) through the API's validation."""

from __future__ import annotations

from pathlib import Path

import msgspec

from api.batches import batch_ops
from api.schemas import BatchEntry, BatchRequest
from domain.application import Timeline
from domain.errors import Conflict

LOADER = "fixtures"
CHUNK = 500


def request_lines(path: Path) -> list[BatchEntry]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    decoder = msgspec.json.Decoder(BatchEntry)
    return [decoder.decode(line) for file in files for line in file.read_bytes().splitlines() if line.strip()]


def load(timeline: Timeline, path: Path, progress=None) -> int:
    """Append every request in order, in atomic chunks; returns the entries written."""
    entries = request_lines(path)
    written = 0
    for start in range(0, len(entries), CHUNK):
        ops = batch_ops(BatchRequest(entries=entries[start:start + CHUNK]))
        written += len(timeline.execute(ops, LOADER, batch=True))
        if progress:
            progress(written, len(entries))
    return written


def load_fixtures_if_empty(timeline: Timeline, fixtures: Path) -> int:
    if timeline.store.size():
        return 0
    try:
        return load(timeline, fixtures)
    except Conflict:  # another worker loaded them first
        return 0
