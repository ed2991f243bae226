"""A ReportDocument as rows: every row one report makes, a pure function of it.

Primary keys come from the document's natural keys (app/ingest/ids.py), so the same
document always makes the same rows; the report loader (app/store/report.py) compares
them with the stored ones and writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import SQLModel

from app.ingest.document import ReportDocument
from app.ingest.ids import child_id
from app.ingest.manifest import ReportSource
from app.models import (
    ActionItem,
    Finding,
    GlossaryCitation,
    Inspection,
    Judgment,
    ScopeEntry,
    Summary,
)
from app.store import search_index
from app.store.rows import Row, complete, primary_key


@dataclass
class ReportRows:
    inspection: Row
    children: dict[type[SQLModel], list[Row]]
    terms: list[Row]
    search: list[search_index.SearchRow]


def document_rows(document: ReportDocument, source: ReportSource, *, now: datetime) -> ReportRows:
    iid, framework = document.inspection_id, document.framework
    inspection = complete(
        Inspection,
        {
            "id": iid,
            "force_id": document.force.id,
            "framework_id": framework,
            "year_label": document.year_label,
            "source_kind": source.kind,
            "source_file": source.path.name,
            "published": source.published,
            "source_url": source.source_url,
            "licence": source.licence,
            "inspector": document.inspector,
            "observations": list(document.observations),
            "content_sha256": source.sha256,
            "data_version": None,  # set when the load writes
            "loaded_at": now,
        },
    )
    scope = [
        complete(
            ScopeEntry,
            {
                "inspection_id": iid,
                "question_id": entry.question,
                "framework_id": framework,
                "position": position,
                "label": entry.label,
                "inspected": entry.inspected,
                "line": entry.line,
            },
        )
        for position, entry in enumerate(document.scope, start=1)
    ]
    judgments = [
        complete(
            Judgment,
            {
                "id": child_id(iid, j.question or j.pillar),
                "inspection_id": iid,
                "force_id": document.force.id,
                "framework_id": framework,
                "pillar_id": j.pillar,
                "question_id": j.question,
                "subject": j.question or j.pillar,
                "grade_id": j.grade,
                "last_inspected": j.last_inspected,
                "carried_over": j.carried_over,
                "carried_over_sentence": j.carried_over_sentence,
                "source_file": source.path.name,
                "line": j.line,
                "source_url": source.source_url,
                "source_kind": source.kind,
            },
        )
        for j in document.judgments
    ]
    summaries: list[Row] = []
    findings: list[Row] = []
    search = [
        search_index.SearchRow(
            "inspection",
            iid,
            iid,
            None,
            None,
            f"{document.force.name} {document.year_label}",
            "\n\n".join(document.observations),
        )
    ]
    pillar_of: dict[str, str] = {}
    for pillar in document.pillars:
        sections = [(pillar.pillar, None, pillar.headline_question, pillar)]
        sections += [(pillar.pillar, q.question, q.heading, q) for q in pillar.questions]
        for pillar_id, question_id, heading, section in sections:
            subject = question_id or pillar_id
            summaries.append(
                complete(
                    Summary,
                    {
                        "id": child_id(iid, subject),
                        "inspection_id": iid,
                        "framework_id": framework,
                        "pillar_id": pillar_id,
                        "question_id": question_id,
                        "subject": subject,
                        "position": len(summaries) + 1,
                        "heading": heading,
                        "page": section.page,
                        "paragraphs": list(section.summary),
                        "start_line": section.span.start_line,
                        "end_line": section.span.end_line,
                    },
                )
            )
            search.append(
                search_index.SearchRow(
                    "summary",
                    child_id(iid, subject),
                    iid,
                    question_id,
                    pillar_id,
                    heading,
                    "\n\n".join(section.summary),
                )
            )
        for question in pillar.questions:
            pillar_of[question.question] = pillar.pillar
            for finding in question.findings:
                finding_id = child_id(iid, question.question, finding.key)
                findings.append(
                    complete(
                        Finding,
                        {
                            "id": finding_id,
                            "inspection_id": iid,
                            "framework_id": framework,
                            "question_id": question.question,
                            "key": finding.key,
                            "position": len(findings) + 1,
                            "heading": finding.heading,
                            "page": finding.page,
                            "paragraphs": list(finding.paragraphs),
                            "start_line": finding.span.start_line,
                            "end_line": finding.span.end_line,
                        },
                    )
                )
                search.append(
                    search_index.SearchRow(
                        "finding",
                        finding_id,
                        iid,
                        question.question,
                        pillar.pillar,
                        finding.heading,
                        "\n\n".join(finding.paragraphs),
                    )
                )

    def item_id(key: str) -> str:
        return child_id(iid, *key.split("/"))

    items = []
    for position, item in enumerate(document.items, start=1):
        items.append(
            complete(
                ActionItem,
                {
                    "id": item_id(item.key),
                    "inspection_id": iid,
                    "framework_id": framework,
                    "question_id": item.question,
                    "kind": item.kind,
                    "key": item.key,
                    "position": position,
                    "text": item.text,
                    "page": item.page,
                    "start_line": item.span.start_line,
                    "end_line": item.span.end_line,
                    "answers_id": item_id(item.answers) if item.answers else None,
                },
            )
        )
        search.append(
            search_index.SearchRow(
                item.kind,
                item_id(item.key),
                iid,
                item.question,
                pillar_of.get(item.question),
                item.kind.replace("-", " ").capitalize(),
                item.text,
            )
        )
    # Items another item answers go first: the self-referencing foreign key is checked
    # row by row on SQLite.
    items.sort(key=lambda row: row["answers_id"] is not None)

    finding_ids = {row["id"] for row in findings}
    terms: dict[str, Row] = {}
    citations: dict[tuple, Row] = {}
    for term in document.glossary:
        if term.citations:  # a term nobody cites would be removed as an orphan
            terms.setdefault(term.key, {"id": term.key, "term": term.term, "url": term.url})
        for citation in term.citations:
            in_finding = child_id(iid, *citation.section.split("/"))
            row = {
                "inspection_id": iid,
                "term_id": term.key,
                "section": citation.section,
                "line": citation.line,
                "page": citation.page,
                "finding_id": in_finding if in_finding in finding_ids else None,
            }
            citations.setdefault(primary_key(GlossaryCitation, row), row)
    return ReportRows(
        inspection=inspection,
        children={
            ScopeEntry: scope,
            Judgment: judgments,
            Summary: summaries,
            Finding: findings,
            ActionItem: items,
            GlossaryCitation: list(citations.values()),
        },
        terms=list(terms.values()),
        search=search,
    )
