"""Security headers and CORS on every response: JSON, cached, 304, problems and the docs."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from fastapi.testclient import TestClient

from app.api.auth import new_key_entry
from app.config import Settings, get_settings
from app.main import create_app
from tests.api.conftest import Api, StatementCounter

CARD = "/v1/inspections/west-midlands-2018-19"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def _assert_secure(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.status_code, name)


def test_security_headers_on_a_json_200(api: Api) -> None:
    response = api.client.get("/v1/forces?limit=3")
    assert response.status_code == 200
    _assert_secure(response)
    assert "content-security-policy" not in response.headers


def test_security_headers_on_a_cached_200(api: Api) -> None:
    api.client.get("/v1/forces?limit=7")
    with StatementCounter(api.engine) as counter:
        again = api.client.get("/v1/forces?limit=7")
    assert again.status_code == 200 and counter.count == 0  # answered from the cache
    _assert_secure(again)
    # Not appended again and again to the cached entry's headers.
    assert again.headers.get_list("x-frame-options") == ["DENY"]
    assert api.client.get("/v1/forces?limit=7").headers.get_list("x-content-type-options") == [
        "nosniff"
    ]


def test_security_headers_on_a_304(api: Api) -> None:
    etag = api.client.get(CARD).headers["etag"]
    response = api.client.get(CARD, headers={"If-None-Match": etag})
    assert response.status_code == 304
    _assert_secure(response)


def test_security_headers_on_a_problem(api: Api) -> None:
    response = api.client.get("/v1/forces/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    _assert_secure(response)


def test_security_headers_on_the_docs(api: Api) -> None:
    for page in ("/docs", "/redoc", "/openapi.json"):
        _assert_secure(api.client.get(page))


def _inline_script_hash(html: str) -> str:
    (script,) = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def test_a_content_security_policy_on_the_docs_only(api: Api) -> None:
    docs = api.client.get("/docs")
    policy = docs.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    # Swagger UI's inline script is allowed by its hash, not by 'unsafe-inline'.
    assert f"'sha256-{_inline_script_hash(docs.text)}'" in script_src
    assert "unsafe-inline" not in script_src
    assert "default-src 'self'" in api.client.get("/redoc").headers["content-security-policy"]
    for path in ("/v1/forces", "/openapi.json", "/v1/forces/atlantis", "/healthz"):
        assert "content-security-policy" not in api.client.get(path).headers, path


def test_reads_are_open_to_any_origin(api: Api) -> None:
    origin = {"Origin": "https://dashboard.example"}
    first = api.client.get("/v1/judgments?limit=2", headers=origin)
    cached = api.client.get("/v1/judgments?limit=2", headers=origin)
    for response in (first, cached):
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"
        exposed = {
            h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
        }
        assert {"etag", "link", "last-modified"} <= exposed


def test_a_preflight_for_a_read_is_allowed(api: Api) -> None:
    response = api.client.options(
        "/v1/forces",
        headers={
            "Origin": "https://dashboard.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "GET" in response.headers["access-control-allow-methods"]
    assert "if-none-match" in response.headers["access-control-allow-headers"].lower()
    _assert_secure(response)


def test_writes_are_closed_to_other_origins(api: Api) -> None:
    origin = "https://evil.example"
    preflight = api.client.options(
        "/v1/imports",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    post = api.client.post(
        "/v1/imports", content="x", headers={"Origin": origin, "Content-Type": "text/plain"}
    )
    assert post.status_code == 401
    for response in (preflight, post):
        assert not [h for h in response.headers if h.startswith("access-control-")], response
        _assert_secure(response)


def test_settings_hold_no_default_api_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_KEYS", raising=False)
    assert Settings().api_keys == ""


def test_api_keys_come_from_the_environment(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    key, entry = new_key_entry("from-env", ["import"])
    monkeypatch.setenv("API_KEYS", entry)
    get_settings.cache_clear()
    try:
        app = create_app(api.engine)
    finally:
        get_settings.cache_clear()
    assert [k.name for k in app.state.api_keys] == ["from-env"]
    with TestClient(app) as client:
        response = client.post(
            "/v1/imports?dry_run=true",
            content="x",
            headers={"Content-Type": "text/plain", "X-API-Key": key},
        )
    assert response.status_code == 422  # authenticated; the text does not parse
