"""Forces: the list source, a force, and a force with its current grades in every cycle."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import Force
from app.resources.judgments import coverage, judgment
from app.resources.source import SortFields, Source, sort_fields
from app.resources.urls import urls
from app.services import catalogue, inspections
from app.services.coverage import CoverageFacts
from app.services.inspections import ForceCycles

SORTS = catalogue.FORCE_SORTS
DEFAULT_SORT = "id"


def force(row: Force) -> schemas.ForcePublic:
    return schemas.ForcePublic(
        id=row.id,
        name=row.name,
        country=row.country,
        kind=row.kind,
        inspections=urls.force_inspections(row.id),
        history=urls.force_history(row.id),
    )


def source(sort: SortFields | None = None) -> Source[schemas.ForcePublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.ForcePublic], int]:
        rows, count = catalogue.list_forces(session, sort=fields, limit=limit, offset=offset)
        return [force(r) for r in rows], count

    return Source("forces", schemas.ForcePublic, fetch)


def _ref(href: str, id_: str, name: str | None) -> schemas.Ref:
    return schemas.Ref(id=id_, name=name, href=href)


def force_detail(public: schemas.ForcePublic, cycles: ForceCycles) -> schemas.ForceDetail:
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
                framework=_ref(
                    urls.framework(row.framework.id), row.framework.id, row.framework.name
                ),
                year_label=row.framework.year_label,
                inspection=_ref(urls.inspection(row.inspection.id), row.inspection.id, None),
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
        outside = next((o for o in framework.outside_scope or [] if o["force"] == public.id), None)
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
                framework=_ref(urls.framework(framework.id), framework.id, framework.name),
                year_label=framework.year_label,
                status=status,
                inspection=urls.inspection(row.inspection.id) if row else None,
                grades_known=cycles.grades_held.get(framework.id, 0),
                coverage=coverage(facts)
                if framework.structure == "areas" and facts is not None
                else None,
                reason=f"{outside['reason']} ({outside['source_url']})" if outside else None,
            )
        )
    return schemas.ForceDetail(**public.model_dump(), latest=latest, cycles=states)


def detail_of(session: Session, row: Force) -> schemas.ForceDetail:
    """`GET /v1/forces/{id}`: the force with its current grades and every cycle."""
    return force_detail(force(row), inspections.force_cycles(session, row.id))
