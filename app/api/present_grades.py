"""Grades to public models: a judgment's provenance, coverage of area frameworks, the
national grid of one framework."""

from __future__ import annotations

from app import schemas
from app.ingest.grade_counts import matches_known
from app.models import Grade, Judgment, JudgmentCheck
from app.services.comparison import FrameworkGrid
from app.services.coverage import CoverageFacts
from app.services.inspections import ForceCycles
from app.services.judgments import level_of

V1 = "/v1"
NOT_AVAILABLE = "not-available"
NOT_INSPECTED = "not-inspected"


def provenance(row: Judgment, checks: list[JudgmentCheck]) -> dict:
    """Where a judgment's grade comes from, what other pages say of it, and the earlier
    grades it superseded: the fields every public judgment shares."""
    return {
        "source_kind": row.source_kind or "report",
        "source_url": row.source_url,
        "source_date": row.source_date,
        "cross_checks": [
            schemas.CrossCheck(
                source_url=check.source_url,
                grade=check.grade_id,
                agrees=check.grade_id == row.grade_id,
                source_kind=check.source_kind,
                source_date=check.source_date,
            )
            for check in checks
            if not check.superseded
        ],
        "superseded": [
            schemas.SupersededGrade(
                grade=check.grade_id,
                source_url=check.source_url,
                source_kind=check.source_kind,
                source_date=check.source_date,
            )
            for check in checks
            if check.superseded
        ],
    }


def subject_ids(row: Judgment) -> dict:
    """level, pillar, question and area of a judgment (an area is stored as a question
    of a framework without pillars)."""
    level = level_of(row)
    return {
        "level": level,
        "pillar": row.pillar_id,
        "question": row.question_id if level == "question" else None,
        "area": row.question_id if level == "area" else None,
    }


def judgment(
    row: Judgment, grade: Grade, name: str, checks: list[JudgmentCheck]
) -> schemas.JudgmentPublic:
    return schemas.JudgmentPublic(
        id=row.id,
        inspection=row.inspection_id,
        force=row.force_id,
        framework=row.framework_id,
        scale=row.framework_id,
        **subject_ids(row),
        name=name,
        grade=row.grade_id,
        grade_name=grade.name,
        grade_rank=grade.rank,
        last_inspected=row.last_inspected,
        carried_over=row.carried_over,
        carried_over_sentence=row.carried_over_sentence,
        **provenance(row, checks),
    )


def coverage(facts: CoverageFacts) -> schemas.Coverage:
    """Grades known against what count pages state; the counts' figures stand where
    every count page agrees, and every page is listed either way."""
    known = sum(facts.known.values())
    statements = [
        schemas.CountStatement(
            source_url=c.source_url,
            areas_graded=c.areas_graded,
            grades=dict(c.grades),
            matches_known=matches_known(c.grades, c.areas_graded, facts.known),
        )
        for c in facts.counts
    ]
    graded = {s.areas_graded for s in statements}
    shapes = {tuple(sorted(s.grades.items())) for s in statements}
    agreed = len(graded) == 1 and len(shapes) == 1
    areas_graded = next(iter(graded)) if agreed else None
    distribution = dict(statements[0].grades) if agreed else None
    if not statements:
        note = f"{known} area grades known here; no page held states how many were graded."
    elif not agreed:
        note = f"{known} area grades known here; the count pages disagree (see `counts`)."
    elif areas_graded is None:
        note = f"{known} area grades known here; the count page does not say how many."
    else:
        note = f"{min(known, areas_graded)} of {areas_graded} area grades known here."
    return schemas.Coverage(
        grades_known=known,
        areas_graded=areas_graded,
        distribution=distribution,
        complete=areas_graded is not None and known >= areas_graded,
        counts=statements,
        note=note,
    )


def _cell(found: tuple[Judgment, Grade] | None, status: str) -> schemas.GridCell:
    if found is None:
        return schemas.GridCell(
            grade=None,
            grade_rank=None,
            status=status,
            source_url=None,
            source_kind=None,
            source_date=None,
            inspection=None,
        )
    judged, grade = found
    return schemas.GridCell(
        grade=grade.id,
        grade_rank=grade.rank,
        status="graded",
        source_url=judged.source_url,
        source_kind=judged.source_kind,
        source_date=judged.source_date,
        inspection=judged.inspection_id,
    )


