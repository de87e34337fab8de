"""uninstall.sql (from `ordersync render-ops`) removes every ordersync object and no data
unless asked; it cannot run here, so its text is checked against the deploy order."""

from __future__ import annotations

import re

from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import load_config
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.catalog import read_columns_file
from pusher.sql.render import Renderer


def _uninstall() -> tuple[str, object]:
    config = load_config(DEFAULT_CONFIG, "production")
    return render_ops(ops_renderer(config, "tsql"))["uninstall.sql"].sql, config


def test_every_deployed_procedure_and_view_is_dropped():
    sql, config = _uninstall()
    for obj in Renderer(config, "tsql", read_columns_file(config.columns_file)).render_all():
        if obj.template.startswith("procedures/"):
            name = obj.file_name.split(".")[1]
            kind = "VIEW" if obj.template.endswith(".view.sql.j2") else "PROCEDURE"
            assert f"DROP {kind} IF EXISTS [sync].[{name}];" in sql, f"{obj.source} would be left behind"
    for retired in ("ClaimBatch", "MarkSynced", "MarkFailed"):  # an older version's, if still there
        assert f"DROP PROCEDURE IF EXISTS [sync].[{retired}];" in sql


def test_jobs_and_roles_go_and_data_stays_unless_asked():
    sql, config = _uninstall()
    for job in (config.sql_agent.pipeline_job, config.sql_agent.retention_job):
        assert f"WHERE name = N'{job}';" in sql
    assert "DROP ROLE [ordersync_pusher];" in sql and "DROP ROLE [ordersync_pipeline];" in sql
    assert "DECLARE @DropTables BIT = 0;" in sql
    tables_part = sql[sql.index("IF @DropTables = 1"):]
    drops = re.findall(r"DROP TABLE IF EXISTS \[dbo\]\.\[(.+?)\];", sql)
    assert all(f"[{t}]" in tables_part for t in drops), "a table is dropped outside the @DropTables guard"
    assert set(drops) == set(vars(config.tables).values()) - {config.tables.staging}  # staging belongs upstream
