"""`ordersync doctor`: a read-only preflight of the configured database, before install and
whenever something looks wrong.

The queries live in ops/doctor/ (one rendered file per dialect, which `render-ops` also writes
for a DBA to read or run by hand); this module runs them one by one and judges the rows.
A check that cannot run (no right to read msdb, say) is reported "not checked" with the
reason, never passed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

from pusher.commands.common import command, load
from pusher.commands.render_ops import DOCTOR_TEMPLATE, ops_renderer
from pusher.config import Config
from pusher.errors import DatabaseError, ExitCode
from pusher.sql.connection import Database
from pusher.sql.deployed_config import changed_settings
from pusher.sql.dialect import Dialect, odbc_connection_string

DESCRIPTION = """\
Check the configured database, read-only, and print a checklist with a fix for each failed
line: engine version, compatibility level (>= 130 for OPENJSON), collation of the key columns,
READ_COMMITTED_SNAPSHOT / ALLOW_SNAPSHOT_ISOLATION, the ODBC driver, this login's permissions
against what the pusher and the pipeline need, the staging columns against what was rendered
(sync.CheckDrift), the SQL Agent jobs and tSQLt. Checks an engine does not have (SQL Agent on
PostgreSQL) say "n/a"; checks that could not run say "skip" and why.
"""

EPILOG = """\
exit codes: 0 nothing blocks; 1 at least one check FAILs; 2 bad config; 4 cannot connect.

examples:
  ordersync doctor --env production
  ordersync doctor --env production --output-json > doctor.json
  ordersync render-ops --env production --out out/ops    # out/ops/doctor.sql: the same queries
