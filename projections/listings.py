"""What the timeline can be filtered on at (K, R): tracks, actors and places, each with its count of
visible, standing events, most frequent first (SPEC §5).

At the latest (K, R) the counts are a lookup: the index keeps them as it applies
entries. At an earlier (K, R) they are counted from the rows valid there.
"""

from __future__ import annotations

from collections import Counter
from typing import Literal

import msgspec

from projections.index import SEP, listed
from projections.queries import AsOf, PointInTime, Reader

ListName = Literal["track", "actor", "place"]


class ListedName(msgspec.Struct, kw_only=True):
    name: str
    count: int


class ListedTrack(ListedName, kw_only=True):
    agreement_status: str | None


class ListedPlace(ListedName, kw_only=True):
    country: str


class TrackListing(msgspec.Struct, kw_only=True):
    items: list[ListedTrack]
    as_of: AsOf


class ActorListing(msgspec.Struct, kw_only=True):
    items: list[ListedName]
    as_of: AsOf


class PlaceListing(msgspec.Struct, kw_only=True):
    items: list[ListedPlace]
    as_of: AsOf


LISTINGS = {"track": TrackListing, "actor": ActorListing, "place": PlaceListing}


def listing(reader: Reader, list_name: ListName, at: PointInTime):
    at = reader.seen(at)
    with reader.store.read() as tx:
        latest = min(at.known_at, at.recorded_at) >= reader.store.head(tx)[1]
        counts = _kept(tx, list_name) if latest else _counted(reader, tx, list_name, at)
        ranked = sorted(((name, n) for name, n in counts.items() if n > 0), key=lambda item: (-item[1], item[0]))
        if list_name == "track":
            items = [ListedTrack(name=name, count=n, agreement_status=_latest_status(reader, tx, name, at))
                     for name, n in ranked]
        elif list_name == "place":
            items = [ListedPlace(name=name.split(SEP)[0], country=name.split(SEP)[1], count=n) for name, n in ranked]
        else:
            items = [ListedName(name=name, count=n) for name, n in ranked]
    return LISTINGS[list_name](items=items, as_of=at.as_of)


def _kept(tx, list_name: str) -> Counter:
    return Counter({row["name"]: row["count"] for row in
                    tx.rows("SELECT name, count FROM {s}index_counts WHERE list = ? AND count > 0", (list_name,))})


def _counted(reader: Reader, tx, list_name: str, at: PointInTime) -> Counter:
    recorded, params = reader.recorded(tx, at)
    rows = tx.rows(f"SELECT visible, retracted, track, actor_names, place_names FROM {{s}}event_states "
                   f"WHERE {recorded} AND known_from <= ? AND known_to > ? AND visible = 1 AND retracted = 0",
                   [*params, at.known_at, at.known_at])
    return Counter(name for row in rows for listed_in, name in
                   listed(row["visible"], row["retracted"], row["track"], row["actor_names"], row["place_names"])
                   if listed_in == list_name)


def _latest_status(reader: Reader, tx, track: str, at: PointInTime) -> str | None:
    """The agreement status of the track's last event in world order that has one, as /v1/tracks/{track}."""
    recorded, params = reader.recorded(tx, at)
    row = tx.one(f"SELECT agreement_status FROM {{s}}event_states WHERE track = ? AND {recorded} "
                 "AND known_from <= ? AND known_to > ? AND visible = 1 AND retracted = 0 "
                 "AND agreement_status IS NOT NULL ORDER BY occurred_start DESC, event_id DESC LIMIT 1",
                 [track, *params, at.known_at, at.known_at])
    return row["agreement_status"] if row else None

