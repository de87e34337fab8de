"""`ordersync status` and `ordersync retry-failed` against a real PostgreSQL."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest

from pusher import cli
from pusher.commands import retry_failed, status
from pusher.sql.connection import Database

sys.path.insert(0, str(Path(__file__).parent / "db"))
from queue_support import add_item_delta, add_line_delta, add_order  # noqa: E402


@pytest.fixture
def commands_on(db, monkeypatch):
    """Both commands open the test database instead of the configured one."""
    for module in (status, retry_failed):
        monkeypatch.setattr(module, "open_database", lambda args: Database(db.config, url=db.url))
    return db


def _arrange(db):
    add_order(db, "A1", customer="ACME", monday_item_id=5)
    add_order(db, "B1", customer="BETA")
    add_item_delta(db, "A1", state="SYNCED")
    add_item_delta(db, "B1")
    add_item_delta(db, "C1", action="ARCHIVE", state="FAILED", attempts=5)
    db.fetch('UPDATE dbo."ORDER_LIST_DELTA" SET last_error_code = %s, last_error = %s WHERE sync_state = %s',
             ("ColumnValueException", "invalid date '2026-13-01' in column date4", "FAILED"))
    add_line_delta(db, "A1", "S")
    add_line_delta(db, "B1", "M", state="IN_FLIGHT", attempts=1, token=uuid.uuid4())
    add_line_delta(db, "B1", "L", state="FAILED", attempts=5)
    db.fetch('INSERT INTO dbo."ORDER_LIST_RUN_LOG" (run_id, component, step, outcome) VALUES (1, %s, %s, %s)',
             ("pipeline", "RunPipeline", "SUCCEEDED"))


def _add_sync_run(db, outcome: str, minutes_ago: float, dry_run: bool = False, rows: int = 3) -> int:
    """A pusher run that ended ``minutes_ago`` (UTC, like the procedures' clock)."""
    return db.fetch(
        'INSERT INTO dbo."ORDER_LIST_RUN_LOG" (component, step, outcome, is_dry_run, rows_affected, start_time, '
        "end_time) VALUES ('pusher', 'sync', %s, %s, %s, (now() AT TIME ZONE 'UTC') - make_interval(mins => %s), "
        "(now() AT TIME ZONE 'UTC') - make_interval(mins => %s)) RETURNING run_log_id",
        (outcome, dry_run, rows, minutes_ago + 1, minutes_ago))[0]["run_log_id"]


def test_status_json_matches_the_database(commands_on, capsys):
    db = commands_on
    _arrange(db)

    assert cli.main(["status", "--output-json"]) == 0
    doc = json.loads(capsys.readouterr().out)

    expected = db.fetch(
        "SELECT 'item' AS entity, sync_state, action, count(*) AS n FROM dbo.\"ORDER_LIST_DELTA\" "
        "GROUP BY sync_state, action UNION ALL "
        "SELECT 'subitem', sync_state, action, count(*) FROM dbo.\"ORDER_LIST_LINES_DELTA\" "
        "GROUP BY sync_state, action ORDER BY 1, 2, 3")
    assert [(r["entity"], r["sync_state"], r["action"], r["rows"]) for r in doc["queue"]] == [
        (r["entity"], r["sync_state"], r["action"], r["n"]) for r in expected]
    assert doc["ready"] == {"item": 1, "subitem": 1}
    oldest = db.fetch("SELECT min(created_at) AS t FROM (SELECT created_at FROM dbo.\"ORDER_LIST_DELTA\" "
                      "WHERE sync_state = 'PENDING' UNION ALL SELECT created_at FROM "
                      "dbo.\"ORDER_LIST_LINES_DELTA\" WHERE sync_state = 'PENDING') AS p")[0]["t"]
    assert doc["oldest_pending_created_at"] == oldest.isoformat(timespec="seconds")
    assert 0 <= doc["oldest_pending_age_seconds"] < 120
    assert [(r["component"], r["step"], r["outcome"]) for r in doc["runs"]] == [
        ("pipeline", "RunPipeline", "SUCCEEDED")]
    assert doc["failed_rows"] == 2
    assert doc["last_successful_sync"] is None and doc["seconds_since_last_successful_sync"] is None
    assert [{k: r[k] for k in ("entity", "last_error_code", "n")} for r in doc["failure_reasons"]] == [
        {"entity": "item", "last_error_code": "ColumnValueException", "n": 1},
        {"entity": "subitem", "last_error_code": None, "n": 1},
    ]
    assert [(e["order_key"], e["size"], e["last_error"]) for e in doc["failure_reasons"][0]["examples"]] == [
        ("C1", None, "invalid date '2026-13-01' in column date4")]
    assert [(e["order_key"], e["size"]) for e in doc["failure_reasons"][1]["examples"]] == [("B1", "L")]


def test_status_names_the_last_real_successful_sync_and_sums_the_last_day(commands_on, capsys):
    db = commands_on
    _arrange(db)
    succeeded = _add_sync_run(db, "SUCCEEDED", minutes_ago=40, rows=7)
    _add_sync_run(db, "FAILED", minutes_ago=20)
    _add_sync_run(db, "SUCCEEDED", minutes_ago=10, dry_run=True)  # a dry run pushed nothing
    _add_sync_run(db, "SUCCEEDED", minutes_ago=60 * 30)  # older than a day: not in the summary

    assert cli.main(["status", "--output-json"]) == 0
    doc = json.loads(capsys.readouterr().out)

    assert doc["last_successful_sync"]["run_log_id"] == succeeded
    assert doc["last_successful_sync"]["rows_affected"] == 7
    assert 40 * 60 - 5 <= doc["seconds_since_last_successful_sync"] < 42 * 60
    assert [(r["component"], r["outcome"], r["runs"]) for r in doc["runs_last_24h"]] == [
        ("pipeline", "SUCCEEDED", 1), ("pusher", "FAILED", 1), ("pusher", "SUCCEEDED", 2)]

    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert f"last successful sync: run {succeeded} ended" in out
    assert "40m" in out


def test_status_prints_readable_tables(commands_on, capsys):
    _arrange(commands_on)
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "queue\n  entity   state      action   rows" in out
    assert "ready to claim now: 1 item(s), 1 subitem(s)" in out
    assert "1 item row(s): ColumnValueException\n    - C1 (ARCHIVE): invalid date '2026-13-01' in column date4" in out
    assert "last successful sync: never" in out


def test_retry_failed_dry_run_then_for_real(commands_on, capsys):
    db = commands_on
    _arrange(db)
    assert cli.main(["retry-failed", "--dry-run"]) == 0
    assert capsys.readouterr().out.strip() == "would requeue 1 item row(s), would requeue 1 subitem row(s)"
    assert cli.main(["retry-failed", "--entity", "subitem"]) == 0
    assert capsys.readouterr().out.strip() == "requeued 1 subitem row(s)"
    failed = db.fetch("SELECT count(*) AS n FROM sync.\"Failures\"")[0]["n"]
    assert failed == 1


def test_retry_failed_refuses_a_delta_id_without_entity(commands_on, capsys):
    assert cli.main(["retry-failed", "--delta-id", "3"]) == 2
    assert "--delta-id needs --entity" in capsys.readouterr().err
