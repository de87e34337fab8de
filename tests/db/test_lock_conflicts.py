"""Lock conflicts on a real PostgreSQL: a claim that cannot get a lock times out (ClaimBatch's
lock timeout) and the pusher runs the call again (pusher.sql.connection), with a real lock held
by a second connection. The retry log line releases the lock, so no test waits on a clock."""

from __future__ import annotations

import logging

import psycopg
import pytest
from queue_support import add_item_delta, claim, item_delta, t

from pusher.errors import DatabaseError
from pusher.sql.connection import LOCK_CONFLICT_TRIES


class _Retries(logging.Handler):
    """Collects the connection's retry messages; `on_retry` runs at each (before the wait)."""

    def __init__(self, on_retry=lambda: None):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.on_retry = on_retry

    def emit(self, record: logging.LogRecord) -> None:
        if "running it again" in record.getMessage():
            self.messages.append(record.getMessage())
            self.on_retry()


@pytest.fixture
def retries():
    handler = _Retries()
    logger = logging.getLogger("pusher.sql.connection")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def holder(pg_url):
    """A second session that can hold a lock on a queue table until it rolls back."""
    with psycopg.connect(pg_url, autocommit=False) as conn:
        yield conn


def test_a_claim_blocked_by_a_lock_times_out_and_succeeds_when_retried_after_the_lock_is_released(
        db, holder, retries):
    delta_id = add_item_delta(db, "O1")
    holder.execute(f"LOCK TABLE {t(db, 'order_delta')} IN SHARE MODE")  # blocks every UPDATE of it
    retries.on_retry = holder.rollback

    rows = claim(db)

    assert [r.delta_id for r in rows] == [delta_id]
    assert item_delta(db, delta_id)["sync_state"] == "IN_FLIGHT"
    assert len(retries.messages) == 1
    assert "lock timeout" in retries.messages[0]
    assert f"try 2 of {LOCK_CONFLICT_TRIES}" in retries.messages[0]


def test_a_lock_that_stays_fails_the_claim_after_the_last_try_and_leaves_the_row_pending(db, holder, retries):
    delta_id = add_item_delta(db, "O1")
    holder.execute(f"LOCK TABLE {t(db, 'order_delta')} IN SHARE MODE")

    with pytest.raises(DatabaseError, match="lock timeout"):
        claim(db)

    holder.rollback()
    assert len(retries.messages) == LOCK_CONFLICT_TRIES - 1
    assert item_delta(db, delta_id)["sync_state"] == "PENDING"
    assert item_delta(db, delta_id)["attempts"] == 0


def test_an_error_that_is_not_a_lock_conflict_is_not_retried(db, retries):
    with pytest.raises(DatabaseError, match="must be 1 to 1000"):
        claim(db, size=0)

    assert retries.messages == []
