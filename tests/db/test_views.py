"""The sync views show exactly the rows their contract names."""

from __future__ import annotations

import uuid

from queue_support import add_item_delta, add_line_delta, add_order

from pusher import queue, views


def _ids(db, view):
    return [r["delta_id"] for r in db.fetch(f'SELECT delta_id FROM sync."{view}" ORDER BY delta_id')]


def test_pending_views_show_only_rows_claim_batch_would_hand_out(db):
    add_order(db, "O1", customer="ACME", monday_item_id=9)
    add_order(db, "O2")
    add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=uuid.uuid4())
    add_item_delta(db, "O1", action="UPDATE")  # waits behind the flight
    ready = add_item_delta(db, "O2")
    add_item_delta(db, "O3", state="FAILED")
    line_ready = add_line_delta(db, "O1", "S")
    add_line_delta(db, "O2", "S")  # parent has no monday id yet

    assert _ids(db, "PendingItems") == [ready]
    assert _ids(db, "PendingSubitems") == [line_ready]
    row = db.fetch('SELECT customer, line_key, parent_item_id FROM sync."PendingSubitems"')[0]
    assert row == {"customer": "ACME", "line_key": "O1|S", "parent_item_id": 9}
    assert queue.ready_counts(db) == {"item": 1, "subitem": 1}


def test_failures_shows_dead_letters_and_the_latest_runs_rejects(db):
    item = add_item_delta(db, "O1", state="FAILED", attempts=5)
    line = add_line_delta(db, "O1", "S", state="FAILED", attempts=2)
    add_item_delta(db, "O2")
    log = 'INSERT INTO dbo."ORDER_LIST_RUN_LOG" (run_id, component, step, outcome, order_key, error_message) ' \
          'VALUES (%s, %s, %s, %s, %s, %s)'
    db.fetch(log, (1, "pipeline", "MergeHeaders", "REJECTED", "OLD", "old reject"))
    db.fetch(log, (2, "pipeline", "MergeHeaders", "REJECTED", "BAD", "NULL key"))
    db.fetch(log, (2, "pipeline", "RunPipeline", "SUCCEEDED", None, None))

    rows = db.fetch('SELECT entity, delta_id, order_key, size, last_error_code, last_error '
                    'FROM sync."Failures" ORDER BY entity')
    assert [(r["entity"], r["delta_id"], r["order_key"], r["size"]) for r in rows] == [
        ("item", item, "O1", None), ("reject", None, "BAD", None), ("subitem", line, "O1", "S")]
    assert rows[1]["last_error_code"] == "REJECTED" and rows[1]["last_error"] == "NULL key"
    assert views.failure_reasons(db) == [
        {"entity": "item", "last_error_code": None, "n": 1},
        {"entity": "reject", "last_error_code": "REJECTED", "n": 1},
        {"entity": "subitem", "last_error_code": None, "n": 1},
    ]


def test_status_counts_group_by_entity_state_and_action(db):
    add_item_delta(db, "O1")
    add_item_delta(db, "O2")
    add_item_delta(db, "O3", action="ARCHIVE", state="FAILED")
    add_line_delta(db, "O1", "S", action="DELETE", state="SYNCED")
    counts = [(r["entity"], r["sync_state"], r["action"], r["rows"]) for r in views.status_counts(db)]
    assert counts == [("item", "FAILED", "ARCHIVE", 1), ("item", "PENDING", "CREATE", 2),
                      ("subitem", "SYNCED", "DELETE", 1)]


def test_run_history_is_the_run_log_newest_first_with_durations(db):
    first = queue.start_run_log(db, "sync")
    queue.end_run_log(db, first, "SUCCEEDED", 0)
    second = queue.start_run_log(db, "pipeline", component="pipeline")
    rows = views.run_history(db)
    assert [r["run_log_id"] for r in rows] == [second, first]
    assert rows[0]["duration_seconds"] is None and rows[1]["duration_seconds"] >= 0
