"""Colour contrast of the pages' grade colours, read from the stylesheet (WCAG 2.x AA:
4.5:1 for normal text). Grades are also told by word and pattern; this keeps the words
readable on their tinted cells and on white."""

from __future__ import annotations

import re

import pytest

from tests.reports import ROOT

CSS = (ROOT / "app" / "web" / "static" / "site.css").read_text(encoding="utf-8")
AA = 4.5


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


VARIABLES = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", CSS))
TEXT = {
    grade: VARIABLES[variable]
    for grade, variable in re.findall(r"\.grade-([a-z-]+) \{ color: var\(--([a-z-]+)\); \}", CSS)
}
TINTS = dict(re.findall(r'td\[data-grade="([a-z-]+)"\].*?background: (#[0-9a-fA-F]{6})', CSS))


def test_the_stylesheet_was_read() -> None:
    assert len(TEXT) >= 5 and len(TINTS) >= 5


@pytest.mark.parametrize("grade", sorted(TEXT))
def test_grade_words_are_readable_on_white(grade: str) -> None:
    assert contrast(TEXT[grade], "#ffffff") >= AA


@pytest.mark.parametrize("grade", sorted(TINTS))
def test_grade_words_are_readable_on_their_tinted_cell(grade: str) -> None:
    assert contrast(TEXT[grade], TINTS[grade]) >= AA
    assert contrast(VARIABLES["link"], TINTS[grade]) >= AA  # the links inside the cell
    assert contrast(VARIABLES["muted"], TINTS[grade]) >= AA  # "carried over" notes


@pytest.mark.parametrize("variable", ["none", "muted", "link", "ink"])
def test_other_text_colours_are_readable_on_white(variable: str) -> None:
    assert contrast(VARIABLES[variable], "#ffffff") >= AA
