"""The merges against pushers moving rows at the same time (issue 12, "the race").

The merges update an order's open delta row, then insert one where none is open: two
statements. A pusher moving its IN_FLIGHT row back to PENDING (retryable failure, release,
expired lease) between them made the insert skip the change or hit the one-open-row index.
Each test below holds one side's transaction open at the exact moment of the race, on real
connections, and checks what both sides end with once it commits.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable

import pytest
from pipeline_support import order, rows, run, stage
from waiting import wait_until

from pusher import queue
from pusher.sql.connection import Database

ITEM_TABLE, LINE_TABLE = "ORDER_LIST_DELTA", "ORDER_LIST_LINES_DELTA"


def _in_background(work: Callable[[], object]) -> tuple[threading.Thread, list]:
    """Run `work` in a thread; the list gets its result or the exception it raised."""
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(work())
        except Exception as exc:  # handed to the test, which asserts on it
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _waiting_for_a_lock(observer: Database) -> bool:
    rows_ = observer.fetch("SELECT COUNT(*) AS n FROM pg_stat_activity "
                           "WHERE datname = current_database() AND wait_event_type = 'Lock'")
    return rows_[0]["n"] > 0


def _open_transaction_call(other: Database, procedure: str, **params) -> None:
    """Call a procedure on `other`'s connection and leave its transaction open (no commit)."""
    values = [json.dumps(v) if isinstance(v, list) else v for v in params.values()]
    sql = other.dialect.call_sql(other.config.environment.sync_schema, procedure, list(params))
    other.connection().execute(sql, values)


def _claimed(db: Database, entity: str) -> tuple[uuid.UUID, int]:
    token = uuid.uuid4()
    (row,) = queue.claim_batch(db, entity, 10, None, token)
    return token, row.delta_id


def _arrange(db: Database, entity: str) -> tuple[uuid.UUID, int]:
    """A1 queued and claimed (its item synced first when the test is about its line); then
    staging changes A1's destination and its XS quantity, and the claimed row is IN_FLIGHT."""
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    if entity == "subitem":
        token, item_id = _claimed(db, "item")
        queue.mark_synced(db, token, "item", [queue.SyncResult(item_id, 101)])
    token, delta_id = _claimed(db, entity)
    stage(db, order("A1", {"XS": 2}, DESTINATION="DE"))
    return token, delta_id


def _open_rows(db: Database, entity: str) -> list[dict]:
    table = ITEM_TABLE if entity == "item" else LINE_TABLE
    return [r for r in rows(db, table) if r["sync_state"] in ("PENDING", "FAILED")]


def _assert_one_open_row_with_the_new_values(db: Database, entity: str) -> None:
    (open_row,) = _open_rows(db, entity)
    if entity == "item":
        assert open_row["payload"]["DESTINATION"] == "DE"
    else:
        assert open_row["qty"] == 2


@pytest.mark.parametrize("entity", ["item", "subitem"])
def test_a_retry_committed_while_the_merge_runs_is_coalesced_with_the_new_change(db, config, pg_url, entity):
    """The pusher's MarkFailed (retryable: back to PENDING) is open when the pipeline starts
    and commits while the merge waits: the merge must wait for it and then update that row
    with the new values. Before the fix the merge inserted a second open row and failed on
    the unique index (or, one statement later, skipped the change)."""
    token, delta_id = _arrange(db, entity)
    with Database(config, url=pg_url) as pusher, Database(config, url=pg_url) as observer:
        _open_transaction_call(pusher, "MarkFailed", ClaimToken=str(token), Entity=entity,
                               Failures=[{"delta_id": delta_id, "code": "HTTP_503", "message": "busy",
                                          "retryable": True}])
        thread, outcome = _in_background(lambda: run(db))
        wait_until(lambda: _waiting_for_a_lock(observer), "the pipeline waits for the pusher's row")
        pusher.connection().commit()
        thread.join(timeout=60)
    assert not isinstance(outcome[0], Exception), outcome[0]
    _assert_one_open_row_with_the_new_values(db, entity)


@pytest.mark.parametrize("entity", ["item", "subitem"])
def test_a_retry_during_an_uncommitted_merge_folds_into_the_new_change(db, config, pg_url, entity):
    """The other order: the merge has queued the new change but not committed when the
    pusher's MarkFailed runs. The pusher must wait for the merge, then fold its row into the
    new one. Before the fix it did not see the new row, moved its own to PENDING and failed
    on the unique index once the merge committed."""
    token, delta_id = _arrange(db, entity)
    with Database(config, url=pg_url) as pipeline, Database(config, url=pg_url) as observer:
        run_id = 1000  # no pipeline run: the merges are called by hand, as RunPipeline would
        _open_transaction_call(pipeline, "MergeHeaders", RunId=run_id, DryRun=False)
        _open_transaction_call(pipeline, "MergeLines", RunId=run_id, DryRun=False)
        failure = queue.Failure(delta_id, "HTTP_503", "busy", retryable=True)
        thread, outcome = _in_background(lambda: queue.mark_failed(db, token, entity, [failure]))
        wait_until(lambda: _waiting_for_a_lock(observer), "the pusher waits for the merge")
        pipeline.connection().commit()
        thread.join(timeout=60)
    assert not isinstance(outcome[0], Exception), outcome[0]
    assert outcome[0] == queue.FailOutcome(to_pending=1, to_failed=0)
    _assert_one_open_row_with_the_new_values(db, entity)
