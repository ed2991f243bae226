"""OpenAPI response examples, quoting the West Midlands Police 2018/19 report and the
seed's grade records.

The examples themselves are data: `examples.json` beside this module (package data), the
one file of `app/` that holds the seed's data, on purpose: people reading the docs see
real answers. `scripts/make_examples.py` writes it from what the API answers for
`EXAMPLE_URLS`, trimmed by `trim`; a test fails when it drifts from the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

EXAMPLE_URLS: dict[str, str] = {
    "list_forces": "/v1/forces?limit=2",
    "get_force": "/v1/forces/west-midlands",
    "list_frameworks": "/v1/frameworks?limit=1",
    "get_framework": "/v1/frameworks/peel-2018-19",
    "get_framework_grades": "/v1/frameworks/peel-2023-25/grades",
    "list_inspections": "/v1/inspections?force=west-midlands",
    "list_force_inspections": "/v1/forces/west-midlands/inspections",
    "get_inspection": "/v1/inspections/west-midlands-2018-19",
    "get_force_history": "/v1/forces/west-midlands/history",
    "list_judgments": "/v1/judgments?framework=peel-2023-25&level=area&limit=2",
    "list_findings": "/v1/findings?inspection=west-midlands-2018-19&limit=2",
    "get_finding": "/v1/findings/west-midlands-2018-19.protecting-vulnerable-people.responding-to-incidents",
    "list_recommendations": "/v1/recommendations?inspection=west-midlands-2018-19&kind=recommendation",
    "search": "/v1/search?q=vetting&limit=2",
    "list_changes": "/v1/changes",
    "list_glossary": "/v1/glossary?limit=2",
    "healthz": "/healthz",
    "readyz": "/readyz",
}

MAX_ITEMS = 2
SEED_DIR = Path(__file__).resolve().parents[2] / "seed"
EXAMPLES_FILE = Path(__file__).with_name("examples.json")


def load_seed_grades(engine: Engine) -> None:
    """Load the seed manifest's grade-record files, as `peel seed` does (its warnings of
    disagreeing sources are not for the docs)."""
    from app.ingest.manifest import read_manifest
    from app.store.flows import load_grade_file

    for source in read_manifest(SEED_DIR):
        if source.kind == "grades":
            load_grade_file(engine, source)


MAX_TEXT = 240


def trim(value: Any) -> Any:
    """Short enough to read in the docs: two items a list, 240 characters a string."""
    if isinstance(value, list):
        return [trim(v) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {k: trim(v) for k, v in value.items()}
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT].rstrip() + "…"
    return value


def add_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """Put each operation's example on its success response in an OpenAPI document."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            example = EXAMPLES.get(operation.get("operationId", ""))
            responses = operation.get("responses", {})
            success = min((s for s in responses if s.startswith("2")), default=None)
            content = responses.get(success, {}).get("content", {}) if success else {}
            if example is not None and "application/json" in content:
                content["application/json"]["example"] = example
    return schema


def read_examples(path: Path = EXAMPLES_FILE) -> dict[str, Any]:
    """Each operation's example by operation id, as `scripts/make_examples.py` wrote it."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_examples(examples: dict[str, Any], path: Path = EXAMPLES_FILE) -> None:
    path.write_text(json.dumps(examples, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


EXAMPLES: dict[str, Any] = read_examples()
