"""A client generated from the committed `openapi.json` works against a live `peel serve`.

openapi-python-client turns the contract into a typed package in a temporary directory
(never committed); the test then reads forces, a report card, search results and every
page of findings through the generated functions and models, not through raw HTTP. A
generator warning about an operation used here, or a schema one of them reaches, fails
the test with the generator's output.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.reports import EXPECTED_JSON, ROOT
from tests.server import LiveServer, start_server

pytest.importorskip(
    "openapi_python_client",
    reason="openapi-python-client is not installed (pip install -e '.[dev]')",
)

PACKAGE = "peel_api_client"
INSPECTION = "west-midlands-2018-19"
# The operations this test calls, by operationId in openapi.json.
USED_OPERATIONS = ("list_forces", "get_inspection", "search", "list_findings")
# No post hooks: formatting the generated code is not needed and ruff may not be on PATH.
GENERATOR_CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId: (METHOD, path, operation)."""
    found = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[operation["operationId"]] = (method.upper(), path, operation)
    return found


def _schemas_reached(document: dict[str, Any], roots: list[Any]) -> set[str]:
    """Names of the component schemas that `roots` refer to, directly or not."""
    schemas = document["components"]["schemas"]
    reached: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in reached:
                    reached.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return reached


def _warnings_about(output: str, needles: set[str]) -> list[str]:
    """The needles a generator message names: `GET /v1/forces`, `endpoint list_forces`,
    `/components/schemas/Problem` (not a `#/components/...` $ref quoted in another's data)."""
    return sorted(
        needle
        for needle in needles
        if re.search(rf"(?<![\w#/{{]){re.escape(needle)}(?![\w/{{}}-])", output)
    )


def _generate(output: Path) -> str:
    """Runs openapi-python-client on openapi.json; returns what it printed."""
    config = output.parent / "generator.yaml"
    config.write_text(GENERATOR_CONFIG, encoding="utf-8")
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    command += ["--path", str(ROOT / "openapi.json"), "--output-path", str(output)]
    command += ["--meta", "none", "--config", str(config)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    printed = f"{run.stdout}\n{run.stderr}".strip()
    assert run.returncode == 0, f"openapi-python-client failed:\n{printed}"
    return printed


@pytest.fixture
def generated_client(tmp_path: Path) -> Iterator[Path]:
    """The generated package's directory, importable as PACKAGE while the test runs."""
    document = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    operations = _operations(document)
    missing = [name for name in USED_OPERATIONS if name not in operations]
    assert not missing, f"openapi.json has no operation {missing}"

    package_dir = tmp_path / "client" / PACKAGE
    package_dir.parent.mkdir()
    printed = _generate(package_dir)

    # A clean run prints only "Generating <dir>"; anything else is the generator's warnings.
    used = [operations[name] for name in USED_OPERATIONS]
    schemas = _schemas_reached(document, [operation for *_, operation in used])
    needles = {f"/components/schemas/{name}" for name in schemas}
    needles |= {f"{method} {path}" for method, path, _ in used}
    needles |= {f"endpoint {name}" for name in USED_OPERATIONS}
    concerned = _warnings_about(printed, needles)
    assert not concerned, (
        f"openapi-python-client warned about what this test uses: {concerned}\n{printed}"
    )
    if [line for line in printed.splitlines() if not line.startswith("Generating ")]:
        warnings.warn(
            f"openapi-python-client warned (not about this test's operations):\n{printed}",
            stacklevel=1,
        )

    sys.path.insert(0, str(package_dir.parent))
    importlib.invalidate_caches()
    try:
        yield package_dir
    finally:
        sys.path.remove(str(package_dir.parent))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _operation(package_dir: Path, operation_id: str) -> ModuleType:
    """The generated module of an operation (api/<tag>/<operation_id>.py)."""
    modules = sorted(package_dir.glob(f"api/*/{operation_id}.py"))
    assert len(modules) == 1, f"generated modules for {operation_id}: {modules}"
    tag = modules[0].parent.name
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{operation_id}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """`peel serve` on a free port, over a new SQLite database."""
    server = start_server(f"sqlite:///{tmp_path / 'peel.db'}")
    try:
        yield server
    finally:
        server.stop()


def _expected_grades() -> dict[tuple[str, str | None], str]:
    """(pillar, question or None): grade, from the parser's golden file for the seed."""
    golden = json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))
    return {(j["pillar"], j["question"]): j["grade"] for j in golden["judgments"]}


