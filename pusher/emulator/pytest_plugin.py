"""pytest fixtures that run the emulator over real HTTP: ``monday_emulator`` and ``monday_emulator_factory``.

Enable with ``pytest_plugins = ["pusher.emulator.pytest_plugin"]`` in the root conftest. Each test
gets its own server on a free port, with the sample board, test-mode limits and no faults, and the
server is stopped afterwards even when the test fails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pusher.emulator.options import EmulatorOptions
from pusher.emulator.server import EmulatorServer


@pytest.fixture
def monday_emulator_factory() -> Iterator[Callable[..., EmulatorServer]]:
    """Start emulators with option overrides, e.g. ``factory(requests_per_minute=3)``; all stop at teardown."""
    started: list[EmulatorServer] = []

    def start(**overrides: Any) -> EmulatorServer:
        options = EmulatorOptions(**{"port": 0, "test_mode": True, **overrides})
        server = EmulatorServer(options)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def monday_emulator(monday_emulator_factory: Callable[..., EmulatorServer]) -> EmulatorServer:
    """A running emulator (sample board, test-mode limits, no faults); ``.url`` is its /v2 endpoint."""
    return monday_emulator_factory()
