"""Contract fuzzing: Schemathesis against the app in process (ASGI), over its live schema.

Every operation of the OpenAPI document the app serves (`/openapi.json`, the same one
`openapi.json` freezes) is fuzzed with positive and negative data, and every response is
held to all of Schemathesis' default checks (`case.call_and_validate()` with no `checks=`:
server errors, status codes, content types, response headers and schemas, negative data
rejection, positive data acceptance, missing required headers, unsupported methods,
ignored auth, ...). An error status the fuzzer finds undeclared is declared in the
route's `responses=`, never excluded here.

The app runs over one seeded SQLite database for the module. POST /v1/imports is called
with a key holding the `import` scope (so the authenticated path is fuzzed too; the
`ignored_auth` check re-sends without it and with a wrong one). Its generated bodies are
almost never a parseable report (422), the seed report's own example is "unchanged"
(200); `test_seed_data_survives` checks the data is still the seed report's afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, text

from app.api.auth import IMPORT_SCOPE, new_key_entry
from app.config import Settings
from app.ingest.manifest import ReportSource
from app.main import create_app
from tests.api.conftest import seeded_engine
from tests.conftest import fresh_database

EXAMPLES_PER_OPERATION = 50
CASES_RUN: Counter[str] = Counter()  # per operation, all phases and modes; printed at the end
IMPORT_KEY, IMPORT_KEY_ENTRY = new_key_entry("contract", [IMPORT_SCOPE])
SEED_TABLES = ("inspection", "judgment", "finding", "action_item", "data_change")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in SEED_TABLES
        }


@pytest.fixture(scope="module")
def contract_engine(
    tmp_path_factory: pytest.TempPathFactory, seed_source: ReportSource
) -> Iterator[Engine]:
    with fresh_database("sqlite", tmp_path_factory.mktemp("contract")) as url:
        engine = seeded_engine(url, seed_source)
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def seed_counts(contract_engine: Engine) -> dict[str, int]:
    return _counts(contract_engine)


def _app(engine: Engine | None):
    # import_rate_limit=0: at 10 imports a minute (the default) nearly every generated
    # import would be a 429 and the authenticated path would go unfuzzed.
    return create_app(engine, Settings(api_keys=IMPORT_KEY_ENTRY, import_rate_limit=0))


# positive_data_acceptance's default expected statuses (schemathesis 4).
ACCEPTED = ("2xx", "3xx", "401", "403", "404", "409", "429", "5xx")


# negative_data_rejection's default expected statuses (schemathesis 4).
REJECTED = ("400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx")


def _accepting(*statuses: str) -> list[str]:
    return [*ACCEPTED, *statuses]


# `positive_data_acceptance` expects schema-valid requests to succeed. Three operations take
# a value whose validity no JSON Schema can state, and answer a declared, documented
# problem for it; for them (only) that status is also what a valid-looking request may get.
# Every other check, their status code conformance included, still runs on them.
CONFIG = schemathesis.Config.from_dict(
    {
        # The service rejects a query string over max_query_bytes with a declared 414 before
        # reading it (app/api/security.py): long invalid values may get that rejection
        # rather than a 400. Added to negative_data_rejection's defaults, for every operation.
        "checks": {"negative_data_rejection": {"expected-statuses": [*REJECTED, "414"]}},
        "operations": [
            {
                # A report that does not parse or load: 422 with its line. Any string is
                # schema-valid text, almost none is a PEEL report.
                "include-path": "/v1/imports",
                "include-method": "POST",
                "checks": {"positive_data_acceptance": {"expected-statuses": _accepting("422")}},
            },
            {
                # A cursor is valid only if the feed issued it (0 or a recorded change's
                # id): any other digits are a declared 410 /problems/cursor-not-issued.
                # (Before the next entry: the first entry that applies is the one used.)
                "include-name": "GET /v1/changes",
                "checks": {"positive_data_acceptance": {"expected-statuses": _accepting("410")}},
            },
            {
                # The query language (balanced quotes, OR between terms, not only
                # exclusions: `q`'s description) is context-free, beyond a pattern: 400.
                "include-path": "/v1/search",
                "include-method": "GET",
                "checks": {"positive_data_acceptance": {"expected-statuses": _accepting("400")}},
            },
        ],
    }
)


# The schema the app serves, read at collection time from an app that has no database yet
# (serving /openapi.json needs none); the cases are then sent to the same app over the
# seeded database. (`schemathesis.pytest.from_fixture` would defer loading instead, but
# schemathesis 4.32 fails under pytest 9: `'Function' object has no attribute '_nodeid'`.)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app(None), config=CONFIG)


@pytest.fixture(scope="module")
def contract_app(contract_engine: Engine, seed_counts: dict[str, int]):
    return _app(contract_engine)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_contract(case: schemathesis.Case, contract_app) -> None:
    CASES_RUN[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    headers = None
    if case.operation.method.upper() == "POST" and case.operation.path == "/v1/imports":
        headers = {"Authorization": f"Bearer {IMPORT_KEY}"}
    case.call_and_validate(headers=headers, app=contract_app)


def test_seed_data_survives(contract_engine: Engine, seed_counts: dict[str, int]) -> None:
    assert _counts(contract_engine) == seed_counts
    print(f"contract cases run: {sum(CASES_RUN.values())}", dict(sorted(CASES_RUN.items())))
