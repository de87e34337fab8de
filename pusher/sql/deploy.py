"""Deploy rendered objects to a database, in deploy order, idempotently.

`deploy` renders from the live staging catalog when the staging table exists (so what is
deployed fits what is there), else from the configured column file.

PostgreSQL keys a function on its name and argument types, so CREATE OR REPLACE with a new
parameter (an upgrade) adds an overload next to the old one, and a call by name then finds
two candidates. Deploy therefore drops, in the same transaction, every other overload of each
procedure it just created (the one it created carries this transaction's xmin). Their grants
go with them: run security.sql again after such an upgrade. SQL Server's CREATE OR ALTER
replaces by name and keeps grants.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pusher.errors import ConfigError
from pusher.sql.catalog import Column, read_columns_file
from pusher.sql.connection import Database
from pusher.sql.render import STAGING_TEMPLATE, RenderedObject, Renderer
from pusher.sql.server_version import require_supported_server

log = logging.getLogger(__name__)

# PostgreSQL: drop the overloads of sync."<name>" other than the one this transaction created.
_DROP_STALE_OVERLOADS = """
DO $stale$
DECLARE stale regprocedure;
BEGIN
    FOR stale IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = to_regnamespace({schema}) AND p.proname = {name}
          AND p.xmin::text <> (pg_current_xact_id()::text::bigint % 4294967296)::text
    LOOP
        RAISE NOTICE 'dropping the old signature %', stale;
        EXECUTE format('DROP FUNCTION %s', stale);
    END LOOP;
END
$stale$;
"""


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
        log.info("deploying %s", obj.source)
        db.execute_script(obj.sql + _stale_overloads(db, obj), obj.source)
        done.append(obj.source)
    return done


def _stale_overloads(db: Database, obj: RenderedObject) -> str:
    """For a PostgreSQL procedure (procedures/<schema>.<Name>.sql.j2): the block that drops
    its older signatures; else nothing."""
    if not db.dialect.overloads_on_replace or obj.procedure is None:
        return ""
    return _DROP_STALE_OVERLOADS.format(schema=db.dialect.literal(db.config.environment.sync_schema),
                                        name=db.dialect.literal(obj.procedure))


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
