"""Glossary links: footer URLs into the inspectorate's glossary, with the sections citing them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.ingest.document import GlossaryCitation, GlossaryTerm
from app.ingest.parse.cursor import SectionMarks
from app.ingest.text import Footer

_GLOSSARY = re.compile(r"/glossary/(?P<key>[a-z0-9][a-z0-9-]*)/?$")


@dataclass
class _Term:
    url: str
    term: str
    citations: dict[tuple[str, int], Footer] = field(default_factory=dict)  # (section, page)


def read_glossary(footers: list[Footer], marks: SectionMarks, prose: str) -> list[GlossaryTerm]:
    """Each glossary link once, cited once per section and page its footers stand in.

    Footers before the first section or in the annexes are not citations.
    """
    section_at = marks.locator()
    printed = _PrintedTerms(prose)
    terms: dict[str, _Term] = {}
    for footer in footers:
        match = _GLOSSARY.search(footer.url)
        if match is None:
            continue
        section = section_at(footer.line)
        if not section:
            continue
        key = match.group("key")
        if key not in terms:
            terms[key] = _Term(footer.url, printed.term(key))
        terms[key].citations.setdefault((section, footer.page), footer)
    return [
        GlossaryTerm(
            key=key,
            term=entry.term,
            url=entry.url,
            citations=[
                GlossaryCitation(section=section, page=page, line=footer.line)
                for (section, page), footer in entry.citations.items()
            ],
        )
        for key, entry in terms.items()
    ]


class _PrintedTerms:
    def __init__(self, prose: str) -> None:
        self.prose = prose
        lowered = prose.lower()
        # lower() keeps offsets for the text of reports; if not, search the original.
        self.lowered = lowered if len(lowered) == len(prose) else prose

    def term(self, key: str) -> str:
        """The term as printed, found by the URL's words; the words themselves otherwise."""
        words = key.split("-")
        # Search the lower-cased prose (a literal-led pattern is fast) and cut the
        # printed form from the original at the same offsets.
        pattern = r"[\s\-]+".join(map(re.escape, words))
        for found in re.finditer(pattern, self.lowered):
            start, end = found.span()
            before = self.lowered[start - 1 : start]
            after = self.lowered[end : end + 1]
            if not (before.isalnum() or after.isalnum()):
                return re.sub(r"\s+", " ", self.prose[start:end])
        return " ".join(words)
