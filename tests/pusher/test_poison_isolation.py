"""One row that breaks its whole request: the batch is bisected, the rest lands in the same run, the row
alone ends FAILED with monday's message. Refusals that applied nothing spend no attempt, and a request
is sized to the budget window it runs in.

The backoff cap (``monday.retry_backoff_cap_seconds``) is lowered in this module's ``config`` so a
request that fails on all eight tries takes a second, not half a minute; the number of tries and
every other decision are the real ones.
"""

from __future__ import annotations

import dataclasses

import pytest

from tests.pusher.conftest import ITEMS_BOARD, assert_no_duplicates, point_at, push, queue_states


@pytest.fixture
def config(config):
    return dataclasses.replace(config, monday=dataclasses.replace(config.monday, retry_backoff_cap_seconds=0.02))


def _items(db, config):
    return db.fetch(f'SELECT order_key, sync_state, attempts, last_error_code, last_error '
                    f'FROM dbo."{config.tables.order_delta}" ORDER BY order_key')


def _on_board(server):
    return {i["column_values"]["text_order_key"]["text"] for i in server.items(ITEMS_BOARD, include_archived=False)}


@pytest.mark.parametrize("kind, message", [
    ("500", "Internal server error"),  # a 5xx after every retry
    ("internal-error", "Internal Server Error"),  # a request-level GraphQL error on HTTP 200
])
def test_a_poisoned_row_is_isolated_and_every_other_row_lands_in_the_same_run(
        db, config, monday_emulator, load_reference, kind, message):
    load_reference()
    keys = [r["order_key"] for r in _items(db, config)]
    poison = keys[13]
    monday_emulator.set_faults([{"kind": kind, "match": poison}])
    report, code = push(point_at(config, monday_emulator, batch_size=10, max_attempts=2), db)
    assert code == 1, report.as_dict()  # rows failed; not a run-fatal stop
    rows = {r["order_key"]: r for r in _items(db, config)}
    assert {k for k, r in rows.items() if r["sync_state"] == "SYNCED"} == set(keys) - {poison}
    bad = rows[poison]
    assert (bad["sync_state"], bad["last_error_code"]) == ("FAILED", "FailedAlone")
    assert message in bad["last_error"] and "INTERNAL_SERVER_ERROR" in bad["last_error"]
    assert _on_board(monday_emulator) == set(keys) - {poison}
    assert_no_duplicates(monday_emulator)
    # subitems of the landed orders landed too; the poisoned order's wait for their parent
    assert queue_states(db)["subitem"]["SYNCED"] > 0 and not queue_states(db)["subitem"].get("FAILED")
    assert monday_emulator.stats()["idempotent_replays"] == 0  # every split request had a key of its own


def test_when_every_create_fails_nothing_is_judged_poison_and_no_attempt_is_lost_twice(
        db, config, monday_emulator, load_reference):
    """monday failing every create is an outage, not 69 bad rows: the run stops, no row is FAILED."""
    load_reference()
    monday_emulator.set_faults([{"kind": "500", "match": "create_item"}])
    report, code = push(point_at(config, monday_emulator, batch_size=4), db)
    assert code == 3 and "INTERNAL_SERVER_ERROR" in report.fatal
    states = queue_states(db)["item"]
    assert not states.get("FAILED") and not states.get("IN_FLIGHT") and not states.get("SYNCED")
    assert _on_board(monday_emulator) == set()


def test_a_rate_limit_refusal_applies_nothing_and_spends_no_attempt(
        db, config, monday_emulator, load_reference):
    load_reference()
    monday_emulator.set_faults([{"kind": "429", "match": "create_item"}])
    report, code = push(point_at(config, monday_emulator, batch_size=5), db)
    assert code == 3 and "RATE_LIMIT_EXCEEDED" in report.fatal
    assert {(r["sync_state"], r["attempts"]) for r in _items(db, config)} == {("PENDING", 0)}
    assert monday_emulator.stats()["faults_injected"]["http_429"] == 8  # one request, every try refused


def test_a_request_is_sized_to_a_budget_window_smaller_than_a_batch(
        db, config, monday_emulator_factory, load_reference, shape):
    """25 creates (750k points) never fit a 150k window: sent whole they were refused every try."""
    from pusher.sample_data import reference_po

    server = monday_emulator_factory(complexity_per_minute=150_000, budget_window_seconds=0.5)
    load_reference(reference_po(shape)[:8])
    report, code = push(point_at(config, server, batch_size=25), db)
    assert code == 0, report.as_dict()
    assert queue_states(db)["item"] == {"SYNCED": 8}
    assert len(_on_board(server)) == 8
    assert server.stats()["errors_by_code"].get("COMPLEXITY_BUDGET_EXHAUSTED", 0) <= 2
