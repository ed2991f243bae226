"""A force's grade history: one line per pillar, question or area, oldest first."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import Force, JudgmentCheck
from app.resources.judgments import provenance, subject_ids
from app.resources.urls import urls
from app.services import inspections, judgments
from app.services.inspections import InspectionRow
from app.services.judgments import HistoryEntry

NOTE = (
    "Points are ordered oldest first. Each grade is on its framework's scale; "
    "`comparable_with_previous` is false where the previous point is on another scale. "
    "A carried-over point repeats an earlier inspection's grade (see `last_inspected`, and "
    "`carried_over_from` when that inspection is held). Questions are worded differently "
    "in each framework, so each has a line of its own; an area (PEEL 2021/22 on) keeps one "
    "line across the area frameworks, its points on different scales."
)


def force_history(
    force: Force,
    entries: list[HistoryEntry],
    held: list[InspectionRow],
    checks: dict[str, list[JudgmentCheck]],
    *,
    note: str,
) -> schemas.ForceHistory:
    """A force's grade lines, oldest first, with the inspections they come from."""
    by_year = {row.framework.year_label: row.inspection.id for row in held}
    lines: dict[tuple[str | None, str | None], schemas.HistoryLine] = {}
    for entry in entries:
        j = entry.judgment
        line = lines.setdefault(
            (j.pillar_id, j.question_id),
            schemas.HistoryLine(**subject_ids(j), name=entry.name, points=[]),
        )
        previous = line.points[-1] if line.points else None
        line.points.append(
            schemas.HistoryPoint(
                inspection=j.inspection_id,
                framework=j.framework_id,
                scale=j.framework_id,
                year_label=entry.framework.year_label,
                grade=j.grade_id,
                grade_rank=entry.grade.rank if entry.grade else None,
                last_inspected=j.last_inspected,
                carried_over=j.carried_over,
                carried_over_from=by_year.get(j.last_inspected) if j.carried_over else None,
                comparable_with_previous=None
                if previous is None
                else previous.scale == j.framework_id,
                **provenance(j, checks.get(j.id, [])),
            )
        )
    return schemas.ForceHistory(
        force=schemas.Ref(id=force.id, name=force.name, href=urls.force(force.id)),
        note=note,
        inspections=[
            schemas.HistoryInspection(
                id=row.inspection.id,
                framework=row.framework.id,
                year_label=row.framework.year_label,
                source_kind=row.inspection.source_kind,
                source_url=row.inspection.source_url,
                href=urls.inspection(row.inspection.id),
            )
            for row in held
        ],
        lines=list(lines.values()),
    )


def history_of(
    session: Session, force: Force, *, note: str = NOTE
) -> tuple[schemas.ForceHistory, list[InspectionRow]]:
    """`GET /v1/forces/{id}/history`, and the inspections held (oldest first: year labels
    sort in time order, one inspection per framework) that the pages also show."""
    entries = judgments.force_history(session, force.id)
    held, _ = inspections.list_inspections(
        session, force=force.id, sort=[("framework", False)], limit=1000, offset=0
    )
    checks = judgments.checks_of(session, [entry.judgment.id for entry in entries])
    return force_history(force, entries, held, checks, note=note), held
