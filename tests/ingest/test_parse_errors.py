"""Input the parser cannot understand: always a ReportParseError with a line, never a crash."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.ingest.errors import ReportParseError
from app.ingest.parse import parse, parse_file
from app.ingest.reference import default_reference
from tests.reports import join_lines, lines_of, seed_document, seed_text


def _error(text: str) -> ReportParseError:
    with pytest.raises(ReportParseError) as caught:
        parse(text)
    return caught.value


def test_an_empty_report_is_rejected_on_line_1() -> None:
    error = _error("\n  \n")
    assert error.line == 1
    assert "empty" in error.message


def test_binary_bytes_are_rejected_with_the_line_they_stand_on(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4\n\xff\xfe\x00binary\n")
    with pytest.raises(ReportParseError) as caught:
        parse_file(path)
    assert caught.value.line == 2
    assert "not UTF-8" in caught.value.message
    assert str(caught.value).startswith(f"{path}:2: ")


def test_control_characters_are_rejected() -> None:
    error = _error("What this report contains\n\x00\x01\x02")
    assert error.line == 2
    assert "control character" in error.message


def test_a_truncated_report_says_what_it_expected_at_its_last_line() -> None:
    lines = lines_of(seed_text())
    half = lines[: len(lines) // 2]
    error = _error(join_lines(half))
    assert error.line == len(half)
    assert "expected" in error.message


def test_a_grade_word_the_framework_does_not_know_is_named_with_its_line() -> None:
    judgment = seed_document().judgments[1]
    lines = lines_of(seed_text())
    lines[judgment.line - 1] = lines[judgment.line - 1].replace("Good", "Adequate")
    error = _error(join_lines(lines))
    assert error.line == judgment.line
    assert "unknown grade 'Adequate'" in error.message


def test_a_grade_in_a_section_that_contradicts_the_summary_is_rejected() -> None:
    document = seed_document()
    section = document.pillars[1].questions[1]
    lines = lines_of(seed_text())
    index = next(
        n for n in range(section.span.start_line, section.span.end_line) if lines[n].strip()
    )
    lines[index] = lines[index].replace("Outstanding", "Good")
    error = _error(join_lines(lines))
    assert "overall summary" in error.message


def test_a_report_whose_force_cannot_be_identified_asks_for_force() -> None:
    text = seed_text()
    for force in default_reference().forces:
        text = re.sub(r"\s+".join(map(re.escape, force.name.split())), "The Constabulary", text)
    error = _error(text)
    assert error.line == 1
    assert "--force" in error.message


def test_force_can_be_given_when_the_text_does_not_name_it() -> None:
    text = seed_text().replace(seed_document().force.name, "The Constabulary")
    document = parse(text, force_id=seed_document().force.id)
    assert document.force == seed_document().force


def test_an_unknown_force_id_is_rejected() -> None:
    with pytest.raises(ReportParseError, match="unknown force id"):
        parse(seed_text(), force_id="atlantis")


_LINES = lines_of(seed_text())
_mutation = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(_LINES) - 1), st.integers(1, 60)),
    st.tuples(st.just("duplicate"), st.integers(0, len(_LINES) - 1), st.integers(1, 30)),
    st.tuples(st.just("swap"), st.integers(0, len(_LINES) - 1), st.integers(0, len(_LINES) - 1)),
    st.tuples(st.just("replace"), st.integers(0, len(_LINES) - 1), st.text(max_size=40)),
    st.tuples(st.just("truncate"), st.integers(0, len(_LINES) - 1), st.none()),
    st.tuples(
        st.just("insert"),
        st.integers(0, len(_LINES) - 1),
        st.sampled_from(
            [
                " ",
                " 7 ",
                "",
                "Good",
                "Outstanding",
                "Areas for improvement",
                "Cause of concern",
                "Recommendation",
                "• ",
                "Summary",
                "Effectiveness",
                " Legitimacy",
                "Annex B",
                "https://www.justiceinspectorates.gov.uk/hmicfrs/glossary/x/",
                "Investigating crime",
            ]
        ),
    ),
)


def _mutate(lines: list[str], mutations: list[tuple]) -> str:
    lines = list(lines)
    for kind, at, arg in mutations:
        at = min(at, len(lines) - 1)
        if kind == "delete":
            del lines[at : at + arg]
        elif kind == "duplicate":
            lines[at:at] = lines[at : at + arg]
        elif kind == "swap":
            arg = min(arg, len(lines) - 1)
            lines[at], lines[arg] = lines[arg], lines[at]
        elif kind == "replace":
            lines[at] = arg
        elif kind == "truncate":
            lines = lines[:at]
        else:
            lines.insert(at, arg)
        if not lines:
            lines = [""]
    return join_lines(lines)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_reports_parse_or_raise_report_parse_error_only(mutations: list[tuple]) -> None:
    text = _mutate(_LINES, mutations)
    try:
        parse(text)
    except ReportParseError as error:
        assert error.line >= 1
        assert error.message


def test_a_force_id_that_contradicts_the_text_is_rejected() -> None:
    with pytest.raises(
        ReportParseError,
        match=r"the report is about 'west-midlands', not 'kent': it never names Kent Police",
    ):
        parse(seed_text(), force_id="kent")
