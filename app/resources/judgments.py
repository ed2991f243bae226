"""Judgments: a grade with its provenance, the list source, and the coverage of area
frameworks (how many grades are known here)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import schemas
from app.ingest.grade_counts import matches_known
from app.models import Grade, Judgment, JudgmentCheck
from app.resources.source import SortFields, Source, sort_fields
from app.services import judgments
from app.services.coverage import CoverageFacts
from app.services.judgments import JudgmentFilters, level_of

SORTS = judgments.JUDGMENT_SORTS
DEFAULT_SORT = "inspection,pillar,question"


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
    row: Judgment, grade: Grade | None, name: str, checks: list[JudgmentCheck]
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
        grade_name=grade.name if grade else None,
        grade_rank=grade.rank if grade else None,
        last_inspected=row.last_inspected,
        carried_over=row.carried_over,
        carried_over_sentence=row.carried_over_sentence,
        **provenance(row, checks),
    )


def _check_dicts(grade: str, checks: list[Any]) -> tuple[list[dict], list[dict]]:
    """(cross_checks, superseded) of `provenance`, as the JSON objects of their models."""
    cross: list[dict] = []
    superseded: list[dict] = []
    for check in checks:
        if check.superseded:
            superseded.append(
                {
                    "grade": check.grade_id,
                    "source_url": check.source_url,
                    "source_kind": check.source_kind,
                    "source_date": check.source_date,
                }
            )
        else:
            cross.append(
                {
                    "source_url": check.source_url,
                    "grade": check.grade_id,
                    "agrees": check.grade_id == grade,
                    "source_kind": check.source_kind,
                    "source_date": check.source_date,
                }
            )
    return cross, superseded


_NO_CHECKS: list[Any] = []


def judgment_dict(row: Any, checks: list[Any]) -> dict[str, Any]:
    """`judgment` of a Core row (`judgments.judgment_rows`) as the JSON object of
    `JudgmentPublic` (its fields, in its order), without building the model."""
    cross, superseded = _check_dicts(row.grade_id, checks) if checks else ([], [])
    pillar, question = row.pillar_id, row.question_id
    level = "area" if pillar is None else ("pillar" if question is None else "question")
    return {
        "source_kind": row.source_kind or "report",
        "source_url": row.source_url,
        "source_date": row.source_date,
        "cross_checks": cross,
        "superseded": superseded,
        "id": row.id,
        "inspection": row.inspection_id,
        "force": row.force_id,
        "framework": row.framework_id,
        "scale": row.framework_id,
        "level": level,
        "pillar": pillar,
        "question": question if level == "question" else None,
        "area": question if level == "area" else None,
        "name": row.name,
        "grade": row.grade_id,
        "grade_name": row.grade_name,
        "grade_rank": row.grade_rank,
        "last_inspected": row.last_inspected,
        "carried_over": row.carried_over,
        "carried_over_sentence": row.carried_over_sentence,
    }


def judgment_dicts(
    session: Session,
    filters: JudgmentFilters,
    fields: SortFields,
    limit: int,
    offset: int,
    count: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of judgments as JSON objects (two queries: the rows, their checks), and the
    count of all (one more query unless `count` is given)."""
    rows, count, checks = judgments.judgment_rows(
        session, filters, sort=fields, limit=limit, offset=offset, count=count
    )
    return [judgment_dict(row, checks.get(row.id, _NO_CHECKS)) for row in rows], count


def source(
    filters: JudgmentFilters | None = None, sort: SortFields | None = None
) -> Source[schemas.JudgmentPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.JudgmentPublic], int]:
        items, count = judgment_dicts(session, filters or JudgmentFilters(), fields, limit, offset)
        return [schemas.JudgmentPublic.model_validate(item) for item in items], count

    return Source("judgments", schemas.JudgmentPublic, fetch)


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
