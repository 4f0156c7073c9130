"""Export the log as JSON Lines, and import such a file into an empty store (SPEC §7).

Each line is an entry as `/v1/log` shows it to an auditor. Import recomputes
every leaf hash, refuses the whole file on any mismatch or gap (nothing stored),
then rebuilds the projections: the same entries give the same root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import IO

import msgspec

from adapters import codec
from adapters.canonical import b64, leaf_of
from adapters.store import Restored, Store, restore
from domain import clock
from projections.log import LogEntry, scan, to_entry
from projections.rebuild import rebuild


class ImportRefused(Exception):
    pass


def export(store: Store, out: IO[bytes], progress: Callable[[int], None] | None = None,
           recorded_at: int = clock.FOREVER) -> int:
    """The log as recorded by `recorded_at`: its prefix, since record times grow with the position."""
    encoder, count = msgspec.json.Encoder(), 0
    with store.read() as tx:
        for row in scan(tx):
            if row["recorded_at"] > recorded_at:
                break
            out.write(encoder.encode(to_entry(row, auditor=True)) + b"\n")
            count += 1
            if progress:
                progress(1)
    return count


def read_entries(lines: Iterable[bytes]) -> Iterator[Restored]:
    """Each line checked: decodable, in position order without gaps, hash matching its content."""
    decoder = msgspec.json.Decoder(LogEntry)
    for number, line in enumerate((line for line in lines if line.strip()), start=1):
        try:
            entry = decoder.decode(line)
            entry_obj = codec.upcast({"type": entry.type, **entry.data})  # must be an entry we understand
        except Exception as error:
            raise ImportRefused(f"line {number}: not an exported entry ({error})") from None
        if entry.position != number:
            raise ImportRefused(f"line {number}: position {entry.position} where {number} was due (a gap or reorder)")
        if b64(leaf_of(entry)) != entry.hash:
            raise ImportRefused(f"line {number}: hash does not match the entry's content")
        yield Restored(
            position=entry.position, event_id=entry.event_id, version=entry.version, type=entry.type,
            known_at=clock.parse_instant(entry.known_at, "known_at"),
            recorded_at=clock.parse_instant(entry.recorded_at, "recorded_at"), recorded_by=entry.recorded_by,
            hash=entry.hash, state=msgspec.json.encode({"type": entry.type, **entry.data}),
            claim_id=getattr(entry_obj, "claim_id", None))


def import_file(store: Store, lines: Iterable[bytes], progress: Callable[[int, int], None] | None = None) -> int:
    entries = list(read_entries(lines))  # every line is checked before anything is stored
    restore(store, entries)
    rebuild(store, progress)
    return len(entries)
