"""Store grade counts (app/ingest/grade_counts.py) and check them against known grades.

One transaction per file: the file's rows replace what it stated before (rows are keyed
by framework, force and page; `source_file` tells which file stated them), or nothing
changes at all. Where a complete set of a force's area grades is known, counts that
disagree with it are warnings naming both files and lines (both are kept: they are
real disagreements between sources, shown by the API, not hidden).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlmodel import Session

from app.db import writing
from app.ingest.grade_counts import GradeCountRecord, matches_known
from app.models import Force, Framework, GradeCount, Inspection, Judgment
from app.store.changes import record_change, stored_version
from app.store.errors import LoadError
from app.store.rows import Row, complete, insert_rows, stored_rows, table_of

COUNTS_CHANGED = "grade-counts.updated"


@dataclass
class CountsResult:
    status: str = "unchanged"  # or "stored"
    rows: int = 0
    warnings: list[str] = field(default_factory=list)
    data_version: int | None = None

    @property
    def summary(self) -> str:
        return (
            f"{self.rows} grade counts {self.status}; "
            f"{len(self.warnings)} disagreeing with the grades known"
        )


def load_grade_counts(
    target: Engine | Session, counts: list[GradeCountRecord], path: Path
) -> CountsResult:
    """Store the counts of one file in one transaction (see the module docstring)."""
    with writing(target) as session:
        return store_grade_counts(session, counts, path)


def store_grade_counts(
    session: Session, counts: list[GradeCountRecord], path: Path
) -> CountsResult:
    """The work of `load_grade_counts` inside a write transaction the caller holds."""
    result = CountsResult(rows=len(counts))
    rows = [
        complete(
            GradeCount,
            {
                "framework_id": c.framework,
                "force_id": c.force,
                "source_url": c.source_url,
                "grades": c.grades,
                "areas_graded": c.areas_graded,
                "source_file": path.name,
                "line": c.line,
            },
        )
        for c in counts
    ]
    table = table_of(GradeCount)
    for c in counts:
        if session.get(Force, c.force) is None or session.get(Framework, c.framework) is None:
            raise LoadError(
                f"{path}:{c.line}: {c.force}/{c.framework} is not in the database's "
                "catalogue: run `peel seed` first"
            )
    of_file = table.c.source_file == path.name
    stored = stored_rows(session, GradeCount, of_file)
    if _digest(stored.values()) != _digest(rows):
        session.execute(delete(table).where(of_file))
        # A page another file stated too: this file's row now stands for it.
        for row in rows:
            session.execute(
                delete(table).where(
                    (table.c.framework_id == row["framework_id"])
                    & (table.c.force_id == row["force_id"])
                    & (table.c.source_url == row["source_url"])
                )
            )
        insert_rows(session, GradeCount, rows)
        result.status = "stored"
        result.data_version = record_change(session, COUNTS_CHANGED)
    else:
        result.data_version = stored_version(session)
    result.warnings = count_warnings(session, {(c.force, c.framework) for c in counts})
    return result


def _digest(rows: Iterable[Row]) -> str:
    ordered = sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
    return hashlib.sha256("\n".join(ordered).encode()).hexdigest()


def count_warnings(session: Session, keys: set[tuple[str, str]]) -> list[str]:
    """Counts of these (force, framework) pairs that disagree with a complete set of the
    grades known, each naming the counts' file and line and the grades' file and lines."""
    if not keys:
        return []
    forces = {force for force, _ in keys}
    counts = session.execute(
        select(GradeCount).where(GradeCount.force_id.in_(forces)).order_by(GradeCount.line)
    ).scalars()
    judged = session.execute(
        select(Judgment.force_id, Judgment.framework_id, Judgment.grade_id, Judgment.line)
        .add_columns(Inspection.source_file)
        .join(Inspection, Inspection.id == Judgment.inspection_id)
        .where(Judgment.force_id.in_(forces), Judgment.pillar_id.is_(None))
    ).all()
    known: dict[tuple[str, str], Counter[str]] = {}
    lines: dict[tuple[str, str], list[str]] = {}
    for force, framework, grade, line, source_file in judged:
        known.setdefault((force, framework), Counter())[grade] += 1
        lines.setdefault((force, framework), []).append(f"{source_file}:{line}")
    warnings = []
    for count in counts:
        key = (count.force_id, count.framework_id)
        if key not in keys:
            continue
        held = known.get(key, Counter())
        if matches_known(count.grades, count.areas_graded, held) is False:
            stated = ", ".join(f"{g} {n}" for g, n in count.grades.items())
            have = ", ".join(f"{g} {n}" for g, n in sorted(held.items()))
            warnings.append(
                f"{count.source_file}:{count.line}: {count.force_id} {count.framework_id}: "
                f"{count.source_url} counts {count.areas_graded} areas graded ({stated}); "
                f"the {sum(held.values())} grades known ({', '.join(sorted(lines[key]))}) "
                f"say {have}"
            )
    return warnings
