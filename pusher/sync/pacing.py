"""Pacing on monday's complexity budget: send as much as fits, wait only when the next batch would not.

Every document the pusher sends asks for ``complexity { before after query reset_in_x_seconds }``, so
each answer says how much budget is left and when the window resets. The pacer keeps that reading,
charges its own estimate for what it sends next, and tells the runner how many of the next mutations
fit now; only when not even one fits does it sleep, until the reset monday announced. A 429 for the
budget (or a ``RateLimit`` header, when monday sends one) updates the same reading. Estimates per
mutation start from monday's published costs and are corrected by what each answer reports.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

PER_REQUEST_CAP = 5_000_000  # monday refuses a single request above this many points
REQUEST_HEADROOM = 0.9  # keep each request below 90 % of the cap, estimates being estimates
DEFAULT_COSTS = {"create_item": 30_000, "create_subitem": 30_000, "create_group": 10_000}
DEFAULT_COST = 10_000
_RATELIMIT = re.compile(r'"?(?P<name>[\w-]+)"?\s*;\s*r=(?P<r>\d+)(?:\s*;\s*t=(?P<t>\d+))?')


class Pacer:
    """Budget bookkeeping shared by every request of one pusher process (thread-safe)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.remaining: int | None = None  # None until monday has told us
        self.reset_at: float | None = None
        self.scale = 1.0  # observed cost / estimated cost, smoothed
        self.window: int | None = None  # the largest budget seen before a request: the window's size, at least
        self.on_wait: Callable[[float], None] | None = None  # told before each wait (the progress bar)

    # -- estimates ----------------------------------------------------------------------------
    def estimate(self, kind: str) -> int:
        """Expected points for one mutation (or read) of ``kind``."""
        return math.ceil(DEFAULT_COSTS.get(kind, DEFAULT_COST) * self.scale)

    def learn(self, estimated: int, observed: int) -> None:
        """Correct future estimates by what monday charged for a request we estimated."""
        if estimated > 0 and observed > 0:
            with self._lock:
                self.scale = 0.5 * self.scale + 0.5 * (observed / estimated)

    # -- readings -----------------------------------------------------------------------------
    def observe(self, complexity: Mapping[str, int] | None) -> None:
        """Take the budget reading of one answer (``after`` is what is left once it was charged)."""
        if not complexity or complexity.get("after") is None:
            return
        with self._lock:
            self.remaining = int(complexity["after"])
            if complexity.get("before") is not None:
                self.window = max(self.window or 0, int(complexity["before"]))
            reset_in = complexity.get("reset_in_x_seconds")
            if reset_in is not None:
                self.reset_at = self._clock() + float(reset_in)

    def observe_headers(self, headers: Mapping[str, str]) -> None:
        """Read an IETF ``RateLimit`` header (``"complexity";r=<left>;t=<reset>``) when monday sends one."""
        for match in _RATELIMIT.finditer(headers.get("RateLimit", "")):
            if "complex" in match.group("name").lower():
                reset = match.group("t")
                self.observe({"after": int(match.group("r")), "reset_in_x_seconds": int(reset) if reset else None})

    def exhausted(self, retry_after: float | None) -> None:
        """monday said the budget is spent (429 COMPLEXITY_BUDGET_EXHAUSTED)."""
        with self._lock:
            self.remaining = 0
            if retry_after is not None:
                self.reset_at = self._clock() + retry_after

    # -- decisions ----------------------------------------------------------------------------
    def never_fits(self, cost: int) -> bool:
        """A request of ``cost`` is larger than a whole budget window: waiting for a reset cannot help."""
        return self.window is not None and cost > self.window

    def _refresh(self) -> None:
        if self.reset_at is not None and self._clock() >= self.reset_at:
            self.remaining, self.reset_at = None, None  # a new window: full budget, not yet read

    def fits(self, costs: list[int]) -> int:
        """How many of ``costs`` (in order) to send in one request now, waiting first if none fits.

        A request is never sized above the budget window monday has shown (nor the per-request cap),
        so a small plan's window is not met by a request that could never be accepted.
        """
        per_request = int(min(PER_REQUEST_CAP, self.window or PER_REQUEST_CAP) * REQUEST_HEADROOM)
        while True:
            with self._lock:
                self._refresh()
                budget = per_request if self.remaining is None else min(per_request, self.remaining)
                total, count = 0, 0
                for cost in costs:
                    if total + cost > budget:
                        break
                    total, count = total + cost, count + 1
                if count or not costs:
                    if self.remaining is not None:
                        self.remaining -= total  # charge now, so concurrent senders see it
                    return count
                wait = None if self.reset_at is None else max(0.0, self.reset_at - self._clock())
            if wait is None:  # budget known short but no reset announced: send one and learn
                return 1
            self._wait(wait + 0.05)

    def _wait(self, seconds: float) -> None:
        log.info("waiting %.0f s for monday's budget (the complexity window resets then)", seconds)
        if self.on_wait is not None:
            self.on_wait(seconds)
        self._sleep(seconds)
