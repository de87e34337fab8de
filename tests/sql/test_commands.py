"""The sample-data, deploy and render commands against a real PostgreSQL, as a user runs them."""

from __future__ import annotations

import pytest

from pusher.cli import main as ordersync
from pusher.config import load_config
from pusher.sql.connection import Database
from pusher.sql.render import deploy_objects, deploy_order


@pytest.fixture
def cli_db(cli_config):
    with Database(load_config(cli_config)) as db:
        yield db


def _sync_objects(db: Database) -> list[dict]:
    return db.fetch(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables "
        "WHERE table_schema IN ('dbo', 'sync') UNION ALL "
        "SELECT routine_schema || '.' || routine_name FROM information_schema.routines "
        "WHERE routine_schema = 'sync' ORDER BY 1"
    )


# cli_config names its test database by URL, so it is not the embedded one: sample-data needs the flag.
SCRATCH = "--i-know-this-is-not-production"


def _staging_count(db: Database) -> int:
    return db.fetch('SELECT COUNT(*) AS n FROM dbo."swp_ORDER_LIST_V2"')[0]["n"]


def test_sample_data_creates_staging_and_loads_the_reference_po(cli_config, cli_db, capsys):
    assert ordersync(["sample-data", "--config", str(cli_config), SCRATCH]) == 0
    out = capsys.readouterr().out
    assert "created staging table dbo.swp_ORDER_LIST_V2" in out
    assert "loaded 69 orders with 317 non-zero size lines" in out
    assert _staging_count(cli_db) == 69


def test_sample_data_with_a_change_set_prints_each_change(cli_config, cli_db, capsys):
    assert ordersync(["sample-data", "--config", str(cli_config), "--change-set", "demo", SCRATCH]) == 0
    out = capsys.readouterr().out
    assert "loaded 68 orders" in out and "change set demo" in out
    for kind in ("quantity ", "size added ", "size removed ", "cancelled ", "dropped from staging "):
        assert f"\n  {kind}" in out
    assert _staging_count(cli_db) == 68


def test_sample_data_loads_a_seeded_random_snapshot(cli_config, cli_db, capsys):
    assert ordersync(["sample-data", "--config", str(cli_config), "--orders", "250", "--seed", "4", SCRATCH]) == 0
    assert "loaded 250 orders" in capsys.readouterr().out
    assert _staging_count(cli_db) == 250


@pytest.mark.parametrize(("args", "message"), [
    (["--seed", "3", SCRATCH], "give --orders N too"),
    (["--env", "production"], "belongs to the upstream load"),
])
def test_sample_data_refuses_bad_requests_with_exit_2(cli_config, capsys, monkeypatch, args, message):
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert ordersync(["sample-data", "--config", str(cli_config), *args]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("orders", ["0", "-3", "many"])
def test_sample_data_refuses_a_count_that_is_not_a_positive_whole_number_in_plain_words(cli_config, capsys, orders):
    with pytest.raises(SystemExit) as exit_:
        ordersync(["sample-data", "--config", str(cli_config), "--orders", orders])
    assert exit_.value.code == 2
    assert f"argument --orders: expected a whole number, 1 or more (got {orders!r}" in capsys.readouterr().err


def test_sample_data_writes_only_to_the_embedded_database_whatever_the_environment_is_called(
        cli_config, cli_db, capsys):
    """A SQL Server environment called `prod`, say: any database named by URL is refused without the flag."""
    prod = cli_config.read_text(encoding="utf-8").replace("[environment.development]", "[environment.prod]")
    prod = prod.replace('default_environment = "development"', 'default_environment = "prod"')
    cli_config.write_text(prod, encoding="utf-8")
    create = ["sample-data", "--config", str(cli_config)]
    assert ordersync(create) == 2
    err = capsys.readouterr().err
    assert "environment 'prod'" in err and "$ORDERSYNC_TEST_DATABASE_URL" in err and SCRATCH in err
    assert cli_db.fetch("SELECT to_regclass('dbo.\"swp_ORDER_LIST_V2\"') AS t") == [{"t": None}]  # untouched
    assert ordersync([*create, SCRATCH]) == 0
    assert _staging_count(cli_db) == 69


def test_deploy_dry_run_lists_every_object_and_changes_nothing(cli_config, cli_db, capsys):
    assert ordersync(["deploy", "--config", str(cli_config), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would deploy {len(deploy_objects())} objects" in out
    assert all(template in out for template in deploy_order())
    assert _sync_objects(cli_db) == []


def test_deploying_twice_changes_nothing(cli_config, cli_db, capsys):
    assert ordersync(["deploy", "--config", str(cli_config)]) == 0
    first = _sync_objects(cli_db)
    assert first and f"deployed {len(deploy_objects())} objects" in capsys.readouterr().out
    assert ordersync(["deploy", "--config", str(cli_config)]) == 0
    assert _sync_objects(cli_db) == first


def test_render_from_the_database_matches_render_from_the_column_file(cli_config, cli_db, tmp_path, capsys):
    assert ordersync(["sample-data", "--config", str(cli_config), SCRATCH]) == 0
    base = ["render", "--config", str(cli_config), "--dialect", "postgres"]
    assert ordersync([*base, "--out", str(tmp_path / "file")]) == 0
    assert ordersync([*base, "--out", str(tmp_path / "live"), "--from-database"]) == 0
    # the same SQL; only the file render names its column list (tests/ops/test_render_source.py)
    for path in sorted((tmp_path / "live").iterdir()):
        from_file = (tmp_path / "file" / path.name).read_text(encoding="utf-8").splitlines()
        assert [line for line in from_file if not line.startswith("-- staging columns from the file")] == \
            path.read_text(encoding="utf-8").splitlines(), path.name


def test_render_from_a_database_without_staging_says_so(cli_config, cli_db, tmp_path, capsys):
    code = ordersync(["render", "--config", str(cli_config), "--out", str(tmp_path), "--from-database"])
    assert code == 2
    assert "swp_ORDER_LIST_V2 does not exist in the development database" in capsys.readouterr().err


def test_a_pipeline_on_a_database_without_ordersync_says_to_deploy(cli_config, cli_db, capsys):
    assert ordersync(["pipeline", "--config", str(cli_config)]) == 4
    err = capsys.readouterr().err
    assert 'sync.RunPipeline failed: schema "sync" does not exist' in err
    assert "Fix: deploy ordersync to this database first: `ordersync deploy`" in err


def test_the_pipeline_after_sample_data_and_deploy_says_when_nothing_changed(cli_config, cli_db, capsys):
    for command in (["sample-data", SCRATCH], ["deploy"], ["pipeline"]):
        assert ordersync([*command, "--config", str(cli_config)]) == 0
    assert "item     CREATE          69" in capsys.readouterr().out
    assert ordersync(["pipeline", "--config", str(cli_config)]) == 0
    out = capsys.readouterr().out
    assert "0 change(s) queued" in out and "staging (69 rows) equals the current copy: merges skipped" in out


def test_status_on_a_database_without_ordersync_says_to_deploy(cli_config, cli_db, capsys):
    assert ordersync(["status", "--config", str(cli_config)]) == 4
    err = capsys.readouterr().err
    assert 'relation "sync.statuscounts" does not exist' in err.lower()
    assert "Fix: deploy ordersync to this database first: `ordersync deploy`" in err
