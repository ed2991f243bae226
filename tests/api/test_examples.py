"""The OpenAPI examples are what the API answers for the seed data."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.examples import EXAMPLE_URLS, EXAMPLES, load_seed_grades, trim
from app.main import app as default_app
from app.schemas import ImportResult
from tests.api.conftest import Api


def _timeless(value: Any) -> Any:
    """Times of day differ between two loads of the same data; nothing else may."""
    if isinstance(value, dict):
        return {k: None if k == "occurred_at" else _timeless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    return value


@pytest.fixture(scope="module")
def seeded_api(api: Api) -> Api:
    """The seed report (imported as the examples script does) and the grade records."""
    load_seed_grades(api.engine)
    return api


@pytest.mark.parametrize("operation", sorted(EXAMPLE_URLS))
def test_example_is_the_trimmed_live_answer(seeded_api: Api, operation: str) -> None:
    api = seeded_api
    if operation == "search" and api.backend != "sqlite":
        pytest.skip("scores and snippets are the backend's own; the example is SQLite's")
    live = trim(api.json(EXAMPLE_URLS[operation]))
    assert _timeless(EXAMPLES[operation]) == _timeless(live), "run: python scripts/make_examples.py"


def test_the_import_example_is_an_import_result() -> None:
    example = ImportResult.model_validate(EXAMPLES["create_import"])
    assert (example.status, example.inspection) == ("created", "west-midlands-2018-19")


def test_every_operation_has_an_example() -> None:
    for methods in default_app.openapi()["paths"].values():
        for operation in methods.values():
            success = min(s for s in operation["responses"] if s.startswith("2"))
            content = operation["responses"][success]["content"]["application/json"]
            assert "example" in content, operation["operationId"]
