"""Store grade records (app/ingest/grades.py) in the same discipline as reports.

One transaction per file, under the writer lock: every record is written or none is.
Records are grouped into inspections (force x framework, the same ids reports make):

- no inspection yet, or one built from grade records: this file's part of it is
  (re)built from the records, one judgment per cell with the statement that stands (its
  page, kind and date: app/ingest/grades.py `cells`), each naming its file; other pages
  stating the same grade, and earlier grades a later statement superseded, are kept
  beside it (`judgment_check`). Judgments of other files (a force's 2018/19 pillar grades
  beside its question grades) are kept as they are; a record of a subject another file
  already holds is kept as a check beside that judgment. The inspection is
  `source_kind = 'assessment-page'` (every judgment from an HMICFRS assessment page) or
  `'grade-records'` (pages of several kinds). The same records again change nothing
  (not even the data version);
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

from sqlalchemy import Engine, delete
from sqlmodel import Session

from app.db import writing
from app.ingest.grades import ASSESSMENT_PAGE, Cell, GradeRecord, cells
from app.ingest.ids import child_id, inspection_id
from app.models import Force, Framework, Inspection, Judgment, JudgmentCheck, Question
from app.store.changes import record_change
from app.store.count_load import count_warnings
from app.store.errors import LoadError
from app.store.rows import (
    Row,
    complete,
    insert_rows,
    primary_key,
    stored_checks,
    stored_rows,
    table_of,
)

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
            if _cross_check(session, iid, _by_subject(session, iid), group, path, result):
                result.data_version = record_change(
                    session, "inspection.replaced", inspection_id=iid
                )
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
    inspection_id: str,
    by_subject: dict[str, Row],
    group: list[GradeRecord],
    path: Path,
    result: GradesResult,
    *,
    holder: str = "the report",
) -> bool:
    """Store each record as a check beside the judgment of the same subject another
    source holds (`by_subject`: a report's, or another file's); True if anything
    changed. The holder's grade is kept; a disagreement is a warning."""
    checks = table_of(JudgmentCheck)
    stored = stored_checks(session, inspection_id)
    changed = False
    for record in group:
        result.checked += 1
        judgment = by_subject.get(record.subject)
        if judgment is None:
            result.warnings.append(
                f"{path}:{record.line}: {inspection_id} {record.subject}: {holder} holds no "
                f"such judgment; {record.source_url} says {record.grade!r}; not stored "
                f"({holder} wins)"
            )
            continue
        if record.grade is None:
            # Carried over with no grade stated: nothing to keep beside a grade, but a
            # page saying it was carried over where the holder says otherwise is told.
            if judgment["carried_over"] is False:
                result.warnings.append(
                    f"{path}:{record.line}: {inspection_id} {record.subject}: {holder} says "
                    f"it was inspected in {judgment['last_inspected']}, {record.source_url} "
                    f"says it was carried over from {record.carried_over_from}"
                )
            continue
        if judgment["grade_id"] != record.grade:
            result.warnings.append(
                f"{path}:{record.line}: {inspection_id} {record.subject}: {holder} says "
                f"{judgment['grade_id']!r}, {record.source_url} says {record.grade!r}; "
                f"{holder}'s grade is kept"
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
    return changed


def _by_subject(session: Session, inspection_id: str) -> dict[str, Row]:
    judgments = table_of(Judgment)
    rows = stored_rows(session, Judgment, judgments.c.inspection_id == inspection_id)
    return {row["subject"]: row for row in rows.values()}


def judgments_as_checks(session: Session, inspection_id: str) -> list[Row]:
    """The graded judgments of an inspection built from grade records, as checks beside
    the judgments of the same ids a report is about to replace them with (the report
    wins; what the pages said is kept)."""
    return [
        complete(
            JudgmentCheck,
            {
                **row,
                "judgment_id": row["id"],
                "source_file": row["source_file"] or "",
                "superseded": False,
            },
        )
        for row in _by_subject(session, inspection_id).values()
        if row["grade_id"] is not None and row["source_url"]
    ]


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


def _judgment_row(iid: str, framework: Framework, cell: Cell, path: Path) -> Row:
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
            "last_inspected": r.last_inspected(framework.year_label),
            "carried_over": r.carried_over,
            "source_file": path.name,
            "line": r.line,
            "source_url": r.source_url,
            "source_kind": r.source_kind,
            "source_date": r.source_date,
        },
    )


