"""The merges against pushers moving rows at the same time (issue 12, "the race").

The merges update an order's open delta row, then insert one where none is open: two
statements. A pusher moving its IN_FLIGHT row back to PENDING (retryable failure, release,
expired lease) between them made the insert skip the change or hit the one-open-row index.
Each test below holds one side's transaction open at the exact moment of the race, on real
connections, and checks what both sides end with once it commits.
"""

from __future__ import annotations

import json
import random
import threading
import time
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
        _open_transaction_call(pusher, queue.QUEUES[entity].procedure("Mark{Entity}Failed"), ClaimToken=str(token),
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


# -- many rounds of everything at once ---------------------------------------------------------

ROUNDS = 150  # pipeline runs while the pushers work; bounded in time too
ROUND_TIME_LIMIT = 90.0  # seconds for all rounds; then the test stops and reports the count
KEYS = [f"R{n}" for n in range(8)]
SIZES = ["XS", "S", "M"]


class _Pusher(threading.Thread):
    """A pusher that does, at random, what real ones do with their claims: confirm them,
    fail them (retryable or not), release them, or drop them and let the 1 s lease expire;
    now and then a DBA's requeue of the dead letter."""

    def __init__(self, config, url: str, seed: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.db = Database(config, url=url)
        self.random = random.Random(seed)
        self.stop_event = stop
        self.errors: list[Exception] = []
        self.moves = 0

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                for entity in ("item", "subitem"):
                    self._one_claim(entity)
                if self.random.random() < 0.1:
                    queue.requeue_failed(self.db)
        except Exception as exc:  # handed to the test, which asserts there are none
            self.errors.append(exc)
        finally:
            self.db.close()

    def _one_claim(self, entity: str) -> None:
        token = uuid.uuid4()
        claimed = queue.claim_batch(self.db, entity, 3, 1, token)
        if not claimed:
            return
        move = self.random.choice(["synced", "synced", "retry", "dead", "release", "drop"])
        self.moves += 1
        ids = [row.delta_id for row in claimed]
        if move == "synced":
            queue.mark_synced(self.db, token, entity, [queue.SyncResult(i, 1000 + i) for i in ids])
        elif move in ("retry", "dead"):
            queue.mark_failed(self.db, token, entity, [queue.Failure(i, "HTTP_503", "busy", move == "retry")
                                                      for i in ids])
        elif move == "release":
            queue.release_claim(self.db, token)


def _drain(db: Database) -> None:
    """What the next scheduled syncs do once the storm is over: requeue, claim, confirm."""
    def settled() -> bool:
        queue.requeue_failed(db)
        for entity in ("item", "subitem"):
            token = uuid.uuid4()
            claimed = queue.claim_batch(db, entity, 100, None, token)
            queue.mark_synced(db, token, entity, [queue.SyncResult(r.delta_id, 1000 + r.delta_id) for r in claimed])
        unsettled = [r for table in (ITEM_TABLE, LINE_TABLE) for r in rows(db, table) if r["sync_state"] != "SYNCED"]
        return not unsettled
    wait_until(settled, "every queued change is SYNCED (expired leases come back after 1 s)", timeout=60, poll=0.2)


def test_pipeline_and_pushers_at_once_lose_no_change_and_end_synced(db, config, pg_url):
    """Invariant 1 under the race of issue 12: the pipeline merges fresh changes round after
    round while two pushers claim, confirm, fail, release and abandon rows. No run and no
    pusher call fails (no unique violation), and after a final drain each order's and each
    line's newest delta is SYNCED with the values staging had last."""
    rng = random.Random(12)
    latest = {key: order(key, {s: 1 for s in SIZES}, DESTINATION="v0") for key in KEYS}
    stage(db, *latest.values())
    run(db)
    stop = threading.Event()
    pushers = [_Pusher(config, pg_url, seed, stop) for seed in (1, 2)]
    for p in pushers:
        p.start()
    started, rounds, pipeline_errors = time.monotonic(), 0, []
    try:
        while rounds < ROUNDS and time.monotonic() - started < ROUND_TIME_LIMIT:
            rounds += 1
            for key in rng.sample(KEYS, 3):
                sizes = {s: rng.choice([0, 1, 2, 3]) for s in SIZES}
                latest[key] = order(key, sizes, DESTINATION=f"v{rounds}")
            stage(db, *latest.values())
            try:
                run(db)
            except Exception as exc:  # asserted below, with the pushers' errors
                pipeline_errors.append(exc)
    finally:
        stop.set()
        for p in pushers:
            p.join(timeout=60)
    elapsed = time.monotonic() - started
    print(f"\n{rounds} pipeline rounds, {sum(p.moves for p in pushers)} pusher moves in {elapsed:.1f} s")
    assert pipeline_errors == [] and [e for p in pushers for e in p.errors] == []
    assert rounds >= 10, f"only {rounds} rounds ran in {ROUND_TIME_LIMIT} s: the race was hardly exercised"
    assert sum(p.moves for p in pushers) >= rounds

    _drain(db)
    newest_item = {r["order_key"]: r for r in rows(db, ITEM_TABLE, order_by="delta_id")}
    for key, staged in latest.items():
        assert newest_item[key]["sync_state"] == "SYNCED"
        assert newest_item[key]["payload"]["DESTINATION"] == staged["DESTINATION"], key
    newest_line = {(r["order_key"], r["size"]): r for r in rows(db, LINE_TABLE, order_by="line_delta_id")}
    for key, staged in latest.items():
        for size in SIZES:
            newest = newest_line[(key, size)]
            assert newest["sync_state"] == "SYNCED"
            expected = ("DELETE", None) if staged[size] == 0 else (newest["action"], staged[size])
            assert (newest["action"], newest["qty"]) == expected, (key, size)
