"""parse(text) -> ReportDocument: read an inspection report's text, pure and validated.

The report's structure, in order: a preamble with the scope table, the overall summary
(pillar and question grades with the year each was last inspected), the HM Inspector's
observations, then one part per pillar (headline question, grade, summary) holding one
section per question (grade, summary, boxes, detailed findings), then annexes.

Everything specific to a force or a framework comes from the text or from the reference
catalogue; the words this module knows are the inspectorate's report format (box
titles, "Overall summary", "Last inspected"), the same in every report of the format.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from app.ingest.document import (
    ActionItem,
    FindingSection,
    ForceRef,
    GlossaryCitation,
    GlossaryTerm,
    ItemKind,
    Judgment,
    PillarSection,
    QuestionSection,
    ReportDocument,
    ScopeEntry,
    SourceSpan,
)
from app.ingest.errors import ReportParseError
from app.ingest.ids import inspection_id, normalise, slugify
from app.ingest.reference import (
    Force,
    Framework,
    Grade,
    Question,
    Reference,
    default_reference,
)
from app.ingest.text import Block, Layout, layout, unwrap

_YEAR = r"\d{4}(?:/\d{2})?"
_SCOPE_HEADER = re.compile(r"^(?P<label>.+?)\s+Inspected in (?P<year>\S+?)\?\s*$", re.IGNORECASE)
_SCOPE_ROW = re.compile(r"^(?P<area>.+?)\s+(?P<answer>Yes|No)\s*$", re.IGNORECASE)
_OVERALL_SUMMARY = "overall summary"
_OBSERVATIONS = re.compile(r"^HM (Chief )?Inspector['’]s observations$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^HM (Chief )?Inspector of Constabulary", re.IGNORECASE)
_ANNEX = re.compile(r"^Annex\b")
_FORCE_IN_CONTEXT = "force in context"
_PILLAR_SUMMARY = "summary"
_FINDINGS_INTRO = re.compile(r"^We set out our detailed findings below\b", re.IGNORECASE)
_CARRIED = re.compile(r"\bcarried (over|forward)\b|\bgrade forward\b", re.IGNORECASE)
_BULLET = re.compile(r"^[•●▪◦\-–]\s*")
_SENTENCE_END = re.compile(r"(?<=[.?!])[’”)]?\s+(?=[A-Z‘“(])")
_GLOSSARY = re.compile(r"/glossary/(?P<key>[a-z0-9][a-z0-9-]*)/?$")
_BOXES: dict[str, ItemKind] = {
    "areas for improvement": "area-for-improvement",
    "area for improvement": "area-for-improvement",
    "cause of concern": "cause-of-concern",
    "causes of concern": "cause-of-concern",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
}


def _is_terminated(text: str) -> bool:
    """Does this prose end a sentence (so the next block starts a new paragraph)?"""
    stripped = text.rstrip("’”)] ")
    return bool(stripped) and stripped[-1] in ".?!:;"


def _looks_like_heading(block: Block) -> bool:
    text = block.text
    return (
        block.is_single_line
        and len(text) <= 90
        and len(text.split()) <= 12
        and text[0].isupper()
        and not _is_terminated(text)
        and not text.endswith(",")
        and not _BULLET.match(text)
    )


def _sentences(paragraph: str) -> list[str]:
    return _SENTENCE_END.split(paragraph)


@dataclass
class _Boundary:
    """Where a section starts, so footers can be attributed to the section they follow."""

    line: int
    ref: str


@dataclass
class _Cursor:
    blocks: list[Block]
    line_count: int
    index: int = 0

    def peek(self, offset: int = 0) -> Block | None:
        position = self.index + offset
        return self.blocks[position] if position < len(self.blocks) else None

    def take(self) -> Block:
        block = self.blocks[self.index]
        self.index += 1
        return block

    def expect(self, what: str) -> Block:
        block = self.peek()
        if block is None:
            raise ReportParseError(self.line_count, f"the report ends here: expected {what}")
        return self.take()

    def find(self, predicate: Callable[[Block], bool], what: str) -> int:
        for position in range(self.index, len(self.blocks)):
            if predicate(self.blocks[position]):
                return position
        raise ReportParseError(self.line_count, f"the report ends here: expected {what}")


@dataclass
class _SectionBuilder:
    """Collects a question's prose: summary paragraphs, findings and boxed items."""

    question: Question
    summary: list[list[int | str]] = field(default_factory=list)  # [first_line, last_line, text]
    findings: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    in_findings: bool = False
    last_paragraph: list | None = None

    def add_paragraph(self, block: Block) -> None:
        joins = self.last_paragraph is not None and (
            block.text[0].islower() or not _is_terminated(str(self.last_paragraph[2]))
        )
        if joins:
            assert self.last_paragraph is not None
            self.last_paragraph[1] = block.last_line
            self.last_paragraph[2] = unwrap([str(self.last_paragraph[2]), block.text])
            return
        paragraph: list = [block.first_line, block.last_line, block.text]
        target = self.findings[-1]["paragraphs"] if self.findings else self.summary
        target.append(paragraph)
        self.last_paragraph = paragraph

    def start_finding(self, block: Block) -> None:
        self.in_findings = True
        self.findings.append(
            {"heading": block.text, "page": block.page, "line": block.first_line, "paragraphs": []}
        )
        self.last_paragraph = None


