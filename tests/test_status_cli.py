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
    db.fetch('UPDATE dbo."ORDER_LIST_DELTA" SET last_error_code = %s WHERE sync_state = %s',
             ("ColumnValueException", "FAILED"))
    add_line_delta(db, "A1", "S")
    add_line_delta(db, "B1", "M", state="IN_FLIGHT", attempts=1, token=uuid.uuid4())
    add_line_delta(db, "B1", "L", state="FAILED", attempts=5)
    db.fetch('INSERT INTO dbo."ORDER_LIST_RUN_LOG" (run_id, component, step, outcome) VALUES (1, %s, %s, %s)',
             ("pipeline", "RunPipeline", "SUCCEEDED"))


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
    assert doc["failure_reasons"] == [
        {"entity": "item", "last_error_code": "ColumnValueException", "n": 1},
        {"entity": "subitem", "last_error_code": None, "n": 1},
    ]


def test_status_prints_readable_tables(commands_on, capsys):
    _arrange(commands_on)
    assert cli.main(["status"]) == 0
    out = capsys.readouterr().out
    assert "queue\n  entity   state      action   rows" in out
    assert "ready to claim now: 1 item(s), 1 subitem(s)" in out
    assert "ColumnValueException" in out


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