def test_generated_client_reads_the_live_api(
    live_server: LiveServer, generated_client: Path
) -> None:
    # The server boots while the client is generated (fixtures: server first).
    live_server.wait_ready()
    package = importlib.import_module(PACKAGE)
    models = importlib.import_module(f"{PACKAGE}.models")
    list_forces = _operation(generated_client, "list_forces")
    get_inspection = _operation(generated_client, "get_inspection")
    search = _operation(generated_client, "search")
    list_findings = _operation(generated_client, "list_findings")

    with package.Client(
        base_url=live_server.base, raise_on_unexpected_status=True, timeout=httpx.Timeout(10)
    ) as client:
        forces = list_forces.sync(client=client)
        assert isinstance(forces, models.PageForcePublic), forces
        assert forces.count == 45
        assert len(forces.items) == 45
        assert forces.next_ is None
        by_id = {force.id: force for force in forces.items}
        assert isinstance(by_id["west-midlands"], models.ForcePublic)
        assert by_id["west-midlands"].name == "West Midlands Police"

        card = get_inspection.sync(INSPECTION, client=client)
        assert isinstance(card, models.InspectionCard), card
        assert card.id == INSPECTION
        assert card.force.id == "west-midlands"
        assert len(card.pillars) == 3
        questions = [question for pillar in card.pillars for question in pillar.questions]
        assert len(questions) == 10
        grades: dict[tuple[str, str | None], str] = {}
        for pillar in card.pillars:
            assert isinstance(pillar, models.CardPillar)
            assert isinstance(pillar.judgment, models.JudgmentBrief)
            grades[(pillar.pillar, None)] = pillar.judgment.grade
            for question in pillar.questions:
                assert isinstance(question, models.CardQuestion)
                assert isinstance(question.judgment, models.JudgmentBrief)
                assert isinstance(question.judgment.carried_over, bool)
                grades[(pillar.pillar, question.question)] = question.judgment.grade
        assert grades == _expected_grades()
        assert grades[("effectiveness", None)] == "good"

        results = search.sync(client=client, q="vetting")
        assert isinstance(results, models.SearchResults), results
        assert results.count >= 1
        first = results.items[0]
        assert isinstance(first, models.SearchHitPublic)
        assert first.kind == models.SearchHitPublicKind.CAUSE_OF_CONCERN
        assert first.inspection == INSPECTION

        seen: list[str] = []
        offset, pages, total = 0, 0, None
        while True:
            page = list_findings.sync(client=client, inspection=INSPECTION, limit=5, offset=offset)
            assert isinstance(page, models.PageFindingPublic), page
            assert (page.offset, page.limit) == (offset, 5)
            assert total in (None, page.count), "count changed between pages"
            total = page.count
            pages += 1
            assert all(isinstance(item, models.FindingPublic) for item in page.items)
            seen += [item.id for item in page.items]
            if page.next_ is None:
                break
            assert len(page.items) == 5, "a page before the last is full"
            (next_offset,) = parse_qs(urlsplit(page.next_).query)["offset"]
            assert int(next_offset) == offset + 5, page.next_
            offset = int(next_offset)
            assert pages < 1000, "paging does not end"
        assert len(seen) == len(set(seen)), "a finding came back twice"
        assert len(seen) == total == card.counts.findings
        assert pages == -(-total // 5)
