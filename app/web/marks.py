"""Search snippets for HTML: text with <mark> pairs, split so each part is escaped."""

from __future__ import annotations

import re

_MARK = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


def marked_segments(snippet: str) -> list[tuple[str, bool]]:
    """[(text, highlighted)] in order; the template escapes every text itself, so a
    report's own '<' or '&' is shown as written and only our markers become <mark>."""
    segments: list[tuple[str, bool]] = []
    end = 0
    for match in _MARK.finditer(snippet):
        if match.start() > end:
            segments.append((snippet[end : match.start()], False))
        segments.append((match.group(1), True))
        end = match.end()
    if end < len(snippet):
        segments.append((snippet[end:], False))
    return segments
