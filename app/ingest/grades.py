"""Grade records: grades stated by HMICFRS's assessment pages, read from CSV files.

The second kind of source beside report texts. A record is one grade for one force, in
one framework, for a pillar or a question, with the page that states it. Two layouts are
read, told apart by their header:

- wide: `force_id,<pillar>,<pillar>,...,source_url` (one row per force, one column per
  pillar; the framework comes from the manifest line);
- long: `force_id,framework,level,area,grade,source_url` (one row per grade; `level` is
  `pillar` or `question`, `area` the pillar's or the question's wording).

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
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app.ingest.parse import slugify
from app.ingest.reference import Framework, Reference, normalise

WIDE_FIXED = {"force_id", "tranche", "source_url"}
LONG_COLUMNS = ["force_id", "framework", "level", "area", "grade", "source_url"]
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
    pillar: str
    question: str | None  # the question's id; None for a pillar grade
    question_wording: str | None  # as the file states it (defines 2014-2017 questions)
    grade: str  # the grade's id in the framework's scale
    source_url: str
    line: int

    @property
    def subject(self) -> str:
        return self.question or self.pillar


def read_grade_records(
    path: Path, reference: Reference, *, framework: str | None = None
) -> list[GradeRecord]:
    """Every record of the file, checked; GradeRecordError at the first that is not."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            # A short row leaves cells None, a long one adds a None key: both read as
            # empty, so a cell that matters fails its own check with its line.
            rows = [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]
    except (OSError, UnicodeDecodeError) as error:
        raise GradeRecordError(path, 1, f"cannot read: {error}") from None
    checker = _Reader(path, reference)
    if header[: len(LONG_COLUMNS)] == LONG_COLUMNS:
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
    ) -> GradeRecord:
        force_id = force_id.strip()
        if self.reference.force(force_id) is None:
            raise self.fail(line, f"unknown force {force_id!r}")
        grade = framework.grade_for(grade_word) or next(
            (g for g in framework.grades if g.id == grade_word.strip()), None
        )
        if grade is None:
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
                force_id, framework.id, pillar.id, None, None, grade.id, source_url, line
            )
        if level != "question":
            raise self.fail(line, f"unknown level {level!r} (pillar or question)")
        if framework.questions:
            question = framework.question_for(area) or next(
                (
                    q
                    for q in framework.questions
                    if normalise(q.official_question) == normalise(area)
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
            force_id, framework.id, pillar_id, question_id, wording, grade.id, source_url, line
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
