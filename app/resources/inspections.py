"""Inspections: the list source, an inspection, and the report card."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import schemas
from app.resources.judgments import coverage, provenance
from app.resources.source import SortFields, Source, sort_fields
from app.resources.urls import urls
from app.services import inspections
from app.services.inspections import InspectionRow, ReportCard

SORTS = inspections.INSPECTION_SORTS
DEFAULT_SORT = "id"


def inspection(row: InspectionRow) -> schemas.InspectionPublic:
    return schemas.InspectionPublic(**_inspection_fields(row))


def _inspection_fields(row: InspectionRow) -> dict[str, Any]:
    i = row.inspection
    return {
        "id": i.id,
        "force": schemas.Ref(id=row.force.id, name=row.force.name, href=urls.force(row.force.id)),
        "framework": schemas.Ref(
            id=row.framework.id, name=row.framework.name, href=urls.framework(row.framework.id)
        ),
        "year_label": i.year_label,
        "source_kind": i.source_kind,
        "published": i.published,
        "source_url": i.source_url,
        "licence": i.licence,
        "href": urls.inspection(i.id),
    }


def source(
    *, force: str | None = None, framework: str | None = None, sort: SortFields | None = None
) -> Source[schemas.InspectionPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.InspectionPublic], int]:
        rows, count = inspections.list_inspections(
            session, force=force, framework=framework, sort=fields, limit=limit, offset=offset
        )
        return [inspection(r) for r in rows], count

    return Source("inspections", schemas.InspectionPublic, fetch)


def _brief(card: ReportCard, subject: str) -> schemas.JudgmentBrief | None:
    pair = card.judgments.get(subject)
    if pair is None:
        return None
    row, grade = pair
    return schemas.JudgmentBrief(
        grade=row.grade_id,
        grade_rank=grade.rank if grade else None,
        last_inspected=row.last_inspected,
        carried_over=row.carried_over,
        carried_over_sentence=row.carried_over_sentence,
        **provenance(row, card.checks.get(row.id, [])),
    )


def _counts(card: ReportCard, question_id: str | None = None) -> schemas.QuestionCounts:
    def items(kind: str) -> int:
        return sum(n for (q, k), n in card.items.items() if k == kind and question_id in (None, q))

    return schemas.QuestionCounts(
        findings=sum(n for q, n in card.findings.items() if question_id in (None, q)),
        areas_for_improvement=items("area-for-improvement"),
        causes_of_concern=items("cause-of-concern"),
        recommendations=items("recommendation"),
    )


def report_card(card: ReportCard) -> schemas.InspectionCard:
    inspection_id = card.row.inspection.id
    pillars = []
    for pillar in card.pillars:
        summary = card.summaries.get(pillar.id)
        questions = []
        for q in (q for q in card.questions if q.pillar_id == pillar.id):
            section = card.summaries.get(q.id)
            questions.append(
                schemas.CardQuestion(
                    question=q.id,
                    name=q.name,
                    heading=section.heading if section else None,
                    page=section.page if section else None,
                    judgment=_brief(card, q.id),
                    summary=list(section.paragraphs) if section else [],
                    counts=_counts(card, q.id),
                    findings=urls.findings(inspection=inspection_id, question=q.id),
                    recommendations=urls.recommendations(inspection=inspection_id, question=q.id),
                )
            )
        pillars.append(
            schemas.CardPillar(
                pillar=pillar.id,
                name=pillar.name,
                headline_question=pillar.headline_question,
                judgment=_brief(card, pillar.id),
                summary=list(summary.paragraphs) if summary else [],
                questions=questions,
            )
        )
    i = card.row.inspection
    areas = [
        schemas.CardArea(
            area=q.id,
            name=q.name,
            position=q.position,
            graded=q.graded,
            judgment=_brief(card, q.id),
        )
        for q in card.questions
        if q.pillar_id is None
    ]
    return schemas.InspectionCard(
        **_inspection_fields(card.row),
        inspector=i.inspector,
        observations=list(i.observations or []),
        scope=[
            schemas.ScopeEntryPublic(question=s.question_id, label=s.label, inspected=s.inspected)
            for s in card.scope
        ],
        pillars=pillars,
        areas=areas,
        coverage=coverage(card.coverage) if card.coverage is not None else None,
        counts=_counts(card),
        findings_held=i.source_kind == "report",
        findings=urls.findings(inspection=inspection_id),
        recommendations=urls.recommendations(inspection=inspection_id),
    )


def card_of(session: Session, inspection_id: str) -> schemas.InspectionCard | None:
    """`GET /v1/inspections/{id}`: the report card, or None for an unknown inspection."""
    card = inspections.report_card(session, inspection_id)
    return None if card is None else report_card(card)
