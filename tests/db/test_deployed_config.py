"""The deployed objects know their config: deploy renders the baked-in settings into
sync.DeployedConfig; `ordersync pipeline` and `ordersync sync` refuse (exit 2) naming what
changed in the TOML since, and the fix; an unchanged config (or a change that travels with
the call) goes through."""

from __future__ import annotations

from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.config import load_config
from pusher.errors import DatabaseError, ExitCode
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.deployed_config import require_deployed_config

URL_VARIABLE = "ORDERSYNC_TEST_DATABASE_URL"


@pytest.fixture
def deployed(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file on the test database, and every object deployed from it."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        "[environment.development]\n", f'[environment.development]\ndatabase_url_env = "{URL_VARIABLE}"\n', 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(URL_VARIABLE, pg_url)
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)
    config = load_config(path)
    with Database(config) as db:
        create_staging_and_deploy(db, read_columns_file(config.columns_file))
    return path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"the shipped config no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unchanged_config_runs(deployed, capsys):
    assert ordersync(["pipeline", "--config", str(deployed)]) == 0
    with Database(load_config(deployed)) as db:
        require_deployed_config(db)  # no refusal


@pytest.mark.parametrize(("old", "new", "named"), [
    ('"DESTINATION" = "text_destination"', '"FACTORY" = "text_destination"',
     'monday.item_columns (staging columns): deployed ['),
    ('key_columns = ["AAG ORDER NUMBER"]', 'key_columns = ["AAG ORDER NUMBER", "PO NUMBER"]',
     'order.key_columns: deployed ["AAG ORDER NUMBER"], config ["AAG ORDER NUMBER", "PO NUMBER"]'),
    ('separator = " - "', 'separator = " / "', 'order.item_name: deployed'),
    ('orders = "ORDER_LIST_V2"', 'orders = "ORDER_LIST_V3"',
     'tables.orders: deployed "ORDER_LIST_V2", config "ORDER_LIST_V3"'),
])
def test_a_setting_changed_after_deploy_is_refused_by_pipeline_and_sync_naming_it(deployed, capsys, old, new, named):
    edit(deployed, old, new)
    assert ordersync(["pipeline", "--config", str(deployed)]) == ExitCode.CONFIG_ERROR
    err = capsys.readouterr().err
    assert named in err and "Fix: `ordersync deploy`" in err
    with Database(load_config(deployed)) as db:  # RunPipeline refused it and logged why
        logged = db.fetch('SELECT outcome, error_number FROM dbo."ORDER_LIST_RUN_LOG" ORDER BY run_log_id')
        assert logged == [{"outcome": "REFUSED", "error_number": 50005}]
    assert ordersync(["sync", "--dry-run", "--config", str(deployed)]) == ExitCode.CONFIG_ERROR
    assert named in capsys.readouterr().err


def test_a_redeploy_after_the_change_lets_the_pipeline_run_again(deployed, capsys):
    edit(deployed, 'separator = " - "', 'separator = " / "')
    assert ordersync(["pipeline", "--config", str(deployed)]) == ExitCode.CONFIG_ERROR
    assert ordersync(["deploy", "--config", str(deployed)]) == 0
    assert ordersync(["pipeline", "--config", str(deployed)]) == 0


def test_settings_that_travel_with_the_call_need_no_redeploy(deployed, capsys):
    edit(deployed, "max_attempts = 5", "max_attempts = 3")
    edit(deployed, "max_archive_count = 100", "max_archive_count = 50")
    edit(deployed, '"DESTINATION" = "text_destination"', '"DESTINATION" = "text_destination_2"')
    with Database(load_config(deployed)) as db:
        require_deployed_config(db)  # monday ids, attempts and guard thresholds are sent per call


def test_objects_deployed_without_the_fingerprint_are_refused_with_the_fix(deployed):
    with Database(load_config(deployed)) as db:
        db.fetch('DROP VIEW sync."DeployedConfig"')
        with pytest.raises(DatabaseError, match=r"sync.DeployedConfig\"? does not exist.*Fix: .*`ordersync deploy`"):
            require_deployed_config(db)


def test_a_dba_call_without_a_fingerprint_is_not_checked(deployed):
    with Database(load_config(deployed)) as db:
        assert db.call("RunPipeline", DryRun=True) == []  # the Agent job's call: what was deployed runs
