"""MergeHeaders: NULL-safe change detection and coalescing of item deltas."""

from __future__ import annotations

import dataclasses

import pytest
from pipeline_support import item_deltas, order, rows, run, set_state, stage

from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy


@pytest.mark.parametrize(("before", "after"), [
    ({"DESTINATION": "UK", "DELIVERY TERMS": None}, {"DESTINATION": None, "DELIVERY TERMS": None}),
    ({"DESTINATION": None, "DELIVERY TERMS": None}, {"DESTINATION": "UK", "DELIVERY TERMS": None}),
    ({"DESTINATION": "FOB", "DELIVERY TERMS": None}, {"DESTINATION": None, "DELIVERY TERMS": "FOB"}),
    ({"CUSTOMER PRICE": None, "TOTAL QTY": 5}, {"CUSTOMER PRICE": 5, "TOTAL QTY": None}),
], ids=["value to NULL", "NULL to value", "text swaps columns", "number swaps columns"])
def test_null_changes_are_detected(db, before, after):
    stage(db, order("A1", {"XS": 1}, **{k.replace(" ", "_"): v for k, v in before.items()}))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    stage(db, order("A1", {"XS": 1}, **{k.replace(" ", "_"): v for k, v in after.items()}))
    assert run(db).counts == {("item", "UPDATE"): 1}
    payload = rows(db, "ORDER_LIST_DELTA", "payload, delta_id", "2")[-1]["payload"]
    assert {k: payload[k] for k in after} == after


def test_a_change_while_pending_updates_the_open_row_in_place(db):
    stage(db, order("A1", {"XS": 1}))
    run(db)
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    stage(db, order("A1", {"XS": 1}, DESTINATION="DE"))
    run(db)
    assert item_deltas(db) == [("A1", "CREATE", "PENDING")]  # CREATE + UPDATE stays CREATE
    assert rows(db, "ORDER_LIST_DELTA", "payload")[0]["payload"]["DESTINATION"] == "DE"
    stage(db)
    run(db, allow_mass_archive=True)  # empty staging: the mass-change guard needs the override
    assert item_deltas(db) == [("A1", "ARCHIVE", "PENDING")]  # CREATE + ARCHIVE is ARCHIVE
    stage(db, order("A1", {"XS": 1}, DESTINATION="FR"))
    run(db)
    assert item_deltas(db) == [("A1", "UPDATE", "PENDING")]  # ARCHIVE + back is UPDATE
    assert [r["is_removed"] for r in rows(db, "ORDER_LIST_V2")] == [False]


def test_a_change_while_in_flight_gets_its_own_row_with_the_latest_values(db):
    """Invariant 3: the in-flight row is left alone; the new change waits behind it."""
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "IN_FLIGHT")
    stage(db, order("A1", {"XS": 1}, DESTINATION="DE"))
    run(db)
    stage(db, order("A1", {"XS": 1}, DESTINATION="FR"))
    run(db)
    assert item_deltas(db) == [("A1", "CREATE", "IN_FLIGHT"), ("A1", "UPDATE", "PENDING")]
    payloads = [r["payload"]["DESTINATION"] for r in rows(db, "ORDER_LIST_DELTA", "payload, delta_id", "2")]
    assert payloads == ["UK", "FR"]


def test_a_change_to_a_failed_order_revives_it_with_attempts_reset(db):
    stage(db, order("A1", {"XS": 1}))
    run(db)
    db.fetch("UPDATE dbo.\"ORDER_LIST_DELTA\" SET sync_state = 'FAILED', attempts = 5, last_error = 'boom'")
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    revived = rows(db, "ORDER_LIST_DELTA", "action, sync_state, attempts")
    assert revived == [{"action": "CREATE", "sync_state": "PENDING", "attempts": 0}]


def test_a_change_outside_the_monday_columns_queues_nothing(db):
    stage(db, order("A1", {"XS": 1}))
    run(db)
    stage(db, order("A1", {"XS": 1}, NOTES="internal", PLANNER="someone"))
    assert run(db).counts == {}


def test_incremental_staging_never_archives_absent_orders(config, pg_url):
    incremental = dataclasses.replace(config, staging_mode="incremental")
    db = Database(incremental, url=pg_url)
    columns = read_columns_file(config.columns_file)
    create_staging_and_deploy(db, columns)
    stage(db, order("A1", {"XS": 1}), order("A2", {"XS": 1}))
    run(db)
    stage(db, order("A2", {"XS": 2}))
    assert run(db).counts == {("subitem", "UPDATE"): 1}
    assert [r["is_removed"] for r in rows(db, "ORDER_LIST_V2")] == [False, False]
    db.close()


def test_an_order_back_after_its_archive_was_synced_gets_its_lines_again(db):
    stage(db, order("A1", {"XS": 1, "S": 2}))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    stage(db)
    run(db, allow_mass_archive=True)  # empty staging: the mass-change guard needs the override
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")  # the archive reached monday: item id cleared
    stage(db, order("A1", {"XS": 1, "S": 2}))
    result = run(db)
    assert result.counts == {("item", "UPDATE"): 1, ("subitem", "CREATE"): 2}
