"""Purge in batches on PostgreSQL: a batch size smaller than the rows deletes them all, in
several batches (MaxBatches caps them, which proves the loop); a dry run counts; the run log
gets one row with the total."""

from __future__ import annotations

import dataclasses

import pytest
from queue_support import add_item_delta, add_line_delta, states

from pusher import queue, views
from pusher.config import Config
from pusher.errors import DatabaseError
from pusher.sql.connection import Database

OLD = 25  # old SYNCED item deltas, more than two batches of 10


@pytest.fixture
def old_rows(db: Database, config: Config):
    """25 old SYNCED item deltas, one old SYNCED line delta, one recent SYNCED and one old PENDING
    item delta, seen through a config whose purge batch is 10 rows."""
    keep = [add_item_delta(db, "RECENT", state="SYNCED"), add_item_delta(db, "OPEN")]
    for i in range(OLD):
        add_item_delta(db, f"O{i}", state="SYNCED")
    add_line_delta(db, "L1", "XS", state="SYNCED")
    db.fetch("UPDATE dbo.\"ORDER_LIST_DELTA\" SET synced_at = now() - interval '40 days' WHERE order_key <> 'RECENT'")
    db.fetch("UPDATE dbo.\"ORDER_LIST_DELTA\" SET synced_at = now() WHERE order_key = 'RECENT'")
    db.fetch("UPDATE dbo.\"ORDER_LIST_LINES_DELTA\" SET synced_at = now() - interval '40 days'")
    small = dataclasses.replace(config, sql_agent=dataclasses.replace(config.sql_agent, purge_rows_per_batch=10))
    with Database(small, url=db.url) as batched:
        yield batched, keep


def _purge_log(db: Database) -> list[tuple]:
    return [(r["is_dry_run"], r["rows_affected"]) for r in views.run_history(db) if r["step"] == "Purge"]


def test_a_batch_size_smaller_than_the_rows_purges_them_all_and_logs_the_total(old_rows):
    db, keep = old_rows
    assert queue.purge(db) == {"ORDER_LIST_DELTA": OLD, "ORDER_LIST_LINES_DELTA": 1, "ORDER_LIST_RUN_LOG": 0}
    assert sorted(states(db)) == sorted(keep)  # the recent SYNCED row and the old PENDING one stay
    assert _purge_log(db) == [(False, OLD + 1)]


def test_max_batches_stops_after_that_many_batches_of_the_batch_size(old_rows):
    db, _ = old_rows
    assert queue.purge(db, max_batches=2)["ORDER_LIST_DELTA"] == 20
    assert queue.purge(db, max_batches=1)["ORDER_LIST_DELTA"] == 5
    assert queue.purge(db)["ORDER_LIST_DELTA"] == 0


def test_a_dry_run_counts_every_row_and_deletes_none(old_rows):
    db, keep = old_rows
    assert queue.purge(db, dry_run=True) == {"ORDER_LIST_DELTA": OLD, "ORDER_LIST_LINES_DELTA": 1,
                                             "ORDER_LIST_RUN_LOG": 0}
    assert len(states(db)) == OLD + len(keep)
    assert _purge_log(db) == [(True, OLD + 1)]


@pytest.mark.parametrize(("params", "message"), [({"BatchSize": 0}, "p_batchsize must be 1 to 100000 rows"),
                                                 ({"MaxBatches": 0}, "p_maxbatches must be at least 1")])
def test_a_bad_batch_setting_is_refused_naming_the_parameter(db, params, message):
    with pytest.raises(DatabaseError, match=message):
        db.call("Purge", **params)
