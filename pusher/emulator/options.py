"""Every setting of the emulator in one dataclass, shared by the CLI, the Python API and the fixtures.

Defaults are those of a personal token on a Pro plan (monday's documented limits, API 2026-10).
``test_mode`` keeps the limits but shortens every window to seconds, so a test can trip a limit and
watch it recover; any window set explicitly wins over the test-mode value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pusher.emulator.faults import FaultRule

DEFAULT_MUTATION_COSTS = {
    "create_item": 30_000,
    "create_subitem": 30_000,
    "change_multiple_column_values": 10_000,
    "change_simple_column_value": 10_000,
    "change_column_value": 10_000,
    "create_group": 10_000,
    "move_item_to_group": 10_000,
    "change_item_position": 10_000,
    "bulk_archive_items": 10_000,
    "bulk_delete_items": 10_000,
    "archive_group": 10_000,
    "delete_group": 10_000,
    "archive_item": 10_000,
    "delete_item": 10_000,
}

WINDOW_SECONDS = 60.0  # budget and rate windows: a minute
SLOW_SECONDS = 5.0
TEST_BUDGET_WINDOW = 2.0
TEST_RATE_WINDOW = 2.0
TEST_DAILY_WINDOW = 3.0
TEST_SLOW_SECONDS = 1.5
GRAPHQL_INT_MAX = 2**31 - 1  # complexity numbers are GraphQL Int: a larger budget could not be answered
COUNTS = ("complexity_per_minute", "complexity_per_request", "requests_per_minute", "daily_calls",
          "max_concurrency", "items_per_board")
SECONDS = ("budget_window_seconds", "rate_window_seconds", "daily_window_seconds", "slow_seconds",
           "idempotency_ttl_seconds", "conflict_retry_seconds")


@dataclass
class EmulatorOptions:
    host: str = "127.0.0.1"
    port: int = 0
    token: str | None = None  # None: any non-empty token is accepted
    viewer_tokens: tuple[str, ...] = ()  # tokens of view-only users: mutations get 403
    boards: tuple[str | Path, ...] = ()  # fixture files; none (and no board_fixtures) = the sample board
    board_fixtures: tuple[dict[str, Any], ...] = ()  # fixtures given as dicts (tests)
    test_mode: bool = False
    complexity_per_minute: int = 10_000_000
    complexity_per_request: int = 5_000_000
    budget_window_seconds: float | None = None  # None: 60 s, or 2 s in test mode
    requests_per_minute: int = 5_000
    rate_window_seconds: float | None = None  # None: 60 s, or 2 s in test mode
    daily_calls: int = 10_000
    daily_window_seconds: float | None = None  # None: until UTC midnight, or 3 s in test mode
    max_concurrency: int = 40
    items_per_board: int = 10_000
    idempotency_ttl_seconds: float = 1800.0
    mutation_costs: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MUTATION_COSTS))
    faults: tuple[FaultRule, ...] = ()
    slow_seconds: float | None = None  # None: 5 s, or 1.5 s in test mode
    seed: int = 0
    conflict_retry_seconds: int = 1
    account_id: int = 1

    def __post_init__(self) -> None:
        """Refuse numbers the emulator cannot honour, naming the option (a budget of 2**31 used to
        break the `complexity` field of every answer)."""
        problems = [f"{name} must be a whole number from 1 to {GRAPHQL_INT_MAX}, got {getattr(self, name)!r}"
                    for name in COUNTS if not _whole(getattr(self, name), 1)]
        problems += [f"mutation_costs[{kind}] must be a whole number from 0 to {GRAPHQL_INT_MAX}, got {cost!r}"
                     for kind, cost in self.mutation_costs.items() if not _whole(cost, 0)]
        problems += [f"{name} must be a positive number of seconds, got {getattr(self, name)!r}"
                     for name in SECONDS if getattr(self, name) is not None and not getattr(self, name) > 0]
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            problems.append(f"port must be from 0 to 65535, got {self.port!r}")
        if problems:
            raise ValueError("emulator options: " + "; ".join(problems))

    def budget_window(self) -> float:
        return self._window(self.budget_window_seconds, WINDOW_SECONDS, TEST_BUDGET_WINDOW)

    def rate_window(self) -> float:
        return self._window(self.rate_window_seconds, WINDOW_SECONDS, TEST_RATE_WINDOW)

    def daily_window(self) -> float | None:
        return self._window(self.daily_window_seconds, None, TEST_DAILY_WINDOW)

    def slow_delay(self) -> float:
        return self._window(self.slow_seconds, SLOW_SECONDS, TEST_SLOW_SECONDS)

    def _window(self, given: Any, normal: Any, test: Any) -> Any:
        if given is not None:
            return given
        return test if self.test_mode else normal


def _whole(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= GRAPHQL_INT_MAX
