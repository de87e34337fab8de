"""MarkSynced, MarkFailed, ReleaseClaim, RequeueFailed, Purge and the run-log procedures."""

from __future__ import annotations

import uuid

import pytest
from queue_support import (
    add_item_delta,
    add_line,
    add_line_delta,
    add_order,
    claim,
    item_delta,
    line_delta,
    order_row,
    states,
)

from pusher import queue, views
from pusher.errors import DatabaseError

F = queue.Failure


def test_mark_synced_stores_the_item_id_on_the_delta_and_the_order(db):
    add_order(db, "O1")
    token = uuid.uuid4()
    delta = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=token)

    assert queue.mark_synced(db, token, "item", [queue.SyncResult(delta, "4242")]) == 1

    row = item_delta(db, delta)
    assert (row["sync_state"], row["monday_item_id"], row["lease_expires_at"]) == ("SYNCED", 4242, None)
    assert row["synced_at"] is not None
    assert order_row(db, "O1")["monday_item_id"] == 4242


def test_a_synced_archive_clears_the_item_id_and_marks_the_order_removed(db):
    add_order(db, "O1", monday_item_id=4242)
    token = uuid.uuid4()
    delta = add_item_delta(db, "O1", action="ARCHIVE", state="IN_FLIGHT", attempts=1, token=token)
    queue.mark_synced(db, token, "item", [queue.SyncResult(delta, 4242)])
    order = order_row(db, "O1")
    assert (order["monday_item_id"], order["is_removed"]) == (None, True)


def test_a_synced_archive_of_an_order_that_came_back_leaves_it_live(db):
    add_order(db, "O1", monday_item_id=4242)
    token = uuid.uuid4()
    delta = add_item_delta(db, "O1", action="ARCHIVE", state="IN_FLIGHT", attempts=1, token=token)
    add_item_delta(db, "O1", action="UPDATE")
    queue.mark_synced(db, token, "item", [queue.SyncResult(delta, 4242)])
    order = order_row(db, "O1")
    assert (order["monday_item_id"], order["is_removed"]) == (None, False)


def test_a_synced_archive_closes_the_line_changes_still_queued_for_that_order(db):
    add_order(db, "O1", monday_item_id=4242)
    add_order(db, "O2", monday_item_id=4343)
    token = uuid.uuid4()
    delta = add_item_delta(db, "O1", action="ARCHIVE", state="IN_FLIGHT", attempts=1, token=token)
    orphan = add_line_delta(db, "O1", "XS", action="UPDATE", qty=3)
    other = add_line_delta(db, "O2", "XS", action="UPDATE", qty=3)

    queue.mark_synced(db, token, "item", [queue.SyncResult(delta, 4242)])

    closed = line_delta(db, orphan)
    assert (closed["sync_state"], closed["last_error_code"]) == ("SYNCED", "PARENT_ARCHIVED")
    assert line_delta(db, other)["sync_state"] == "PENDING"


def test_mark_synced_stores_the_subitem_id_on_the_delta_and_the_line(db):
    add_order(db, "O1", monday_item_id=1)
    add_line(db, "O1", "S", 3)
    token = uuid.uuid4()
    delta = add_line_delta(db, "O1", "S", state="IN_FLIGHT", attempts=1, token=token)
    assert queue.mark_synced(db, token, "subitem", [queue.SyncResult(delta, "77")]) == 1
    assert line_delta(db, delta)["monday_subitem_id"] == 77
    assert db.fetch('SELECT monday_subitem_id FROM dbo."ORDER_LIST_LINES"') == [{"monday_subitem_id": 77}]


def test_a_synced_delete_removes_the_line(db):
    add_order(db, "O1", monday_item_id=1)
    add_line(db, "O1", "S", 3, monday_subitem_id=77)
    add_line(db, "O1", "M", 2, monday_subitem_id=78)
    token = uuid.uuid4()
    delta = add_line_delta(db, "O1", "S", action="DELETE", qty=None, state="IN_FLIGHT", attempts=1, token=token)
    queue.mark_synced(db, token, "subitem", [queue.SyncResult(delta, 77)])
    assert db.fetch('SELECT size FROM dbo."ORDER_LIST_LINES"') == [{"size": "M"}]
    assert line_delta(db, delta)["sync_state"] == "SYNCED"