"""

_MARK = re.compile(r"^-- check: (\w+)$", re.MULTILINE)
SQLSERVER_DRIVERS = ("ODBC Driver 18 for SQL Server", "ODBC Driver 17 for SQL Server")
MIN_COMPATIBILITY = 130  # OPENJSON, used by the Mark...Synced and Mark...Failed procedures


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | n/a | skip
    detail: str
    fix: str = ""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "doctor", help="read-only preflight of the configured database: a checklist with fixes",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--output-json", action="store_true", help="print the checks as JSON instead of a checklist")


def run(args: argparse.Namespace) -> int:
    config = load(args)
    with Database(config) as db:
        checks = run_checks(db, config)
    if args.output_json:
        print(json.dumps({"environment": config.environment.name, "dialect": config.environment.dialect,
                          "blocking": sum(c.status == "fail" for c in checks),
                          "checks": [asdict(c) for c in checks]}, indent=2, ensure_ascii=False))
    else:
        print(checklist(config, checks))
    return int(ExitCode.ROWS_FAILED) if any(c.status == "fail" for c in checks) else 0


def doctor_queries(config: Config, dialect: Dialect | str) -> dict[str, str]:
    """Check name -> its query, from the rendered doctor file."""
    parts = _MARK.split(ops_renderer(config, dialect).render(DOCTOR_TEMPLATE).sql)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def run_checks(db: Database, config: Config) -> list[Check]:
    queries = doctor_queries(config, db.dialect)
    engine_rows = db.fetch(queries["engine"])  # a connection failure ends the run here (exit 4)
    checks = [_engine(db.dialect, engine_rows, config), _odbc(db)]
    for name, label, judge, absent in _JUDGES:
        if name not in queries:
            checks.append(Check(label, "n/a", absent))
            continue
        try:
            rows = db.fetch(queries[name])
        except DatabaseError as exc:
            checks.append(Check(label, "skip", f"could not run the check: {exc}",
                                "run `ordersync doctor` as a login that may read the catalog (a DBA)"))
            continue
        checks.append(judge(rows, config))
    checks.append(_drift(db))
    checks.append(_fingerprint(db))
    return checks


def checklist(config: Config, checks: list[Check]) -> str:
    env = config.environment
    marks = {"ok": " OK ", "warn": "WARN", "fail": "FAIL", "n/a": "n/a ", "skip": "SKIP"}
    lines = [f"ordersync doctor: environment {env.name} ({env.dialect}), read-only"]
    for check in checks:
        lines.append(f"  [{marks[check.status]}] {check.name}: {check.detail}")
        if check.fix and check.status in ("fail", "warn", "skip"):
            lines.append(f"         fix: {check.fix}")
    counts = {s: sum(c.status == s for c in checks) for s in marks}
    lines.append(f"{len(checks)} checks: {counts['ok']} ok, {counts['warn']} warnings, {counts['fail']} blocking, "
                 f"{counts['n/a'] + counts['skip']} not applicable or not checked")
    return "\n".join(lines)


# -- judges: rows in, one Check out ---------------------------------------------------------------


def _engine(dialect: Dialect, rows: list[dict], config: Config) -> Check:
    row = rows[0]
    reason = dialect.unsupported_reason(row["version"], row["edition"])
    if reason:
        return Check("engine version", "fail", reason, "upgrade the server before installing ordersync")
    return Check("engine version", "ok", f"{row['description']} {row['version']}")


def _odbc(db: Database) -> Check:
    if not db.dialect.uses_odbc:
        return Check("ODBC driver", "n/a", "PostgreSQL is reached through psycopg")
    try:
        import pyodbc
    except ImportError:
        return Check("ODBC driver", "fail", "pyodbc is not installed", "pip install 'ordersync[sqlserver]'")
    wanted = re.search(r"DRIVER=\{([^}]*)\}", odbc_connection_string(db.url), re.IGNORECASE)
    installed = pyodbc.drivers()
    names = [wanted[1]] if wanted else list(SQLSERVER_DRIVERS)
    found = [n for n in names if n in installed]
    if not found:
        return Check("ODBC driver", "fail", f"{' or '.join(names)} is not installed (found: {installed or 'none'})",
                     "install Microsoft ODBC Driver 18 for SQL Server on this machine")
    return Check("ODBC driver", "ok", found[0])


def _compatibility(rows: list[dict], config: Config) -> Check:
    level = rows[0]["level"]
    if level < MIN_COMPATIBILITY:
        return Check("compatibility level", "fail",
                     f"{level} is below {MIN_COMPATIBILITY}: OPENJSON fails (Msg 208) at the first MarkItemsSynced",
                     "ALTER DATABASE CURRENT SET COMPATIBILITY_LEVEL = 150; (check the database's other "
                     "applications first)")
    return Check("compatibility level", "ok", str(level))


def _collation(rows: list[dict], config: Config) -> Check:
    if not rows:
        return Check("key column collation", "skip", "not checked: neither the staging nor the orders table exists",
                     "deploy ordersync, then run the doctor again")
    by_column: dict[str, dict[str, str]] = {}
    for r in rows:
        by_column.setdefault(r["column_name"], {})[r["table_name"]] = r["collation_name"]
    detail = "; ".join(f"{column}: " + ", ".join(f"{c} in {t}" for t, c in tables.items())
                       for column, tables in by_column.items())
    mixed = [column for column, tables in by_column.items() if len(set(tables.values())) > 1]
    if mixed:
        return Check("key column collation", "fail", f"{detail}: the merge compares {', '.join(mixed)} across "
                     f"collations (Msg 468 on SQL Server)",
                     "give the column one collation in both tables (ALTER TABLE ... ALTER COLUMN ... COLLATE ...)")
    database, tempdb = rows[0]["database_collation"], rows[0]["tempdb_collation"]
    if tempdb and tempdb != database:
        return Check("key column collation", "warn", f"{detail}; tempdb is {tempdb}, the database {database}: "
                     f"temp tables take tempdb's collation", "align the server and database collations")
    return Check("key column collation", "ok", detail)


def _isolation(rows: list[dict], config: Config) -> Check:
    row = rows[0]
    detail = (f"READ_COMMITTED_SNAPSHOT {'ON' if row['read_committed_snapshot'] else 'OFF'}, "
              f"ALLOW_SNAPSHOT_ISOLATION {row['snapshot_isolation']}")
    if not row["read_committed_snapshot"]:
        return Check("snapshot isolation", "warn", f"{detail}: readers of the sync views wait for the pipeline's merge",
                     "ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON WITH ROLLBACK IMMEDIATE; "
                     "(in a quiet moment: it ends open transactions)")
    return Check("snapshot isolation", "ok", detail)


def _permissions(rows: list[dict], config: Config) -> Check:
    """PostgreSQL: what this login may do. SQL Server (`is_role`): what the roles hold, since the
    login running the doctor is usually a DBA, not the pusher's or the Agent job's login."""
    login = rows[0]["login_name"]
    absent = sorted({r["object_name"] for r in rows if not r["present"]})
    if absent:
        return Check("permissions", "skip", f"not checked for {login}: {len(absent)} ordersync objects are not "
                     f"deployed ({', '.join(absent[:3])}, ...)", "deploy ordersync and run security.sql first")
    missing = {who: [f"{r['permission']} on {r['object_name']}" for r in rows
                     if r["needed_by"] == who and not r["granted"]] for who in ("pusher", "pipeline")}
    if rows[0].get("is_role"):
        lacking = [f"ordersync_{who} lacks {', '.join(grants)}" for who, grants in missing.items() if grants]
        if lacking:
            return Check("permissions", "fail", "; ".join(lacking) + " (or a DENY overrides the grant)",
                         "run security.sql (as a DBA); remove any DENY to the role on those objects")
        return Check("permissions", "ok", "ordersync_pusher and ordersync_pipeline hold every grant they need "
                     "(a login needs membership: ALTER ROLE [ordersync_pusher] ADD MEMBER ...)")
    if missing["pusher"]:
        return Check("permissions", "fail", f"{login} lacks what the pusher needs: {', '.join(missing['pusher'])}",
                     "run security.sql, then ALTER ROLE [ordersync_pusher] ADD MEMBER <this login's user>")
    if missing["pipeline"]:
        return Check("permissions", "warn", f"{login} may run the pusher but not the pipeline "
                     f"({', '.join(missing['pipeline'])}): fine unless it runs `ordersync pipeline`",
                     "the Agent job owner's user needs ALTER ROLE [ordersync_pipeline] ADD MEMBER ...")
    return Check("permissions", "ok", f"{login} may run the pusher and the pipeline")


def _agent_jobs(rows: list[dict], config: Config) -> Check:
    if rows and not rows[0]["readable"]:
        return Check("SQL Agent jobs", "skip", "not checked: this login may not read msdb.dbo.sysjobs",
                     "run `ordersync doctor` as a sysadmin or a member of msdb's SQLAgentReaderRole")
    missing = [r["job_name"] for r in rows if r["enabled"] is None]
    disabled = [r["job_name"] for r in rows if r["enabled"] == 0]
    if missing or disabled:
        detail = "; ".join(part for part in (missing and f"missing: {', '.join(missing)}",
                                             disabled and f"disabled: {', '.join(disabled)}") if part)
        return Check("SQL Agent jobs", "fail", detail + ": the pipeline does not run on its own",
                     "render-ops, then sqlcmd -b -f 65001 -d <database> -i sqlagent_jobs.sql (it enables them)")
    owners = ", ".join(sorted({r["owner_login"] for r in rows}))
    if any(r["owner_is_sysadmin"] for r in rows):
        return Check("SQL Agent jobs", "warn", f"present and enabled, owned by {owners}, a sysadmin",
                     "set sql_agent.owner_login to a login in ordersync_pipeline and run sqlagent_jobs.sql again")
    return Check("SQL Agent jobs", "ok", f"present and enabled, owned by {owners}")


def _tsqlt(rows: list[dict], config: Config) -> Check:
    if rows[0]["installed"]:
        return Check("tSQLt", "ok", "installed")
    return Check("tSQLt", "skip", "not installed: only a test server needs it",
                 "see docs/runbook.md, 'Run the tSQLt suite on your server'")


def _drift(db: Database) -> Check:
    try:
        drift = db.call("CheckDrift")
    except DatabaseError as exc:
        if re.search(r"permission (was )?denied", str(exc), re.IGNORECASE):
            return Check("staging columns", "skip", f"not checked: {exc}",
                         "run the doctor as the owner or a DBA: CheckDrift is granted to no role (RunPipeline runs it)")
        return Check("staging columns", "fail", f"cannot compare them: {exc}", "deploy ordersync (install.sql) first")
    if drift:
        changes = ", ".join(f"{r['change']} {r['column_name']!r}" for r in drift)
        return Check("staging columns", "fail", f"staging differs from what the procedures were rendered for: "
                     f"{changes}", "render from the live table and deploy again (docs/runbook.md)")
    return Check("staging columns", "ok", "staging has exactly the columns the procedures were rendered for")


def _fingerprint(db: Database) -> Check:
    """The deployed objects against the config (sync.DeployedConfig, the check pipeline and sync make)."""
    try:
        changed = changed_settings(db)
    except DatabaseError as exc:
        return Check("deployed config", "fail", f"cannot compare: {exc}",
                     "`ordersync deploy` (SQL Server: install.sql)")
    if changed:
        return Check("deployed config", "fail", "the objects were rendered from other settings: " + "; ".join(changed),
                     "`ordersync deploy` (SQL Server: `ordersync render`, then install.sql)")
    return Check("deployed config", "ok", "the deployed objects were rendered from this config")


# (query name, label, judge, why the check does not apply to an engine without that query)
_JUDGES: tuple[tuple[str, str, Callable[[list[dict], Config], Check], str], ...] = (
    ("compatibility", "compatibility level", _compatibility, "SQL Server only (PostgreSQL has no such level)"),
    ("collation", "key column collation", _collation, ""),
    ("isolation", "snapshot isolation", _isolation, "PostgreSQL readers never wait for writers (MVCC)"),
    ("permissions", "permissions", _permissions, ""),
    ("agent_jobs", "SQL Agent jobs", _agent_jobs, "SQL Server only (schedule `ordersync pipeline` instead)"),
    ("tsqlt", "tSQLt", _tsqlt, "SQL Server only (the PostgreSQL suite is pytest)"),
)
