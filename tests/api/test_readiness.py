"""/readyz checks what it says: the schema is at the code's head revision."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.db import head_revision, make_engine, migrate
from app.main import create_app


def test_readyz_is_503_while_the_schema_is_behind_the_code(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, "0003")  # an older schema: the code's head is later
        with TestClient(create_app(engine)) as client:
            behind = client.get("/readyz")
            migrate(engine)
            current = client.get("/readyz")
    finally:
        engine.dispose()
    assert behind.status_code == 503 and behind.headers["retry-after"]
    detail = behind.json()["detail"]
    assert "0003" in detail and str(head_revision()) in detail and "peel migrate" in detail
    assert "schema" not in current.json()["detail"]  # now only the missing data is said
