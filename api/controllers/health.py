"""Liveness and readiness."""

from __future__ import annotations

import anyio.to_thread
from litestar import Request, Response, get

from projections.index import applied_position


@get("/health", tags=["health"], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", tags=["health"], summary="Readiness: the store answers and the projections are caught up")
async def ready(request: Request) -> Response[dict]:
    store = request.app.state.store

    def check() -> dict:
        with store.read() as tx:
            head, applied = store.head(tx)[0], applied_position(tx)
        return {"ready": head == applied, "log_position": head, "projected_position": applied}

    try:
        status = await anyio.to_thread.run_sync(check)
    except Exception as error:  # any failure to reach the store means not ready
        return Response({"ready": False, "error": str(error)[:200]}, status_code=503)
    return Response(status, status_code=200 if status["ready"] else 503)
