"""`GET /v1/stream`: every appended entry as a server-sent event, resumable by position.

Entries come from the process's `Tail` of the log (woken by LISTEN/NOTIFY on
PostgreSQL), so a subscriber hears writes made through any API process; one
that resumes further back than the tail holds reads the primary itself. With
`from`/`to`, a subscriber hears of every entry about an event whose world time
meets that window at any point of its history: late facts about the past
included, and a correction that moves an event out of the window too.
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
from domain.errors import MalformedRequest, Unavailable

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
    tail, encoder = state.tail, msgspec.json.Encoder()
    with tail.following():  # while this subscriber follows, the tail holds the newest entries
        last_sent = anyio.current_time()
        while True:
            bell, heard = tail.bell(), False
            try:
                entries = tail.after(position)
                if entries is None:  # older than the tail holds
                    entries = (await run(state.log_reader.log, position, 200, False)).items
                for entry in entries:
                    if window is None or await run(_meets, state.store, entry.event_id, entry.position, window):
                        yield ServerSentEventMessage(data=encoder.encode(entry).decode(), id=entry.position,
                                                     event=entry.type)
                        last_sent = anyio.current_time()
                    position, heard = entry.position, True
            except Unavailable:  # the primary is away: the tail rings when it is back
                pass
            if not heard:
                with anyio.move_on_after(last_sent + KEEP_ALIVE_SECONDS - anyio.current_time()):
                    await bell.wait()
            # Also while every new entry falls outside the window. A comment, so browsers fire no empty message.
            if anyio.current_time() - last_sent >= KEEP_ALIVE_SECONDS:
                yield ServerSentEventMessage(comment="keep-alive", data=None)
                last_sent = anyio.current_time()


def _meets(store, event_id: str, position: int, window: tuple[str | None, str | None]) -> bool:
    """Whether the event's world time, as reported or as corrected up to this entry, meets the window."""
    with store.read() as tx:
        entries = [e.entry for e in store.stream(tx, event_id) if e.position <= position]
    stated = [e.occurred for e in entries if isinstance(e, EventReported)]
    stated += [e.changes["occurred"] for e in entries if isinstance(e, EventCorrected) and "occurred" in e.changes]
    return any(meets(normalise(text), *window) for text in stated)