def framework_grades(grid: FrameworkGrid) -> schemas.FrameworkGrades:
    """The force x pillar (or area) grid; a cell no source states is `not-available`,
    never guessed; a force the framework did not inspect is `not-inspected`."""
    framework = grid.framework
    areas = framework.structure == "areas"
    units = [q.id for q in grid.areas if q.graded] if areas else [p.id for p in grid.pillars]
    outside = {o["force"]: o for o in framework.outside_scope or []}
    distribution = {
        u: {**{g.id: 0 for g in grid.grades}, NOT_AVAILABLE: 0, NOT_INSPECTED: 0} for u in units
    }
    rows = []
    for force_row in grid.forces:
        excluded = outside.get(force_row.id)
        cells = {}
        for unit in units:
            cell = _cell(
                grid.cells.get((force_row.id, unit)), NOT_INSPECTED if excluded else NOT_AVAILABLE
            )
            cells[unit] = cell
            distribution[unit][cell.grade or cell.status] += 1
        facts = grid.coverage.get(force_row.id, CoverageFacts())
        rows.append(
            schemas.GridRow(
                force=schemas.Ref(
                    id=force_row.id, name=force_row.name, href=f"{V1}/forces/{force_row.id}"
                ),
                pillars={} if areas else cells,
                areas=cells if areas else {},
                coverage=coverage(facts) if areas and not excluded else None,
                not_inspected=f"{excluded['reason']} ({excluded['source_url']})"
                if excluded
                else None,
            )
        )
    return schemas.FrameworkGrades(
        framework=schemas.Ref(
            id=framework.id, name=framework.name, href=f"{V1}/frameworks/{framework.id}"
        ),
        scale=framework.id,
        structure=framework.structure,
        note="Grades are on this framework's scale only: never compare them with another "
        "framework's. `not-available`: no source held here states the grade (not known "
        "here, never guessed); `not-inspected`: the framework did not inspect the force.",
        pillars=[] if areas else units,
        areas=units if areas else [],
        distribution=distribution,
        forces=rows,
    )


def _ref(kind: str, id_: str, name: str | None) -> schemas.Ref:
    return schemas.Ref(id=id_, name=name, href=f"{V1}/{kind}/{id_}")


def force_detail(force: schemas.ForcePublic, cycles: ForceCycles) -> schemas.ForceDetail:
    """A force with its current grades (the latest inspection of each family, areas
    first) and what is known of it in every framework."""
    latest = []
    for family in ("areas", "pillars"):
        row = cycles.latest.get(family)
        if row is None:
            continue
        facts = cycles.coverage.get(row.framework.id, CoverageFacts())
        latest.append(
            schemas.LatestGrades(
                family=family,
                framework=_ref("frameworks", row.framework.id, row.framework.name),
                year_label=row.framework.year_label,
                inspection=_ref("inspections", row.inspection.id, None),
                source_kind=row.inspection.source_kind,
                findings_held=row.inspection.source_kind == "report",
                coverage=coverage(facts) if family == "areas" else None,
                judgments=[
                    judgment(j, g, name, cycles.checks.get(j.id, []))
                    for j, g, name in cycles.judgments[row.inspection.id]
                ],
            )
        )
    states = []
    for framework in cycles.frameworks:
        row = cycles.held.get(framework.id)
        facts = cycles.coverage.get(framework.id)
        outside = next((o for o in framework.outside_scope or [] if o["force"] == force.id), None)
        if row is not None:
            status = "graded"
        elif outside is not None:
            status = "not-inspected"
        elif facts is not None and facts.counts:
            status = "grades-not-known"
        else:
            status = "not-known-here"
        states.append(
            schemas.ForceCycle(
                framework=_ref("frameworks", framework.id, framework.name),
                year_label=framework.year_label,
                status=status,
                inspection=f"{V1}/inspections/{row.inspection.id}" if row else None,
                grades_known=cycles.grades_held.get(framework.id, 0),
                coverage=coverage(facts)
                if framework.structure == "areas" and facts is not None
                else None,
                reason=f"{outside['reason']} ({outside['source_url']})" if outside else None,
            )
        )
    return schemas.ForceDetail(**force.model_dump(), latest=latest, cycles=states)
