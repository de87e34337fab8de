"""Counters tests read to prove behaviour ("no duplicates", "N retries") and to measure throughput."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.started = time.monotonic()
            self.requests = 0
            self.statuses: Counter[str] = Counter()
            self.errors: Counter[str] = Counter()
            self.mutations: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.complexity_spent = 0
            self.replays = 0

    def request(self) -> None:
        with self._lock:
            self.requests += 1

    def response(self, status: int | str, error_codes: list[str]) -> None:
        """Count one answer; ``status`` is the HTTP status, or "dropped" for a closed connection."""
        with self._lock:
            self.statuses[str(status)] += 1
            self.errors.update(error_codes)

    def mutation(self, kind: str) -> None:
        with self._lock:
            self.mutations[kind] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def spent(self, complexity: int) -> None:
        with self._lock:
            self.complexity_spent += complexity

    def replay(self) -> None:
        with self._lock:
            self.replays += 1

    def snapshot(self) -> dict[str, Any]:
        """Plain JSON-ready numbers; ``mutations`` counts only mutations that were applied."""
        with self._lock:
            return {
                "requests": self.requests,
                "http_statuses": dict(sorted(self.statuses.items())),
                "errors_by_code": dict(sorted(self.errors.items())),
                "mutations": dict(sorted(self.mutations.items())),
                "mutations_total": sum(self.mutations.values()),
                "complexity_spent": self.complexity_spent,
                "faults_injected": dict(sorted(self.faults.items())),
                "idempotent_replays": self.replays,
                "uptime_seconds": round(time.monotonic() - self.started, 3),
            }
