"""The Idempotency-Key cache: the first response to a key is kept and replayed for the TTL.

monday caches the response of a request carrying ``Idempotency-Key`` for 30 minutes; a retry with
the same key gets that response again with ``Idempotency-Replayed: true`` and changes nothing, and a
duplicate that arrives while the first is still running gets 409 ``IDEMPOTENCY_CONFLICT``. Keys are
scoped by token. Only responses of requests that actually ran are cached: a request refused by a
limit or an injected fault before it ran leaves no entry, so its retry runs for real.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass
class _Entry:
    expires_at: float
    response: StoredResponse | None = None  # None while the first request is still running


@dataclass
class Claim:
    """What ``IdempotencyCache.begin`` decided: run it, replay ``response``, or refuse as a conflict."""

    outcome: str  # "run" | "replay" | "conflict"
    response: StoredResponse | None = None


@dataclass
class IdempotencyCache:
    ttl_seconds: float = 1800.0
    clock: Callable[[], float] = time.monotonic
    _entries: dict[tuple[str, str], _Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def begin(self, token: str, key: str) -> Claim:
        with self._lock:
            now = self.clock()
            self._expire(now)
            entry = self._entries.get((token, key))
            if entry is None:
                self._entries[(token, key)] = _Entry(expires_at=now + self.ttl_seconds)
                return Claim("run")
            if entry.response is None:
                return Claim("conflict")
            return Claim("replay", entry.response)

    def complete(self, token: str, key: str, response: StoredResponse) -> None:
        """Keep the response of a request that ran; the TTL counts from now."""
        with self._lock:
            self._entries[(token, key)] = _Entry(self.clock() + self.ttl_seconds, response)

    def abandon(self, token: str, key: str) -> None:
        """Forget a key whose request never ran (refused by a limit, a parse error or a fault)."""
        with self._lock:
            entry = self._entries.get((token, key))
            if entry is not None and entry.response is None:
                del self._entries[(token, key)]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _expire(self, now: float) -> None:
        for scope in [s for s, e in self._entries.items() if e.response is not None and e.expires_at <= now]:
            del self._entries[scope]
