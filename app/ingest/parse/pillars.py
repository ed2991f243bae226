"""A pillar's part: divider page, headline question, grade, summary, then its questions."""

from __future__ import annotations

from app.ingest.document import PillarSection, QuestionSection, SourceSpan
from app.ingest.errors import ReportParseError
from app.ingest.ids import normalise
from app.ingest.parse.cursor import Reading
from app.ingest.parse.format import grade_of, question_heading
from app.ingest.parse.paragraphs import Paragraphs
from app.ingest.parse.questions import read_question
from app.ingest.parse.summary import OverallGrades
from app.ingest.reference import Pillar

_FORCE_IN_CONTEXT = "force in context"
_SUMMARY = "summary"


def read_pillar(reading: Reading, grades: OverallGrades) -> PillarSection:
    """Read the part whose divider is the next block."""
    cursor, framework = reading.cursor, reading.framework
    divider = cursor.take()
    pillar = framework.pillar_for(divider.text)
    assert pillar is not None
    reading.marks.start(divider.first_line, pillar.id)
    headline = _read_headline(reading, pillar)
    grade_block = cursor.expect(f"the grade of {pillar.name}")
    grade = grade_of(framework, grade_block.text, grade_block.first_line)
    expected = grades.pillars[pillar.id]
    if grade.id != expected.grade.id:
        raise ReportParseError(
            grade_block.first_line,
            f"{pillar.name} is graded {grade.name!r} here but {expected.grade.name!r} in the "
            f"overall summary (line {expected.line})",
        )
    nxt = cursor.peek()
    if nxt is not None and normalise(nxt.text) == _SUMMARY:
        cursor.take()

    waiting = [q for q in framework.questions if q.pillar == pillar.id]
    summary = Paragraphs()
    last_line = grade_block.last_line
    while (block := reading.next_in_part()) is not None:
        if question_heading(block, waiting) is not None:
            break
        cursor.take()
        last_line = block.last_line
        summary.add(block)

    sections: list[QuestionSection] = []
    while (block := reading.next_in_part()) is not None:
        question = question_heading(block, waiting)
        if question is None:
            raise ReportParseError(
                block.first_line,
                f"expected a question heading of {pillar.name} "
                f"({', '.join(q.name for q in waiting)}), found {block.text[:60]!r}",
            )
        waiting = [q for q in waiting if q.id != question.id]
        sections.append(read_question(reading, question))
        last_line = sections[-1].span.end_line
    if waiting:
        raise ReportParseError(
            cursor.line,
            f"expected the section for {waiting[0].name!r} before the end of {pillar.name}",
        )
    return PillarSection(
        pillar=pillar.id,
        headline_question=headline,
        grade=grade.id,
        page=divider.page,
        summary=summary.texts(),
        questions=sections,
        span=SourceSpan(start_line=divider.first_line, end_line=last_line),
    )


def _read_headline(reading: Reading, pillar: Pillar) -> str:
    """The pillar's headline question (after any "Force in context" title)."""
    what = f"the headline question of {pillar.name}"
    block = reading.cursor.expect(what)
    while normalise(block.text) == _FORCE_IN_CONTEXT:
        block = reading.cursor.expect(what)
    if not block.text.endswith("?"):
        raise ReportParseError(
            block.first_line,
            f"expected the headline question of {pillar.name} (a question ending in '?'), "
            f"found {block.text[:60]!r}",
        )
    return block.text
