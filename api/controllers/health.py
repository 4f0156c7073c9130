"""Liveness and readiness."""

from __future__ import annotations

import anyio.to_thread
from litestar import Request, Response, get

from projections.index import applied_position


@get("/health", tags=["health"], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", tags=["health"], summary="Readiness: the primary answers and the projections are caught up")
async def ready(request: Request) -> Response[dict]:
    """Replicas are listed, never counted: reads skip one that is behind or away (SPEC §12)."""
    store, replicas = request.app.state.store, request.app.state.replicas.status()

    def check() -> dict:
        with store.read() as tx:
            head, applied = store.head(tx)[0], applied_position(tx)
        return {"ready": head == applied, "log_position": head, "projected_position": applied, "replicas": replicas}

    try:
        status = await anyio.to_thread.run_sync(check)
    except Exception as error:  # any failure to reach the store means not ready
        return Response({"ready": False, "error": str(error)[:200], "replicas": replicas}, status_code=503)
    return Response(status, status_code=200 if status["ready"] else 503)
