"""Then vs now (SPEC §5): one event as known at two knowledge times, and the paths that differ."""

from __future__ import annotations

import msgspec

from domain.errors import NotFound
from projections.queries import PointInTime, Reader

# The event's own fields, compared whole; `version`, `known_since` and `as_of` move with time by nature.
FIELDS = ("title", "summary", "kind", "occurred", "places", "actors", "track", "tags", "codes", "fatalities",
          "status", "agreement_status", "sources")


class EventDiff(msgspec.Struct, kw_only=True):
    before: dict | None
    after: dict | None
    changed: list[str]


def diff(reader: Reader, event_id: str, then: PointInTime, now: PointInTime) -> EventDiff:
    """Both views at the same record time; `changed` is empty unless the event is visible at both."""
    before, after = _view_or_none(reader, event_id, then), _view_or_none(reader, event_id, now)
    changed = changed_paths(before, after) if before and after else []
    return EventDiff(before=before, after=after, changed=changed)


def changed_paths(before: dict, after: dict) -> list[str]:
    changed = [name for name in FIELDS if before.get(name) != after.get(name)]
    claims_before, claims_after = _by(before, "claims", "claim_id"), _by(after, "claims", "claim_id")
    for claim_id in {**claims_before, **claims_after}:
        then, now = claims_before.get(claim_id), claims_after.get(claim_id)
        # A claim is its claimant, statement and source; stances show in its status.
        if then is None or now is None or _claim_content(then) != _claim_content(now):
            changed.append(f"claims[{claim_id}]")
        if then is not None and now is not None and then["status"] != now["status"]:
            changed.append(f"claims[{claim_id}].status")
    positions_before, positions_after = _by(before, "positions", "party"), _by(after, "positions", "party")
    for party in {**positions_before, **positions_after}:
        if _position(positions_before.get(party)) != _position(positions_after.get(party)):
            changed.append(f"positions[{party}]")
    return changed


def _view_or_none(reader: Reader, event_id: str, at: PointInTime) -> dict | None:
    try:
        return msgspec.json.decode(reader.event(event_id, at))
    except NotFound:
        return None


def _by(view: dict, member: str, key: str) -> dict[str, dict]:
    return {item[key]: item for item in view.get(member) or []}


def _claim_content(claim: dict) -> tuple:
    return claim["claimant"], claim["statement"], claim.get("source")


def _position(position: dict | None) -> tuple | None:
    # A party restating the same answer later is not a change of position.
    return position and (position["position"], position.get("conditions"), position.get("statement"))
