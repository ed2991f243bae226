"""create_app(): the ASGI application `app.main:app`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __doc__ as description


def _operation_id(route: APIRoute) -> str:
    # Stable operation ids: the route function's name, never the path or method order.
    return route.name


def create_app() -> FastAPI:
    app = FastAPI(
        title="peel-api",
        version="0.1.0",
        description=description or "",
        generate_unique_id_function=_operation_id,
    )

    @app.get("/healthz", tags=["operations"], summary="Process is up")
    def healthz() -> dict[str, str]:
        """Answers 200 while the process runs; says nothing about the database."""
        return {"status": "ok"}

    return app


app = create_app()
