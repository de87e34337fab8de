"""Emulator fixtures for these tests until the root conftest lists ``pusher.emulator.pytest_plugin``.

``pytest_plugins`` is only allowed in the root conftest, so the fixtures are imported here instead;
delete this file once tests/conftest.py has ``pytest_plugins = ["pusher.emulator.pytest_plugin"]``.
"""

from collections.abc import Callable
from typing import Any

import pytest
import requests

from pusher.emulator.pytest_plugin import monday_emulator, monday_emulator_factory  # noqa: F401
from pusher.emulator.server import EmulatorServer

TOKEN = "test-token"


@pytest.fixture
def api() -> Callable[..., requests.Response]:
    """POST a GraphQL document to an emulator over real HTTP, the way the pusher does."""

    def call(
        server: EmulatorServer,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = TOKEN,
        headers: dict[str, str] | None = None,
        timeout: float = 10,
    ) -> requests.Response:
        sent = {"Authorization": token} if token is not None else {}
        sent.update(headers or {})
        return requests.post(
            server.url, json={"query": query, "variables": variables or {}}, headers=sent, timeout=timeout
        )

    return call
