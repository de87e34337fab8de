"""sync.ClaimItems and sync.ClaimSubitems on a real PostgreSQL: leases, concurrency, waiting rules, lease expiry."""

from __future__ import annotations

import dataclasses
import threading
import uuid

import pytest
from queue_support import add_item_delta, add_line, add_line_delta, add_order, claim, item_delta, line_delta

from pusher import queue
from pusher.errors import DatabaseError
from pusher.sql.connection import Database


def test_a_claim_sets_in_flight_token_lease_and_attempts(db):
    add_order(db, "O1")
    first = add_item_delta(db, "O1", attempts=1, group_key="G")
    db.fetch('INSERT INTO dbo."ORDER_LIST_GROUPS" (group_key, group_title, monday_group_id) VALUES (%s, %s, %s)',
             ("G", "ACME SS25", "grp_1"))
    token = uuid.uuid4()

    rows = claim(db, token=token, lease=120)

    assert [(r.delta_id, r.attempts, r.group_title, r.monday_group_id, r.payload) for r in rows] == [
        (first, 2, "ACME SS25", "grp_1", {"AAG ORDER NUMBER": None})]
    row = item_delta(db, first)
    assert row["sync_state"] == "IN_FLIGHT"
    assert row["claim_token"] == token
    assert row["attempts"] == 2
    lease = (row["lease_expires_at"] - row["claimed_at"]).total_seconds()
    assert lease == pytest.approx(120, abs=0.01)


def test_claims_come_oldest_first_up_to_the_batch_size(db):
    ids = [add_item_delta(db, f"O{n}") for n in range(5)]
    assert [r.delta_id for r in claim(db, size=3)] == ids[:3]
    assert [r.delta_id for r in claim(db, size=3)] == ids[3:]
    assert claim(db) == []


def test_bad_arguments_are_reported_together(db):
    with pytest.raises(DatabaseError, match=r"ClaimSubitems: p_batchsize must be 1 to 1000; p_leaseseconds must be "
                                            r"at least 1 .*; p_maxattempts must be 1 to 100"):
        db.call("ClaimSubitems", BatchSize=0, LeaseSeconds=0, ClaimToken=str(uuid.uuid4()), MaxAttempts=0)


def test_each_queue_has_its_own_claim_with_its_own_row_shape(db):
    """ClaimItems and ClaimSubitems (one template, rendered per queue) return only their own columns:
    no half-NULL row shared by both."""
    add_order(db, "O1", monday_item_id=7)
    item = add_item_delta(db, "O1", action="UPDATE")
    line = add_line_delta(db, "O1", "S")
    (item_row,) = db.call("ClaimItems", BatchSize=5, LeaseSeconds=60, ClaimToken=str(uuid.uuid4()))
    (line_row,) = db.call("ClaimSubitems", BatchSize=5, LeaseSeconds=60, ClaimToken=str(uuid.uuid4()))
    assert (item_row["delta_id"], line_row["delta_id"]) == (item, line)
    assert list(item_row) == [f.name for f in dataclasses.fields(queue.ItemRow)]
    assert list(line_row) == [f.name for f in dataclasses.fields(queue.SubitemRow)]
    assert line_row["parent_item_id"] == 7


def _race(db, claimers: int = 2, batch: int = 7) -> list[list[int]]:
    """Each claimer on its own connection claims in a tight loop until the queue is empty."""
    got: list[list[int]] = [[] for _ in range(claimers)]
    errors: list[BaseException] = []
    start = threading.Barrier(claimers)

    def worker(slot: int) -> None:
        conn = Database(db.config, url=db.url)
        token = uuid.uuid4()
        try:
            start.wait()
            while rows := queue.claim_batch(conn, "item", batch, 300, token):
                got[slot].extend(r.delta_id for r in rows)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    return got


def test_two_concurrent_claimers_never_get_the_same_row(db):
    """Invariant 4: two connections claiming at once split the queue exactly, round after round."""
    for round_ in range(3):
        expected = {add_item_delta(db, f"R{round_}-{n}") for n in range(300)}
        first, second = _race(db)
        assert not set(first) & set(second)
        assert len(first) + len(second) == len(expected)
        assert set(first) | set(second) == expected
        assert first and second  # both really took part


