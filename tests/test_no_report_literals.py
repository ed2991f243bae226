"""The parser, the services and the pages read a report; they must not remember this one.

The literals looked for come from the seed itself (its manifest and its parsed
document), so the check follows the data rather than a hand-copied list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports import ROOT, seed_document, seed_manifest_row

GUARDED = [ROOT / "app" / "ingest", ROOT / "app" / "services", ROOT / "app" / "web"]
SUFFIXES = (".py", ".html", ".css")


def _report_literals() -> list[str]:
    document = seed_document()
    literals = [document.force.name, document.force.id, seed_manifest_row()["force"]]
    literals += [document.force.name.rsplit(" ", 1)[0]]  # the place name alone
    if document.inspector:
        literals.append(document.inspector)
    for pillar in document.pillars:
        for question in pillar.questions:
            literals += [finding.heading for finding in question.findings]
    literals += [item.text[:40] for item in document.items]
    return sorted({literal for literal in literals if len(literal) >= 8})


@pytest.mark.parametrize(
    "path",
    [p for d in GUARDED for p in sorted(d.rglob("*")) if p.suffix in SUFFIXES],
    ids=str,
)
def test_no_literal_of_the_seed_report_in_parser_or_services(path: Path) -> None:
    source = path.read_text(encoding="utf-8").casefold()
    found = [literal for literal in _report_literals() if literal.casefold() in source]
    assert not found, f"{path} names the seed report: {found}"
