"""`GET /v1/stream`: every appended entry as a server-sent event, resumable by position.

It follows the log table itself (polling), so it works across API processes
and on both backends. With `from`/`to`, a subscriber hears of every entry
about an event whose world time meets that window at any point of its
history: late facts about the past included, and a correction that moves an
event out of the window too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
import msgspec
from litestar import Request, get
from litestar.params import HeaderParameter, QueryParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from api import params
from api.auth import reader
from api.controllers.reads import run
from domain.dates import meets, normalise
from domain.entries import EventCorrected, EventReported
from domain.errors import MalformedRequest

POLL_SECONDS = 0.5
KEEP_ALIVE_SECONDS = 10


@get("/v1/stream", guards=[reader], tags=["reads"], summary="Server-sent events: the log as it grows")
async def stream(
    request: Request,
    last_event_id: Annotated[str | None, HeaderParameter(name="Last-Event-ID", description="resume after this position")] = None,
    after: Annotated[int | None, QueryParameter(ge=0, le=params.MAX_POSITION,
                                                 description="start after this position; default the newest")] = None,
    from_: Annotated[str | None, QueryParameter(name="from", description="EDTF: world-time window start")] = None,
    to: Annotated[str | None, QueryParameter(description="EDTF: world-time window end")] = None,
) -> ServerSentEvent:
    window = params.world_window(from_, to)
    filtered = from_ is not None or to is not None
    if last_event_id is not None:
        if not last_event_id.strip().isdigit() or int(last_event_id) > params.MAX_POSITION:
            raise MalformedRequest.at("Last-Event-ID", "must be a log position")
        start = int(last_event_id)
    elif after is not None:
        start = after
    else:
        start = await run(request.app.state.store.size)
    return ServerSentEvent(_follow(request, start, window if filtered else None))


async def _follow(request: Request, position: int, window) -> AsyncIterator[ServerSentEventMessage]:
    state = request.app.state
    encoder = msgspec.json.Encoder()
    quiet = 0.0
    while True:
        page = await run(state.log_reader.log, position, 200, False)
        for entry in page.items:
            position = entry.position
            if window is None or await run(_meets, state.store, entry.event_id, position, window):
                yield ServerSentEventMessage(data=encoder.encode(entry).decode(), id=entry.position, event=entry.type)
                quiet = 0.0
        if page.next_after is None:
            await anyio.sleep(POLL_SECONDS)
            quiet += POLL_SECONDS
            if quiet >= KEEP_ALIVE_SECONDS:
                yield ServerSentEventMessage(comment="keep-alive")
                quiet = 0.0


def _meets(store, event_id: str, position: int, window: tuple[str | None, str | None]) -> bool:
    """Whether the event's world time, as reported or as corrected up to this entry, meets the window."""
    with store.read() as tx:
        entries = [e.entry for e in store.stream(tx, event_id) if e.position <= position]
    stated = [e.occurred for e in entries if isinstance(e, EventReported)]
    stated += [e.changes["occurred"] for e in entries if isinstance(e, EventCorrected) and "occurred" in e.changes]
    return any(meets(normalise(text), *window) for text in stated)
