"""RunPipeline end to end on PostgreSQL: every action, alias folding, no-op reruns, dry run,
single flight, durable failure logging, and the `ordersync pipeline` command."""

from __future__ import annotations

import psycopg
import pytest
from pipeline_support import item_deltas, line_deltas, lines, order, rows, run, set_state, stage

from pusher.commands.pipeline import format_result
from pusher.errors import DatabaseError


def test_a_new_order_yields_an_item_create_and_a_line_create_per_size(db):
    stage(db, order("A1", {"XS": 5, "S": 3}))
    result = run(db)
    assert result.counts == {("item", "CREATE"): 1, ("subitem", "CREATE"): 2}
    assert item_deltas(db) == [("A1", "CREATE", "PENDING")]
    assert sorted(line_deltas(db)) == [("A1", "S", "CREATE", 3, "PENDING"), ("A1", "XS", "CREATE", 5, "PENDING")]
    assert lines(db) == {("A1", "XS"): 5, ("A1", "S"): 3}
    current = rows(db, "ORDER_LIST_V2")
    assert [(r["order_key"], r["item_name"], r["group_key"]) for r in current] == [
        ("A1", "STYLE-A1 - NAVY - A1", "ACME SS25")]
    assert rows(db, "ORDER_LIST_GROUPS", "group_key, group_title") == [
        {"group_key": "ACME SS25", "group_title": "ACME SS25"}]


def test_the_payload_is_the_canonical_json_of_the_monday_columns(db):
    stage(db, order("A1", {"XS": 1}, **{"ORDER DATE PO RECEIVED": "2024-03-05", "CUSTOMER PRICE": 12.5}))
    run(db)
    payload = rows(db, "ORDER_LIST_DELTA", "payload")[0]["payload"]
    assert set(payload) == set(db.config.monday_columns)
    assert payload["ORDER DATE PO RECEIVED"] == "2024-03-05T00:00:00"
    assert payload["CUSTOMER PRICE"] == 12.5
    assert payload["PO NUMBER"] is None


def test_a_changed_header_yields_an_update_and_a_vanished_order_an_archive(db):
    stage(db, order("A1", {"XS": 1}), order("A2", {"XS": 1}))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    result = run(db)
    assert result.counts == {("item", "UPDATE"): 1, ("item", "ARCHIVE"): 1}
    assert sorted(item_deltas(db)[2:]) == [("A1", "UPDATE", "PENDING"), ("A2", "ARCHIVE", "PENDING")]
    removed = {r["order_key"]: r["is_removed"] for r in rows(db, "ORDER_LIST_V2")}
    assert removed == {"A1": False, "A2": True}


def test_size_changes_yield_line_update_create_and_delete(db):
    stage(db, order("A1", {"XS": 5, "S": 3}))
    run(db)
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    stage(db, order("A1", {"XS": 7, "M": 2}))
    result = run(db)
    assert result.counts == {("subitem", "UPDATE"): 1, ("subitem", "CREATE"): 1, ("subitem", "DELETE"): 1}
    assert sorted(line_deltas(db)[2:]) == [("A1", "M", "CREATE", 2, "PENDING"),
                                          ("A1", "S", "DELETE", None, "PENDING"),
                                          ("A1", "XS", "UPDATE", 7, "PENDING")]
    # The deleted size keeps its row (qty 0) until MarkSynced removes it, so its subitem id stays known.
    assert lines(db) == {("A1", "XS"): 7, ("A1", "S"): 0, ("A1", "M"): 2}
    assert item_deltas(db) == [("A1", "CREATE", "PENDING")]  # the header did not change


def test_aliased_size_columns_fold_into_one_line_with_the_summed_quantity(db):
    stage(db, order("A1", {"OS": 2, "O/S": 3, "One Sz": 4, "ONE SIZE": 1, "XS": 0, "S": None}))
    result = run(db)
    assert result.counts == {("item", "CREATE"): 1, ("subitem", "CREATE"): 1}
    assert lines(db) == {("A1", "ONE SIZE"): 10}
    stage(db, order("A1", {"OS": 2, "O/S": 3, "One Sz": 4}))
    run(db)
    assert lines(db) == {("A1", "ONE SIZE"): 9}
    assert line_deltas(db) == [("A1", "ONE SIZE", "CREATE", 9, "PENDING")]  # coalesced, latest qty