def test_mark_failed_retryable_goes_back_to_pending_with_the_error_kept(db):
    token = uuid.uuid4()
    delta = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=token)
    outcome = queue.mark_failed(db, token, "item", [F(delta, "TIMEOUT", "read timed out", True)])
    assert outcome == queue.FailOutcome(to_pending=1, to_failed=0)
    row = item_delta(db, delta)
    assert (row["sync_state"], row["attempts"], row["last_error_code"], row["last_error"]) == (
        "PENDING", 1, "TIMEOUT", "read timed out")
    assert [r.last_error_code for r in claim(db)] == ["TIMEOUT"]


def test_mark_failed_permanent_goes_to_failed(db):
    token = uuid.uuid4()
    delta = add_line_delta(db, "O1", "S", state="IN_FLIGHT", attempts=1, token=token)
    outcome = queue.mark_failed(db, token, "subitem", [F(delta, "ColumnValueException", "bad qty", False)])
    assert outcome == queue.FailOutcome(to_pending=0, to_failed=1)
    assert line_delta(db, delta)["sync_state"] == "FAILED"


def test_mark_failed_on_the_last_attempt_goes_to_failed_even_if_retryable(db, config):
    token = uuid.uuid4()
    last = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=config.monday.max_attempts, token=token)
    early = add_item_delta(db, "O2", state="IN_FLIGHT", attempts=config.monday.max_attempts - 1, token=token)
    outcome = queue.mark_failed(db, token, "item", [F(last, "HTTP_500", "x", True), F(early, "HTTP_500", "x", True)])
    assert outcome == queue.FailOutcome(to_pending=1, to_failed=1)
    assert states(db) == {last: "FAILED", early: "PENDING"}


def test_a_failed_flight_folds_into_the_newer_change_waiting_behind_it(db):
    token = uuid.uuid4()
    flight = add_item_delta(db, "O1", action="CREATE", state="IN_FLIGHT", attempts=2, token=token)
    newer = add_item_delta(db, "O1", action="UPDATE")
    outcome = queue.mark_failed(db, token, "item", [F(flight, "TIMEOUT", "lost answer", True)])
    assert outcome == queue.FailOutcome(1, 0)
    assert states(db) == {newer: "PENDING"}
    row = item_delta(db, newer)
    assert (row["action"], row["attempts"], row["last_error_code"]) == ("CREATE", 2, "TIMEOUT")


def test_release_claim_gives_the_attempt_back(db):
    token, other = uuid.uuid4(), uuid.uuid4()
    item = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=3, token=token)
    line = add_line_delta(db, "O1", "S", state="IN_FLIGHT", attempts=1, token=token)
    kept = add_item_delta(db, "O2", state="IN_FLIGHT", attempts=1, token=other)

    assert queue.release_claim(db, token) == 2  # whichever queue holds rows under the token
    assert (item_delta(db, item)["sync_state"], item_delta(db, item)["attempts"]) == ("PENDING", 2)
    assert (line_delta(db, line)["sync_state"], line_delta(db, line)["attempts"]) == ("PENDING", 0)
    assert item_delta(db, kept)["sync_state"] == "IN_FLIGHT"
    assert queue.release_claim(db, token) == 0


def _failed(db):
    add_order(db, "A1", customer="ACME")
    add_order(db, "B1", customer="BETA")
    return (add_item_delta(db, "A1", state="FAILED", attempts=5),
            add_item_delta(db, "B1", state="FAILED", attempts=5),
            add_line_delta(db, "B1", "S", state="FAILED", attempts=5))


