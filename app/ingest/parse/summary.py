"""The overall summary: each pillar's and question's grade and the year it was last inspected.

The summary is a table that extraction flattens into lines, so it is read as one string
scanned for "<pillar> <grade> Last inspected" and "<question> <grade> <year>". Its grades
become the report's judgments, checked against the grades printed in the sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.ingest.document import Judgment, PillarSection
from app.ingest.errors import ReportParseError
from app.ingest.ids import normalise
from app.ingest.parse.format import YEAR, grade_of
from app.ingest.reference import Framework, Grade
from app.ingest.text import Block

_HEADING = "overall summary"
_CARRIED = re.compile(r"\bcarried (over|forward)\b|\bgrade forward\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.?!])[’”)]?\s+(?=[A-Z‘“(])")


def is_summary_heading(block: Block) -> bool:
    return normalise(block.text) == _HEADING


@dataclass(frozen=True)
class PillarGrade:
    grade: Grade
    line: int


@dataclass(frozen=True)
class QuestionGrade:
    grade: Grade
    last_inspected: str  # the year as printed
    line: int


@dataclass
class OverallGrades:
    pillars: dict[str, PillarGrade] = field(default_factory=dict)  # by pillar id
    questions: dict[str, QuestionGrade] = field(default_factory=dict)  # by question id


def read_overall_summary(blocks: list[Block], framework: Framework) -> OverallGrades:
    """The grades of the blocks between the summary's heading and the observations."""
    text = ""
    line_at: list[tuple[int, int]] = []  # (offset in text, line number)
    for block in blocks:
        for number, line in block.lines:
            line_at.append((len(text), number))
            text += re.sub(r"\s+", " ", line).strip() + " "

    def line_of(offset: int) -> int:
        return max((n for start, n in line_at if start <= offset), default=blocks[0].first_line)

    grades = OverallGrades()
    for match in _scanner(framework).finditer(text):
        if match.group("pillar"):
            line = line_of(match.start("pgrade"))
            pillar = framework.pillar_for(match.group("pillar"))
            assert pillar is not None
            grade = grade_of(framework, match.group("pgrade"), line)
            grades.pillars[pillar.id] = PillarGrade(grade, line)
        else:
            line = line_of(match.start("qgrade"))
            question = framework.question_for(match.group("question"))
            assert question is not None
            if question.id in grades.questions:
                raise ReportParseError(
                    line, f"{question.name!r} is graded twice in the overall summary"
                )
            grade = grade_of(framework, match.group("qgrade"), line)
            grades.questions[question.id] = QuestionGrade(grade, match.group("year"), line)
    _check_complete(grades, framework, blocks[0].first_line)
    return grades


def _scanner(framework: Framework) -> re.Pattern[str]:
    def alternatives(names: list[str]) -> str:
        ordered = sorted(set(names), key=len, reverse=True)
        return "|".join(r"\s+".join(map(re.escape, n.split())) for n in ordered)

    pillar_names = alternatives([p.name for p in framework.pillars])
    question_names = alternatives([n for q in framework.questions for n in q.names])
    return re.compile(
        rf"(?P<pillar>{pillar_names})\s+(?P<pgrade>.+?)\s+Last\s+inspected\b"
        rf"|(?P<question>{question_names})\s+(?P<qgrade>.+?)\s+(?P<year>{YEAR})(?!\d)",
        re.IGNORECASE,
    )


def _check_complete(grades: OverallGrades, framework: Framework, heading_line: int) -> None:
    for pillar in framework.pillars:
        if pillar.id not in grades.pillars:
            raise ReportParseError(
                heading_line, f"the overall summary has no grade for the pillar {pillar.name!r}"
            )
    for question in framework.questions:
        if question.id not in grades.questions:
            raise ReportParseError(
                heading_line, f"the overall summary has no grade for {question.name!r}"
            )


def judgments(
    framework: Framework, pillars: list[PillarSection], grades: OverallGrades
) -> list[Judgment]:
    """One judgment per pillar and per question, in the framework's order.

    A question's grade must agree with the one printed in its section; it is carried over
    when the year it was last inspected is not this inspection's, and the sentence saying
    so is the first of its section's summary that speaks of carrying a grade over.
    """
    sections = {q.question: q for p in pillars for q in p.questions}
    found: list[Judgment] = []
    for pillar in framework.pillars:
        overall = grades.pillars[pillar.id]
        found.append(
            Judgment(
                pillar=pillar.id,
                question=None,
                grade=overall.grade.id,
                last_inspected=framework.year_label,
                carried_over=False,
                line=overall.line,
            )
        )
        for question in (q for q in framework.questions if q.pillar == pillar.id):
            stated = grades.questions[question.id]
            section = sections[question.id]
            if section.grade is not None and section.grade != stated.grade.id:
                raise ReportParseError(
                    section.span.start_line,
                    f"{question.name!r} is graded {section.grade!r} in its section but "
                    f"{stated.grade.id!r} in the overall summary (line {stated.line})",
                )
            carried = stated.last_inspected != framework.year_label
            sentence = next(
                (s for p in section.summary for s in _SENTENCE_END.split(p) if _CARRIED.search(s)),
                None,
            )
            found.append(
                Judgment(
                    pillar=pillar.id,
                    question=question.id,
                    grade=stated.grade.id,
                    last_inspected=stated.last_inspected,
                    carried_over=carried,
                    carried_over_sentence=sentence if carried else None,
                    line=stated.line,
                )
            )
    return found
