"""Progress: a one-line bar on a terminal, plain log lines otherwise (scheduled tasks, CI, pipes)."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("pusher.sync")
LOG_EVERY_SECONDS = 10.0


class Progress:
    """Counts rows done; draws on ``stream`` when it is a TTY, else logs every few seconds."""

    def __init__(self, stream: TextIO | None = sys.stderr, label: str = "rows"):
        self.stream = stream
        self.tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
        self.label = label
        self.done = 0
        self.started = time.monotonic()
        self._last_log = self.started

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        rate = self.done / max(now - self.started, 1e-6) * 60
        if self.tty:
            self.stream.write(f"\r{self.label}: {self.done} done, {rate:,.0f}/min ")
            self.stream.flush()
        elif self.stream is not None and now - self._last_log >= LOG_EVERY_SECONDS:
            self._last_log = now
            log.info("%s: %d done (%.0f per minute)", self.label, self.done, rate)

    def close(self) -> None:
        if self.tty and self.done:
            self.stream.write("\n")
            self.stream.flush()
