"""uninstall.sql (from `ordersync render-ops`) removes every ordersync object and no data
unless asked; it cannot run here, so its text is checked against the deploy order."""

from __future__ import annotations

import re
from pathlib import Path

from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import load_config
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.render import deploy_order


def _uninstall() -> tuple[str, object]:
    config = load_config(DEFAULT_CONFIG, "production")
    return render_ops(ops_renderer(config, "tsql"))["uninstall.sql"].sql, config


def test_every_deployed_procedure_and_view_is_dropped():
    sql, _ = _uninstall()
    for template in deploy_order():
        if template.startswith("procedures/"):
            name = Path(template).name.split(".")[1]
            kind = "VIEW" if template.endswith(".view.sql.j2") else "PROCEDURE"
            assert f"DROP {kind} IF EXISTS [sync].[{name}];" in sql, f"{template} would be left behind"


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
