"""Reading the 2018/19 question grades (reference/peel-2018-19-question-grades.csv): every
row is a record with its page and lineage; a bad row fails with its file and line.

Expectations are read from the file, the seed manifest and the reference catalogue,
never hand-copied.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.ingest.grades import (
    ASSESSMENT_PAGE,
    CARRIED_OVER,
    INSPECTED,
    NOT_STATED,
    GradeRecordError,
    read_grade_records,
)
from app.ingest.manifest import manifest_sources
from app.ingest.reference import Framework, default_reference
from tests.reports import ROOT, SEED_DIR, csv_rows, write_csv_rows

QUESTION_GRADES = ROOT / "reference" / "peel-2018-19-question-grades.csv"


def _framework() -> Framework:
    """The framework the seed manifest names for the file (the file does not say)."""
    (source,) = [
        s for s in manifest_sources(SEED_DIR) if s.path.resolve() == QUESTION_GRADES.resolve()
    ]
    assert source.framework
    return default_reference().frameworks[source.framework]


def _read(path: Path) -> list:
    return read_grade_records(path, default_reference(), framework=_framework().id)


def test_every_row_reads_as_a_record_with_its_page_and_lineage() -> None:
    framework = _framework()
    rows = csv_rows(QUESTION_GRADES)
    records = _read(QUESTION_GRADES)
    assert len(records) == len(rows)
    for line, (row, record) in enumerate(zip(rows, records, strict=True), start=2):
        question = next(q for q in framework.questions if q.id == row["question"])
        grade = framework.grade_for(row["grade"]) or next(
            (g for g in framework.grades if g.id == row["grade"]), None
        )
        year = row["carried_over_from"] or None
        assert (record.line, record.force, record.framework) == (
            line,
            row["force_id"],
            framework.id,
        )
        assert (record.pillar, record.question, record.question_wording) == (
            question.pillar,
            question.id,
            None,  # the catalogue lists 2018/19's questions: the file defines none
        )
        assert record.grade == (grade.id if grade else None), line
        assert bool(row["grade"]) == (record.grade is not None), line
        assert (record.source_url, record.source_kind, record.source_date) == (
            row["source_url"],
            ASSESSMENT_PAGE,
            None,
        )
        assert record.carried_over_from == year
        if year:
            assert record.lineage == CARRIED_OVER
            assert record.carried_over is True
            assert record.last_inspected(framework.year_label) == year
        else:  # a blank year makes no claim: not that it was inspected in 2018/19
            assert record.lineage == NOT_STATED
            assert record.carried_over is None
            assert record.last_inspected(framework.year_label) is None
    # The file never says a grade was given in 2018/19, and only carried-over rows are
    # gradeless (the README: grade known carried over, not known here).
    assert INSPECTED not in {r.lineage for r in records}
    gradeless = [r for r in records if r.grade is None]
    assert gradeless == [r for r, row in zip(records, rows, strict=True) if not row["grade"]]
    assert gradeless and all(r.lineage == CARRIED_OVER for r in gradeless)
    assert {r.lineage for r in records} == {CARRIED_OVER, NOT_STATED}


def test_every_carried_over_year_is_an_earlier_frameworks_year() -> None:
    framework = _framework()
    reference = default_reference()
    for record in _read(QUESTION_GRADES):
        if record.carried_over_from is not None:
            earlier = reference.framework_for_year(record.carried_over_from)
            assert earlier is not None, record.line
            assert earlier.year_label < framework.year_label, record.line


def test_a_question_may_be_named_by_its_wording_or_alias(tmp_path: Path) -> None:
    framework = _framework()
    questions = {q.id: q for q in framework.questions}
    for field in ("official_question", "name", "aliases"):
        rows = csv_rows(QUESTION_GRADES)
        renamed = 0
        for row in rows:
            question = questions[row["question"]]
            value = getattr(question, field)
            if field == "aliases":
                if not value:
                    continue
                value = value[0]
            row["question"] = value
            renamed += 1
        assert renamed
        path = tmp_path / f"by-{field}.csv"
        write_csv_rows(path, rows)
        assert _read(path) == _read(QUESTION_GRADES), field


def test_a_file_of_question_grades_needs_its_framework() -> None:
    with pytest.raises(GradeRecordError) as raised:
        read_grade_records(QUESTION_GRADES, default_reference())
    assert raised.value.line == 1
    assert str(raised.value) == (
        f"{QUESTION_GRADES}:1: a file of question grades needs its framework"
    )


def _first(predicate: Callable[[dict[str, str]], bool]) -> Callable[[list[dict]], int]:
    def pick(rows: list[dict[str, str]]) -> int:
        return next(n for n, row in enumerate(rows) if predicate(row))

    return pick


def _middle(rows: list[dict[str, str]]) -> int:
    return len(rows) // 2  # a row in the middle: the lines before it read well


def _later_year(framework: Framework) -> str:
    """The year label of a framework after `framework`."""
    return next(
        f.year_label
        for f in default_reference().frameworks.values()
        if f.year_label > framework.year_label
    )


def _not_earlier(year: Callable[[Framework], str]) -> Callable:
    return lambda fw, rows: (
        f"carried_over_from {year(fw)!r} is not the year label of a framework before {fw.id}"
    )


Rows = list[dict[str, str]]
# (id, which row to alter, its new values, the message); the functions take the
# framework and the file's rows.
BAD_ROWS: list[tuple[str, Callable[[Rows], int], Callable, Callable]] = [
    (
        "unknown-force",
        _middle,
        lambda fw, rows: {"force_id": "atlantis"},
        lambda fw, rows: "unknown force 'atlantis'",
    ),
    (
        "unknown-question",
        _middle,
        lambda fw, rows: {"question": "juggling"},
        lambda fw, rows: f"'juggling' is not a question of {fw.id}",
    ),
    (
        "a-pillar-is-not-a-question",
        _middle,
        lambda fw, rows: {"question": fw.pillars[0].id},
        lambda fw, rows: f"{fw.pillars[0].id!r} is not a question of {fw.id}",
    ),
    (
        "unknown-grade-word",
        _middle,
        lambda fw, rows: {"grade": "splendid"},
        lambda fw, rows: f"unknown grade 'splendid' for {fw.id}",
    ),
    (
        "blank-grade-not-carried-over",
        _first(lambda row: bool(row["grade"]) and not row["carried_over_from"]),
        lambda fw, rows: {"grade": ""},
        lambda fw, rows: "no grade: only a carried-over row may leave it blank",
    ),
    (
        "gradeless-row-without-its-year",
        _first(lambda row: not row["grade"]),
        lambda fw, rows: {"carried_over_from": ""},
        lambda fw, rows: "no grade: only a carried-over row may leave it blank",
    ),
    (
        "carried-over-from-no-frameworks-year",
        _middle,
        lambda fw, rows: {"carried_over_from": "1999"},
        _not_earlier(lambda fw: "1999"),
    ),
    (
        "carried-over-from-a-year-no-framework-has",
        _middle,
        lambda fw, rows: {"carried_over_from": "2019"},
        _not_earlier(lambda fw: "2019"),
    ),
    (
        "carried-over-from-its-own-year",
        _middle,
        lambda fw, rows: {"carried_over_from": fw.year_label},
        _not_earlier(lambda fw: fw.year_label),
    ),
    (
        "carried-over-from-a-later-framework",
        _middle,
        lambda fw, rows: {"carried_over_from": _later_year(fw)},
        _not_earlier(_later_year),
    ),
    (
        "no-page",
        _middle,
        lambda fw, rows: {"source_url": ""},
        lambda fw, rows: "no source_url: every grade needs the page that states it",
    ),
    (
        "a-second-grade-for-a-question",
        _middle,
        lambda fw, rows: dict(rows[0]),  # the first row's force and question again
        lambda fw, rows: f"a second grade for {rows[0]['question']} (first on 2)",
    ),
]


@pytest.mark.parametrize(
    ("pick", "change", "message"),
    [case[1:] for case in BAD_ROWS],
    ids=[case[0] for case in BAD_ROWS],
)
def test_a_bad_row_fails_with_its_file_line_and_message(
    tmp_path: Path, pick: Callable, change: Callable, message: Callable
) -> None:
    framework = _framework()
    rows = csv_rows(QUESTION_GRADES)
    index = pick(rows)
    assert index > 0  # not the first row: the rows before it read well
    expected = message(framework, rows)
    rows[index] = {**rows[index], **change(framework, rows)}
    bad = tmp_path / QUESTION_GRADES.name
    write_csv_rows(bad, rows)
    line = index + 2  # the header is line 1
    with pytest.raises(GradeRecordError) as raised:
        _read(bad)
    assert (raised.value.path, raised.value.line) == (str(bad), line)
    assert str(raised.value).startswith(f"{bad}:{line}: {expected}"), str(raised.value)
