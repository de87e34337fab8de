"""`ordersync doctor`: the checks that apply run on the embedded PostgreSQL; the SQL Server
checks run against the fake SQL Server connection, which answers the doctor's own T-SQL
queries with the rows SQL Server would return. The queries are parsed by
tests/sql/test_tsql_parses.py and pinned by the golden files below."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pusher.cli import main as ordersync
from pusher.commands.doctor import doctor_queries, run_checks
from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import load_config
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT
from pusher.sql.connection import Database

URL_VARIABLE = "ORDERSYNC_DOCTOR_TEST_URL"
GOLDEN = PROJECT_ROOT / "tests" / "golden" / "doctor"


@pytest.fixture
def cli_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write the shipped config with its development environment pointed at a URL; returns a setter."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    section = "[environment.development]\n"
    path = tmp_path / "config.toml"
    path.write_text(text.replace(section, f'{section}database_url_env = "{URL_VARIABLE}"\n', 1), encoding="utf-8")
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)

    def pointed_at(url: str) -> Path:
        monkeypatch.setenv(URL_VARIABLE, url)
        return path
    return pointed_at


def _doctor(config_path: Path, capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = ordersync(["doctor", "--config", str(config_path), *extra])
    return code, capsys.readouterr().out


def _secured(db: Database, config) -> None:
    db.execute_script(render_ops(ops_renderer(config, "postgres"))["security.sql"].sql, "security.sql")


def test_a_deployed_database_passes_and_the_engine_only_checks_say_not_applicable(db, config, pg_url, cli_config,
                                                                                  capsys):
    _secured(db, config)
    code, out = _doctor(cli_config(pg_url), capsys)
    assert code == 0
    assert "[ OK ] engine version: PostgreSQL 16" in out or "[ OK ] engine version: PostgreSQL 15" in out
    assert "[ OK ] staging columns: staging has exactly the columns the procedures were rendered for" in out
    assert "[ OK ] permissions:" in out and "[ OK ] key column collation: AAG ORDER NUMBER:" in out
    for label in ("compatibility level", "snapshot isolation", "SQL Agent jobs", "tSQLt", "ODBC driver"):
        assert f"[n/a ] {label}:" in out
    assert "[ OK ] deployed config: the deployed objects were rendered from this config" in out
    assert out.rstrip().endswith("0 blocking, 5 not applicable or not checked")


def test_a_config_edited_after_deploy_is_a_blocking_line_naming_the_setting(db, config, pg_url, cli_config, capsys):
    _secured(db, config)
    path = cli_config(pg_url)
    path.write_text(path.read_text(encoding="utf-8").replace('separator = " - "', 'separator = " / "'),
                    encoding="utf-8")
    code, out = _doctor(path, capsys)
    assert code == 1
    assert "[FAIL] deployed config: the objects were rendered from other settings: " in out and "separator" in out
    assert "fix: `ordersync deploy`" in out


def test_json_output_names_every_check(db, config, pg_url, cli_config, capsys):
    _secured(db, config)
    code, out = _doctor(cli_config(pg_url), capsys, "--output-json")
    report = json.loads(out)
    assert code == 0 and report["blocking"] == 0 and report["dialect"] == "postgres"
    assert [c["name"] for c in report["checks"]][:2] == ["engine version", "ODBC driver"]
    assert {c["status"] for c in report["checks"]} <= {"ok", "n/a", "skip"}


def test_a_drifted_staging_table_blocks_and_names_the_column(db, config, pg_url, cli_config, capsys):
    staging = f'"{config.environment.data_schema}"."{config.tables.staging}"'
    db.execute_script(f'ALTER TABLE {staging} ADD COLUMN "NEW SIZE" INTEGER;', "drift")
    code, out = _doctor(cli_config(pg_url), capsys)
    assert code == 1
    assert "[FAIL] staging columns: staging differs from what the procedures were rendered for: added 'NEW SIZE'" in out
    assert "fix: render from the live table and deploy again" in out


def test_key_columns_in_two_collations_block(db, config, pg_url, cli_config, capsys):
    staging = f'"{config.environment.data_schema}"."{config.tables.staging}"'
    db.execute_script(f'ALTER TABLE {staging} ALTER COLUMN "AAG ORDER NUMBER" TYPE VARCHAR(100) COLLATE "POSIX";',
                      "collation")
    code, out = _doctor(cli_config(pg_url), capsys)
    assert code == 1
    assert "[FAIL] key column collation: AAG ORDER NUMBER: " in out and ", POSIX in swp_ORDER_LIST_V2;" in out
    assert "Msg 468" in out and "fix: give the column one collation in both tables" in out


def test_a_login_without_the_pusher_role_blocks_with_the_grant_to_run(db, config, pg_url, pg_admin_url, cli_config,
                                                                      capsys):
    _secured(db, config)
    login = f"t_doctor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {login} LOGIN")
    try:
        code, out = _doctor(cli_config(make_conninfo(pg_url, user=login)), capsys)
    finally:
        with psycopg.connect(pg_admin_url, autocommit=True) as admin:
            admin.execute(f"DROP ROLE {login}")
    assert code == 1
    assert f"[FAIL] permissions: {login} lacks what the pusher needs: EXECUTE on ClaimItems" in out
    assert "fix: run security.sql, then ALTER ROLE [ordersync_pusher] ADD MEMBER" in out
    assert "[ OK ] key column collation: AAG ORDER NUMBER:" in out  # read from the catalog, not the table
    assert "[SKIP] staging columns: not checked: sync.CheckDrift failed: permission denied" in out


def test_an_empty_database_says_deploy_first(pg_url, cli_config, capsys):
    code, out = _doctor(cli_config(pg_url), capsys)
    assert code == 1
    assert "[SKIP] permissions: not checked for" in out and "ordersync objects are not deployed" in out
    assert '[FAIL] staging columns: cannot compare them: sync.CheckDrift failed: schema "sync" does not exist' in out


# -- SQL Server, through the fake connection ------------------------------------------------------

def _sqlserver_rules(compatibility=150, rcsi=1, jobs=((1, 0), (1, 0)), collations=("Latin1_General_CI_AS",) * 2,
                     granted=1, msdb=True):
    staging, orders = collations
    return [
        ("SERVERPROPERTY('ProductVersion')", (["version", "edition", "description"],
                                              [("15.0.4375.4", 3, "Enterprise Edition (64-bit)")])),
        ("compatibility_level", (["level"], [(compatibility,)])),
        ("DATABASEPROPERTYEX", (["table_name", "column_name", "collation_name", "database_collation",
                                 "tempdb_collation"],
                                [("ORDER_LIST_V2", "AAG ORDER NUMBER", orders, orders, orders),
                                 ("swp_ORDER_LIST_V2", "AAG ORDER NUMBER", staging, orders, orders)])),
        ("is_read_committed_snapshot_on", (["read_committed_snapshot", "snapshot_isolation"], [(rcsi, "OFF")])),
        ("sys.database_permissions", (["login_name", "is_role", "object_name", "permission", "needed_by",
                                       "present", "granted"],
                                      [("ordersync_pusher", 1, "ClaimItems", "EXECUTE", "pusher", 1, 1),
                                       ("ordersync_pipeline", 1, "RunPipeline", "EXECUTE", "pipeline", 1, granted)])),
        ("msdb.dbo.sysjobs", (["job_name", "enabled", "owner_login", "owner_is_sysadmin", "readable"],
                              [(f"job {i}", enabled, "CONTOSO\\agent", sysadmin, 1)
                               for i, (enabled, sysadmin) in enumerate(jobs)] if msdb else
                              [(None, None, None, None, 0)])),
        ("tSQLt", (["installed"], [(0,)])),
        ("CheckDrift", (["change", "column_name"], [])),
    ]


def _by_name(checks) -> dict:
    return {c.name: c for c in checks}


def test_on_sql_server_a_healthy_server_gives_warnings_only(fake_sqlserver, tsql_config):
    checks = _by_name(run_checks(fake_sqlserver(_sqlserver_rules()), tsql_config))
    assert checks["engine version"].status == "ok" and "15.0.4375.4" in checks["engine version"].detail
    assert checks["compatibility level"].status == "ok"
    assert checks["snapshot isolation"].status == "ok"
    assert checks["key column collation"].detail == "AAG ORDER NUMBER: Latin1_General_CI_AS in ORDER_LIST_V2, " \
                                                    "Latin1_General_CI_AS in swp_ORDER_LIST_V2"
    assert checks["permissions"].status == "ok" and "ordersync_pusher and ordersync_pipeline" in \
        checks["permissions"].detail
    assert checks["SQL Agent jobs"].status == "ok" and checks["tSQLt"].status == "skip"
    assert checks["staging columns"].status == "ok"


def test_on_sql_server_compatibility_below_130_blocks_with_the_fix(fake_sqlserver, tsql_config):
    check = _by_name(run_checks(fake_sqlserver(_sqlserver_rules(compatibility=120)), tsql_config))[
        "compatibility level"]
    assert check.status == "fail" and "Msg 208" in check.detail
    assert check.fix.startswith("ALTER DATABASE CURRENT SET COMPATIBILITY_LEVEL = 150;")


def test_on_sql_server_rcsi_off_is_a_warning_with_the_recommendation(fake_sqlserver, tsql_config):
    check = _by_name(run_checks(fake_sqlserver(_sqlserver_rules(rcsi=0)), tsql_config))["snapshot isolation"]
    assert check.status == "warn"
    assert check.detail.startswith("READ_COMMITTED_SNAPSHOT OFF, ALLOW_SNAPSHOT_ISOLATION OFF")
    assert "SET READ_COMMITTED_SNAPSHOT ON" in check.fix


@pytest.mark.parametrize(("jobs", "status", "words"), [
    (((None, None), (1, 0)), "fail", "missing: job 0"),
    (((0, 0), (1, 0)), "fail", "disabled: job 0"),
    (((1, 1), (1, 1)), "warn", "a sysadmin"),
])
def test_on_sql_server_agent_jobs_missing_disabled_or_owned_by_a_sysadmin(fake_sqlserver, tsql_config, jobs, status,
                                                                         words):
    check = _by_name(run_checks(fake_sqlserver(_sqlserver_rules(jobs=jobs)), tsql_config))["SQL Agent jobs"]
    assert check.status == status and words in check.detail


def test_on_sql_server_a_role_without_its_grant_blocks_whoever_runs_the_doctor(fake_sqlserver, tsql_config):
    server = fake_sqlserver(_sqlserver_rules(granted=0))
    check = _by_name(run_checks(server, tsql_config))["permissions"]
    assert check.status == "fail" and check.detail.startswith("ordersync_pipeline lacks EXECUTE on RunPipeline")
    [query] = server.connection().statements("sys.database_permissions")
    assert "DATABASE_PRINCIPAL_ID(r.role_name)" in query and "HAS_PERMS_BY_NAME" not in query


def test_on_sql_server_agent_jobs_unreadable_by_this_login_are_skipped_not_queried(fake_sqlserver, tsql_config):
    server = fake_sqlserver(_sqlserver_rules(msdb=False))
    check = _by_name(run_checks(server, tsql_config))["SQL Agent jobs"]
    assert check.status == "skip" and "may not read msdb.dbo.sysjobs" in check.detail
    [query] = server.connection().statements("msdb.dbo.sysjobs")
    assert "IF HAS_PERMS_BY_NAME(N'msdb.dbo.sysjobs', N'OBJECT', N'SELECT') = 1" in query


def test_on_sql_server_key_columns_in_two_collations_block(fake_sqlserver, tsql_config):
    rules = _sqlserver_rules(collations=("Latin1_General_BIN2", "Latin1_General_CI_AS"))
    check = _by_name(run_checks(fake_sqlserver(rules), tsql_config))["key column collation"]
    assert check.status == "fail" and "Msg 468" in check.detail


def test_on_sql_server_a_check_it_may_not_run_is_skipped_not_passed(fake_sqlserver, tsql_config):
    from pusher.errors import DatabaseError
    rules = [("msdb.dbo.sysjobs", DatabaseError("The SELECT permission was denied on the object 'sysjobs'")),
             *_sqlserver_rules()]
    check = _by_name(run_checks(fake_sqlserver(rules), tsql_config))["SQL Agent jobs"]
    assert check.status == "skip" and "permission was denied" in check.detail


# -- the queries themselves --------------------------------------------------------------------------

@pytest.mark.parametrize("dialect", ["tsql", "postgres"])
def test_the_doctor_queries_match_the_golden_files(dialect):
    """Regenerate with `python scripts/regen_golden.py` after changing ops/doctor/."""
    config = load_config(GOLDEN.parent / "config.toml")
    rendered = ops_renderer(config, dialect).render("ops/doctor/doctor.sql.j2").sql
    assert (GOLDEN / f"{dialect}.sql").read_text(encoding="utf-8") == rendered


def test_each_engine_has_the_checks_it_can_answer():
    config = load_config(DEFAULT_CONFIG, "production")
    assert list(doctor_queries(config, "tsql")) == ["engine", "compatibility", "collation", "isolation",
                                                    "permissions", "agent_jobs", "tsqlt"]
    assert list(doctor_queries(config, "postgres")) == ["engine", "collation", "permissions"]
