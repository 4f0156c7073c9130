"""HTTP conveniences (SPEC §5, round 2): HEAD wherever GET, and entity tags on event and claim reads."""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any

import anyio
import msgspec
from litestar import Litestar, Request, Response
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter
from litestar.types import Message, Receive, Scope, Send


class HeadAsGet(Litestar):
    """A HEAD request is answered as its GET would be, headers and all, without the body.

    Litestar routes by method, so this is done before routing. A streamed answer
    (the server-sent events) is told the client has gone once its headers are out.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await super().__call__(scope, receive, send)
        scope["method"] = "GET"
        headers_sent = anyio.Event()
        asked = False

        async def receive_nothing() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await headers_sent.wait()
            return {"type": "http.disconnect"}

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body" and not headers_sent.is_set():
                headers_sent.set()
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await super().__call__(scope, receive_nothing, send_headers_only)


IfNoneMatch = Annotated[str | None, HeaderParameter(
    name="If-None-Match", description="an ETag this read gave before: 304 if the state at (K, R) is unchanged")]
NOT_MODIFIED = {304: ResponseSpec(data_container=None, description="Not modified: If-None-Match holds this ETag")}


def tagged(request: Request, view: Any) -> Response:
    """The view with an ETag of its state at (K, R) (`as_of` left out, so an unchanged view keeps its tag
    as time passes); 304 when the client's If-None-Match holds that tag already."""
    state = msgspec.json.decode(bytes(view)) if isinstance(view, msgspec.Raw) else dict(view)
    state.pop("as_of", None)
    digest = hashlib.sha256(msgspec.json.encode(state)).digest()[:18]
    etag = f'"{base64.urlsafe_b64encode(digest).decode()}"'
    wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
    if etag in wanted or "*" in wanted:
        return Response(content=None, status_code=304, headers={"ETag": etag})
    return Response(view, headers={"ETag": etag})