class _Parser:
    def __init__(self, text: str, reference: Reference, force_id: str | None) -> None:
        self.reference = reference
        self.layout: Layout = layout(text)
        self.cursor = _Cursor(self.layout.blocks, self.layout.line_count)
        self.prose = "\n".join(block.text for block in self.layout.blocks)
        lowered = self.prose.lower()
        # lower() keeps offsets for the text of reports; if not, search the original.
        self.prose_lower = lowered if len(lowered) == len(self.prose) else self.prose
        self.forced = force_id
        self.boundaries: list[_Boundary] = []
        self.items: list[ActionItem] = []

    # -- identification -----------------------------------------------------------

    def _force(self) -> Force:
        counts = self._force_mentions()
        ranked = counts.most_common(2)
        if self.forced is not None:
            force = self.reference.force(self.forced)
            if force is None:
                raise ReportParseError(
                    1, f"unknown force id {self.forced!r}: expected a police.uk id"
                )
            if ranked and counts[force.id] == 0:
                raise ReportParseError(
                    1,
                    f"the report is about {ranked[0][0]!r}, not {force.id!r}: "
                    f"it never names {force.name}",
                )
            return force
        if not ranked:
            raise ReportParseError(
                1, "cannot identify the force: the text names no reference force (pass --force ID)"
            )
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            raise ReportParseError(
                1,
                f"cannot identify the force: {ranked[0][0]} and {ranked[1][0]} are named "
                "equally often (pass --force ID)",
            )
        force = self.reference.force(ranked[0][0])
        assert force is not None
        return force

    def _force_mentions(self) -> Counter[str]:
        """How often the text names each reference force (by id)."""
        by_name = {force.name: force.id for force in self.reference.forces}
        # One alternation, longest names first, so a longer name never counts for a shorter
        # one; a name wrapped over two lines still counts.
        names = sorted(by_name, key=len, reverse=True)
        alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
        pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return Counter(by_name[re.sub(r"\s+", " ", name)] for name in pattern.findall(self.prose))

    def _framework(self, preamble: list[Block]) -> tuple[Framework, list[ScopeEntry]]:
        year_label = None
        scope_start = None
        for position, block in enumerate(preamble):
            for _, line in block.lines:
                header = _SCOPE_HEADER.match(line.strip())
                if header:
                    year_label, scope_start = header.group("year"), position
                    break
            if scope_start is not None:
                break
        if year_label is None:
            years = Counter(
                y
                for block in preamble
                for y in re.findall(_YEAR, block.text)
                if self.reference.framework_for_year(y)
            )
            if not years:
                line = preamble[0].first_line if preamble else 1
                raise ReportParseError(
                    line,
                    "cannot identify the inspection year: expected a scope table or a year "
                    "of a known framework (such as 2018/19) before the overall summary",
                )
            year_label = years.most_common(1)[0][0]
        framework = self.reference.framework_for_year(year_label)
        if framework is None:
            line = preamble[scope_start].first_line if scope_start is not None else 1
            raise ReportParseError(
                line, f"no known framework for the inspection year {year_label!r}"
            )
        scope = [] if scope_start is None else self._scope(preamble[scope_start:], framework)
        return framework, scope

    def _scope(self, blocks: list[Block], framework: Framework) -> list[ScopeEntry]:
        entries: list[ScopeEntry] = []
        lines = [pair for block in blocks for pair in block.lines][1:]  # after the header
        for number, line in lines:
            row = _SCOPE_ROW.match(line.strip())
            if row is None:
                break
            question = framework.question_for(row.group("area"))
            if question is None:
                raise ReportParseError(
                    number,
                    f"unknown area {row.group('area')!r} in the scope table of {framework.id}",
                )
            entries.append(
                ScopeEntry(
                    question=question.id,
                    label=row.group("area").strip(),
                    inspected=row.group("answer").lower() == "yes",
                    line=number,
                )
            )
        return entries

    # -- overall summary ----------------------------------------------------------

    def _grade(self, framework: Framework, printed: str, line: int) -> Grade:
        grade = framework.grade_for(printed)
        if grade is None:
            known = ", ".join(g.name for g in framework.grades)
            raise ReportParseError(
                line,
                f"unknown grade {printed.strip()!r} for {framework.id}: expected one of {known}",
            )
        return grade

    def _overall_summary(
        self, blocks: list[Block], framework: Framework
    ) -> tuple[dict[str, tuple[Grade, int]], dict[str, tuple[Grade, str, int]]]:
        text = ""
        line_at: list[tuple[int, int]] = []  # (offset in text, line number)
        for block in blocks:
            for number, line in block.lines:
                line_at.append((len(text), number))
                text += re.sub(r"\s+", " ", line).strip() + " "

        def line_of(offset: int) -> int:
            return max((n for start, n in line_at if start <= offset), default=blocks[0].first_line)

        def alternatives(names: list[str]) -> str:
            ordered = sorted(set(names), key=len, reverse=True)
            return "|".join(r"\s+".join(map(re.escape, n.split())) for n in ordered)

        pillar_names = alternatives([p.name for p in framework.pillars])
        question_names = alternatives([n for q in framework.questions for n in q.names])
        scanner = re.compile(
            rf"(?P<pillar>{pillar_names})\s+(?P<pgrade>.+?)\s+Last\s+inspected\b"
            rf"|(?P<question>{question_names})\s+(?P<qgrade>.+?)\s+(?P<year>{_YEAR})(?!\d)",
            re.IGNORECASE,
        )
        pillars: dict[str, tuple[Grade, int]] = {}
        questions: dict[str, tuple[Grade, str, int]] = {}
        for match in scanner.finditer(text):
            if match.group("pillar"):
                line = line_of(match.start("pgrade"))
                pillar = framework.pillar_for(match.group("pillar"))
                assert pillar is not None
                pillars[pillar.id] = (self._grade(framework, match.group("pgrade"), line), line)
            else:
                line = line_of(match.start("qgrade"))
                question = framework.question_for(match.group("question"))
                assert question is not None
                if question.id in questions:
                    raise ReportParseError(
                        line, f"{question.name!r} is graded twice in the overall summary"
                    )
                grade = self._grade(framework, match.group("qgrade"), line)
                questions[question.id] = (grade, match.group("year"), line)
        heading_line = blocks[0].first_line
        for pillar in framework.pillars:
            if pillar.id not in pillars:
                raise ReportParseError(
                    heading_line, f"the overall summary has no grade for the pillar {pillar.name!r}"
                )
        for question in framework.questions:
            if question.id not in questions:
                raise ReportParseError(
                    heading_line, f"the overall summary has no grade for {question.name!r}"
                )
        return pillars, questions

    # -- pillars and questions ------------------------------------------------------

    def _is_pillar_divider(self, block: Block, framework: Framework) -> bool:
        return block.starts_page and framework.pillar_for(block.text) is not None

    def _is_end(self, block: Block, framework: Framework) -> bool:
        return bool(_ANNEX.match(block.text)) or self._is_pillar_divider(block, framework)

    def _pillar(self, framework: Framework, summary_grades: dict) -> PillarSection:
        divider = self.cursor.take()
        pillar = framework.pillar_for(divider.text)
        assert pillar is not None
        self.boundaries.append(_Boundary(divider.first_line, pillar.id))
        block = self.cursor.expect(f"the headline question of {pillar.name}")
        while normalise(block.text) == _FORCE_IN_CONTEXT:
            block = self.cursor.expect(f"the headline question of {pillar.name}")
        if not block.text.endswith("?"):
            raise ReportParseError(
                block.first_line,
                f"expected the headline question of {pillar.name} (a question ending in '?'), "
                f"found {block.text[:60]!r}",
            )
        headline = block.text
        grade_block = self.cursor.expect(f"the grade of {pillar.name}")
        grade = self._grade(framework, grade_block.text, grade_block.first_line)
        expected, summary_line = summary_grades[pillar.id]
        if grade.id != expected.id:
            raise ReportParseError(
                grade_block.first_line,
                f"{pillar.name} is graded {grade.name!r} here but {expected.name!r} in the overall "
                f"summary (line {summary_line})",
            )
        nxt = self.cursor.peek()
        if nxt is not None and normalise(nxt.text) == _PILLAR_SUMMARY:
            self.cursor.take()
        pillar_questions = [q for q in framework.questions if q.pillar == pillar.id]
        summary: list[str] = []
        last_line = grade_block.last_line
        while (block := self.cursor.peek()) is not None and not self._is_end(block, framework):
            if self._question_heading(block, pillar_questions):
                break
            self.cursor.take()
            last_line = block.last_line
            if summary and (block.text[0].islower() or not _is_terminated(summary[-1])):
                summary[-1] = unwrap([summary[-1], block.text])
            else:
                summary.append(block.text)
        sections: list[QuestionSection] = []
        while (block := self.cursor.peek()) is not None and not self._is_end(block, framework):
            question = self._question_heading(block, pillar_questions)
            if question is None:
                raise ReportParseError(
                    block.first_line,
                    f"expected a question heading of {pillar.name} "
                    f"({', '.join(q.name for q in pillar_questions)}), found {block.text[:60]!r}",
                )
            pillar_questions = [q for q in pillar_questions if q.id != question.id]
            sections.append(self._question(framework, question))
            last_line = sections[-1].span.end_line
        if pillar_questions:
            nxt = self.cursor.peek()
            raise ReportParseError(
                nxt.first_line if nxt else self.layout.line_count,
                f"expected the section for {pillar_questions[0].name!r} before the end of "
                f"{pillar.name}",
            )
        return PillarSection(
            pillar=pillar.id,
            headline_question=headline,
            grade=grade.id,
            page=divider.page,
            summary=summary,
            questions=sections,
            span=SourceSpan(start_line=divider.first_line, end_line=last_line),
        )

    @staticmethod
    def _question_heading(block: Block, candidates: list[Question]) -> Question | None:
        if not block.is_single_line:
            return None
        wanted = normalise(block.text)
        return next((q for q in candidates if any(normalise(n) == wanted for n in q.names)), None)

    def _question(self, framework: Framework, question: Question) -> QuestionSection:
        heading = self.cursor.take()
        self.boundaries.append(_Boundary(heading.first_line, question.id))
        grade: Grade | None = None
        nxt = self.cursor.peek()
        if nxt is not None and framework.grade_for(nxt.text) is not None:
            grade = framework.grade_for(self.cursor.take().text)
        elif question.graded:
            found = nxt.text[:60] if nxt is not None else "the end of the report"
            raise ReportParseError(
                nxt.first_line if nxt is not None else self.layout.line_count,
                f"expected the grade of {question.name!r} "
                f"(one of {', '.join(g.name for g in framework.grades)}), found {found!r}",
            )
        section = _SectionBuilder(question)
        last_line = heading.last_line
        remaining = [
            q for q in framework.questions if q.pillar == question.pillar and q is not question
        ]
        while (block := self.cursor.peek()) is not None and not self._is_end(block, framework):
            if self._question_heading(block, remaining):
                break
            self.cursor.take()
            last_line = block.last_line
            kind = _BOXES.get(normalise(block.text)) if block.is_single_line else None
            if kind is not None:
                last_line = max(last_line, self._box(block, kind, question, section))
            elif _FINDINGS_INTRO.match(block.text):
                section.in_findings = True
                section.last_paragraph = None
            elif (
                _looks_like_heading(block)
                and not (section.last_paragraph and not _is_terminated(section.last_paragraph[2]))
                and (section.in_findings or section.findings or not question.graded)
                and self._followed_by_prose()
            ):
                section.start_finding(block)
                self.boundaries.append(
                    _Boundary(block.first_line, f"{question.id}/{slugify(block.text)}")
                )
            else:
                section.add_paragraph(block)
        return self._finish_question(question, heading, grade, section, last_line)

    def _followed_by_prose(self) -> bool:
        nxt = self.cursor.peek()
        return nxt is not None and not nxt.text[0].islower()

    def _box(
        self, title: Block, kind: ItemKind, question: Question, section: _SectionBuilder
    ) -> int:
        """Read one box (and a cause of concern's recommendations); return its last line."""
        last_line = title.last_line
        if kind == "cause-of-concern":
            statement = self.cursor.expect("the text of the cause of concern")
            cause = self._item(kind, question, statement.text, statement)
            last_line = statement.last_line
            nxt = self.cursor.peek()
            if nxt is not None and _BOXES.get(normalise(nxt.text)) == "recommendation":
                last_line = self._bullets("recommendation", question, answers=cause.key)
            return last_line
        return self._bullets(kind, question, answers=None, title_consumed=True) or last_line

    def _bullets(
        self, kind: ItemKind, question: Question, answers: str | None, title_consumed: bool = False
    ) -> int:
        if not title_consumed:
            self.cursor.take()
        last_line = 0
        while (block := self.cursor.peek()) is not None and _BULLET.match(block.text):
            self.cursor.take()
            self._item(kind, question, _BULLET.sub("", block.text, count=1), block, answers)
            last_line = block.last_line
        if last_line == 0:
            block = self.cursor.peek()
            raise ReportParseError(
                block.first_line if block else self.layout.line_count,
                f"expected at least one bulleted item in the {kind.replace('-', ' ')} box",
            )
        return last_line

    def _item(
        self,
        kind: ItemKind,
        question: Question,
        text: str,
        block: Block,
        answers: str | None = None,
    ) -> ActionItem:
        number = sum(1 for i in self.items if i.question == question.id and i.kind == kind) + 1
        item = ActionItem(
            key=f"{question.id}/{kind}/{number}",
            kind=kind,
            question=question.id,
            text=text,
            page=block.page,
            span=SourceSpan(start_line=block.first_line, end_line=block.last_line),
            answers=answers,
        )
        self.items.append(item)
        return item

    def _finish_question(
        self,
        question: Question,
        heading: Block,
        grade: Grade | None,
        section: _SectionBuilder,
        last_line: int,
    ) -> QuestionSection:
        findings: list[FindingSection] = []
        seen: Counter[str] = Counter()
        for finding in section.findings:
            key = slugify(finding["heading"])
            seen[key] += 1
            if seen[key] > 1:
                key = f"{key}-{seen[key]}"
            paragraphs = finding["paragraphs"]
            findings.append(
                FindingSection(
                    key=key,
                    heading=finding["heading"],
                    page=finding["page"],
                    paragraphs=[p[2] for p in paragraphs],
                    span=SourceSpan(
                        start_line=finding["line"],
                        end_line=paragraphs[-1][1] if paragraphs else finding["line"],
                    ),
                )
            )
        return QuestionSection(
            question=question.id,
            heading=heading.text,
            page=heading.page,
            grade=grade.id if grade else None,
            summary=[p[2] for p in section.summary],
            findings=findings,
            span=SourceSpan(start_line=heading.first_line, end_line=last_line),
        )

    # -- glossary -----------------------------------------------------------------

    def _glossary(self) -> list[GlossaryTerm]:
        terms: dict[str, dict] = {}
        boundaries = sorted(self.boundaries, key=lambda b: b.line)
        for footer in self.layout.footers:
            match = _GLOSSARY.search(footer.url)
            if match is None:
                continue
            section = next((b.ref for b in reversed(boundaries) if b.line <= footer.line), None)
            if not section:  # before the first section or in the annexes
                continue
            key = match.group("key")
            entry = terms.setdefault(
                key, {"url": footer.url, "term": self._term(key), "citations": {}}
            )
            entry["citations"].setdefault((section, footer.page), footer)
        return [
            GlossaryTerm(
                key=key,
                term=entry["term"],
                url=entry["url"],
                citations=[
                    GlossaryCitation(section=section, page=page, line=footer.line)
                    for (section, page), footer in entry["citations"].items()
                ],
            )
            for key, entry in terms.items()
        ]

    def _term(self, key: str) -> str:
        """The term as printed, found by the URL's words; the words themselves otherwise."""
        words = key.split("-")
        # Search the lower-cased prose (a literal-led pattern is fast) and cut the
        # printed form from the original at the same offsets.
        pattern = r"[\s\-]+".join(map(re.escape, words))
        for found in re.finditer(pattern, self.prose_lower):
            start, end = found.span()
            before = self.prose_lower[start - 1 : start]
            after = self.prose_lower[end : end + 1]
            if not (before.isalnum() or after.isalnum()):
                return re.sub(r"\s+", " ", self.prose[start:end])
        return " ".join(words)

    # -- the whole report -----------------------------------------------------------

    def parse(self) -> ReportDocument:
        blocks = self.layout.blocks
        force = self._force()
        summary_at = self.cursor.find(
            lambda b: normalise(b.text) == _OVERALL_SUMMARY, "the 'Overall summary' page"
        )
        framework, scope = self._framework(blocks[:summary_at])
        observations_at = self.cursor.find(
            lambda b: bool(_OBSERVATIONS.match(b.text)), "the HM Inspector's observations"
        )
        self.boundaries.append(_Boundary(blocks[0].first_line, "introduction"))
        self.boundaries.append(_Boundary(blocks[summary_at].first_line, "overall-summary"))
        self.boundaries.append(_Boundary(blocks[observations_at].first_line, "observations"))
        if observations_at <= summary_at + 1:
            raise ReportParseError(
                blocks[summary_at].first_line, "the overall summary is empty: expected grades"
            )
        pillar_grades, question_grades = self._overall_summary(
            blocks[summary_at + 1 : observations_at], framework
        )
        self.cursor.index = observations_at + 1
        observations, inspector = self._observations(framework)

        pillars: list[PillarSection] = []
        while (block := self.cursor.peek()) is not None and not _ANNEX.match(block.text):
            if not self._is_pillar_divider(block, framework):
                raise ReportParseError(
                    block.first_line,
                    f"expected a pillar section ({', '.join(p.name for p in framework.pillars)}), "
                    f"found {block.text[:60]!r}",
                )
            pillars.append(self._pillar(framework, pillar_grades))
        if annex := self.cursor.peek():
            self.boundaries.append(_Boundary(annex.first_line, ""))
        self._check_all_pillars(framework, pillars)

        judgments = self._judgments(framework, pillars, pillar_grades, question_grades)
        return ReportDocument(
            force=ForceRef(id=force.id, name=force.name),
            framework=framework.id,
            year_label=framework.year_label,
            inspection_id=inspection_id(force.id, framework.year_label),
            scope=scope,
            judgments=judgments,
            observations=observations,
            inspector=inspector,
            pillars=pillars,
            items=self.items,
            glossary=self._glossary(),
        )

    def _observations(self, framework: Framework) -> tuple[list[str], str | None]:
        paragraphs: list[str] = []
        while (block := self.cursor.peek()) is not None and not self._is_pillar_divider(
            block, framework
        ):
            self.cursor.take()
            if _SIGNATURE.match(block.text):
                inspector = paragraphs.pop() if paragraphs else None
                return paragraphs, inspector
            if paragraphs and (block.text[0].islower() or not _is_terminated(paragraphs[-1])):
                paragraphs[-1] = unwrap([paragraphs[-1], block.text])
            else:
                paragraphs.append(block.text)
        return paragraphs, None

    def _check_all_pillars(self, framework: Framework, pillars: list[PillarSection]) -> None:
        found = {p.pillar for p in pillars}
        for pillar in framework.pillars:
            if pillar.id not in found:
                raise ReportParseError(
                    self.layout.line_count,
                    f"the report ends here: expected the section for the pillar {pillar.name!r}",
                )

    def _judgments(
        self,
        framework: Framework,
        pillars: list[PillarSection],
        pillar_grades: dict[str, tuple[Grade, int]],
        question_grades: dict[str, tuple[Grade, str, int]],
    ) -> list[Judgment]:
        sections = {q.question: q for p in pillars for q in p.questions}
        judgments: list[Judgment] = []
        for pillar in framework.pillars:
            grade, line = pillar_grades[pillar.id]
            judgments.append(
                Judgment(
                    pillar=pillar.id,
                    question=None,
                    grade=grade.id,
                    last_inspected=framework.year_label,
                    carried_over=False,
                    line=line,
                )
            )
            for question in (q for q in framework.questions if q.pillar == pillar.id):
                grade, year, line = question_grades[question.id]
                section = sections[question.id]
                if section.grade is not None and section.grade != grade.id:
                    raise ReportParseError(
                        section.span.start_line,
                        f"{question.name!r} is graded {section.grade!r} in its section but "
                        f"{grade.id!r} in the overall summary (line {line})",
                    )
                carried = year != framework.year_label
                sentence = next(
                    (s for p in section.summary for s in _sentences(p) if _CARRIED.search(s)), None
                )
                judgments.append(
                    Judgment(
                        pillar=pillar.id,
                        question=question.id,
                        grade=grade.id,
                        last_inspected=year,
                        carried_over=carried,
                        carried_over_sentence=sentence if carried else None,
                        line=line,
                    )
                )
        return judgments


def parse(
    text: str,
    reference: Reference | None = None,
    *,
    force_id: str | None = None,
    source: str = "<report>",
) -> ReportDocument:
    """Parse a report's text into a validated document, or raise ReportParseError."""
    try:
        return _Parser(text, reference or default_reference(), force_id).parse()
    except ReportParseError as error:
        raise error.with_source(source) from None
    except ValidationError as error:
        raise ReportParseError(
            1, f"the report does not make a valid document: {error}", source
        ) from None


def parse_file(
    path: Path, *, force_id: str | None = None, reference: Reference | None = None
) -> ReportDocument:
    """Read a UTF-8 report file and parse it; undecodable bytes are a ReportParseError."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ReportParseError(
            line,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X}): expected a report's text",
            str(path),
        ) from None
    return parse(text, reference, force_id=force_id, source=str(path))
