"""A question section: heading, grade, summary, boxed items and detailed findings.

After the heading and its grade come summary paragraphs and boxes; the detailed findings
follow (usually after "We set out our detailed findings below"), each under a short
heading. The section ends at another question of the pillar, the next pillar or an annex.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from app.ingest.document import FindingSection, QuestionSection, SourceSpan
from app.ingest.errors import ReportParseError
from app.ingest.ids import slugify
from app.ingest.parse.boxes import box_kind, read_box
from app.ingest.parse.cursor import Reading
from app.ingest.parse.format import looks_like_heading, question_heading
from app.ingest.parse.paragraphs import Paragraphs, starts_mid_sentence
from app.ingest.reference import Grade, Question
from app.ingest.text import Block

_FINDINGS_INTRO = re.compile(r"^We set out our detailed findings below\b", re.IGNORECASE)


@dataclass
class _Finding:
    heading: Block
    paragraphs: Paragraphs = field(default_factory=Paragraphs)

    def section(self, key: str) -> FindingSection:
        line = self.heading.first_line
        return FindingSection(
            key=key,
            heading=self.heading.text,
            page=self.heading.page,
            paragraphs=self.paragraphs.texts(),
            span=SourceSpan(start_line=line, end_line=self.paragraphs.last_line(default=line)),
        )


@dataclass
class _Prose:
    """A section's prose as read so far: its summary, then its findings."""

    summary: Paragraphs = field(default_factory=Paragraphs)
    findings: list[_Finding] = field(default_factory=list)
    in_findings: bool = False

    @property
    def current(self) -> Paragraphs:
        """Where the next paragraph goes: the last finding, or the summary before any."""
        return self.findings[-1].paragraphs if self.findings else self.summary

    def finding_sections(self) -> list[FindingSection]:
        """The findings, keyed by their headings' slugs (repeats numbered from 2)."""
        sections: list[FindingSection] = []
        seen: Counter[str] = Counter()
        for finding in self.findings:
            key = slugify(finding.heading.text)
            seen[key] += 1
            if seen[key] > 1:
                key = f"{key}-{seen[key]}"
            sections.append(finding.section(key))
        return sections


def read_question(reading: Reading, question: Question) -> QuestionSection:
    """Read the section whose heading is the next block."""
    cursor = reading.cursor
    heading = cursor.take()
    reading.marks.start(heading.first_line, question.id)
    grade = _read_grade(reading, question)
    prose = _Prose()
    last_line = heading.last_line
    others = [
        q for q in reading.framework.questions if q.pillar == question.pillar and q is not question
    ]
    while (block := reading.next_in_part()) is not None:
        if question_heading(block, others) is not None:
            break
        cursor.take()
        last_line = block.last_line
        kind = box_kind(block) if block.is_single_line else None
        if kind is not None:
            last_line = max(last_line, read_box(reading, kind, question))
        elif _FINDINGS_INTRO.match(block.text):
            prose.in_findings = True
            prose.current.close()
        elif _starts_finding(reading, block, prose, question):
            prose.in_findings = True
            prose.findings.append(_Finding(block))
            reading.marks.start(block.first_line, f"{question.id}/{slugify(block.text)}")
        else:
            prose.current.add(block)
    return QuestionSection(
        question=question.id,
        heading=heading.text,
        page=heading.page,
        grade=grade.id if grade else None,
        summary=prose.summary.texts(),
        findings=prose.finding_sections(),
        span=SourceSpan(start_line=heading.first_line, end_line=last_line),
    )


def _read_grade(reading: Reading, question: Question) -> Grade | None:
    """The grade printed under the heading; a graded question must have one."""
    framework, cursor = reading.framework, reading.cursor
    nxt = cursor.peek()
    if nxt is not None and framework.grade_for(nxt.text) is not None:
        return framework.grade_for(cursor.take().text)
    if question.graded:
        found = nxt.text[:60] if nxt is not None else "the end of the report"
        raise ReportParseError(
            cursor.line,
            f"expected the grade of {question.name!r} "
            f"(one of {', '.join(g.name for g in framework.grades)}), found {found!r}",
        )
    return None


def _starts_finding(reading: Reading, block: Block, prose: _Prose, question: Question) -> bool:
    """Is this block a finding's heading?

    It looks like a heading, does not continue a sentence, stands where findings are
    (after the findings' introduction, or anywhere in an ungraded section) and prose
    follows it.
    """
    following = reading.cursor.peek()
    return (
        looks_like_heading(block)
        and not prose.current.awaits_continuation
        and (prose.in_findings or not question.graded)
        and following is not None
        and not starts_mid_sentence(following)
    )
