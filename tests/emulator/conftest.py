"""Helpers for the emulator's own tests (the fixtures come from the root conftest's plugin)."""

from collections.abc import Callable
from typing import Any

import pytest
import requests

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
