"""The parsed seed report, checked against a document verified by reading the report."""

from __future__ import annotations

from tests.reports import expected_document, seed_document


def test_seed_report_matches_the_verified_document() -> None:
    assert seed_document().model_dump(mode="json") == expected_document()


def test_every_pillar_and_question_is_judged_once() -> None:
    judgments = seed_document().judgments
    assert len([j for j in judgments if j.question is None]) == 3
    assert len([j for j in judgments if j.question is not None]) == 10


def test_carried_over_judgments_name_the_year_and_quote_the_report() -> None:
    carried = {j.question: j for j in seed_document().judgments if j.carried_over}
    assert {q: j.last_inspected for q, j in carried.items()} == {
        "preventing-crime": "2016",
        "investigating-crime": "2016",
        "serious-and-organised-crime": "2017",
        "meeting-current-demands": "2017",
    }
    for judgment in carried.values():
        assert judgment.carried_over_sentence
        assert "carried" in judgment.carried_over_sentence


def test_action_items_by_kind_and_the_recommendation_answers_the_cause() -> None:
    items = seed_document().items
    kinds = [i.kind for i in items]
    assert kinds.count("area-for-improvement") == 6
    assert kinds.count("cause-of-concern") == 1
    assert kinds.count("recommendation") == 1
    cause = next(i for i in items if i.kind == "cause-of-concern")
    recommendation = next(i for i in items if i.kind == "recommendation")
    assert recommendation.answers == cause.key
    assert recommendation.question == cause.question == "ethical-and-lawful-workforce-behaviour"


def test_paragraphs_are_clean_prose() -> None:
    document = seed_document()
    paragraphs = [*document.observations]
    for pillar in document.pillars:
        paragraphs += pillar.summary
        for question in pillar.questions:
            paragraphs += question.summary
            for finding in question.findings:
                paragraphs += finding.paragraphs
    for paragraph in paragraphs:
        assert "http" not in paragraph
        assert "  " not in paragraph and "\n" not in paragraph
        assert paragraph[0].isupper() or paragraph[0] in "‘“(", paragraph[:60]
        assert paragraph.rstrip("’”)")[-1] in ".?!:;", paragraph[-60:]
    # a sentence the boxes interrupt, and one a page break with footers cuts, are rejoined
    assert any("to develop the right behaviours among supervisors" in p for p in paragraphs)
    assert any("This means neighbourhood teams can use" in p for p in paragraphs)
    # typographic quotes stay as printed
    assert any("force’s" in p for p in paragraphs)
