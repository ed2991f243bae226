"""Grade records: grades stated by HMICFRS's assessment pages, read from CSV files.

The second kind of source beside report texts. A record is one grade for one force, in
one framework, for a pillar or a question, with the page that states it. Two layouts are
read, told apart by their header:

- wide: `force_id,<pillar>,<pillar>,...,source_url` (one row per force, one column per
  pillar; the framework comes from the manifest line);
- long: `force_id,framework,level,area,grade,source_url` (one row per grade; `level` is
  `pillar` or `question`, `area` the pillar's or the question's wording);
- questions: `force_id,question,grade,carried_over_from,source_url` (one row per question
  grade of a framework the manifest line names; `question` the question's id or wording).
  `carried_over_from` is the year whose inspection the grade was carried over from; blank
  is "not stated" (no claim either way: not that it was inspected that year). A
  carried-over row may have no grade: carried over, the grade not known here;
- areas: `framework,force_id,area_id,grade,published,source_kind,source_url` (one row per
  grade a page states for an area of a framework organised in areas, with the kind of
  page and the date it speaks for). Several rows may state one cell: pages that agree,
  or a regrade, where the later `published` wins and the earlier is kept as superseded
  (`cells`); two different grades with no later date between them are an error.

An empty cell is no record: a value no page states stays unknown. Every record is
checked against the reference catalogue; the first that does not fit raises
GradeRecordError naming the file and line, and nothing of the file is returned.

Frameworks whose questions the catalogue lists (2018/19) must match one by wording or
alias. The 2014-2017 frameworks have no fixed list: their questions are defined by the
records themselves, with the pillar taken from a `(pillar)` suffix of the wording, else
the pillar named in the source page's address, else the pillar the wording names.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from app.ingest.ids import normalise, slugify
from app.ingest.reference import Framework, Reference

WIDE_FIXED = {"force_id", "tranche", "source_url"}
LONG_COLUMNS = ["force_id", "framework", "level", "area", "grade", "source_url"]
AREA_COLUMNS = {"framework", "force_id", "area_id", "grade", "source_url"}
QUESTION_COLUMNS = {"force_id", "question", "grade", "carried_over_from", "source_url"}
# What a record says of where its grade comes from: the framework's own inspection of
# the subject, an earlier one (`carried_over_from`), or nothing either way.
INSPECTED, CARRIED_OVER, NOT_STATED = "inspected", "carried-over", "not-stated"
# What kind of page states a grade: the words of the area-grade file, and the two kinds
# the loaders give (a report's text; an HMICFRS assessment page of the older files).
SOURCE_KINDS = (
    "report",
    "assessment-page",
    "hmicfrs",
    "press-release",
    "commissioner",
    "force",
    "panel-papers",
    "news",
)
ASSESSMENT_PAGE = "assessment-page"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_PILLAR_SUFFIX = re.compile(r"\s*\(([^)]+)\)\s*$")


class GradeRecordError(ValueError):
    """A grade record that does not fit the catalogue: `str()` is 'FILE:LINE: message'."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path, self.line = str(path), line
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class GradeRecord:
    force: str
    framework: str
    pillar: str | None  # None for an area (frameworks organised in areas)
    question: str | None  # the question's or area's id; None for a pillar grade
    question_wording: str | None  # as the file states it (defines 2014-2017 questions)
    grade: str | None  # the grade's id in the framework's scale; None: carried over, unknown
    source_url: str
    line: int
    source_kind: str = ASSESSMENT_PAGE
    source_date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD: the date it speaks for
    lineage: str = INSPECTED  # INSPECTED, CARRIED_OVER or NOT_STATED
    carried_over_from: str | None = None  # the year label, for CARRIED_OVER

    @property
    def carried_over(self) -> bool | None:
        """True, False, or None where the source says nothing either way."""
        return None if self.lineage == NOT_STATED else self.lineage == CARRIED_OVER

    def last_inspected(self, year_label: str) -> str | None:
        """The year the grade was given, for a record of a framework of `year_label`."""
        if self.lineage == NOT_STATED:
            return None
        return self.carried_over_from if self.lineage == CARRIED_OVER else year_label

    @property
    def subject(self) -> str:
        return self.question or self.pillar or ""

    @property
    def cell(self) -> tuple[str, str, str]:
        return (self.force, self.framework, self.subject)


@dataclass(frozen=True)
class Cell:
    """What the records of one file say of one (force, framework, subject)."""

    grade: GradeRecord  # the statement that stands: the latest
    agreeing: list[GradeRecord]  # other pages stating the same grade
    superseded: list[GradeRecord]  # earlier grades, regraded by a later statement


