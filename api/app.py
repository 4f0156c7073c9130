"""The app factory: `create_app(settings)` wires the store, the application and the readers."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.openapi import OpenAPIConfig

from adapters.signing import load_key
from adapters.store import Store
from api import __version__
from api.auth import Tokens
from api.controllers.audit import LogController, ProofController
from api.controllers.diff import DiffController
from api.controllers.health import health, ready
from api.controllers.interop import DatasetController, ExportController
from api.controllers.reads import ReadController
from api.controllers.stream import stream
from api.controllers.writes import WriteController
from api.conveniences import HeadAsGet
from api.docs import OfflineDocsPlugin, describe
from api.errors import EXCEPTION_HANDLERS
from api.requests import JsonRequest, check_request
from api.routing import Replicas
from api.settings import Settings
from api.tail import Tail
from api.web.routes import WEB_HANDLERS
from domain.application import Timeline
from projections import index
from projections.audit import AUDIT_DDL, Audit
from projections.log import LogReader
from projections.queries import Reader
from projections.rebuild import interrupted, rebuild, report_to_console

MAX_BODY = 1024 * 1024
CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match",
                        "Last-Event-ID"]


def open_store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    index.install(store)
    store.ddl_scripts.append(AUDIT_DDL)
    store.create_tables()
    # Made by an earlier version, or a rebuild stopped half way: (re)built from the log before serving (SPEC §8).
    if index.prepare(store) or interrupted(store):
        rebuild(store, report_to_console)
    return store


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar):
        store = open_store(settings)
        replicas = Replicas(store, settings.read_database_urls)
        key = load_key(settings.signing_key, settings.data_dir)
        log_reader = LogReader(store)
        app.state.update(store=store, timeline=Timeline(store), reader=Reader(store), log_reader=log_reader,
                         replicas=replicas, tail=Tail(store, log_reader), audit=Audit(store, key))
        if settings.load_fixtures:
            from api.loading import load_fixtures_if_empty

            load_fixtures_if_empty(app.state.timeline, settings.fixtures_dir)
        try:
            async with anyio.create_task_group() as background:
                background.start_soon(app.state.tail.run)
                background.start_soon(replicas.watch)
                yield
                background.cancel_scope.cancel()
        finally:
            store.close()
            replicas.close()

    return HeadAsGet(
        route_handlers=[WriteController, ReadController, DiffController, LogController, ProofController, stream, health,
                        ready, ExportController, DatasetController, *WEB_HANDLERS],
        lifespan=[lifespan],
        on_startup=[describe],
        state=_state(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY,
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), allow_methods=["GET", "HEAD", "POST"],
                               allow_headers=CORS_REQUEST_HEADERS, expose_headers=["ETag", "Location"],
                               ) if settings.cors_origins else None,
        request_class=JsonRequest,
        before_request=check_request,
        openapi_config=OpenAPIConfig(
            title="Ceasefire Timeline", version=__version__, path="/schema",
            description="An immutable, tamper-evident log of a war's diplomacy and battles: what was known, and when.",
            render_plugins=[OfflineDocsPlugin()],
        ),
    )


def _state(settings: Settings):
    from litestar.datastructures import State

    return State({"settings": settings, "tokens": Tokens(settings.tokens)})
