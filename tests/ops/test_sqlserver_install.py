"""The SQL Server install path: install.sql for sqlcmd, and `deploy` through pyodbc.

No SQL Server runs here: install.sql is read for the properties a DBA relies on (every
template and the install wrapper are parsed with sqlfluff tsql by tests/sql/test_tsql_parses.py),
and the Python deploy runs against a fake DB-API connection that answers the version query
like SQL Server 2016, 2019 or Azure SQL would.
"""

from __future__ import annotations

import re

import psycopg
import pytest

from pusher.config import load_config
from pusher.errors import DatabaseError
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.catalog import read_columns_file
from pusher.sql.deploy import deploy
from pusher.sql.dialect import POSTGRES, TSQL, odbc_connection_string
from pusher.sql.render import Renderer

VERSION_COLUMNS = ["version", "edition"]
SQL_SERVER_2016 = ("SERVERPROPERTY('ProductVersion')", (VERSION_COLUMNS, [("13.0.6300.2", 3)]))
SQL_SERVER_2019 = ("SERVERPROPERTY('ProductVersion')", (VERSION_COLUMNS, [("15.0.4345.5", 3)]))


@pytest.fixture(scope="module")
def install_sql() -> str:
    config = load_config(DEFAULT_CONFIG, "production")
    renderer = Renderer(config, "tsql", read_columns_file(config.columns_file))
    return renderer.install_script(renderer.render_all())


def _batches(script: str) -> list[str]:
    return [b.strip() for b in re.split(r"^\s*GO\s*$", script, flags=re.MULTILINE) if b.strip()]


@pytest.mark.parametrize("version, edition, supported", [
    ("13.0.6300.2", 3, False),  # SQL Server 2016 SP3, Enterprise
    ("11.0.7001.0", 2, False),  # SQL Server 2012
    ("14.0.3456.2", 2, True),  # 2017
    ("16.0.4135.4", 4, True),  # 2022 Express
    ("12.0.2000.8", 5, True),  # Azure SQL Database reports 12.x
    ("12.0.2000.8", 8, True),  # Azure SQL Managed Instance
])
def test_sql_server_2017_or_azure_sql_is_required(version, edition, supported):
    reason = TSQL.unsupported_reason(version, edition)
    assert (reason is None) == supported
    if not supported:
        assert version in reason and "SQL Server 2017" in reason


def test_postgres_15_or_newer_is_required():
    assert POSTGRES.unsupported_reason("16.2", 160002) is None
    assert "older than 15" in POSTGRES.unsupported_reason("14.11", 140011)


def test_deploy_refuses_sql_server_2016_before_changing_anything(fake_sqlserver):
    db = fake_sqlserver([SQL_SERVER_2016])
    with pytest.raises(DatabaseError, match=r"SQL Server 13\.0\.6300\.2 .* older than SQL Server 2017"):
        deploy(db)
    assert [sql for sql, _ in db.fake.executed if not sql.startswith("SELECT CAST(SERVERPROPERTY")] == []


def test_deploy_runs_each_object_batch_by_batch_on_sql_server_2019(fake_sqlserver, install_sql):
    db = fake_sqlserver([SQL_SERVER_2019, ("SELECT c.name AS column_name", (["column_name", "sql_type"], []))])
    done = deploy(db)
    queries = ("SELECT CAST(SERVERPROPERTY('ProductVersion')", "SELECT c.name AS column_name")
    batches = [sql for sql, _ in db.fake.executed if not sql.startswith(queries)]
    assert done and db.fake.executed[0][0].startswith("SELECT CAST(SERVERPROPERTY('ProductVersion')")
    assert not [b for b in batches if re.search(r"^\s*GO\s*$", b, re.MULTILINE)], "a GO reached the server"
    # the same batches a DBA's sqlcmd runs from install.sql, minus its header and version check
    sqlcmd_batches = _batches(install_sql)
    assert [b.strip() for b in batches] == sqlcmd_batches[2:-1]
    assert db.fake.commits == len(done) + 2 and db.fake.rollbacks == 0


