"""`/` and `/timeline`: the pages, the fragment the slider fetches, one event's history, the assets."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from api import routing
from api.auth import reader
from api.controllers.reads import run
from api.errors import EXCEPTION_HANDLERS, log
from api.web import page as pages
from api.web.query import EVENT_PARAMETERS, PAGE_PARAMETERS, event_query, page_query
from api.web.render import html
from domain.commands import entity_id
from domain.errors import DomainError, NotFound


def error_page(request: Request, error: Exception) -> Response:
    """The pages answer in HTML what the API answers as a problem: the status, and every bad parameter named."""
    if isinstance(error, DomainError):
        status, title, detail, errors = error.status, error.title, error.detail, error.errors
    elif isinstance(error, ValidationException | HTTPException):
        status, detail, errors = error.status_code, str(error.detail), []
        title = HTTPStatus(status).phrase
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        status, title, detail, errors = 500, "Internal error", "the server failed; the error was logged", []
    return html("error.html", status=status, code=status, title=title, detail=detail, errors=errors)


class WebController(Controller):
    path = "/"
    guards = [reader]
    include_in_schema = False
    exception_handlers = {kind: error_page for kind in EXCEPTION_HANDLERS}

    @get("/")
    async def home(self) -> Redirect:
        return Redirect("/timeline")

    @get("/timeline", opt={"query_parameters": PAGE_PARAMETERS})
    async def timeline(self, request: Request) -> Response:
        query = page_query(request.query_params)
        return html("timeline.html", page=await run(pages.build, routing.reader(request, query.at), query))

    @get("/timeline/results", opt={"query_parameters": PAGE_PARAMETERS})
    async def results(self, request: Request) -> Response:
        """The part of the page a knowledge step changes, for the slider to swap in."""
        query = page_query(request.query_params)
        return html("results.html", page=await run(pages.build, routing.reader(request, query.at), query, False))

    @get("/timeline/events/{event_id:str}", opt={"query_parameters": EVENT_PARAMETERS})
    async def event(self, request: Request, event_id: FromPath[str]) -> Response:
        at, after = event_query(request.query_params)
        event_id = entity_id(event_id)
        history = await run(routing.log_reader(request, at).history, event_id, at, after, 100, False)
        try:
            view = msgspec.json.decode(await run(routing.reader(request, at).event, event_id, at))
        except NotFound:  # recorded but not yet known at K: the history still answers
            view = None
        next_query = urlencode({**request.query_params.dict(), "after": history.next_after}, doseq=True)
        return html("event.html", item=view and pages.Item(view), title=view["title"] if view else f"Event {event_id}",
                    as_of=at.as_of, history=history, next_query=next_query)


static_files = create_static_files_router(path="/timeline/static", directories=[Path(__file__).parent / "static"],
                                          include_in_schema=False)

WEB_HANDLERS = [WebController, static_files]
