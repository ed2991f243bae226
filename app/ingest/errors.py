"""The one error the parser raises for input it cannot understand."""

from __future__ import annotations


class ReportParseError(ValueError):
    """A report text that does not have the shape the parser expects.

    `line` is 1-based and points at the line where the expectation failed, so a
    person can open the file there; `message` says what was expected.
    """

    def __init__(self, line: int, message: str, source: str = "<report>") -> None:
        self.line = line
        self.message = message
        self.source = source
        super().__init__(f"{source}:{line}: {message}")

    def with_source(self, source: str) -> ReportParseError:
        return ReportParseError(self.line, self.message, source)
