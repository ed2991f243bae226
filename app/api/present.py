"""Rows -> public models. Links are root-relative URLs of this API."""

from __future__ import annotations

from app import schemas
from app.api.present_grades import V1, coverage, provenance, subject_ids
from app.models import (
    ActionItem,
    Finding,
    Force,
    Framework,
    JudgmentCheck,
    Question,
)
from app.services.findings import FindingRow, ItemRow
from app.services.inspections import InspectionRow, ReportCard
from app.services.judgments import HistoryEntry


def force(row: Force) -> schemas.ForcePublic:
    return schemas.ForcePublic(
        id=row.id,
        name=row.name,
        country=row.country,
        kind=row.kind,
        inspections=f"{V1}/forces/{row.id}/inspections",
        history=f"{V1}/forces/{row.id}/history",
    )


def framework(row: Framework) -> schemas.FrameworkPublic:
    return schemas.FrameworkPublic(
        id=row.id,
        name=row.name,
        year_label=row.year_label,
        structure=row.structure,
        source_url=row.source_url,
        href=f"{V1}/frameworks/{row.id}",
    )


def question(row: Question) -> schemas.QuestionPublic:
    return schemas.QuestionPublic(
        id=row.id,
        name=row.name,
        official_question=row.official_question,
        pillar=row.pillar_id,
        position=row.position,
        graded=row.graded,
        aliases=list(row.aliases or []),
        verified=row.verified,
        source_url=row.source_url,
    )


def inspection(row: InspectionRow) -> schemas.InspectionPublic:
    return schemas.InspectionPublic(**_inspection_fields(row))


def _inspection_fields(row: InspectionRow) -> dict:
    i = row.inspection
    return {
        "id": i.id,
        "force": schemas.Ref(
            id=row.force.id, name=row.force.name, href=f"{V1}/forces/{row.force.id}"
        ),
        "framework": schemas.Ref(
            id=row.framework.id, name=row.framework.name, href=f"{V1}/frameworks/{row.framework.id}"
        ),
        "year_label": i.year_label,
        "source_kind": i.source_kind,
        "published": i.published,
        "source_url": i.source_url,
        "licence": i.licence,
        "href": f"{V1}/inspections/{i.id}",
    }


def _brief(card: ReportCard, subject: str) -> schemas.JudgmentBrief | None:
    pair = card.judgments.get(subject)
    if pair is None:
        return None
    row, grade = pair
    return schemas.JudgmentBrief(
        grade=row.grade_id,
        grade_rank=grade.rank,
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
            query = f"inspection={inspection_id}&question={q.id}"
            questions.append(
                schemas.CardQuestion(
                    question=q.id,
                    name=q.name,
                    heading=section.heading if section else None,
                    page=section.page if section else None,
                    judgment=_brief(card, q.id),
                    summary=list(section.paragraphs) if section else [],
                    counts=_counts(card, q.id),
                    findings=f"{V1}/findings?{query}",
                    recommendations=f"{V1}/recommendations?{query}",
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
        findings=f"{V1}/findings?inspection={inspection_id}",
        recommendations=f"{V1}/recommendations?inspection={inspection_id}",
    )


def finding(row: FindingRow) -> schemas.FindingPublic:
    f: Finding = row.finding
    return schemas.FindingPublic(
        id=f.id,
        inspection=f.inspection_id,
        force=row.force,
        pillar=row.pillar,
        question=f.question_id,
        heading=f.heading,
        position=f.position,
        page=f.page,
        paragraphs=list(f.paragraphs),
        source_lines=schemas.SourceLines(start=f.start_line, end=f.end_line),
        href=f"{V1}/findings/{f.id}",
    )


def item(row: ItemRow) -> schemas.ItemPublic:
    i: ActionItem = row.item
    cause = row.cause
    return schemas.ItemPublic(
        id=i.id,
        kind=i.kind,
        inspection=i.inspection_id,
        force=row.force,
        pillar=row.pillar,
        question=i.question_id,
        position=i.position,
        text=i.text,
        page=i.page,
        cause_of_concern=(
            schemas.CauseOfConcernRef(
                id=cause.id,
                text=cause.text,
                href=f"{V1}/recommendations?inspection={cause.inspection_id}&kind=cause-of-concern",
            )
            if cause
            else None
        ),
        href=f"{V1}/recommendations?inspection={i.inspection_id}&question={i.question_id}",
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
                grade_rank=entry.grade.rank,
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
        force=schemas.Ref(id=force.id, name=force.name, href=f"{V1}/forces/{force.id}"),
        note=note,
        inspections=[
            schemas.HistoryInspection(
                id=row.inspection.id,
                framework=row.framework.id,
                year_label=row.framework.year_label,
                source_kind=row.inspection.source_kind,
                source_url=row.inspection.source_url,
                href=f"{V1}/inspections/{row.inspection.id}",
            )
            for row in held
        ],
        lines=list(lines.values()),
    )
