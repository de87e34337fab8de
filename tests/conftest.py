"""Shared fixtures: a real PostgreSQL for the whole session, a fresh database per test.

The server is the embedded one (pgserver) in the project's `.ordersync/test-pg` folder; it
is started by the tests themselves, so `python3 scripts/dev.py test` needs nothing running.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pusher.config import Config, load_config
from pusher.paths import DEFAULT_CONFIG, state_dir
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.embedded import create_database, drop_database, server_url, url_of

TEST_PG_DIR = state_dir() / "test-pg"

# The monday emulator's fixtures: monday_emulator, monday_emulator_factory.
pytest_plugins = ["pusher.emulator.pytest_plugin"]


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of the `postgres` database on the session's embedded server."""
    return server_url(TEST_PG_DIR)


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    create_database(pg_admin_url, name)
    yield url_of(pg_admin_url, name)
    drop_database(pg_admin_url, name)


@pytest.fixture
def config() -> Config:
    """The shipped config, development environment (PostgreSQL)."""
    return load_config(DEFAULT_CONFIG, "development")


@pytest.fixture
def db(config: Config, pg_url: str) -> Iterator[Database]:
    """A fresh database with the sample staging table and every ordersync object deployed."""
    database = Database(config, url=pg_url)
    columns = read_columns_file(config.columns_file)
    create_staging_and_deploy(database, columns)
    yield database
    database.close()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: the real ORDER_LIST column list and board exports (see its README.md)."""
    return Path(__file__).resolve().parent / "fixtures"
