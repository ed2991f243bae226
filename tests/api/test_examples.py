"""The OpenAPI examples are what the API answers for the seed data."""

from __future__ import annotations

import pytest

from app.api.examples import EXAMPLE_URLS, EXAMPLES, trim
from app.main import app as default_app
from tests.api.conftest import Api


@pytest.mark.parametrize("operation", sorted(EXAMPLE_URLS))
def test_example_is_the_trimmed_live_answer(api: Api, operation: str) -> None:
    if operation == "search" and api.backend != "sqlite":
        pytest.skip("scores and snippets are the backend's own; the example is SQLite's")
    live = trim(api.json(EXAMPLE_URLS[operation]))
    assert EXAMPLES[operation] == live, "run: python scripts/make_examples.py"


def test_every_operation_has_a_200_example() -> None:
    for methods in default_app.openapi()["paths"].values():
        for operation in methods.values():
            content = operation["responses"]["200"]["content"]["application/json"]
            assert "example" in content, operation["operationId"]
