"""security.sql runs on a fresh database before or after the deploy, and twice, and grants
EXECUTE only on what callers need: RunPipeline and Purge for the pipeline, the queue
procedures for the pusher, never the steps RunPipeline runs under its single-flight lock.

Executed on PostgreSQL; the T-SQL is checked as text (every statement that names an object
is guarded, the ownership check comes before any grant) and parsed by
tests/sql/test_tsql_parses.py.
"""

from __future__ import annotations

import re

import pytest

from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import Config, load_config
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy

INTERNAL = ("MergeHeaders", "MergeLines", "CheckDrift")
PIPELINE = ("RunPipeline", "Purge", "QueueRepairs")
PUSHER = ("ClaimItems", "ClaimSubitems", "MarkItemsSynced", "MarkSubitemsSynced", "MarkItemsFailed",
          "MarkSubitemsFailed", "ReleaseClaim", "RequeueFailed", "QueueRepairs", "SaveGroup",
          "StartRunLog", "EndRunLog")


def _security(config: Config, dialect: str) -> str:
    return render_ops(ops_renderer(config, dialect))["security.sql"].sql


def _can_execute(db: Database, role: str) -> set[str]:
    rows = db.fetch("SELECT p.proname FROM pg_catalog.pg_proc AS p JOIN pg_catalog.pg_namespace AS n "
                    "ON n.oid = p.pronamespace WHERE n.nspname = %s AND has_function_privilege(%s, p.oid, 'EXECUTE')",
                    (db.config.environment.sync_schema, role))
    return {r["proname"] for r in rows}


def test_on_postgresql_it_runs_before_the_deploy_after_it_and_twice(config, pg_url):
    db = Database(config, url=pg_url)
    try:
        script = _security(config, "postgres")
        db.execute_script(script, "security.sql")  # fresh database: no schema, no function, no table
        create_staging_and_deploy(db, read_columns_file(config.columns_file))
        db.execute_script(script, "security.sql")
        db.execute_script(script, "security.sql")

        assert _can_execute(db, "ordersync_pipeline") == set(PIPELINE)
        assert _can_execute(db, "ordersync_pusher") == set(PUSHER)
        assert _can_execute(db, "public") == set()
    finally:
        db.close()


def test_on_postgresql_a_rerun_takes_back_an_earlier_grant_on_the_merge_steps(db, config):
    schema = config.environment.sync_schema
    db.execute_script(f'GRANT EXECUTE ON FUNCTION "{schema}"."MergeHeaders" TO ordersync_pipeline;', "old grant")
    assert "MergeHeaders" in _can_execute(db, "ordersync_pipeline")
    db.execute_script(_security(config, "postgres"), "security.sql")
    assert not set(INTERNAL) & _can_execute(db, "ordersync_pipeline")


@pytest.fixture(scope="module")
def tsql() -> str:
    return _security(load_config(DEFAULT_CONFIG, "production"), "tsql")


def _statements(script: str, verb: str) -> list[tuple[str, str]]:
    """(line before, line) for every line starting with verb."""
    lines = script.splitlines()
    return [(lines[i - 1].strip(), line.strip()) for i, line in enumerate(lines) if line.strip().startswith(verb)]


@pytest.mark.parametrize("verb", ["GRANT", "DENY", "REVOKE", "CREATE ROLE"])
def test_on_sql_server_every_statement_naming_an_object_is_guarded_by_an_existence_check(tsql, verb):
    found = _statements(tsql, verb)
    assert found
    for before, statement in found:
        guard = r"IF DATABASE_PRINCIPAL_ID\(N'\w+'\) IS NULL" if verb == "CREATE ROLE" else \
            r"IF OBJECT_ID\(N'\[\w+\]\.\[\w+\]', N'[PUV]'\) IS NOT NULL"
        assert re.fullmatch(guard, before), f"unguarded: {statement} (after {before!r})"


def test_on_sql_server_only_what_callers_need_is_granted(tsql):
    granted = dict(re.findall(r"GRANT EXECUTE ON OBJECT::\[sync\]\.\[(\w+)\] TO \[(\w+)\];", tsql))
    assert granted == {**{p: "ordersync_pipeline" for p in PIPELINE}, **{p: "ordersync_pusher" for p in PUSHER}}
    for name in INTERNAL:
        assert f"REVOKE EXECUTE ON OBJECT::[sync].[{name}] FROM [ordersync_pipeline], [ordersync_pusher];" in tsql


def test_on_sql_server_ownership_chaining_is_checked_before_anything_is_granted(tsql):
    check = tsql.index("IF @SyncOwner IS NULL OR @DataOwner IS NULL")
    assert check < tsql.index("CREATE ROLE") < tsql.index("GRANT")
    assert "FROM sys.schemas WHERE name = N'sync'" in tsql and "FROM sys.schemas WHERE name = N'dbo'" in tsql
    assert re.search(r"ELSE IF @SyncOwner <> @DataOwner\nBEGIN\n.*?THROW 50010, @OwnerMessage, 1;\nEND\n", tsql, re.S)
    assert "ALTER AUTHORIZATION ON SCHEMA::[sync] TO " in tsql