def test_an_expired_lease_is_reclaimed_and_the_old_token_changes_nothing(db):
    add_order(db, "O1")
    old, new = uuid.uuid4(), uuid.uuid4()
    delta = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=old, lease=-5)

    assert [r.delta_id for r in claim(db, token=new)] == [delta]
    assert item_delta(db, delta)["claim_token"] == new
    assert item_delta(db, delta)["attempts"] == 2

    assert queue.mark_synced(db, old, "item", [queue.SyncResult(delta, "999")]) == 0
    assert queue.mark_failed(db, old, "item", [queue.Failure(delta, "X", "late", False)]) == queue.FailOutcome(0, 0)
    assert queue.release_claim(db, old) == 0
    row = item_delta(db, delta)
    assert (row["sync_state"], row["claim_token"], row["monday_item_id"], row["last_error"]) == (
        "IN_FLIGHT", new, None, None)

    assert queue.mark_synced(db, new, "item", [queue.SyncResult(delta, "123")]) == 1
    assert item_delta(db, delta)["monday_item_id"] == 123


def test_an_unexpired_lease_is_not_reclaimed(db):
    add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=uuid.uuid4(), lease=60)
    assert claim(db) == []


def test_a_later_change_waits_while_an_earlier_one_is_in_flight(db):
    """Invariant 3: the second change of O1 is pushed only after the first one finished."""
    token = uuid.uuid4()
    first = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=token)
    later = add_item_delta(db, "O1", action="UPDATE")
    other = add_item_delta(db, "O2")

    assert [r.delta_id for r in claim(db)] == [other]
    queue.mark_synced(db, token, "item", [queue.SyncResult(first, "5")])
    assert [r.delta_id for r in claim(db)] == [later]


def test_a_later_change_waits_behind_an_expired_flight_which_is_reclaimed_first(db):
    first = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=1, token=uuid.uuid4(), lease=-1)
    add_item_delta(db, "O1", action="UPDATE")
    assert [r.delta_id for r in claim(db)] == [first]


def test_a_line_waits_only_behind_its_own_size(db):
    add_order(db, "O1", monday_item_id=10)
    add_line_delta(db, "O1", "S", state="IN_FLIGHT", attempts=1, token=uuid.uuid4())
    waiting = add_line_delta(db, "O1", "S", action="UPDATE")
    other_size = add_line_delta(db, "O1", "M")
    assert [r.delta_id for r in claim(db, "subitem")] == [other_size]
    assert line_delta(db, waiting)["sync_state"] == "PENDING"


def test_subitems_wait_for_their_parent_item_id(db):
    """Invariant 5: no subitem is handed out before its parent item exists on monday."""
    add_order(db, "O1")
    add_line(db, "O1", "S", 4)
    line = add_line_delta(db, "O1", "S", qty=4)
    assert claim(db, "subitem") == []

    db.fetch('UPDATE dbo."ORDER_LIST_V2" SET monday_item_id = 77 WHERE order_key = %s', ("O1",))
    rows = claim(db, "subitem")
    assert [(r.delta_id, r.line_key, r.qty, r.parent_item_id) for r in rows] == [(line, "O1|S", 4, "77")]


def test_customer_filters_on_the_configured_customer_column(db):
    add_order(db, "A1", customer="ACME")
    add_order(db, "B1", customer="BETA")
    add_item_delta(db, "A1")
    beta = add_item_delta(db, "B1")
    assert [r.delta_id for r in claim(db, customer="BETA")] == [beta]


def test_an_expired_lease_on_the_last_attempt_is_dead_lettered(db, config):
    last = config.monday.max_attempts
    dead = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=last, token=uuid.uuid4(), lease=-1)
    retried = add_item_delta(db, "O2", state="IN_FLIGHT", attempts=last - 1, token=uuid.uuid4(), lease=-1)

    assert [r.delta_id for r in claim(db)] == [retried]
    row = item_delta(db, dead)
    assert (row["sync_state"], row["last_error_code"], row["lease_expires_at"]) == ("FAILED", "LEASE_EXPIRED", None)
    assert "lease expired" in row["last_error"]


def test_a_dead_lettered_flight_folds_into_the_newer_change_of_its_order(db, config):
    """One open row per order: the newer PENDING row absorbs the expired CREATE and keeps the error."""
    dead = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=config.monday.max_attempts,
                          token=uuid.uuid4(), lease=-1)
    newer = add_item_delta(db, "O1", action="UPDATE")

    rows = claim(db)

    assert [(r.delta_id, r.action, r.last_error_code, r.attempts) for r in rows] == [
        (newer, "CREATE", "LEASE_EXPIRED", 1)]
    assert db.fetch('SELECT count(*) AS n FROM dbo."ORDER_LIST_DELTA" WHERE delta_id = %s', (dead,)) == [{"n": 0}]