def read_csv_rows(path: Path, text: str | None = None) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a CSV file, or of `text` as if it were the file at `path`."""
    try:
        if text is None:
            text = path.read_text(encoding="utf-8")
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = list(reader.fieldnames or [])
        # A short row leaves cells None, a long one adds a None key: both read as
        # empty, so a cell that matters fails its own check with its line.
        rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise GradeRecordError(path, 1, f"cannot read: {error}") from None
    return header, rows


def read_grade_records(
    path: Path, reference: Reference, *, framework: str | None = None, text: str | None = None
) -> list[GradeRecord]:
    """Every record of the file (or of `text`, named `path`), checked; GradeRecordError at
    the first that is not."""
    header, rows = read_csv_rows(path, text)
    checker = _Reader(path, reference)
    if set(header) >= AREA_COLUMNS:
        records = [checker.area_row(row, n) for n, row in enumerate(rows, start=2)]
        cells(records, path)  # a conflict no date settles fails here, with its lines
        return records
    if set(header) >= QUESTION_COLUMNS:
        if framework is None:
            raise GradeRecordError(path, 1, "a file of question grades needs its framework")
        fw = checker.framework(framework, 1)
        records = [checker.question_row(fw, row, n) for n, row in enumerate(rows, start=2)]
    elif header[: len(LONG_COLUMNS)] == LONG_COLUMNS:
        records = [checker.long_row(row, n) for n, row in enumerate(rows, start=2)]
    elif "force_id" in header and "source_url" in header:
        if framework is None:
            raise GradeRecordError(path, 1, "a file of pillar columns needs its framework")
        fw = checker.framework(framework, 1)
        columns = [c for c in header if c not in WIDE_FIXED]
        for column in columns:
            if fw.pillar_for(column) is None and not any(p.id == column for p in fw.pillars):
                raise GradeRecordError(path, 1, f"{column!r} is not a pillar of {fw.id}")
        records = [
            checker.record(row["force_id"], fw, "pillar", column, row[column], row, n)
            for n, row in enumerate(rows, start=2)
            for column in columns
            if row[column].strip()
        ]
    else:
        raise GradeRecordError(path, 1, f"unknown layout: header {header}")
    seen: dict[tuple[str, str, str], int] = {}
    for record in records:
        key = (record.force, record.framework, record.subject)
        if key in seen:
            raise GradeRecordError(
                path, record.line, f"a second grade for {record.subject} (first on {seen[key]})"
            )
        seen[key] = record.line
    return records


def _later(a: str | None, b: str | None) -> bool | None:
    """Is date `a` later than `b`? None where they cannot tell (unknown, or equal at the
    precision both give: '2024-08' against '2024-08-08')."""
    if not a or not b:
        return None
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return None
    return a[:n] > b[:n]


def cells(records: list[GradeRecord], path: Path | str = "") -> list[Cell]:
    """The records grouped by cell, the latest statement standing (see the module
    docstring); GradeRecordError where two grades of a cell have no later date between
    them, or where a page states the same grade twice."""
    grouped: dict[tuple[str, str, str], list[GradeRecord]] = {}
    for record in records:
        grouped.setdefault(record.cell, []).append(record)
    answer = []
    for group in grouped.values():
        seen: dict[tuple[str, str], int] = {}
        for record in group:
            key = (record.source_url, record.grade)
            if key in seen:
                raise GradeRecordError(
                    path,
                    record.line,
                    f"{record.source_url} states {record.grade!r} for {record.subject} a "
                    f"second time (first on {seen[key]})",
                )
            seen[key] = record.line
        # The latest statement stands; it must be later than every other grade's.
        latest = max(group, key=lambda r: r.source_date or "")
        for record in group:
            if record.grade != latest.grade and not _later(latest.source_date, record.source_date):
                raise GradeRecordError(
                    path,
                    max(record.line, latest.line),
                    f"{record.subject} of {record.force} is {record.grade!r} on line "
                    f"{record.line} and {latest.grade!r} on line {latest.line}, and no later "
                    "date tells which stands",
                )
        others = [r for r in group if r is not latest]
        superseded = [r for r in others if r.grade != latest.grade]
        answer.append(Cell(latest, [r for r in others if r.grade == latest.grade], superseded))
    return answer


class _Reader:
    def __init__(self, path: Path, reference: Reference) -> None:
        self.path = path
        self.reference = reference

    def fail(self, line: int, message: str) -> GradeRecordError:
        return GradeRecordError(self.path, line, message)

    def framework(self, framework_id: str, line: int) -> Framework:
        found = self.reference.frameworks.get(framework_id.strip())
        if found is None:
            raise self.fail(line, f"unknown framework {framework_id!r}")
        return found

    def area_row(self, row: dict[str, str], line: int) -> GradeRecord:
        framework = self.framework(row["framework"], line)
        kind = (row.get("source_kind") or "").strip()
        if kind not in SOURCE_KINDS:
            raise self.fail(
                line, f"unknown source_kind {kind!r} (one of: {', '.join(SOURCE_KINDS)})"
            )
        published = (row.get("published") or "").strip() or None
        if published is not None and not _is_date(published):
            raise self.fail(line, f"published {published!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        record = self.record(
            row["force_id"], framework, "area", row["area_id"], row["grade"], row, line
        )
        return GradeRecord(**{**vars(record), "source_kind": kind, "source_date": published})

    def question_row(self, framework: Framework, row: dict[str, str], line: int) -> GradeRecord:
        """A row of the questions layout: a question grade with its lineage."""
        year = row["carried_over_from"].strip()
        if year:
            earlier = self.reference.framework_for_year(year)
            if earlier is None or not year < framework.year_label:
                raise self.fail(
                    line,
                    f"carried_over_from {year!r} is not the year label of a framework before "
                    f"{framework.id}",
                )
        if not row["grade"].strip() and not year:
            raise self.fail(line, "no grade: only a carried-over row may leave it blank")
        record = self.record(
            row["force_id"],
            framework,
            "question",
            row["question"],
            row["grade"],
            row,
            line,
            gradeless=bool(year),
        )
        lineage = CARRIED_OVER if year else NOT_STATED
        return GradeRecord(
            **{**vars(record), "lineage": lineage, "carried_over_from": year or None}
        )

    def long_row(self, row: dict[str, str], line: int) -> GradeRecord:
        framework = self.framework(row["framework"], line)
        return self.record(
            row["force_id"], framework, row["level"], row["area"], row["grade"], row, line
        )

    def record(
        self,
        force_id: str,
        framework: Framework,
        level: str,
        area: str,
        grade_word: str,
        row: dict[str, str],
        line: int,
        *,
        gradeless: bool = False,
    ) -> GradeRecord:
        """A checked record; `gradeless`: a blank grade is allowed (carried over, unknown)."""
        force_id = force_id.strip()
        if self.reference.force(force_id) is None:
            raise self.fail(line, f"unknown force {force_id!r}")
        grade = framework.grade_for(grade_word) or next(
            (g for g in framework.grades if g.id == grade_word.strip()), None
        )
        grade_id = grade.id if grade is not None else None
        if grade is None and not (gradeless and not grade_word.strip()):
            scale = ", ".join(g.name for g in framework.grades)
            raise self.fail(
                line, f"unknown grade {grade_word!r} for {framework.id} (its scale: {scale})"
            )
        source_url = (row.get("source_url") or "").strip()
        if not source_url.startswith(("https://", "http://")):
            raise self.fail(line, "no source_url: every grade needs the page that states it")
        if level == "pillar":
            pillar = framework.pillar_for(area) or next(
                (p for p in framework.pillars if p.id == area.strip()), None
            )
            if pillar is None:
                raise self.fail(line, f"{area!r} is not a pillar of {framework.id}")
            return GradeRecord(
                force_id, framework.id, pillar.id, None, None, grade_id, source_url, line
            )
        if level == "area":
            area_found = next(
                (
                    q
                    for q in framework.questions
                    if q.pillar is None
                    and (q.id == area.strip() or q is framework.question_for(area))
                ),
                None,
            )
            if area_found is None:
                raise self.fail(line, f"{area!r} is not an area of {framework.id}")
            return GradeRecord(
                force_id, framework.id, None, area_found.id, None, grade_id, source_url, line
            )
        if level != "question":
            raise self.fail(line, f"unknown level {level!r} (pillar or question)")
        if framework.questions:
            question = framework.question_for(area) or next(
                (
                    q
                    for q in framework.questions
                    if q.id == area.strip() or normalise(q.official_question) == normalise(area)
                ),
                None,
            )
            if question is None or question.pillar is None:
                raise self.fail(line, f"{area!r} is not a question of {framework.id}")
            pillar_id, question_id, wording = question.pillar, question.id, None
        else:
            pillar_id, wording = self._pillar_of_question(framework, area, source_url, line)
            question_id = slugify(wording)
        return GradeRecord(
            force_id, framework.id, pillar_id, question_id, wording, grade_id, source_url, line
        )

    def _pillar_of_question(
        self, framework: Framework, area: str, source_url: str, line: int
    ) -> tuple[str, str]:
        """(pillar id, the wording without a pillar suffix) of a question no catalogue
        lists: see the module docstring for the order of the clues."""
        wording = area.strip()
        suffix = _PILLAR_SUFFIX.search(wording)
        pillars = {p.id: p for p in framework.pillars}
        if suffix and normalise(suffix.group(1)) in pillars:
            return normalise(suffix.group(1)), wording[: suffix.start()].strip()
        segments = [s.lower() for s in urlsplit(source_url).path.split("/") if s]
        named = [p for p in pillars if p in segments]
        if len(named) == 1:
            return named[0], wording
        # 'How effective is ...' names effectiveness: the pillar's stem in the wording.
        stems = [p for p in pillars if p[:7] in normalise(wording)]
        if len(stems) == 1:
            return stems[0], wording
        raise self.fail(line, f"cannot tell which pillar of {framework.id} {area!r} belongs to")


def _is_date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    try:
        date.fromisoformat(text + "-01" * ((10 - len(text)) // 3))
    except ValueError:
        return False
    return True
