"""Data flows one way (../shared/DESIGN.md): parse -> store -> tables -> read -> resources.

Checked on the source, by parsing every import (top-level, in functions, under
TYPE_CHECKING) of every module with `ast`:

- app/ingest is pure: text or CSV in, documents or records (or a located error) out; it
  imports nothing of the database, the store, the read services or the interfaces;
- app/services only read: they import nothing of the store (nor parse);
- app/store writes: it never calls the read services, nor the interfaces above it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"

INTERFACES = ("app.api", "app.web", "app.cli", "app.main")
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "ingest": ("app.db", "app.models", "app.services", "app.store", *INTERFACES),
    "services": ("app.store", "app.ingest.parse", *INTERFACES),
    "store": ("app.services", *INTERFACES),
}


def _module_of(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, package: bool = False) -> set[str]:
    """Every module the text of `module` imports, as absolute dotted names (`from x import
    y` counts both `x` and `x.y`, since y may be a module)."""
    here = module if package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, module)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                parts = here.split(".")
                anchor = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(layer: str) -> list[str]:
    forbidden = FORBIDDEN[layer]
    found = []
    for path in sorted((APP / layer).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        imported = imported_modules(source, _module_of(path), package=path.name == "__init__.py")
        for module in sorted(imported):
            if any(_within(module, prefix) for prefix in forbidden):
                found.append(f"{path.relative_to(APP.parent)} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    assert (APP / layer).is_dir()
    assert violations(layer) == []


def test_the_check_sees_every_kind_of_import() -> None:
    source = (
        "from __future__ import annotations\n"
        "import app.db\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from app.models import Force\n"
        "def f():\n"
        "    from app.store import flows\n"
        "from ..services.query import page\n"
        "from . import grades\n"
    )
    imported = imported_modules(source, "app.ingest.probe")
    expected = {"app.db", "app.models", "app.store.flows", "app.services.query", "app.ingest"}
    assert expected <= imported
    assert "app.ingest.grades" in imported


def test_the_store_is_the_only_writer_of_the_change_feed_and_search_index() -> None:
    """record_change and the search-index writes live in app/store alone."""
    writers = {"record_change", "replace_inspection", "delete_inspection"}
    outside = []
    for path in sorted(APP.rglob("*.py")):
        if _within(_module_of(path), "app.store"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name in writers:
                outside.append(f"{path.relative_to(APP.parent)} defines {node.name}")
    assert outside == []
