"""Settings that travel with the call: monday.max_attempts edited in the TOML changes what
ClaimBatch and MarkFailed do without a redeploy (the rendered value is only the default for a
DBA calling by hand)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from queue_support import add_item_delta, item_delta, states

from pusher import queue
from pusher.config import Config
from pusher.errors import DatabaseError
from pusher.sql.connection import Database


@pytest.fixture
def edited(db: Database, config: Config):
    """The deployed database (rendered with max_attempts 5), seen through a config edited to 2."""
    assert config.monday.max_attempts == 5
    monday = dataclasses.replace(config.monday, max_attempts=2)
    with Database(dataclasses.replace(config, monday=monday), url=db.url) as edited_db:
        yield edited_db


def test_an_edited_max_attempts_dead_letters_a_retryable_failure_without_a_redeploy(edited):
    token = uuid.uuid4()
    second = add_item_delta(edited, "O1", state="IN_FLIGHT", attempts=2, token=token)
    first = add_item_delta(edited, "O2", state="IN_FLIGHT", attempts=1, token=token)
    outcome = queue.mark_failed(edited, token, "item", [queue.Failure(second, "HTTP_500", "x", True),
                                                        queue.Failure(first, "HTTP_500", "x", True)])
    assert outcome == queue.FailOutcome(to_pending=1, to_failed=1)
    assert states(edited) == {second: "FAILED", first: "PENDING"}


def test_an_edited_max_attempts_dead_letters_an_expired_lease_without_a_redeploy(edited):
    dead = add_item_delta(edited, "O1", state="IN_FLIGHT", attempts=2, token=uuid.uuid4(), lease=-1)
    retried = add_item_delta(edited, "O2", state="IN_FLIGHT", attempts=1, token=uuid.uuid4(), lease=-1)
    assert [r.delta_id for r in queue.claim_batch(edited, "item", 10, 300, uuid.uuid4())] == [retried]
    row = item_delta(edited, dead)
    assert (row["sync_state"], row["last_error_code"]) == ("FAILED", "LEASE_EXPIRED")
    assert row["last_error"].startswith("the lease expired on attempt 2 of 2")


def test_a_dba_call_without_max_attempts_uses_the_rendered_default(db):
    token = uuid.uuid4()
    fourth = add_item_delta(db, "O1", state="IN_FLIGHT", attempts=4, token=token)
    db.call("MarkItemsFailed", ClaimToken=str(token),
            Failures=[{"delta_id": fourth, "code": "HTTP_500", "message": "x", "retryable": True}])
    assert states(db) == {fourth: "PENDING"}  # 4 < the rendered 5


@pytest.mark.parametrize("value", [0, 101])
def test_max_attempts_out_of_range_is_refused_naming_the_parameter(db, value):
    with pytest.raises(DatabaseError, match="p_maxattempts must be 1 to 100"):
        db.call("ClaimItems", BatchSize=1, LeaseSeconds=60, ClaimToken=str(uuid.uuid4()),
                MaxAttempts=value)
