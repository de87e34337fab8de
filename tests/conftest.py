"""Shared fixtures: a real PostgreSQL for the whole session, a fresh database per test.

The server is the embedded one (pgserver) in the project's `.ordersync/test-pg` folder; it
is started by the tests themselves, so `python3 scripts/dev.py test` needs nothing running.
A deployed database (`db`, `deployed_database`) is a copy of a template database deployed
once per session for each distinct rendered SQL (`CREATE DATABASE ... TEMPLATE`): the same
objects as a fresh deploy, in a fraction of the time.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from pusher.config import Config, load_config
from pusher.paths import DEFAULT_CONFIG, state_dir
from pusher.sql.catalog import Column, read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.embedded import create_database, drop_database, server_url, url_of
from pusher.sql.render import STAGING_TEMPLATE, Renderer

TEST_PG_DIR = state_dir() / "test-pg"

# The monday emulator's fixtures: monday_emulator, monday_emulator_factory.
pytest_plugins = ["pusher.emulator.pytest_plugin"]


EMPTY_TEMPLATE = "template1"  # what a plain CREATE DATABASE copies
ALIVE = "ordersync-tests "  # application_name of a session's keep-alive connection, then its pid


class DatabaseCopies:
    """Test databases made as copies of a template: empty ones of `template1`, deployed ones
    of a template database holding a staging table plus every ordersync object, one per
    distinct rendered SQL, deployed on first use and dropped at the end of the session.

    Keyed by a hash of what would be deployed, so an edited template or another config gets
    its own template database. Names carry the process id: two sessions on one server (two
    pytest runs, xdist workers) never share or drop each other's templates. While a test
    runs, the next copy of its template is made in the background (a spare), so the next
    test only renames it.
    """

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.prefix = f"tpl_{os.getpid()}_"
        # Held open for the session: it tells other sessions on this server that this one's
        # templates are in use (see drop_orphans).
        self.alive = psycopg.connect(admin_url, autocommit=True, application_name=ALIVE + str(os.getpid()))
        self.made: dict[str, str] = {}  # rendered-SQL hash -> template database
        self.spares: dict[str, Future[str]] = {}  # template -> a copy of it being made
        self.copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-copier")
        self.drops: list[Future[None]] = []  # drops of used databases, checked at the end

    def create(self, database: str, config: Config, columns: list[Column]) -> None:
        """(Re)create `database` as a copy of the template for `config` and `columns`."""
        renderer = Renderer(config, config.environment.dialect, columns)
        rendered = [renderer.render(STAGING_TEMPLATE), *renderer.render_all()]
        key = hashlib.sha256("".join(o.sql for o in rendered).encode("utf-8")).hexdigest()[:16]
        if key not in self.made:
            self.made[key] = self._deploy(self.prefix + key, config, columns)
        drop_database(self.admin_url, database)
        self.copy(self.made[key], database)

    def copy(self, template: str, database: str) -> None:
        """Create `database` as a copy of `template` (the spare made meanwhile, if there is one)."""
        spare = self.spares.pop(template, None)
        if spare is None:
            create_database(self.admin_url, database, template=template)
        else:
            self._alter(spare.result(), "RENAME TO {}", database)
        self.spares[template] = self.copier.submit(self._spare, template)

    def drop_later(self, database: str) -> None:
        """Drop a used database in the background (sessions still on it included)."""
        self.drops.append(self.copier.submit(drop_database, self.admin_url, database))

    def _deploy(self, template: str, config: Config, columns: list[Column]) -> str:
        drop_database(self.admin_url, template)
        create_database(self.admin_url, template)
        with Database(config, url=url_of(self.admin_url, template)) as deploying:
            create_staging_and_deploy(deploying, columns)
        # PostgreSQL copies only a database nobody is connected to: the deploying session is
        # closed, and no one (autovacuum included) may connect again.
        self._alter(template, "WITH ALLOW_CONNECTIONS false")
        return template

    def _spare(self, template: str) -> str:
        spare = f"{self.prefix}spare_{uuid.uuid4().hex[:8]}"
        create_database(self.admin_url, spare, template=template)
        return spare

    def _alter(self, database: str, change: str, *names: str) -> None:
        alter = psycopg.sql.SQL("ALTER DATABASE {} " + change).format(
            psycopg.sql.Identifier(database), *map(psycopg.sql.Identifier, names))
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(alter)

    def drop_orphans(self) -> None:
        """Drop templates and spares left by sessions that ended without cleaning up (killed)."""
        orphans = self.alive.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'tpl\\_%%' AND split_part(datname, '_', 2) "
            "NOT IN (SELECT substr(application_name, %s) FROM pg_stat_activity WHERE application_name LIKE %s)",
            (len(ALIVE) + 1, ALIVE + "%")).fetchall()
        for (name,) in orphans:
            drop_database(self.admin_url, name)

    def drop_all(self) -> None:
        self.copier.shutdown(wait=True)
        for drop in self.drops:
            drop.result()  # raises what a failed drop raised
        for spare in self.spares.values():
            drop_database(self.admin_url, spare.result())
        for template in self.made.values():
            drop_database(self.admin_url, template)
        self.alive.close()


# The test server holds only throwaway databases: durability buys nothing there, and every
# commit and CREATE DATABASE would otherwise wait for the disk.
THROWAWAY_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of the `postgres` database on the session's embedded server (never flushed to disk)."""
    url = server_url(TEST_PG_DIR)
    with psycopg.connect(url, autocommit=True) as admin:
        for name, value in THROWAWAY_SETTINGS.items():
            admin.execute(psycopg.sql.SQL("ALTER SYSTEM SET {} = {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(value)))
        admin.execute("SELECT pg_reload_conf()")
    return url


@pytest.fixture(scope="session")
def database_copies(pg_admin_url: str) -> Iterator[DatabaseCopies]:
    copies = DatabaseCopies(pg_admin_url)
    copies.drop_orphans()
    yield copies
    copies.drop_all()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest, pg_admin_url: str, database_copies: DatabaseCopies) -> Iterator[str]:
    """A fresh database for one test, dropped after it: empty, or, when the test uses `db`,
    that deployed database (`db` creates it from its template; no empty one made first)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    if "db" not in request.fixturenames:
        database_copies.copy(EMPTY_TEMPLATE, name)
    yield url_of(pg_admin_url, name)
    database_copies.drop_later(name)


@pytest.fixture
def deployed_database(pg_url: str, database_copies: DatabaseCopies) -> Callable[[Config, list[Column]], None]:
    """``deploy(config, columns)`` makes `pg_url` a database with a staging table from `columns`
    and every object deployed for `config`, copied from the session's template for them."""
    name = psycopg.conninfo.conninfo_to_dict(pg_url)["dbname"]
    return lambda config, columns: database_copies.create(name, config, columns)


@pytest.fixture
def config() -> Config:
    """The shipped config, development environment (PostgreSQL)."""
    return load_config(DEFAULT_CONFIG, "development")


@pytest.fixture
def db(config: Config, pg_url: str, deployed_database: Callable[[Config, list[Column]], None]) -> Iterator[Database]:
    """A fresh database with the sample staging table and every ordersync object deployed."""
    deployed_database(config, read_columns_file(config.columns_file))
    database = Database(config, url=pg_url)
    yield database
    database.close()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """tests/fixtures: the real ORDER_LIST column list and board exports (see its README.md)."""
    return Path(__file__).resolve().parent / "fixtures"
