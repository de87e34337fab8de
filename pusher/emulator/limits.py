"""monday's rate limits: complexity budget, requests per minute, daily calls, concurrent requests.

Each is a fixed window per token that opens with the first request after the last one closed, so
``reset_in_x_seconds`` and ``Retry-After`` are exact. Window lengths come from the options (a
minute, a UTC day), or a few seconds in test mode, so a test can watch a limit trip and recover.
A request refused by a limit is not counted against that limit, as a retried request would
otherwise push its own recovery further away.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


def retry_seconds(reset_in: float) -> int:
    """Whole seconds to wait, never 0 (Retry-After and retry_in_seconds are integers)."""
    return max(1, math.ceil(reset_in))


@dataclass
class _Window:
    start: float
    length: float
    used: int = 0


class FixedWindowCounter:
    """Counts units per key in fixed windows; ``window_seconds=None`` means "until next UTC midnight"."""

    def __init__(self, limit: int, window_seconds: float | None, clock: Clock = time.monotonic) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def _length(self) -> float:
        if self.window_seconds is not None:
            return self.window_seconds
        now = dt.datetime.now(dt.UTC)
        midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return (midnight - now).total_seconds()

    def _window(self, key: str) -> tuple[_Window, float]:
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now >= window.start + window.length:
            window = _Window(start=now, length=self._length())
            self._windows[key] = window
        return window, window.start + window.length - now

    def try_take(self, key: str, amount: int = 1) -> tuple[bool, int, float]:
        """Take ``amount`` if it fits; returns (ok, remaining before taking, seconds to reset)."""
        with self._lock:
            window, reset_in = self._window(key)
            remaining = self.limit - window.used
            if amount > remaining:
                return False, remaining, reset_in
            window.used += amount
            return True, remaining, reset_in

    def peek(self, key: str) -> tuple[int, float]:
        """(remaining, seconds to reset) without taking anything."""
        with self._lock:
            window, reset_in = self._window(key)
            return self.limit - window.used, reset_in

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class ConcurrencyGate:
    """At most ``limit`` requests in flight; a request over it is refused at once, not queued."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight = 0
        self._lock = threading.Lock()

    def try_enter(self) -> bool:
        with self._lock:
            if self._in_flight >= self.limit:
                return False
            self._in_flight += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


class Limits:
    """All limits of one emulator, built from its options."""

    def __init__(
        self,
        *,
        complexity_per_minute: int,
        complexity_per_request: int,
        budget_window_seconds: float,
        requests_per_minute: int,
        rate_window_seconds: float,
        daily_calls: int,
        daily_window_seconds: float | None,
        max_concurrency: int,
        clock: Clock = time.monotonic,
    ) -> None:
        self.complexity_per_request = complexity_per_request
        self.budget = FixedWindowCounter(complexity_per_minute, budget_window_seconds, clock)
        self.rate = FixedWindowCounter(requests_per_minute, rate_window_seconds, clock)
        self.daily = FixedWindowCounter(daily_calls, daily_window_seconds, clock)
        self.concurrency = ConcurrencyGate(max_concurrency)

    def reset(self) -> None:
        """Forget every window (admin reset); in-flight requests keep their slots."""
        for counter in (self.budget, self.rate, self.daily):
            counter.reset()
