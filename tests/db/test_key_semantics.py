"""Keys mean the same on both engines (issue 13 Build 8, invariant 11).

Chosen: SQL Server's default collation semantics, case-insensitive and blind to trailing
spaces, made explicit in the key text (upper-cased, trailing spaces dropped) so PostgreSQL,
and a SQL Server database with another collation, agree. `A1`, `a1` and `A1 ` are one order;
customer filters and group titles compare the same way.
"""

from __future__ import annotations

import uuid

from pipeline_support import item_deltas, order, rejects, rows, run, set_state, stage

from pusher import queue


def test_a1_a1_lower_and_a1_space_are_one_order_so_every_copy_is_rejected(db):
    stage(db, order("A1", {"XS": 1}), order("a1", {"XS": 1}), order("A1 ", {"XS": 1}), order("B1", {"XS": 1}))
    result = run(db)
    assert result.counts[("item", "CREATE")] == 1
    assert sorted(key for _, key, _ in rejects(db)) == ["A1", "A1", "A1"]
    assert all("duplicate order key: 3 staging rows" in message for _, _, message in rejects(db))
    assert [key for key, _, _ in item_deltas(db)] == ["B1"]


def test_a_key_that_changes_only_case_or_trailing_spaces_is_the_same_order(db):
    stage(db, order("a1 ", {"XS": 1}))
    run(db)
    assert [r["order_key"] for r in rows(db, "ORDER_LIST_V2", "order_key")] == ["A1"]
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    stage(db, order("A1", {"XS": 1}))
    result = run(db)
    assert ("item", "CREATE") not in result.counts and ("item", "ARCHIVE") not in result.counts
    assert [r["order_key"] for r in rows(db, "ORDER_LIST_V2", "order_key")] == ["A1"]


def test_the_customer_filter_ignores_case_and_trailing_spaces(db):
    stage(db, order("A1", {"XS": 1}), order("B1", {"XS": 1}, CUSTOMER_NAME="OTHER"))
    run(db)
    claimed = queue.claim_batch(db, "item", 10, None, uuid.uuid4(), customer="acme ")
    assert [row.order_key for row in claimed] == ["A1"]


def test_group_names_differing_in_case_or_trailing_spaces_are_one_group(db):
    stage(db, order("A1", {"XS": 1}, CUSTOMER_NAME="ACME"), order("B1", {"XS": 1}, CUSTOMER_NAME="Acme"),
          order("C1", {"XS": 1}, CUSTOMER_NAME="ACME", CUSTOMER_SEASON="SS25 "))
    run(db)
    assert rows(db, "ORDER_LIST_GROUPS", "group_key, group_title") == [
        {"group_key": "ACME SS25", "group_title": "ACME SS25"}]
    assert {r["order_key"]: r["group_key"] for r in rows(db, "ORDER_LIST_DELTA", "order_key, group_key")} == {
        "A1": "ACME SS25", "B1": "ACME SS25", "C1": "ACME SS25"}


def test_a_group_name_of_spaces_only_is_no_group_not_a_blank_one(db):
    stage(db, order("A1", {"XS": 1}, CUSTOMER_NAME="   ", CUSTOMER_SEASON=" "))
    run(db)
    assert rows(db, "ORDER_LIST_DELTA", "order_key, group_key") == [{"order_key": "A1", "group_key": None}]
    assert rows(db, "ORDER_LIST_GROUPS", "group_key") == []


def test_an_order_key_of_spaces_only_is_rejected_as_null(db):
    stage(db, order("   ", {"XS": 1}), order("B1", {"XS": 1}))
    result = run(db)
    assert result.counts[("item", "CREATE")] == 1
    assert [(key, message.startswith("order key is NULL")) for _, key, message in rejects(db)] == [(None, True)]
    assert [key for key, _, _ in item_deltas(db)] == ["B1"]
