"""Progress of long CLI work: a bar on a terminal, plain lines elsewhere, log records in
`peel serve` (whose output is JSON logs)."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

BAR_WIDTH = 24


class Progress:
    """Steps of n/total on `stream`: redrawn in place on a terminal, one line each if not."""

    def __init__(self, stream: TextIO, errors: TextIO | None = None) -> None:
        self.stream = stream
        self.errors = errors or sys.stderr
        self.live = stream.isatty()

    def say(self, message: str) -> None:
        print(message, file=self.stream, flush=True)

    def error(self, message: str) -> None:
        print(message, file=self.errors, flush=True)

    def step(self, n: int, total: int, label: str) -> None:
        """Work on item n of total has started."""
        if self.live:
            self.stream.write(f"\r{bar(n - 1, total)} {label} ...\033[K")
            self.stream.flush()

    def done(self, n: int, total: int, label: str, outcome: str) -> None:
        prefix = f"\r{bar(n, total)}" if self.live else f"[{n}/{total}]"
        end = "\033[K\n" if self.live else "\n"
        self.stream.write(f"{prefix} {label} ... {outcome}{end}")
        self.stream.flush()


class LogProgress(Progress):
    """The same steps as log records (for `peel serve`, whose output is JSON logs)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def say(self, message: str) -> None:
        self.logger.info(message)

    def error(self, message: str) -> None:
        self.logger.error(message)

    def step(self, n: int, total: int, label: str) -> None:
        pass

    def done(self, n: int, total: int, label: str, outcome: str) -> None:
        self.logger.info("[%d/%d] %s ... %s", n, total, label, outcome, extra={"source": label})


def bar(done: int, total: int) -> str:
    """`[#########...............] 3/8`"""
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}"
