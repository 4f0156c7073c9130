"""A batch request (`POST /v1/batch`, and the files `ceasefire load` reads) as the commands it asks for."""

from __future__ import annotations

import msgspec

from api.schemas import BatchRequest
from domain.commands import OP_COMMANDS, Op
from domain.errors import InvalidInput

MAX_BATCH = 1000


def batch_ops(data: BatchRequest) -> list[Op]:
    """Each entry's body decoded as its command; errors name `entries[i]`."""
    if not 1 <= len(data.entries) <= MAX_BATCH:
        raise InvalidInput.at("entries", f"must hold 1 to {MAX_BATCH} entries")
    ops = []
    for index, item in enumerate(data.entries):
        try:
            command = msgspec.convert(item.body, OP_COMMANDS[item.op])
        except msgspec.ValidationError as error:
            raise InvalidInput.from_msgspec(error, f"entries[{index}].body") from None
        if item.op not in ("report", "stance") and not item.event_id:
            raise InvalidInput.at(f"entries[{index}].event_id", f"is required for op {item.op!r}")
        if item.op == "stance" and not item.claim_id:
            raise InvalidInput.at(f"entries[{index}].claim_id", "is required for op 'stance'")
        ops.append(Op(command=command, event_id=item.event_id, claim_id=item.claim_id))
    return ops
