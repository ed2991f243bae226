"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter

from app import schemas
from app.api.deps import SessionDep
from app.api.problem_docs import problem_responses
from app.api.problems import ProblemError
from app.services.health import readiness

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(tags=["operations"], responses=problem_responses(414, 429))


@router.get(
    "/healthz",
    summary="Is the process up?",
    description="200 while the process runs; it does not touch the database.",
)
def healthz() -> schemas.Health:
    return schemas.Health(status="ok")


@router.get(
    "/readyz",
    summary="Is the service ready to answer?",
    description="200 when the database is reachable, its schema is current and data is "
    "loaded; otherwise a 503 problem saying which, with `Retry-After`.",
    responses=problem_responses(503),
)
def readyz(session: SessionDep) -> schemas.Health:
    ready, detail, version = readiness(session)
    if not ready:
        raise ProblemError(503, "not-ready", detail, headers={"Retry-After": "5"})
    return schemas.Health(status="ok", detail=detail, data_version=version)
