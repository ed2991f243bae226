"""Per resource, what routes, pages and exports share: the list `Source`s, the presenters
(rows -> public models) and the links (one URL builder, `app.resources.urls`).

Routes only validate, call these and return; pages render the same public models; `peel
export` writes the same sources (`sources()`).
"""

from __future__ import annotations

from typing import Any

from app.resources import findings, forces, frameworks, glossary, inspections, judgments
from app.resources.source import Source


def sources() -> list[Source[Any]]:
    """One source per list, unfiltered in its default order: forces, frameworks,
    inspections, judgments, findings, recommendations, glossary."""
    return [
        forces.source(),
        frameworks.source(),
        inspections.source(),
        judgments.source(),
        findings.findings_source(),
        findings.recommendations_source(),
        glossary.source(),
    ]
