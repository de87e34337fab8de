"""Injected faults: the failures the pusher must survive without losing or duplicating a row.

Kinds (what the client sees / whether the request's mutations were applied):

* ``http_500``           HTTP 500 with a JSON error body; nothing applied.
* ``http_502``           HTTP 502 with an HTML body, like a proxy in front of the API; nothing applied.
* ``http_429``           HTTP 429 ``RATE_LIMIT_EXCEEDED`` with ``Retry-After: 1``; nothing applied (a storm
                         without a second client).
* ``internal_error_200`` HTTP 200 with ``errors: [{message: "Internal Server Error",
                         extensions: {code: "INTERNAL_SERVER_ERROR"}}]`` and no data; nothing applied.
* ``slow``               the response comes after ``slow_seconds`` (past the client's timeout); applied.
* ``drop_after_apply``   the mutations are applied, then the connection is closed with no response:
                         the ambiguous case the Idempotency-Key and look-ups exist for.

A rule fires by share (``rate``, drawn from a generator seeded with ``seed``), for the ``next`` N
requests, or on ``every`` k-th request; the first rule that fires wins. With the same seed and the
same request order the same requests fail, so a failing test can be replayed. A rule with ``match``
only considers mutations whose body holds that text (in the document or any variable, JSON inside
JSON included): alone it fails every such request, the one poisoned row of a batch. Reads holding
the text (a look-up by key) are answered, as monday answers a read of a value it cannot write.
"""

from __future__ import annotations

import json
import random
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

FAULT_KINDS = ("http_500", "http_502", "http_429", "internal_error_200", "slow", "drop_after_apply")
ALIASES = {
    "500": "http_500",
    "502": "http_502",
    "429": "http_429",
    "internal-error": "internal_error_200",
    "200-error": "internal_error_200",
    "drop": "drop_after_apply",
    "drop-after-apply": "drop_after_apply",
}
_MUTATION = re.compile(r"^\s*(?:#[^\n]*\n\s*)*mutation\b")  # comments may precede the operation


def fault_kind(name: str) -> str:
    kind = ALIASES.get(name, name.replace("-", "_"))
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {name!r}; use one of {', '.join(FAULT_KINDS + tuple(ALIASES))}")
    return kind


@dataclass(frozen=True)
class FaultRule:
    """One fault rule: ``kind`` plus exactly one of ``rate`` (0..1), ``next`` (N) or ``every`` (k);
    with ``match`` (text the request must contain) the schedule is optional: without one, every match fails."""

    kind: str
    rate: float | None = None
    next: int | None = None
    every: int | None = None
    match: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", fault_kind(self.kind))
        given = [x for x in (self.rate, self.next, self.every) if x is not None]
        if self.match is not None and not self.match:
            raise ValueError(f"fault {self.kind}: match needs a non-empty text")
        if len(given) > 1 or (not given and self.match is None):
            raise ValueError(f"fault {self.kind}: give exactly one of rate, next or every (optional with match)")
        if self.rate is not None and not 0 <= self.rate <= 1:
            raise ValueError(f"fault {self.kind}: rate must be between 0 and 1")
        if (self.next is not None and self.next < 0) or (self.every is not None and self.every < 1):
            raise ValueError(f"fault {self.kind}: next must be >= 0 and every >= 1")

    @classmethod
    def from_dict(cls, data: dict) -> FaultRule:
        unknown = set(data) - {"kind", "rate", "next", "every", "match"}
        if unknown or "kind" not in data:
            raise ValueError(f"a fault rule has keys kind, one of rate/next/every and/or match, got {sorted(data)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def parse_fault_option(text: str, mode: str) -> FaultRule:
    """Parse a CLI value such as ``500=0.1`` (mode "rate"), ``drop=2`` ("next"), ``slow=5`` ("every")
    or ``500=PO-1|RED`` ("match": every request holding that text)."""
    kind, sep, number = text.partition("=")
    if not sep:
        raise ValueError(f"expected KIND={'TEXT' if mode == 'match' else 'NUMBER'}, got {text!r}")
    value = number if mode == "match" else float(number) if mode == "rate" else int(number)
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

    def draw(self, body: bytes = b"") -> str | None:
        with self._lock:
            self._count += 1
            texts: list[str] | None = None
            for index, rule in enumerate(self.rules):
                if rule.match is not None:
                    texts = _texts(body) if texts is None else texts
                    if not _MUTATION.match(texts[-1]) or not any(rule.match in text for text in texts):
                        continue
                if rule.next is not None:
                    if self._left[index] > 0:
                        self._left[index] -= 1
                        return rule.kind
                elif rule.every is not None:
                    if self._count % rule.every == 0:
                        return rule.kind
                elif rule.rate is None or self._random.random() < rule.rate:
                    return rule.kind  # a match rule without a schedule fires on every match
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


def _texts(body: bytes) -> list[str]:
    """Every string inside the body, decoded (values travel as JSON inside JSON), the query text last."""
    raw = body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(raw)
    except ValueError:
        return [raw]
    query = payload.get("query") if isinstance(payload, dict) else None
    return [raw, *_strings(payload), query if isinstance(query, str) else ""]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        try:
            inner = json.loads(value)
        except ValueError:
            return
        if isinstance(inner, dict | list):
            yield from _strings(inner)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
