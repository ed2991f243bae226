"""Store grade records (app/ingest/grades.py) in the same discipline as reports.

One transaction per file, under the writer lock: every record is written or none is.
Records are grouped into inspections (force x framework, the same ids reports make):

- no inspection yet, or one built from grade records: it is (re)built from the records,
  `source_kind = 'assessment-page'` (every record from an HMICFRS assessment page) or
  `'grade-records'` (pages of several kinds), one judgment per cell with the statement
  that stands (its page, kind and date: app/ingest/grades.py `cells`); other pages
  stating the same grade, and earlier grades a later statement superseded, are kept
  beside it (`judgment_check`); the same records again change nothing (not even the
  data version);
- an inspection built from a report: the report wins. Each record is compared with the
  report's judgment of the same pillar or question and stored beside it as a check
  (`judgment_check`, one per page and grade); a disagreement is returned as a warning
  naming the file and line, and the API shows it on the judgment (`cross_checks`).

Questions of frameworks whose catalogue lists none (2014-2017) are added from the
records' wording.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlmodel import Session

from app.db import writing
from app.ingest.grades import ASSESSMENT_PAGE, Cell, GradeRecord, cells
from app.ingest.ids import child_id, inspection_id
from app.models import Force, Framework, Inspection, Judgment, JudgmentCheck, Question
from app.store.changes import record_change
from app.store.count_load import count_warnings
from app.store.errors import LoadError
from app.store.rows import Row, complete, insert_rows, stored_checks, stored_rows, table_of

GRADE_RECORDS = "grade-records"  # an inspection built from pages of several kinds


@dataclass
class GradesResult:
    created: list[str] = field(default_factory=list)  # inspection ids
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    checked: int = 0  # records compared with a report's judgment (never stored as grades)
    warnings: list[str] = field(default_factory=list)  # disagreements, loudly
    count_warnings: list[str] = field(default_factory=list)  # counts vs known grades
    data_version: int | None = None

    @property
    def summary(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged from grade records; {self.checked} grades "
            f"checked against reports, {len(self.warnings)} disagreeing"
        )
        if self.count_warnings:
            text += f"; {len(self.count_warnings)} grade counts disagreeing with them"
        return text


def load_grade_records(
    target: Engine | Session,
    records: list[GradeRecord],
    path: Path,
    *,
    licence: str | None = None,
) -> GradesResult:
    """Store the records of one file in one transaction (see the module docstring)."""
    with writing(target) as session:
        return store_grade_records(session, records, path, licence=licence)


def store_grade_records(
    session: Session, records: list[GradeRecord], path: Path, *, licence: str | None = None
) -> GradesResult:
    """The work of `load_grade_records` inside a write transaction the caller holds (and
    ends: an import commits it with its own record, or rolls a dry run back)."""
    result = GradesResult()
    _check_catalogue(session, records, path)
    _add_questions(session, records)
    groups: dict[tuple[str, str], list[GradeRecord]] = {}
    for record in records:
        groups.setdefault((record.force, record.framework), []).append(record)
    for (force_id, framework_id), group in groups.items():
        framework = session.get(Framework, framework_id)
        iid = inspection_id(force_id, framework.year_label)
        stored = session.get(Inspection, iid)
        if stored is not None and stored.source_kind == "report":
            _cross_check(session, stored, group, path, result)
        else:
            _store_inspection(session, iid, stored, framework, group, path, licence, result)
    result.count_warnings = count_warnings(session, set(groups))
    return result


def _check_catalogue(session: Session, records: list[GradeRecord], path: Path) -> None:
    first_line: dict[tuple[str, str], int] = {}
    for record in records:
        first_line.setdefault((record.force, record.framework), record.line)
    for (force, framework), line in first_line.items():
        if session.get(Force, force) is None or session.get(Framework, framework) is None:
            raise LoadError(
                f"{path}:{line}: {force}/{framework} is not in the database's catalogue: "
                "run `peel seed` first"
            )


def _add_questions(session: Session, records: list[GradeRecord]) -> None:
    """Insert the questions records define (2014-2017) that are not stored yet, each
    after its framework's last; a stored question is left as it is (its wording is its
    id)."""
    defining = [r for r in records if r.question_wording is not None and r.question is not None]
    if not defining:
        return
    table = table_of(Question)
    frameworks = {r.framework for r in defining}
    stored = stored_rows(session, Question, table.c.framework_id.in_(frameworks))
    positions = Counter(framework for framework, _ in stored)
    new: dict[tuple[str, str], Row] = {}
    for record in defining:
        key = (record.framework, record.question)
        if key in stored or key in new:
            continue
        positions[record.framework] += 1
        new[key] = complete(
            Question,
            {
                "framework_id": record.framework,
                "id": record.question,
                "pillar_id": record.pillar,
                "position": positions[record.framework],
                "name": record.question_wording,
                "official_question": record.question_wording,
                "graded": True,
                "aliases": [],
                "verified": True,
                "source_url": record.source_url,
            },
        )
    insert_rows(session, Question, list(new.values()))


def _cross_check(
    session: Session,
    inspection: Inspection,
    group: list[GradeRecord],
    path: Path,
    result: GradesResult,
) -> None:
    judgments = table_of(Judgment)
    by_subject = {
        row["subject"]: row
        for row in stored_rows(
            session, Judgment, judgments.c.inspection_id == inspection.id
        ).values()
    }
    checks = table_of(JudgmentCheck)
    stored = stored_checks(session, inspection.id)
    changed = False
    for record in group:
        result.checked += 1
        judgment = by_subject.get(record.subject)
        if judgment is None:
            result.warnings.append(
                f"{path}:{record.line}: {inspection.id} {record.subject}: the report holds no "
                f"such judgment; {record.source_url} says {record.grade!r}; not stored (the "
                "report wins)"
            )
            continue
        if judgment["grade_id"] != record.grade:
            result.warnings.append(
                f"{path}:{record.line}: {inspection.id} {record.subject}: the report says "
                f"{judgment['grade_id']!r}, {record.source_url} says {record.grade!r}; the "
                "report's grade is kept"
            )
        check = _check_row(judgment["id"], record, path, superseded=False)
        # One row per page and grade: a second file quoting the same page and grade adds
        # nothing (the first file and line that stated it stay recorded); a page now
        # stating another grade replaces what it said before.
        if (judgment["id"], record.source_url, record.grade) in stored:
            continue
        before = [k for k in stored if k[:2] == (judgment["id"], record.source_url)]
        if before:
            where = (checks.c.judgment_id == judgment["id"]) & (
                checks.c.source_url == record.source_url
            )
            session.execute(checks.delete().where(where))
        insert_rows(session, JudgmentCheck, [check])
        changed = True
    if changed:
        result.data_version = record_change(
            session, "inspection.replaced", inspection_id=inspection.id
        )


def _check_row(judgment_id: str, record: GradeRecord, path: Path, *, superseded: bool) -> Row:
    return complete(
        JudgmentCheck,
        {
            "judgment_id": judgment_id,
            "source_url": record.source_url,
            "grade_id": record.grade,
            "source_file": path.name,
            "line": record.line,
            "source_kind": record.source_kind,
            "source_date": record.source_date,
            "superseded": superseded,
        },
    )


def _judgment_row(iid: str, framework: Framework, cell: Cell) -> Row:
    r = cell.grade
    return complete(
        Judgment,
        {
            "id": child_id(iid, r.subject),
            "inspection_id": iid,
            "force_id": r.force,
            "framework_id": r.framework,
            "pillar_id": r.pillar,
            "question_id": r.question,
            "subject": r.subject,
            "grade_id": r.grade,
            "last_inspected": framework.year_label,
            "carried_over": False,
            "line": r.line,
            "source_url": r.source_url,
            "source_kind": r.source_kind,
            "source_date": r.source_date,
        },
    )


def _store_inspection(
    session: Session,
    iid: str,
    stored: Inspection | None,
    framework: Framework,
    group: list[GradeRecord],
    path: Path,
    licence: str | None,
    result: GradesResult,
) -> None:
    found = cells(group, path)
    judgments = [_judgment_row(iid, framework, cell) for cell in found]
    checks = [
        _check_row(
            child_id(iid, cell.grade.subject), other, path, superseded=other in cell.superseded
        )
        for cell in found
        for other in (*cell.agreeing, *cell.superseded)
    ]
    digest = hashlib.sha256(
        json.dumps([path.name, licence, judgments, checks], sort_keys=True).encode()
    ).hexdigest()
    if stored is not None and stored.content_sha256 == digest:
        result.unchanged.append(iid)
        return
    status = "created" if stored is None else "replaced"
    version = record_change(
        session, f"inspection.{status}", inspection_id=iid, content_sha256=digest
    )
    # The page of the pillar grades (else the first record's) stands for the inspection.
    pillar_pages = [r.source_url for r in group if r.question is None]
    kinds = {r.source_kind for r in group}
    row: Row = complete(
        Inspection,
        {
            "id": iid,
            "force_id": group[0].force,
            "framework_id": framework.id,
            "year_label": framework.year_label,
            "source_kind": ASSESSMENT_PAGE if kinds == {ASSESSMENT_PAGE} else GRADE_RECORDS,
            "source_file": path.name,
            "source_url": (pillar_pages or [group[0].source_url])[0],
            "licence": licence,
            "observations": [],
            "content_sha256": digest,
            "data_version": version,
            "loaded_at": datetime.now(UTC),
        },
    )
    inspections, judgment_table = table_of(Inspection), table_of(Judgment)
    of_inspection = judgment_table.c.inspection_id == iid
    session.execute(
        delete(table_of(JudgmentCheck)).where(
            table_of(JudgmentCheck).c.judgment_id.in_(
                select(judgment_table.c.id).where(of_inspection)
            )
        )
    )
    session.execute(delete(judgment_table).where(of_inspection))
    if stored is None:
        insert_rows(session, Inspection, [row])
    else:
        session.expunge(stored)
        session.execute(inspections.update().where(inspections.c.id == iid).values(**row))
    insert_rows(session, Judgment, judgments)
    insert_rows(session, JudgmentCheck, checks)
    result.data_version = version
    (result.created if status == "created" else result.replaced).append(iid)
