"""Injected faults: the failures the pusher must survive without losing or duplicating a row.

Kinds (what the client sees / whether the request's mutations were applied):

* ``http_500``           HTTP 500 with a JSON error body; nothing applied.
* ``http_502``           HTTP 502 with an HTML body, like a proxy in front of the API; nothing applied.
* ``internal_error_200`` HTTP 200 with ``errors: [{message: "Internal Server Error",
                         extensions: {code: "INTERNAL_SERVER_ERROR"}}]`` and no data; nothing applied.
* ``slow``               the response comes after ``slow_seconds`` (past the client's timeout); applied.
* ``drop_after_apply``   the mutations are applied, then the connection is closed with no response:
                         the ambiguous case the Idempotency-Key and look-ups exist for.

A rule fires by share (``rate``, drawn from a generator seeded with ``seed``), for the ``next`` N
requests, or on ``every`` k-th request; the first rule that fires wins. With the same seed and the
same request order the same requests fail, so a failing test can be replayed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

FAULT_KINDS = ("http_500", "http_502", "internal_error_200", "slow", "drop_after_apply")
ALIASES = {
    "500": "http_500",
    "502": "http_502",
    "internal-error": "internal_error_200",
    "200-error": "internal_error_200",
    "drop": "drop_after_apply",
    "drop-after-apply": "drop_after_apply",
}
APPLIED_KINDS = frozenset({"slow", "drop_after_apply"})


def fault_kind(name: str) -> str:
    kind = ALIASES.get(name, name.replace("-", "_"))
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {name!r}; use one of {', '.join(FAULT_KINDS + tuple(ALIASES))}")
    return kind


@dataclass(frozen=True)
class FaultRule:
    """One fault rule: ``kind`` plus exactly one of ``rate`` (0..1), ``next`` (N) or ``every`` (k)."""

    kind: str
    rate: float | None = None
    next: int | None = None
    every: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", fault_kind(self.kind))
        given = [x for x in (self.rate, self.next, self.every) if x is not None]
        if len(given) != 1:
            raise ValueError(f"fault {self.kind}: give exactly one of rate, next or every")
        if self.rate is not None and not 0 <= self.rate <= 1:
            raise ValueError(f"fault {self.kind}: rate must be between 0 and 1")
        if (self.next is not None and self.next < 0) or (self.every is not None and self.every < 1):
            raise ValueError(f"fault {self.kind}: next must be >= 0 and every >= 1")

    @classmethod
    def from_dict(cls, data: dict) -> FaultRule:
        unknown = set(data) - {"kind", "rate", "next", "every"}
        if unknown or "kind" not in data:
            raise ValueError(f"a fault rule has keys kind and one of rate/next/every, got {sorted(data)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def parse_fault_option(text: str, mode: str) -> FaultRule:
    """Parse a CLI value such as ``500=0.1`` (mode "rate"), ``drop=2`` ("next") or ``slow=5`` ("every")."""
    kind, sep, number = text.partition("=")
    if not sep:
        raise ValueError(f"expected KIND=NUMBER, got {text!r}")
    value = float(number) if mode == "rate" else int(number)
    return FaultRule(kind=kind.strip(), **{mode: value})


class FaultPlan:
    """Decides, request by request, which fault (if any) to inject."""

    def __init__(self, rules: Iterable[FaultRule] = (), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self.set(rules, seed)

    def set(self, rules: Iterable[FaultRule], seed: int | None = None) -> None:
        with self._lock:
            self.rules = list(rules)
            self._left = {i: r.next for i, r in enumerate(self.rules) if r.next is not None}
            self._count = 0
            if seed is not None:
                self.seed = seed
            self._random = random.Random(self.seed)

    def draw(self) -> str | None:
        with self._lock:
            self._count += 1
            for index, rule in enumerate(self.rules):
                if rule.next is not None:
                    if self._left[index] > 0:
                        self._left[index] -= 1
                        return rule.kind
                elif rule.every is not None:
                    if self._count % rule.every == 0:
                        return rule.kind
                elif self._random.random() < rule.rate:
                    return rule.kind
            return None

    def describe(self) -> dict:
        with self._lock:
            return {
                "seed": self.seed,
                "rules": [
                    {**r.to_dict(), **({"left": self._left[i]} if i in self._left else {})}
                    for i, r in enumerate(self.rules)
                ],
            }