def test_install_sql_checks_the_version_first_and_stops_everything_after_on_failure(install_sql):
    batches = _batches(install_sql)
    assert "SET XACT_ABORT ON;" in batches[0] and "SET QUOTED_IDENTIFIER ON;" in batches[0]
    check = batches[1]
    assert "SERVERPROPERTY('ProductVersion')" in check and "< 14" in check and "NOT IN (5, 8)" in check
    assert re.search(r"RAISERROR \(\s*N'ordersync needs SQL Server 2017.*?',\s*16, 1,", check, re.DOTALL)
    assert check.index("RAISERROR") < check.index("SET NOEXEC ON;")
    assert batches[-1] == "SET NOEXEC OFF;"


def test_install_sql_is_idempotent_and_keeps_grants(install_sql):
    """Code objects are CREATE OR ALTER, never dropped (only an older version's retired procedures
    go); tables and indexes only when missing."""
    drops = re.findall(r"^\s*DROP\s.*$", install_sql, re.MULTILINE | re.IGNORECASE)
    retired = [d for d in drops if re.fullmatch(r"DROP PROCEDURE IF EXISTS \[sync\]\.\[\w+\];", d)]
    assert retired == [f"DROP PROCEDURE IF EXISTS [sync].[{name}];"
                       for name in ("ClaimBatch", "MarkSynced", "MarkFailed")]
    assert all(re.fullmatch(r"\s*DROP TABLE IF EXISTS #\w+;", d) for d in drops if d not in retired), drops
    creates = re.findall(r"^\s*CREATE\s+(?:OR\s+ALTER\s+)?(\w+)", install_sql, re.MULTILINE | re.IGNORECASE)
    assert creates
    for batch in _batches(install_sql):
        for kind in re.findall(r"^\s*CREATE\s+(PROCEDURE|VIEW|FUNCTION|TRIGGER)\b", batch, re.MULTILINE):
            pytest.fail(f"CREATE {kind} without OR ALTER would fail on a second run:\n{batch[:300]}")
        for table in re.findall(r"CREATE TABLE (\[[^#].*?\]\.\[.*?\])", batch):
            assert f"IF OBJECT_ID(N'{table}', N'U') IS NULL" in batch
        if re.search(r"CREATE (UNIQUE )?INDEX", batch):
            assert "IF NOT EXISTS" in batch


def test_the_postgres_install_script_runs_twice_on_postgres(config, pg_url):
    """The same template layer on the engine CI runs: version check passes, second run is a no-op."""
    renderer = Renderer(config, "postgres", read_columns_file(config.columns_file))
    staging = renderer.render("db/staging/swp_ORDER_LIST_V2.sql.j2").sql
    script = renderer.install_script(renderer.render_all())
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS dbo")
        conn.execute(staging)
        conn.execute(script)
        conn.execute(script)
        tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'dbo'").fetchone()
    assert tables[0] >= 7


@pytest.mark.parametrize("url, expected", [
    ("mssql+pyodbc://sqlprod01:1433/OrderDB?driver=ODBC+Driver+18+for+SQL+Server&TrustServerCertificate=yes",
     "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sqlprod01,1433;DATABASE=OrderDB;Trusted_Connection=yes;"
     "TrustServerCertificate=yes"),
    ("mssql://svc_ordersync:p%3Bw@sqlprod01/OrderDB?driver=FreeTDS",
     "DRIVER={FreeTDS};SERVER=sqlprod01;DATABASE=OrderDB;UID=svc_ordersync;PWD={p;w}"),
    ("mssql+pyodbc://SQLPROD01%5CORDERS/OrderDB", "DRIVER={ODBC Driver 18 for SQL Server};SERVER=SQLPROD01\\ORDERS;"
                                                  "DATABASE=OrderDB;Trusted_Connection=yes"),
    ("DRIVER={ODBC Driver 18 for SQL Server};SERVER=sqlprod01;Trusted_Connection=yes",
     "DRIVER={ODBC Driver 18 for SQL Server};SERVER=sqlprod01;Trusted_Connection=yes"),
])
def test_sql_server_urls_become_odbc_connection_strings(url, expected):
    assert odbc_connection_string(url) == expected
