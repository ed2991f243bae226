"""The pages are read from the same seeded databases as the API's tests."""

from tests.api.conftest import api, seeded  # noqa: F401  (fixtures shared with tests/api)
