"""RunPipeline's mass-change guard on PostgreSQL: empty or half-loaded snapshot staging is
refused (nothing merged, nothing queued, a REFUSED run-log row with the numbers, exit 5);
changes under the threshold and runs let through by the override go through."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pipeline_support import item_deltas, line_deltas, lines, order, rows, stage

from pusher.cli import main as ordersync
from pusher.config import ArchiveGuard, Config
from pusher.errors import ExitCode, MassChangeRefused
from pusher.paths import DEFAULT_CONFIG
from pusher.pipeline import run_pipeline
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy

# Ten orders of two sizes each: the board every test starts from.
BOARD = [order(f"A{i}", {"XS": i + 1, "S": 1}) for i in range(10)]
STRICT = ArchiveGuard(share=0.10, count=2)  # refuse above max(2 rows, 10 %)


@pytest.fixture
def board(config: Config, pg_url: str):
    """The ten orders merged once (and their queue rows marked SYNCED), with a strict guard."""
    with Database(dataclasses.replace(config, archive_guard=STRICT), url=pg_url) as db:
        create_staging_and_deploy(db, read_columns_file(config.columns_file))
        stage(db, *BOARD)
        run_pipeline(db)
        yield db


def _state(db: Database) -> tuple:
    """Everything a merge changes: the queues, the current copy's removal marks, the lines."""
    removed = [(r["order_key"], r["is_removed"]) for r in rows(db, "ORDER_LIST_V2", "order_key, is_removed")]
    return item_deltas(db), line_deltas(db), removed, lines(db)


def _last_run(db: Database) -> dict:
    return rows(db, "ORDER_LIST_RUN_LOG", "step, outcome, is_dry_run, error_number, error_message, run_log_id",
                "6")[-1]


def test_empty_staging_is_refused_and_changes_nothing(board):
    before = _state(board)
    stage(board)
    with pytest.raises(MassChangeRefused, match="is empty: this run would archive all 10 live orders"):
        run_pipeline(board)
    assert _state(board) == before
    logged = _last_run(board)
    assert (logged["step"], logged["outcome"], logged["error_number"]) == ("RunPipeline", "REFUSED", 50004)
    assert "--allow-mass-archive" in logged["error_message"]


def test_half_loaded_staging_is_refused_with_the_numbers(board):
    before = _state(board)
    stage(board, *BOARD[:5])
    with pytest.raises(MassChangeRefused) as refused:
        run_pipeline(board)
    assert "would archive 5 of 10 live orders and delete 0 of 20 size lines" in str(refused.value)
    assert "the limit for each is 2 rows or 10.00 %" in str(refused.value)
    assert _state(board) == before
    assert _last_run(board)["error_number"] == 50004


def test_staging_with_its_size_columns_unloaded_is_refused_for_the_line_deletes(board):
    before = _state(board)
    stage(board, *[{k: v for k, v in row.items() if k not in ("XS", "S")} for row in BOARD])
    with pytest.raises(MassChangeRefused, match="would archive 0 of 10 live orders and delete 20 of 20 size lines"):
        run_pipeline(board)
    assert _state(board) == before


def test_a_dry_run_shows_the_refusal_too(board):
    before = _state(board)
    stage(board, *BOARD[:5])
    with pytest.raises(MassChangeRefused, match="would archive 5 of 10"):
        run_pipeline(board, dry_run=True)
    assert _state(board) == before
    logged = _last_run(board)
    assert (logged["outcome"], logged["is_dry_run"]) == ("REFUSED", True)


def test_a_change_below_the_threshold_goes_through(board):
    stage(board, *BOARD[:8], order("A8", {"XS": 9}), order("A9", {"XS": 10, "S": 1}))
    result = run_pipeline(board)
    assert result.count("item", "ARCHIVE") == 0
    assert result.count("subitem", "DELETE") == 1
    stage(board, *BOARD[:8])  # 2 of 10 archived: not above 2 rows
    assert run_pipeline(board).count("item", "ARCHIVE") == 2


def test_the_shipped_thresholds_let_a_small_board_lose_three_of_ten_orders(config, pg_url):
    with Database(config, url=pg_url) as db:
        create_staging_and_deploy(db, read_columns_file(config.columns_file))
        stage(db, *BOARD)
        run_pipeline(db)
        stage(db, *BOARD[:7])
        assert run_pipeline(db).count("item", "ARCHIVE") == 3


def test_the_override_lets_one_run_through_and_the_next_is_guarded_again(board):
    stage(board, *BOARD[:5])
    result = run_pipeline(board, allow_mass_archive=True)
    assert result.count("item", "ARCHIVE") == 5
    assert sorted(k for k, action, _ in item_deltas(board) if action == "ARCHIVE") == [f"A{i}" for i in range(5, 10)]
    stage(board, BOARD[0])  # 4 of the 5 live orders would go now
    with pytest.raises(MassChangeRefused, match="would archive 4 of 5 live orders"):
        run_pipeline(board)


def test_the_thresholds_travel_with_the_call_without_a_redeploy(board):
    stage(board, *BOARD[:5])
    loose = dataclasses.replace(board.config, archive_guard=ArchiveGuard(share=0.5, count=5))
    with Database(loose, url=board.url) as db:
        assert run_pipeline(db).count("item", "ARCHIVE") == 5  # 5 is not above max(5, 50 %)


def test_incremental_staging_is_never_guarded(config, pg_url):
    incremental = dataclasses.replace(config, staging_mode="incremental", archive_guard=STRICT)
    with Database(incremental, url=pg_url) as db:
        create_staging_and_deploy(db, read_columns_file(config.columns_file))
        stage(db, *BOARD)
        run_pipeline(db)
        stage(db)
        assert run_pipeline(db).changed == 0


@pytest.fixture
def cli_config(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped config on the test database, with the strict thresholds set in the TOML."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = text.replace("[environment.development]\n",
                        '[environment.development]\ndatabase_url_env = "ORDERSYNC_TEST_DATABASE_URL"\n', 1)
    text = text.replace("max_archive_share = 0.05", "max_archive_share = 0.10")
    text = text.replace("max_archive_count = 100", "max_archive_count = 2")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("ORDERSYNC_TEST_DATABASE_URL", pg_url)
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)
    return path


def test_the_pipeline_command_exits_5_and_says_how_to_let_the_run_through(board, cli_config, capsys):
    stage(board, *BOARD[:5])
    assert ordersync(["pipeline", "--config", str(cli_config)]) == ExitCode.MASS_CHANGE_REFUSED == 5
    err = capsys.readouterr().err
    assert "would archive 5 of 10 live orders" in err and "ordersync pipeline --allow-mass-archive" in err
    assert ordersync(["pipeline", "--config", str(cli_config), "--allow-mass-archive"]) == 0
    assert "item     ARCHIVE          5" in capsys.readouterr().out