def test_requeue_failed_moves_every_failed_row_back_with_attempts_zero(db):
    a, b, line = _failed(db)
    db.fetch('UPDATE dbo."ORDER_LIST_DELTA" SET last_error_code = %s', ("LEASE_EXPIRED",))
    assert queue.requeue_failed(db) == {"item": 2, "subitem": 1}
    assert states(db) == {a: "PENDING", b: "PENDING"}
    assert line_delta(db, line)["sync_state"] == "PENDING"
    row = item_delta(db, a)
    assert (row["attempts"], row["last_error_code"]) == (0, "LEASE_EXPIRED")


def test_requeue_failed_by_customer(db):
    a, b, line = _failed(db)
    assert queue.requeue_failed(db, customer="BETA") == {"item": 1, "subitem": 1}
    assert states(db) == {a: "FAILED", b: "PENDING"}


def test_requeue_failed_by_delta_id(db):
    a, b, _line = _failed(db)
    assert queue.requeue_failed(db, entity="item", delta_id=b) == {"item": 1}
    assert states(db) == {a: "FAILED", b: "PENDING"}
    with pytest.raises(DatabaseError, match="p_deltaid needs p_entity"):
        queue.requeue_failed(db, delta_id=b)


def test_requeue_failed_dry_run_counts_changes_nothing_and_is_logged(db):
    a, b, _line = _failed(db)
    assert queue.requeue_failed(db, dry_run=True) == {"item": 2, "subitem": 1}
    assert states(db) == {a: "FAILED", b: "FAILED"}
    log = views.run_history(db, 1)[0]
    assert (log["step"], log["is_dry_run"], log["rows_affected"], log["outcome"]) == (
        "RequeueFailed", True, 3, "SUCCEEDED")


def test_purge_deletes_old_synced_rows_and_old_run_log_rows_only(db):
    old = add_item_delta(db, "O1", state="SYNCED")
    recent = add_item_delta(db, "O2", state="SYNCED")
    pending = add_item_delta(db, "O3")
    db.fetch('UPDATE dbo."ORDER_LIST_DELTA" SET synced_at = now() - interval \'40 days\' WHERE delta_id IN (%s, %s)',
             (old, pending))
    db.fetch('UPDATE dbo."ORDER_LIST_DELTA" SET synced_at = now() WHERE delta_id = %s', (recent,))
    old_log = queue.start_run_log(db, "old step")
    db.fetch('UPDATE dbo."ORDER_LIST_RUN_LOG" SET start_time = now() - interval \'100 days\'')

    assert queue.purge(db, dry_run=True) == {"ORDER_LIST_DELTA": 1, "ORDER_LIST_LINES_DELTA": 0,
                                             "ORDER_LIST_RUN_LOG": 1}
    assert len(states(db)) == 3
    assert queue.purge(db) == {"ORDER_LIST_DELTA": 1, "ORDER_LIST_LINES_DELTA": 0, "ORDER_LIST_RUN_LOG": 1}
    assert set(states(db)) == {recent, pending}
    remaining = [r["run_log_id"] for r in views.run_history(db)]
    assert old_log not in remaining and len(remaining) == 2  # the dry run's and the purge's own rows


def test_run_log_start_and_end(db):
    run_log_id = queue.start_run_log(db, "sync", dry_run=True)
    queue.end_run_log(db, run_log_id, "FAILED", 3, {"item": {"CREATE": 3}}, "monday said no")
    row = views.run_history(db, 1)[0]
    assert (row["run_log_id"], row["component"], row["is_dry_run"], row["outcome"], row["rows_affected"],
            row["counts"], row["error_message"]) == (
        run_log_id, "pusher", True, "FAILED", 3, {"item": {"CREATE": 3}}, "monday said no")
    assert row["end_time"] is not None
    with pytest.raises(DatabaseError, match="no run-log row with id 999"):
        queue.end_run_log(db, 999, "SUCCEEDED")
    with pytest.raises(DatabaseError, match="p_component must be 'pipeline' or 'pusher'"):
        queue.start_run_log(db, "x", component="cron")