def _sorted(rows: list[Row], model: type) -> list[Row]:
    return sorted(rows, key=lambda row: primary_key(model, row))


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
    """(Re)build this file's part of an inspection built from grade records: its
    judgments and their other pages. Judgments other files hold are kept; a record of a
    subject another file holds is kept as a check beside it (that file came first)."""
    mine = (table_of(Judgment).c.source_file == path.name,)
    stored_judgments = list(_by_subject(session, iid).values())  # one read: split below
    before = [row for row in stored_judgments if row["source_file"] == path.name]
    held = {r["subject"]: r for r in stored_judgments if r["source_file"] != path.name}
    found = [cell for cell in cells(group, path) if cell.grade.subject not in held]
    judgments = [_judgment_row(iid, framework, cell, path) for cell in found]
    checks = [
        _check_row(
            child_id(iid, cell.grade.subject), other, path, superseded=other in cell.superseded
        )
        for cell in found
        for other in (*cell.agreeing, *cell.superseded)
    ]
    stored_check_rows = list(stored_checks(session, iid).values())
    before_ids = {row["id"] for row in before}
    before_checks = [
        c
        for c in stored_check_rows
        if c["judgment_id"] in before_ids and c["source_file"] == path.name
    ]
    merged = _sorted([*held.values(), *judgments], Judgment)
    row = _inspection_row(iid, framework, merged, licence or (stored and stored.licence))
    same = (
        stored is not None
        and _sorted(before, Judgment) == _sorted(judgments, Judgment)
        and _sorted(before_checks, JudgmentCheck) == _sorted(checks, JudgmentCheck)
        and all(getattr(stored, k) == v for k, v in row.items() if k in _DERIVED)
    )
    if same:
        result.unchanged.append(iid)
    else:
        digest = hashlib.sha256(
            json.dumps([merged, checks], sort_keys=True, default=str).encode()
        ).hexdigest()
        status = "created" if stored is None else "replaced"
        version = record_change(
            session, f"inspection.{status}", inspection_id=iid, content_sha256=digest
        )
        row.update(content_sha256=digest, data_version=version, loaded_at=datetime.now(UTC))
        # Other files' checks of this file's judgments outlive their rebuilding.
        kept = [
            c
            for c in stored_check_rows
            if c["judgment_id"] in before_ids and c["source_file"] != path.name
        ]
        check_table, judgment_table = table_of(JudgmentCheck), table_of(Judgment)
        session.execute(delete(check_table).where(check_table.c.judgment_id.in_(before_ids)))
        session.execute(delete(judgment_table).where(judgment_table.c.inspection_id == iid, *mine))
        inspections = table_of(Inspection)
        if stored is None:
            insert_rows(session, Inspection, [row])
        else:
            session.expunge(stored)
            session.execute(inspections.update().where(inspections.c.id == iid).values(**row))
        insert_rows(session, Judgment, judgments)
        new_ids = {j["id"] for j in judgments}
        insert_rows(
            session, JudgmentCheck, [*checks, *(c for c in kept if c["judgment_id"] in new_ids)]
        )
        result.data_version = version
        (result.created if status == "created" else result.replaced).append(iid)
    crossing = [r for r in group if r.subject in held]
    checked = bool(crossing) and _cross_check(
        session, iid, held, crossing, path, result, holder="another grade file"
    )
    if checked and same:  # else the rebuild above recorded the change
        result.data_version = record_change(session, "inspection.replaced", inspection_id=iid)


# What an inspection built from grade records takes from its judgments.
_DERIVED = ("source_kind", "source_file", "source_url", "licence")


def _inspection_row(iid: str, framework: Framework, merged: list[Row], licence: str | None) -> Row:
    """The inspection's row: its source is the page of its first pillar grade (else of
    its first judgment) with that judgment's file, whichever file is loaded last."""
    first = next((j for j in merged if j["question_id"] is None), merged[0])
    kinds = {j["source_kind"] for j in merged}
    return complete(
        Inspection,
        {
            "id": iid,
            "force_id": first["force_id"],
            "framework_id": framework.id,
            "year_label": framework.year_label,
            "source_kind": ASSESSMENT_PAGE if kinds == {ASSESSMENT_PAGE} else GRADE_RECORDS,
            "source_file": first["source_file"],
            "source_url": first["source_url"],
            "licence": licence,
            "observations": [],
        },
    )
