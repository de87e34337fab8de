"""Progress of a sync: a rich bar on a terminal, one plain log line every few seconds otherwise.

On a terminal the bar shows rows done of the total, the percentage, the rate, the ETA and, while the
pacer sleeps for monday's complexity budget, "waiting 42 s for monday's budget" counting down; log
lines are printed above the bar instead of through it. Without a terminal (Task Scheduler, SQL Agent,
CI, a pipe) nothing is drawn: one line ``rows: 374/1,200 (31 %), 8,899/min, ETA 1m 12s`` is logged at
most every ``every`` seconds.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from rich.console import Console
from rich.file_proxy import FileProxy
from rich.progress import BarColumn, MofNCompleteColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress
from rich.text import Text

log = logging.getLogger("pusher.sync")
LOG_EVERY_SECONDS = 10.0


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}h {minutes % 60}m" if minutes >= 60 else f"{minutes}m {secs:02d}s"


class _Waiting(TextColumn):
    """The rate, or the budget wait counting down while the pacer sleeps."""

    def __init__(self, owner: Progress):
        super().__init__("")
        self.owner = owner

    def render(self, task: Any) -> Text:
        left = self.owner.waiting_left()
        if left is not None:
            return Text(f"waiting {left:.0f} s for monday's budget", style="yellow")
        return Text(f"{self.owner.rate():,.0f} rows/min")


class Progress:
    """Counts rows done of ``total``; draws a bar on a terminal, else logs every ``every`` seconds."""

    def __init__(self, stream: TextIO | None = sys.stderr, label: str = "rows", total: int | None = None, *,
                 console: Console | None = None, every: float | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.label = label
        self.total = total
        self.every = LOG_EVERY_SECONDS if every is None else every
        self.clock = clock
        self.done = 0
        self.started = clock()
        self._last_log = self.started
        self._wait_until: float | None = None
        tty = bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())
        console = console or (Console(file=stream) if tty else None)
        self._bar: RichProgress | None = None
        self._handlers: list[tuple[logging.StreamHandler, Any]] = []
        if console is not None:
            self._bar = RichProgress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                                     _Waiting(self), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                                     transient=False)
            self._task = self._bar.add_task(label, total=total)
            self._bar.start()
            self._route_logs_above(console)

    # -- what the runner and the pacer call ---------------------------------------------------------
    def advance(self, n: int) -> None:
        self.done += n
        self._wait_until = None
        if self.total is not None and self.done > self.total:  # rows retried within the run count again
            self.total = self.done
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, total=self.total)
        elif self.stream is not None and self.clock() - self._last_log >= self.every:
            self._last_log = self.clock()
            log.info("%s", self.line())

    def waiting(self, seconds: float) -> None:
        """The pacer sleeps ``seconds`` for monday's complexity budget (shown on the bar as such)."""
        self._wait_until = self.clock() + seconds
        if self._bar is not None:
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            for handler, stream in self._handlers:
                handler.setStream(stream)
            self._bar = None

    # -- the numbers ----------------------------------------------------------------------------------
    def rate(self) -> float:
        """Rows per minute since the start."""
        return self.done / max(self.clock() - self.started, 1e-6) * 60

    def waiting_left(self) -> float | None:
        if self._wait_until is None:
            return None
        left = self._wait_until - self.clock()
        return left if left > 0 else None

    def line(self) -> str:
        """The plain progress line (no terminal): done/total, percentage, rate, ETA."""
        rate = self.rate()
        if not self.total:
            return f"{self.label}: {self.done:,} done, {rate:,.0f}/min"
        eta = (self.total - self.done) / rate * 60 if rate > 0 else None
        return (f"{self.label}: {self.done:,}/{self.total:,} ({self.done * 100 // self.total} %), {rate:,.0f}/min, "
                f"ETA {_duration(eta) if eta is not None else 'unknown'}")

    def _route_logs_above(self, console: Console) -> None:
        """Log handlers writing to the bar's stream go through rich, which prints them above the bar."""
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is console.file:
                self._handlers.append((handler, handler.setStream(FileProxy(console, handler.stream))))
