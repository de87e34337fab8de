"""Fixtures for the SQL checks: the golden config, and a config file aimed at a test database.

Commands open their database from a config file, so CLI tests get a copy of the shipped
config whose development environment reads its URL from a variable set to the test database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pusher.config import Config, load_config
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT

GOLDEN_DIR = PROJECT_ROOT / "tests" / "golden"
URL_VARIABLE = "ORDERSYNC_TEST_DATABASE_URL"


@pytest.fixture
def golden_config() -> Config:
    """The small config the golden files pin: 14 columns, 5 sizes, one alias, awkward names."""
    return load_config(GOLDEN_DIR / "config.toml")


@pytest.fixture
def cli_config(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped config, its development environment pointed at a fresh test database."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    section = "[environment.development]\n"
    assert section in text, "the shipped config has no development environment to point at the test database"
    path = tmp_path / "config.toml"
    path.write_text(text.replace(section, f'{section}database_url_env = "{URL_VARIABLE}"\n', 1), encoding="utf-8")
    monkeypatch.setenv(URL_VARIABLE, pg_url)
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)
    return path
