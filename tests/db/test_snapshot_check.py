"""RunPipeline skips both merges when snapshot staging holds exactly the current copy (a
count and a checksum of keys, row hashes and size hashes on each side). The skip must be
taken only when the merges would have done nothing: every kind of change they act on has to
defeat it, and a change they ignore must not."""

from __future__ import annotations

import dataclasses

import pytest
from pipeline_support import item_deltas, order, rejects, rows, run, set_state, stage

from pusher.commands.pipeline import format_result
from pusher.pipeline import UNCHANGED_STEP
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy

ORDERS = (order("A1", {"XS": 1, "S": 2}, DESTINATION="UK"), order("A2", {"XS": 3}), order("A3", {"OS": 1, "O/S": 2}))


def skip_rows(db: Database, run_id: int) -> list[dict]:
    """The run's SnapshotUnchanged run-log rows (one when the merges were skipped)."""
    return [r for r in rows(db, "ORDER_LIST_RUN_LOG", "run_id, step, rows_affected, is_dry_run, outcome")
            if r["run_id"] == run_id and r["step"] == UNCHANGED_STEP]


@pytest.fixture
def synced(db: Database) -> Database:
    """Three orders merged and synced: the current copy equals staging."""
    stage(db, *ORDERS)
    assert skip_rows(db, run(db).run_id) == []
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    return db


def test_an_unchanged_snapshot_skips_the_merges_and_says_so(synced):
    before = rows(synced, "ORDER_LIST_V2", "order_key, updated_at, row_hash, size_hash")
    result = run(synced)
    assert result.counts == {} and result.unchanged_rows == 3
    assert skip_rows(synced, result.run_id) == [{"run_id": result.run_id, "step": UNCHANGED_STEP,
                                                 "rows_affected": 3, "is_dry_run": False, "outcome": "SUCCEEDED"}]
    assert rows(synced, "ORDER_LIST_V2", "order_key, updated_at, row_hash, size_hash") == before
    assert "staging (3 rows) equals the current copy: merges skipped" in format_result(result)
    dry = run(synced, dry_run=True)
    assert dry.unchanged_rows == 3 and skip_rows(synced, dry.run_id)[0]["is_dry_run"] is True


def test_a_change_outside_the_monday_columns_is_still_a_skip(synced):
    """The merges compare the monday columns and the sizes only, so the checksum does too."""
    stage(synced, order("A1", {"XS": 1, "S": 2}, DESTINATION="UK", NOTES="internal"), *ORDERS[1:])
    result = run(synced)
    assert result.unchanged_rows == 3 and result.counts == {}


def _reset_row_hashes(db: Database) -> None:
    db.fetch("UPDATE dbo.\"ORDER_LIST_V2\" SET row_hash = '\\x00'::bytea")  # the runbook's re-sync


def _reset_size_hash(db: Database) -> None:
    db.fetch("UPDATE dbo.\"ORDER_LIST_V2\" SET size_hash = NULL WHERE order_key = 'A2'")


CHANGES = [
    pytest.param(lambda db: stage(db, order("A1", {"XS": 1, "S": 2}, DESTINATION="DE"), *ORDERS[1:]),
                 {("item", "UPDATE"): 1}, id="a changed monday column"),
    pytest.param(lambda db: stage(db, ORDERS[0], order("A2", {"XS": 4}), ORDERS[2]),
                 {("subitem", "UPDATE"): 1}, id="a changed size"),
    pytest.param(lambda db: stage(db, ORDERS[0], order("A2", {"XS": 3}), order("A3", {"OS": 2, "O/S": 1})),
                 {}, id="aliased sizes moved, same line"),
    pytest.param(lambda db: stage(db, *ORDERS, order("A4", {"XS": 1})),
                 {("item", "CREATE"): 1, ("subitem", "CREATE"): 1}, id="a new order"),
    pytest.param(lambda db: stage(db, *ORDERS[:2]), {("item", "ARCHIVE"): 1}, id="an order gone"),
    pytest.param(lambda db: stage(db, *ORDERS, ORDERS[1]), {("reject", "REJECTED"): 2},
                 id="an exact copy of an unchanged row"),
    pytest.param(lambda db: stage(db, *ORDERS, order(None, {"XS": 1})), {("reject", "REJECTED"): 1},
                 id="a row without a key"),
    pytest.param(_reset_row_hashes, {("item", "UPDATE"): 3}, id="row hashes reset by hand"),
    pytest.param(_reset_size_hash, {}, id="a size fingerprint reset by hand"),
]


@pytest.mark.parametrize(("change", "counts"), CHANGES)
def test_every_change_the_merges_act_on_defeats_the_skip(synced, change, counts):
    change(synced)
    result = run(synced)
    assert skip_rows(synced, result.run_id) == [] and result.unchanged_rows is None
    assert result.counts == counts
    again = run(synced)  # whatever the merges did (or rejected) is the current copy now
    assert (again.unchanged_rows is not None) == (("reject", "REJECTED") not in counts)


def test_an_archived_order_back_in_staging_defeats_the_skip(synced):
    stage(synced, *ORDERS[:2])
    run(synced)
    set_state(synced, "ORDER_LIST_DELTA", "SYNCED")
    assert run(synced).unchanged_rows == 2  # the archived order is not part of the current copy
    stage(synced, *ORDERS)
    result = run(synced)
    assert result.unchanged_rows is None and result.count("item", "UPDATE") == 1
    assert item_deltas(synced)[-1] == ("A3", "UPDATE", "PENDING")


def test_rejected_rows_are_reported_again_on_every_run(synced):
    """A bad row never reaches the current copy, so it keeps the snapshot different."""
    stage(synced, *ORDERS, order("A4", {"XS": 1}, **{"ORDER DATE PO RECEIVED": "1850-01-01"}))
    for _ in range(2):
        result = run(synced)
        assert result.unchanged_rows is None and result.counts == {("reject", "REJECTED"): 1}
    assert [key for _, key, _ in rejects(synced)] == ["A4", "A4"]


def test_incremental_staging_is_always_merged(config, pg_url):
    incremental = dataclasses.replace(config, staging_mode="incremental")
    db = Database(incremental, url=pg_url)
    create_staging_and_deploy(db, read_columns_file(config.columns_file))
    stage(db, *ORDERS)
    run(db)
    result = run(db)
    assert result.counts == {} and result.unchanged_rows is None and skip_rows(db, result.run_id) == []
    db.close()
