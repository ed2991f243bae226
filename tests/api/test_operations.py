"""Health, readiness, the offline docs, and the conventions every operation shares."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.db import make_engine, migrate
from app.main import app as default_app
from app.main import create_app
from tests.api.conftest import Api


def test_healthz_and_readyz_when_loaded(api: Api) -> None:
    assert api.json("/healthz")["status"] == "ok"
    ready = api.json("/readyz")
    assert ready["status"] == "ok" and ready["data_version"] >= 1


def test_readyz_is_503_with_retry_after_before_data_is_loaded(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with TestClient(create_app(engine)) as client:
            unmigrated = client.get("/readyz")
            migrate(engine)
            empty = client.get("/readyz")
    finally:
        engine.dispose()
    for response in (unmigrated, empty):
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"]
    assert "No inspection" in empty.json()["detail"]


def test_docs_and_redoc_load_their_assets_from_this_server(api: Api) -> None:
    for page in ("/docs", "/redoc"):
        html = api.client.get(page).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert assets, page
        for asset in assets:
            assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
            assert api.client.get(asset).status_code == 200
        assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html


def _operations() -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, methods in default_app.openapi()["paths"].items()
        for method, operation in methods.items()
    ]


def _example_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "west-midlands", path)


@pytest.mark.parametrize(("path", "method", "operation"), _operations(), ids=lambda v: str(v)[:40])
def test_every_operation_declares_its_problems(path: str, method: str, operation: dict) -> None:
    responses = operation["responses"]
    assert ("422" in responses) == ("requestBody" in operation)  # 422 only for bodies
    if operation.get("parameters"):
        assert "400" in responses or path == "/readyz"
    if "{" in path:
        assert "404" in responses
    for status, response in responses.items():
        if int(status) >= 400:
            assert list(response["content"]) == ["application/problem+json"]


@pytest.mark.parametrize(
    "path", [p for p, m, _ in _operations() if m == "get" and "{" not in p and p != "/healthz"]
)
def test_every_operation_rejects_unknown_query_parameters(api: Api, path: str) -> None:
    response = api.client.get(path, params={"q": "vetting", "limitt": "5"})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/unknown-parameter"
    assert "limitt" in response.json()["detail"]
