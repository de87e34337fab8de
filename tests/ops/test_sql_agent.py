"""The SQL Agent job script and its [sql_agent] config, and `ordersync render-ops`.

The script cannot run here (no SQL Server, no msdb); these check what it would do from the
rendered text: what the config sets, that no server or database name is baked in, that a
failed step fails the job, and that a second run updates the jobs instead of duplicating
them. tests/sql/test_tsql_parses.py parses it (and every other template) with sqlfluff tsql.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import load_config
from pusher.errors import ConfigError
from pusher.paths import DEFAULT_CONFIG

CUSTOM = """
[sql_agent]
pipeline_job = "OrderSync: pipeline"
pipeline_every_minutes = 15
retention_job = "OrderSync: retention"
retention_at = "06:15"
purge_synced_after_days = 14
purge_run_log_after_days = 60
owner_login = "CONTOSO\\\\sqljobs"
output_directory = "D:\\\\Logs\\\\O'Brien"
notify_operator = "DBA Team"
"""


def _config_with(tmp_path: Path, sql_agent: str):
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = text[: text.index("[sql_agent]")] + sql_agent
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _jobs(config) -> list[str]:
    script = render_ops(ops_renderer(config, "tsql"))["sqlagent_jobs.sql"].sql
    return [b for b in re.split(r"^GO$", script, flags=re.MULTILINE) if "sp_add_job" in b]


def test_the_shipped_config_gives_a_five_minute_pipeline_and_a_nightly_purge():
    pipeline, retention = _jobs(load_config(DEFAULT_CONFIG, "production"))
    assert "DECLARE @JobName SYSNAME = N'ordersync - pipeline';" in pipeline
    assert "@command = N'EXEC [sync].[RunPipeline] @DryRun = 0;'" in pipeline
    assert re.search(r"@freq_subday_type = 4,\s+@freq_subday_interval = 5,", pipeline)  # every 5 minutes
    assert "DECLARE @JobName SYSNAME = N'ordersync - retention';" in retention
    assert ("@command = N'EXEC [sync].[Purge] @SyncedOlderThanDays = 30, @RunLogOlderThanDays = 90, "
            "@DryRun = 0;'") in retention
    assert re.search(r"@freq_subday_type = 1,\s+@freq_subday_interval = 0,\s+@active_start_time = 23000;",
                     retention)  # once a day at 02:30
    for job in (pipeline, retention):
        # no owner configured: the script refuses rather than fall back to sa
        assert "DECLARE @OwnerLogin SYSNAME = NULL;" in job and "0x01" not in job
        refusal = job.index("IF @OwnerLogin IS NULL")
        assert job.index("THROW 50003", refusal) < job.index("sp_add_job") and "never owned by sa" in job
        assert "@notify_level_email = 0;" in job


def test_names_owner_schedule_retention_output_and_operator_come_from_config(tmp_path):
    pipeline, retention = _jobs(load_config(_config_with(tmp_path, CUSTOM), "production"))
    assert "N'OrderSync: pipeline'" in pipeline and "N'OrderSync: retention'" in retention
    assert re.search(r"@freq_subday_interval = 15,", pipeline)
    assert "@active_start_time = 61500;" in retention
    assert "@SyncedOlderThanDays = 14, @RunLogOlderThanDays = 60" in retention
    for job in (pipeline, retention):
        assert "DECLARE @OwnerLogin SYSNAME = N'CONTOSO\\sqljobs';" in job
        assert "N'D:\\Logs\\O''Brien'," in job  # quoted as a literal, apostrophe doubled
        assert "@notify_level_email = 2,\n        @notify_email_operator_name = N'DBA Team';" in job


def test_no_server_or_database_name_is_baked_in_and_sqlcmd_variables_are_not_triggered():
    script = render_ops(ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql"))["sqlagent_jobs.sql"].sql
    assert not re.search(r"^\s*USE\s", script, re.MULTILINE | re.IGNORECASE)
    assert set(re.findall(r"@server_name = (N'[^']*')", script)) == {"N'(local)'"}
    assert set(re.findall(r"@database_name = (\S+),", script)) == {"@DatabaseName"}
    assert "DECLARE @DatabaseName SYSNAME = DB_NAME();" in script
    assert "$(" not in script  # Agent tokens are split as N'$' + N'(...', or sqlcmd would expand them
    assert "N'$' + N'(ESCAPE_SQUOTE(SQLLOGDIR))'" in script and "N'$' + N'(ESCAPE_SQUOTE(DATE)).txt'" in script


def test_a_failing_step_fails_the_job_and_is_reported(tmp_path):
    for job in _jobs(load_config(DEFAULT_CONFIG, "production")):
        assert "@on_fail_action = 2," in job and "@retry_attempts = 0;" in job
        assert "@output_file_name = @OutputFile," in job and "@flags = 2," in job  # appended, one file a day
        assert "@notify_level_eventlog = 2," in job
        assert re.search(r"BEGIN CATCH\s+IF @@TRANCOUNT > 0\s+ROLLBACK TRANSACTION;\s+THROW;\s+END CATCH;", job)
        # the script refuses a system database and a database without ordersync, before msdb is touched
        first_msdb = job.index("msdb.")
        assert job.index("IN (N'master', N'model', N'msdb', N'tempdb')") < first_msdb
        assert job.index("OBJECT_ID(N'[sync].") < first_msdb


def test_running_the_script_again_updates_each_job_in_place():
    for job in _jobs(load_config(DEFAULT_CONFIG, "production")):
        assert "sp_delete_job " not in job  # job history survives a re-run
        assert re.search(r"IF @JobId IS NULL\s+EXEC msdb\.dbo\.sp_add_job\b", job)
        assert "EXEC msdb.dbo.sp_update_job" in job
        assert "sp_delete_jobstep @job_id = @JobId, @step_id = 0;" in job
        assert re.search(r"WHILE EXISTS \(SELECT 1 FROM msdb\.dbo\.sysjobschedules WHERE job_id = @JobId\)", job)
        assert job.count("sp_add_jobstep") == job.count("sp_add_jobschedule") == 1
        assert "IF NOT EXISTS (SELECT 1 FROM msdb.dbo.sysjobservers WHERE job_id = @JobId)" in job


@pytest.mark.parametrize("block, problem", [
    ('retention_at = "2:30"', r"sql_agent.retention_at = '2:30' is not a time: write it as HH:MM"),
    ("pipeline_every_minutes = 0", r"sql_agent.pipeline_every_minutes = 0 is out of range: use 1..1440"),
    ("purge_synced_after_days = 0", r"sql_agent.purge_synced_after_days = 0 is out of range"),
    ('pipeline_job = "x"\nretention_job = "x"', r"pipeline_job and retention_job are both 'x': give the jobs"),
    ('pipeline_every_minute = 5', r"sql_agent.pipeline_every_minute is not a known setting: did you mean "
                                  r"'pipeline_every_minutes'\?"),
    (f'pipeline_job = "{"j" * 129}"', r"sql_agent.pipeline_job is longer than SQL Agent's 128 characters"),
])
def test_bad_sql_agent_settings_name_the_key_and_the_fix(tmp_path, block, problem):
    with pytest.raises(ConfigError, match=problem):
        load_config(_config_with(tmp_path, f"[sql_agent]\n{block}\n"), "production")


def test_the_sql_agent_table_may_be_left_out(tmp_path):
    agent = load_config(_config_with(tmp_path, ""), "production").sql_agent
    assert (agent.pipeline_every_minutes, agent.retention_at, agent.owner_login) == (5, "02:30", None)


def test_render_ops_writes_the_scripts_for_each_dialect(tmp_path, capsys):
    assert ordersync(["render-ops", "--out", str(tmp_path / "tsql")]) == 0
    written = sorted(p.relative_to(tmp_path / "tsql").as_posix() for p in (tmp_path / "tsql").rglob("*.sql"))
    tsqlt = [name for name in written if name.startswith("tsqlt/")]
    assert tsqlt and all(name.endswith(".class.sql") for name in tsqlt)
    assert set(written) - set(tsqlt) == {"security.sql", "doctor.sql", "sqlagent_jobs.sql", "uninstall.sql",
                                         "export_columns.sql"}
    assert ordersync(["render-ops", "--dialect", "postgres", "--out", str(tmp_path / "pg")]) == 0
    assert sorted(p.name for p in (tmp_path / "pg").rglob("*.sql")) == ["doctor.sql", "security.sql"]
    assert "wrote" in capsys.readouterr().out
