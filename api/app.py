"""The app factory: `create_app(settings)` wires the store, the application and the readers."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request
from litestar.exceptions import ClientException
from litestar.openapi import OpenAPIConfig

from adapters.signing import load_key
from adapters.store import Store
from api.auth import Tokens
from api.controllers.audit import LogController, ProofController
from api.controllers.diff import DiffController
from api.controllers.health import health, ready
from api.controllers.reads import ReadController
from api.controllers.stream import stream
from api.controllers.writes import WriteController
from api.docs import OfflineDocsPlugin
from api.errors import EXCEPTION_HANDLERS
from api.settings import Settings
from api.web.routes import WEB_HANDLERS
from domain.application import Timeline
from projections import index
from projections.audit import AUDIT_DDL, Audit
from projections.log import LogReader
from projections.queries import Reader

MAX_BODY = 1024 * 1024


class JsonRequest(Request):
    """A body that is not UTF-8, or nests deeper than the decoder goes, is malformed (400), not a crash."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except UnicodeDecodeError as error:
            raise ClientException(f"the body is not valid UTF-8: {error.reason} at byte {error.start}") from None
        except RecursionError:
            raise ClientException("the JSON body nests too deeply") from None


def open_store(settings: Settings) -> Store:
    store = Store(settings.database_url)
    index.install(store)
    store.ddl_scripts.append(AUDIT_DDL)
    store.create_tables()
    return store


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Litestar):
        store = open_store(settings)
        replica = Store(settings.read_database_url, read_only=True) if settings.read_database_url else None
        key = load_key(settings.signing_key, settings.data_dir)
        app.state.update(store=store, timeline=Timeline(store), reader=Reader(replica or store, replica=bool(replica)),
                         log_reader=LogReader(replica or store), audit=Audit(store, key))
        if settings.load_fixtures:
            from api.loading import load_fixtures_if_empty

            load_fixtures_if_empty(app.state.timeline, settings.fixtures_dir)
        try:
            yield
        finally:
            store.close()
            if replica:
                replica.close()

    return Litestar(
        route_handlers=[WriteController, ReadController, DiffController, LogController, ProofController, stream, health, ready,
                        *WEB_HANDLERS],
        lifespan=[lifespan],
        state=_state(settings),
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY,
        request_class=JsonRequest,
        openapi_config=OpenAPIConfig(
            title="Ceasefire Timeline", version="0.1.0", path="/schema",
            description="An immutable, tamper-evident log of a war's diplomacy and battles: what was known, and when.",
            render_plugins=[OfflineDocsPlugin()],
        ),
    )


def _state(settings: Settings):
    from litestar.datastructures import State

    return State({"settings": settings, "tokens": Tokens(settings.tokens)})
