"""Grade counts: how many areas of a force got each grade in one framework, as a page
states it (a press release's "good in four areas, adequate in three").

Layout: `framework,force_id,<grade>,...,areas_graded,source_url`, one column per grade of
the framework's scale (`requires_improvement` for `requires-improvement`). An empty cell
is not stated. Counts never assign a grade to an area: they tell the distribution where
the areas' grades are not all known, and check a complete set of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.ingest.grades import GradeRecordError, read_csv_rows
from app.ingest.reference import Reference

COUNT_COLUMNS = {"framework", "force_id", "areas_graded", "source_url"}


@dataclass(frozen=True)
class GradeCountRecord:
    force: str
    framework: str
    grades: dict[str, int]  # grade id -> areas; a grade not stated is absent
    areas_graded: int | None
    source_url: str
    line: int


def is_count_file(header: list[str]) -> bool:
    return set(header) >= COUNT_COLUMNS


def read_grade_counts(
    path: Path, reference: Reference, *, text: str | None = None
) -> list[GradeCountRecord]:
    """Every row of the file, checked against the catalogue; GradeRecordError (file and
    line) at the first that does not fit, and nothing of the file is returned."""
    header, rows = read_csv_rows(path, text)
    if not is_count_file(header):
        raise GradeRecordError(path, 1, f"not a grade-count file: header {header}")
    columns = [c for c in header if c not in COUNT_COLUMNS]
    answer: list[GradeCountRecord] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in enumerate(rows, start=2):
        framework = reference.frameworks.get(row["framework"].strip())
        if framework is None:
            raise GradeRecordError(path, line, f"unknown framework {row['framework']!r}")
        force = row["force_id"].strip()
        if reference.force(force) is None:
            raise GradeRecordError(path, line, f"unknown force {force!r}")
        scale = {g.id for g in framework.grades}
        grades: dict[str, int] = {}
        for column in columns:
            grade = column.replace("_", "-")
            if grade not in scale:
                raise GradeRecordError(
                    path, 1, f"{column!r} is not a grade of {framework.id}'s scale"
                )
            if row[column].strip():
                grades[grade] = _count(path, line, column, row[column])
        graded = (
            _count(path, line, "areas_graded", row["areas_graded"])
            if row["areas_graded"].strip()
            else None
        )
        if graded is not None and sum(grades.values()) > graded:
            raise GradeRecordError(
                path, line, f"the counts add up to {sum(grades.values())}, over {graded} graded"
            )
        source_url = row["source_url"].strip()
        if not source_url.startswith(("https://", "http://")):
            raise GradeRecordError(path, line, "no source_url: every count needs its page")
        key = (framework.id, force, source_url)
        if key in seen:
            raise GradeRecordError(
                path, line, f"a second row of {source_url} for {force} (first on {seen[key]})"
            )
        seen[key] = line
        answer.append(GradeCountRecord(force, framework.id, grades, graded, source_url, line))
    return answer


def _count(path: Path, line: int, column: str, value: str) -> int:
    if not value.strip().isdigit():
        raise GradeRecordError(path, line, f"{column} {value!r} is not a whole number")
    return int(value)


def matches_known(
    grades: dict[str, int], areas_graded: int | None, known: dict[str, int]
) -> bool | None:
    """Do counts agree with the grades known of the same force and framework? None where
    the known grades are too few to tell (fewer than the areas the counts say were
    graded): counts are compared only with a complete set."""
    total = sum(known.values())
    needed = areas_graded if areas_graded is not None else sum(grades.values())
    if total < needed or total == 0:
        return None
    if areas_graded is not None and areas_graded != total:
        return False
    return all(known.get(grade, 0) == n for grade, n in grades.items())
