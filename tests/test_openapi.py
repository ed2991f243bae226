"""openapi.json at the root is what `peel openapi` prints for the running app."""

from __future__ import annotations

from app.cli import openapi_json
from app.main import app
from tests.reports import ROOT


def test_committed_openapi_matches_the_app() -> None:
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_json(app.openapi()), "run: peel openapi > openapi.json"


def test_every_operation_has_a_stable_id_summary_and_tags() -> None:
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            assert operation.get("operationId"), (method, path)
            assert operation.get("summary"), (method, path)
            assert operation.get("tags"), (method, path)
