"""Edit copies of the seed report and check the document changes exactly as the edit says.

These prove the parser reads the text rather than remembering it.
"""

from __future__ import annotations

import json
import re

from app.ingest.document import ReportDocument
from app.ingest.parse import parse
from app.ingest.reference import default_reference
from tests.reports import join_lines, lines_of, seed_document, seed_text


def _dump(document: ReportDocument) -> dict:
    return document.model_dump(mode="json")


def test_changing_a_grade_in_the_summary_and_the_section_changes_that_judgment_only() -> None:
    original = seed_document()
    judgment = next(j for j in original.judgments if j.grade == "outstanding")
    section = next(
        q for p in original.pillars for q in p.questions if q.question == judgment.question
    )
    lines = lines_of(seed_text())
    # the summary's grade line and the first grade line after the section heading
    section_grade_line = next(
        n
        for n in range(section.span.start_line, section.span.end_line)
        if "Outstanding" in lines[n]
    )
    for index in (judgment.line - 1, section_grade_line):
        assert "Outstanding" in lines[index]
        lines[index] = lines[index].replace("Outstanding", "Inadequate")

    edited = _dump(parse(join_lines(lines)))

    expected = _dump(original)
    for item in expected["judgments"]:
        if item["question"] == judgment.question:
            item["grade"] = "inadequate"
    for pillar in expected["pillars"]:
        for question in pillar["questions"]:
            if question["question"] == judgment.question:
                question["grade"] = "inadequate"
    assert edited == expected


def test_renaming_the_force_to_another_reference_force_changes_the_force_and_ids() -> None:
    original = seed_document()
    other = next(f for f in default_reference().forces if f.id not in (original.force.id,))
    printed = re.compile(r"\s+".join(map(re.escape, original.force.name.split())))

    def rename(match: re.Match[str]) -> str:
        # keep a name wrapped over two lines on two lines, so line numbers stay put
        return other.name.replace(" ", "\n", 1) if "\n" in match.group() else other.name

    text = printed.sub(rename, seed_text())

    edited = parse(text)

    assert edited.force.id == other.id
    assert edited.inspection_id == f"{other.id}-2018-19"
    expected = json.dumps(_dump(original), ensure_ascii=False)
    expected = expected.replace(original.force.name, other.name)
    expected = expected.replace(f'"{original.force.id}', f'"{other.id}')
    assert _dump(edited) == json.loads(expected)


def test_deleting_one_area_for_improvement_bullet_removes_exactly_that_item() -> None:
    original = seed_document()
    afis = [i for i in original.items if i.kind == "area-for-improvement"]
    victim = afis[1]
    lines = lines_of(seed_text())
    # blank the bullet's lines so every other line keeps its number
    for index in range(victim.span.start_line - 1, victim.span.end_line):
        lines[index] = ""

    edited = parse(join_lines(lines))

    remaining = [(i.kind, i.question, i.text) for i in original.items if i is not victim]
    assert [(i.kind, i.question, i.text) for i in edited.items] == remaining
    same_question = [
        i.key for i in edited.items if i.question == victim.question and i.kind == victim.kind
    ]
    assert same_question == [f"{victim.question}/area-for-improvement/{n}" for n in (1, 2)]
    assert _dump(edited)["pillars"] == _dump(original)["pillars"]
    assert edited.judgments == original.judgments


def test_moving_a_page_break_into_the_middle_of_a_paragraph_keeps_the_prose() -> None:
    original = seed_document()
    lines = lines_of(seed_text())
    # a page that starts with a new paragraph inside a findings section ...
    finding = original.pillars[0].questions[2].findings[0]
    start = next(
        n
        for n in range(finding.span.start_line, finding.span.end_line)
        if lines[n].startswith(" ") and not lines[n].startswith("  ") and lines[n].strip()
    )
    # ... now starts five lines later, in the middle of that paragraph's sentences
    lines[start] = lines[start][1:]
    assert lines[start + 5].strip() and not lines[start + 5].startswith(" ")
    lines[start + 5] = " " + lines[start + 5]

    edited = parse(join_lines(lines))

    assert _dump(edited) == _dump(original)


def test_a_page_break_with_footers_inside_a_sentence_is_rejoined() -> None:
    original = seed_document()
    finding = original.pillars[1].questions[1].findings[0]
    lines = lines_of(seed_text())
    cut = finding.span.start_line + 3  # a line inside the first paragraph
    assert lines[cut - 1].strip() and lines[cut].strip()
    lines[cut:cut] = ["", "https://example.org/not-a-glossary-link/", "", " ", "", " 99 ", ""]

    edited = parse(join_lines(lines))

    edited_finding = edited.pillars[1].questions[1].findings[0]
    assert edited_finding.paragraphs == finding.paragraphs
