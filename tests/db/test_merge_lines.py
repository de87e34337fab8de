"""MergeLines: only changed orders are unpivoted; line deltas coalesce like item deltas."""

from __future__ import annotations

from pipeline_support import line_deltas, lines, order, rows, run, set_state, stage


def test_create_then_update_while_pending_stays_one_create_with_the_latest_qty(db):
    stage(db, order("A1", {"XS": 1}))
    run(db)
    stage(db, order("A1", {"XS": 4}))
    assert run(db).counts == {("subitem", "UPDATE"): 1}
    assert line_deltas(db) == [("A1", "XS", "CREATE", 4, "PENDING")]


def test_create_then_delete_while_pending_becomes_delete_and_back_becomes_update(db):
    stage(db, order("A1", {"XS": 1, "S": 1}))
    run(db)
    stage(db, order("A1", {"S": 1}))
    run(db)
    assert sorted(line_deltas(db)) == [("A1", "S", "CREATE", 1, "PENDING"), ("A1", "XS", "DELETE", None, "PENDING")]
    stage(db, order("A1", {"XS": 3, "S": 1}))
    assert run(db).counts == {("subitem", "UPDATE"): 1}
    assert sorted(line_deltas(db)) == [("A1", "S", "CREATE", 1, "PENDING"), ("A1", "XS", "UPDATE", 3, "PENDING")]
    assert lines(db) == {("A1", "XS"): 3, ("A1", "S"): 1}


def test_a_line_change_while_in_flight_gets_its_own_row(db):
    stage(db, order("A1", {"XS": 1}))
    run(db)
    set_state(db, "ORDER_LIST_LINES_DELTA", "IN_FLIGHT")
    stage(db, order("A1", {"XS": 2}))
    run(db)
    stage(db, order("A1", {"XS": 3}))
    run(db)
    assert line_deltas(db) == [("A1", "XS", "CREATE", 1, "IN_FLIGHT"), ("A1", "XS", "UPDATE", 3, "PENDING")]


def test_a_deleted_size_is_not_queued_again_while_its_delete_waits(db):
    stage(db, order("A1", {"XS": 1, "S": 1}))
    run(db)
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    stage(db, order("A1", {"S": 1}))
    run(db)
    set_state(db, "ORDER_LIST_LINES_DELTA", "IN_FLIGHT")
    stage(db, order("A1", {"S": 2}))
    run(db)
    assert line_deltas(db)[2:] == [("A1", "XS", "DELETE", None, "IN_FLIGHT"), ("A1", "S", "UPDATE", 2, "PENDING")]


def test_only_orders_whose_sizes_changed_are_unpivoted(db):
    stage(db, order("A1", {"XS": 1}), order("A2", {"XS": 1}))
    run(db)
    touched = {r["order_key"]: r["updated_at"] for r in rows(db, "ORDER_LIST_LINES", "order_key, updated_at")}
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"), order("A2", {"XS": 5}))
    assert run(db).counts == {("item", "UPDATE"): 1, ("subitem", "UPDATE"): 1}
    after = {r["order_key"]: r["updated_at"] for r in rows(db, "ORDER_LIST_LINES", "order_key, updated_at")}
    assert after["A1"] == touched["A1"] and after["A2"] != touched["A2"]
