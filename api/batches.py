"""A batch request (`POST /v1/batch`, and the files `ceasefire load` reads) as the commands it asks for."""

from __future__ import annotations

import msgspec

from api.schemas import BatchRequest
from domain import validation
from domain.commands import OP_COMMANDS, Op
from domain.errors import InvalidInput

MAX_BATCH = 1000


def batch_ops(data: BatchRequest) -> list[Op]:
    """Each entry's body checked as its command, every problem of every entry at once, named `entries[i]`."""
    if not 1 <= len(data.entries) <= MAX_BATCH:
        raise InvalidInput.at("entries", f"must hold 1 to {MAX_BATCH} entries")
    ops, problems = [], []
    for index, item in enumerate(data.entries):
        body, found = validation.checked(item.body, OP_COMMANDS[item.op], f"entries[{index}].body")
        if item.op not in ("report", "stance") and not item.event_id:
            found.append((f"entries[{index}].event_id", f"is required for op {item.op!r}"))
        if item.op == "stance" and not item.claim_id:
            found.append((f"entries[{index}].claim_id", "is required for op 'stance'"))
        problems += found
        if not found:
            command = msgspec.convert(body, OP_COMMANDS[item.op], strict=True)
            ops.append(Op(command=command, event_id=item.event_id, claim_id=item.claim_id))
    if problems:
        raise validation.refusal(problems)
    return ops
