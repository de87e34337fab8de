"""The run-log row of each queue batch: every claim that claimed or dead-lettered rows, every
mark, and every release that released rows writes one row (component 'queue', step the
procedure's name) with the rows it touched and its counts; a claim or release that did
nothing writes none. Read through the RunHistory view, as a DBA reads them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from queue_support import add_item_delta, add_line_delta, add_order, claim

from pusher import queue, views
from pusher.sql.connection import Database

F = queue.Failure
BOTH_QUEUES = pytest.mark.parametrize("entity", list(queue.QUEUES))


def batch_rows(db: Database, columns: str = "component, step, is_dry_run, outcome, rows_affected, counts"
               ) -> list[dict[str, Any]]:
    """The queue procedures' run-log rows, oldest first."""
    return views.view_rows(db, "RunHistory", columns=columns, where="component = 'queue'", order_by="run_log_id")


def logged(step: str, rows: int, **counts: Any) -> dict[str, Any]:
    """One run-log row as batch_rows reads it."""
    return {"component": "queue", "step": step, "is_dry_run": False, "outcome": "SUCCEEDED", "rows_affected": rows,
            "counts": counts}


def add_held(db: Database, entity: queue.Entity, key: str, token: uuid.UUID, attempts: int = 1) -> int:
    """A row of `entity`'s queue IN_FLIGHT under `token`."""
    if entity == "item":
        return add_item_delta(db, key, state="IN_FLIGHT", attempts=attempts, token=token)
    return add_line_delta(db, key, "S", state="IN_FLIGHT", attempts=attempts, token=token)


@BOTH_QUEUES
def test_a_claim_writes_one_queue_row_with_the_rows_claimed_and_the_token(db, entity):
    token = uuid.uuid4()
    for n in range(3):
        add_order(db, f"O{n}", monday_item_id=100 + n)
        if entity == "item":
            add_item_delta(db, f"O{n}")
        else:
            add_line_delta(db, f"O{n}", "S")

    assert len(claim(db, entity, size=2, token=token)) == 2

    step = queue.QUEUES[entity].procedure("Claim{Entity}")
    assert batch_rows(db) == [logged(step, 2, claim_token=str(token), lease_expired_dead_lettered=0)]


@BOTH_QUEUES
def test_a_claim_that_takes_and_dead_letters_nothing_writes_no_row(db, entity):
    add_order(db, "O1", monday_item_id=7)
    add_held(db, entity, "O1", uuid.uuid4())  # under a live lease: not claimable, not expired

    assert claim(db, entity) == []
    assert batch_rows(db) == []


def test_a_claim_that_only_dead_letters_still_writes_its_row_with_the_count(db, config):
    add_item_delta(db, "O1", state="IN_FLIGHT", attempts=config.monday.max_attempts, token=uuid.uuid4(), lease=-1)
    token = uuid.uuid4()

    assert claim(db, token=token) == []

    assert batch_rows(db) == [logged("ClaimItems", 0, claim_token=str(token), lease_expired_dead_lettered=1)]


@BOTH_QUEUES
def test_mark_synced_writes_one_row_with_the_rows_marked_and_those_no_longer_held(db, entity):
    add_order(db, "O1", monday_item_id=7)
    add_order(db, "O2", monday_item_id=8)
    token = uuid.uuid4()
    held = add_held(db, entity, "O1", token)
    taken = add_held(db, entity, "O2", uuid.uuid4(), attempts=2)  # the lease expired, another pusher has it

    assert queue.mark_synced(db, token, entity, [queue.SyncResult(held, 11), queue.SyncResult(taken, 12)]) == 1

    step = queue.QUEUES[entity].procedure("Mark{Entity}Synced")
    assert batch_rows(db) == [logged(step, 1, claim_token=str(token), not_held=1)]


@BOTH_QUEUES
def test_mark_failed_writes_one_row_with_the_rows_sent_to_pending_and_to_failed(db, config, entity):
    token = uuid.uuid4()
    retried = add_held(db, entity, "O1", token)
    last = add_held(db, entity, "O2", token, attempts=config.monday.max_attempts)
    permanent = add_held(db, entity, "O3", token)
    taken = add_held(db, entity, "O4", uuid.uuid4())

    outcome = queue.mark_failed(db, token, entity, [F(retried, "HTTP_500", "x", True), F(last, "HTTP_500", "x", True),
                                                    F(permanent, "ColumnValueException", "x", False),
                                                    F(taken, "HTTP_500", "late", True)])

    assert outcome == queue.FailOutcome(to_pending=1, to_failed=2)
    step = queue.QUEUES[entity].procedure("Mark{Entity}Failed")
    assert batch_rows(db) == [logged(step, 3, claim_token=str(token), to_pending=1, to_failed=2)]


def test_a_release_writes_one_row_counting_the_rows_of_both_queues(db):
    token = uuid.uuid4()
    add_held(db, "item", "O1", token)
    add_held(db, "subitem", "O1", token)
    add_held(db, "item", "O2", uuid.uuid4())

    assert queue.release_claim(db, token) == 2

    assert batch_rows(db) == [logged("ReleaseClaim", 2, claim_token=str(token))]


def test_a_release_that_released_nothing_writes_no_row(db):
    token = uuid.uuid4()
    add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=uuid.uuid4())  # another pusher's

    assert queue.release_claim(db, token) == 0

    assert batch_rows(db) == []


def test_a_batch_row_carries_the_run_id_it_was_sent_and_a_dba_call_none(db):
    """The pusher sends its run's id (StartRunLog's) with every claim, mark and release, so
    `WHERE run_id = <id>` lists the run with its batches; a DBA's call by hand has none."""
    run_id = queue.start_run_log(db, "sync")
    add_item_delta(db, "O1")
    add_item_delta(db, "O2")
    token = uuid.uuid4()
    (first,) = queue.claim_batch(db, "item", 1, None, token, run_id=run_id)
    queue.mark_synced(db, token, "item", [queue.SyncResult(first.delta_id, 11)], run_id=run_id)
    claim(db, "item", size=1)  # no run id: a DBA's call

    rows = views.view_rows(db, "RunHistory", columns="run_log_id, run_id, step",
                           where=f"run_id = {db.dialect.placeholder}", params=[run_id], order_by="run_log_id")
    assert [(r["step"], r["run_id"]) for r in rows] == [("sync", run_id), ("ClaimItems", run_id),
                                                         ("MarkItemsSynced", run_id)]
    assert [r["run_id"] for r in batch_rows(db, "run_id")] == [run_id, run_id, None]
