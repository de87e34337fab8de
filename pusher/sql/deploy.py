"""Deploy rendered objects to a database, in deploy order, idempotently.

`deploy` renders from the live staging catalog when the staging table exists (so what is
deployed fits what is there), else from the configured column file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pusher.errors import ConfigError
from pusher.sql.catalog import Column, read_columns_file
from pusher.sql.connection import Database
from pusher.sql.render import STAGING_TEMPLATE, Renderer
from pusher.sql.server_version import require_supported_server

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StagingColumns:
    """The staging table's columns and where they were read, for messages a DBA can follow."""

    columns: list[Column]
    live: bool  # True: the live table's catalog; False: staging.columns_file (no table yet)
    source: str


def staging_columns(db: Database) -> StagingColumns:
    """The staging table's columns: live catalog if it exists, else `staging.columns_file`."""
    cfg = db.config
    table = f"{cfg.environment.data_schema}.{cfg.tables.staging}"
    live = db.live_columns(cfg.environment.data_schema, cfg.tables.staging)
    if live:
        return StagingColumns(live, True, f"live table {table}")
    if cfg.columns_file is None:
        raise ConfigError(f"staging table {table} does not exist "
                          f"and staging.columns_file is not set: create the table or set the file")
    return StagingColumns(read_columns_file(cfg.columns_file), False, str(cfg.columns_file))


def deploy(db: Database, columns: list[Column] | None = None) -> list[str]:
    """Render every object for the database's dialect and run it; return the templates run.

    The server's version is checked first, so an old server is refused before any change.
    """
    log.info("deploying to %s %s", db.dialect.name, require_supported_server(db))
    renderer = Renderer(db.config, db.dialect, columns or staging_columns(db).columns)
    done = []
    for obj in renderer.render_all():
        log.info("deploying %s", obj.template)
        db.execute_script(obj.sql, obj.template)
        done.append(obj.template)
    return done


def create_staging(db: Database, columns: list[Column]) -> None:
    """Create the staging table (demo and tests only; production loads it upstream)."""
    renderer = Renderer(db.config, db.dialect, columns)
    schemas = renderer.render("db/schemas.sql.j2")
    db.execute_script(schemas.sql, schemas.template)
    obj = renderer.render(STAGING_TEMPLATE)
    db.execute_script(obj.sql, obj.template)


def create_staging_and_deploy(db: Database, columns: list[Column]) -> list[str]:
    """A staging table from a column list plus every ordersync object: the demo's, the
    benchmarks' and the tests' starting point. Returns the templates deployed."""
    create_staging(db, columns)
    return deploy(db, columns)