def test_every_staging_change_ends_as_a_delta(db):
    """Invariant 1: whatever changed in staging is queued, and the queue holds the latest values."""
    stage(db, *(order(f"A{i}", {"XS": i, "S": 1}) for i in range(1, 6)))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    changed = [order("A1", {"XS": 1, "S": 1}, NOTES="not a monday column"),  # no monday change
               order("A2", {"XS": 20, "S": 1}),
               order("A3", {"XS": 3, "S": 1}, DESTINATION="DE"),
               order("A4", {"XS": 4}),
               order("A6", {"M": 6})]
    stage(db, *changed)
    run(db)
    open_items = sorted(d for d in item_deltas(db) if d[2] == "PENDING")
    assert open_items == [("A3", "UPDATE", "PENDING"), ("A5", "ARCHIVE", "PENDING"), ("A6", "CREATE", "PENDING")]
    open_lines = sorted(d for d in line_deltas(db) if d[4] == "PENDING")
    assert open_lines == [("A2", "XS", "UPDATE", 20, "PENDING"), ("A4", "S", "DELETE", None, "PENDING"),
                          ("A6", "M", "CREATE", 6, "PENDING")]
    payload = rows(db, "ORDER_LIST_DELTA", "order_key, payload, delta_id", "3")
    assert [p["payload"]["DESTINATION"] for p in payload if p["order_key"] == "A3"][-1] == "DE"


def _touch_marks(db):
    return (rows(db, "ORDER_LIST_V2", "order_key, updated_at, row_hash, size_hash"),
            rows(db, "ORDER_LIST_LINES", "order_key, size, updated_at"),
            rows(db, "ORDER_LIST_DELTA", "delta_id, updated_at"),
            rows(db, "ORDER_LIST_LINES_DELTA", "line_delta_id, updated_at"),
            rows(db, "ORDER_LIST_GROUPS", "group_key, updated_at"))


def test_a_rerun_with_nothing_changed_queues_nothing_and_touches_no_row(db):
    """Invariant 6."""
    stage(db, *(order(f"A{i}", {"XS": i, "OS": 1, "O/S": 1}) for i in range(1, 20)))
    run(db)
    before = _touch_marks(db)
    result = run(db)
    assert result.counts == {}
    assert result.changed == 0
    assert _touch_marks(db) == before
    log = rows(db, "ORDER_LIST_RUN_LOG", "run_id, outcome, rows_affected, counts")
    assert log[-1]["outcome"] == "SUCCEEDED" and log[-1]["rows_affected"] == 0 and log[-1]["counts"] == {}


def test_a_dry_run_counts_and_logs_but_changes_nothing(db):
    stage(db, order("A1", {"XS": 5}), order("A2", {"S": -1}))
    before = _touch_marks(db)
    result = run(db, dry_run=True)
    assert result.dry_run
    assert result.counts == {("item", "CREATE"): 2, ("subitem", "CREATE"): 1, ("reject", "REJECTED"): 1}
    assert _touch_marks(db) == before
    log = rows(db, "ORDER_LIST_RUN_LOG", "outcome, is_dry_run, step")
    assert {(r["outcome"], r["is_dry_run"]) for r in log} == {("SUCCEEDED", True), ("REJECTED", True)}
    assert run(db).counts == result.counts  # the real run does what the dry run said


def test_a_second_concurrent_run_is_refused_and_logged(db, pg_url):
    stage(db, order("A1", {"XS": 5}))
    with psycopg.connect(pg_url) as first:  # holds the single-flight lock until it commits
        first.execute('SELECT * FROM sync."RunPipeline"()').fetchall()
        with pytest.raises(DatabaseError, match="another pipeline run holds the lock"):
            run(db)
        first.commit()
    log = rows(db, "ORDER_LIST_RUN_LOG", "outcome, error_message, run_log_id", "3")
    assert sorted(r["outcome"] for r in log) == ["REFUSED", "SUCCEEDED"]
    assert item_deltas(db) == [("A1", "CREATE", "PENDING")]
    assert run(db).counts == {}  # the lock is free again


def test_a_failing_run_rolls_back_its_work_and_logs_the_error_durably(db):
    stage(db, order("A1", {"XS": 5}))
    run(db)
    stage(db, order("A1", {"XS": 6}), order("A2", {"XS": 1}))
    # A check constraint the merge will trip over: line deltas refuse qty 6.
    db.fetch('ALTER TABLE dbo."ORDER_LIST_LINES_DELTA" ADD CONSTRAINT no_six CHECK (qty <> 6)')
    before = _touch_marks(db)
    with pytest.raises(DatabaseError, match="no_six"):
        run(db)
    assert _touch_marks(db) == before  # MergeHeaders' work went too: one transaction
    failed = rows(db, "ORDER_LIST_RUN_LOG", "outcome, error_message, run_log_id", "3")[-1]
    assert failed["outcome"] == "FAILED" and "no_six" in failed["error_message"]


def test_the_pipeline_command_prints_counts_and_rejects(db):
    stage(db, order("A1", {"XS": 5, "S": -2}))
    text = format_result(run(db))
    assert "item     CREATE           1" in text
    assert "subitem  CREATE           1" in text
    assert "reject   REJECTED         1" in text
    assert 'rejected (MergeLines) order A1: size column "S" = -2 is negative' in text
