"""`ordersync render-ops`: the operations scripts a DBA runs beside install.sql.

Kept apart from `ordersync render` because these are not deployed objects: the SQL Agent
jobs live in msdb, the security roles are a DBA's decision (and PostgreSQL roles are
cluster-wide), and the tSQLt classes belong on a test server only. They are rendered from
the same config and templates layer as the procedures, so names never drift apart.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pusher.commands.common import command, load
from pusher.config import Config
from pusher.errors import ConfigError
from pusher.paths import PROJECT_ROOT, TSQLT_DIR
from pusher.sql.catalog import read_columns_file
from pusher.sql.dialect import DIALECTS, Dialect
from pusher.sql.render import RenderedObject, Renderer, write_sql

# output file -> template; which of them a dialect has is its `ops_scripts` (SQL Agent and
# tSQLt exist on SQL Server only).
SECURITY_TEMPLATE = "db/security/roles.sql.j2"
SQLAGENT_TEMPLATE = "ops/sqlagent/sqlagent_jobs.sql.j2"
UNINSTALL_TEMPLATE = "ops/uninstall/uninstall.sql.j2"
EXPORT_TEMPLATE = "ops/export/export_columns.sql.j2"
DOCTOR_TEMPLATE = "ops/doctor/doctor.sql.j2"
OPS_TEMPLATES = {"security.sql": SECURITY_TEMPLATE, "doctor.sql": DOCTOR_TEMPLATE,
                 "sqlagent_jobs.sql": SQLAGENT_TEMPLATE, "uninstall.sql": UNINSTALL_TEMPLATE,
                 "export_columns.sql": EXPORT_TEMPLATE}

DESCRIPTION = """\
Write into DIR, from the config:
  security.sql        roles ordersync_pipeline and ordersync_pusher with EXECUTE on their
                      procedures and SELECT on the views, no table access (both dialects);
                      runs before or after install.sql and again; checks ownership chaining
  sqlagent_jobs.sql   SQL Agent jobs: sync.RunPipeline every [sql_agent] pipeline_every_minutes,
                      sync.Purge daily at retention_at, owned by sql_agent.owner_login (never
                      sa by default: the script refuses until it is set) (tsql only)
  uninstall.sql       removes jobs, roles, procedures, views and the sync schema; the tables
                      only when @DropTables = 1 is set in it (tsql only)
  doctor.sql          the read-only queries `ordersync doctor` runs, to read or run by hand
  export_columns.sql  the staging table's column list as the TSV `render --columns-file` reads,
                      for rendering away from the server (tsql only; see its header)
  tsqlt/*.class.sql   the tSQLt test classes (tsql only; scripts/run_tsqlt.py installs and runs them)
Every script is idempotent: run it again after changing the config or deploying again.
The Windows scheduled task is not rendered: see ops/windows/.
"""

EPILOG = """\
examples:
  ordersync render-ops --out out/ops
  sqlcmd -b -f 65001 -S SERVER -d DATABASE -E -i out/ops/security.sql
  sqlcmd -b -f 65001 -S SERVER -d DATABASE -E -i out/ops/sqlagent_jobs.sql
  ordersync render-ops --dialect postgres --out out/ops-pg && psql -v ON_ERROR_STOP=1 -f out/ops-pg/security.sql
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "render-ops", help="write the security roles, SQL Agent jobs and tSQLt classes for a DBA",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write")
        p.add_argument("--dialect", choices=tuple(DIALECTS), default="tsql", help="SQL dialect (default: tsql)")


def tsqlt_templates() -> list[str]:
    """The tSQLt class templates, relative to the project root, in name order."""
    return [p.relative_to(PROJECT_ROOT).as_posix() for p in sorted(TSQLT_DIR.glob("*.class.sql.j2"))]


def ops_renderer(config: Config, dialect: Dialect | str) -> Renderer:
    """A renderer on the configured staging column file (ops scripts do not touch staging)."""
    if config.columns_file is None:
        raise ConfigError("staging.columns_file is not set: set it so the ops scripts can be rendered")
    return Renderer(config, dialect, read_columns_file(config.columns_file))


def render_ops(renderer: Renderer) -> dict[str, RenderedObject]:
    """Output path (relative to DIR) -> rendered script, for the renderer's dialect."""
    outputs = {name: renderer.render(OPS_TEMPLATES[name]) for name in renderer.dialect.ops_scripts}
    if renderer.dialect.has_tsqlt:
        for obj in map(renderer.render, tsqlt_templates()):
            outputs[f"tsqlt/{obj.file_name}"] = obj
    return outputs


def run(args: argparse.Namespace) -> int:
    renderer = ops_renderer(load(args), args.dialect)
    outputs = render_ops(renderer)
    for name, obj in outputs.items():
        path = args.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_sql(path, obj.sql, renderer.dialect)
        print(f"wrote {path}")
    if "sqlagent_jobs.sql" in outputs and renderer.config.sql_agent.owner_login is None:
        print("note: sql_agent.owner_login is not set, so sqlagent_jobs.sql refuses to run: set it to a "
              "login whose database user is in ordersync_pipeline (jobs are never owned by sa by default)")
    return 0
