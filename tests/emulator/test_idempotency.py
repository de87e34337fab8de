"""Idempotency-Key: replay of the cached response, 409 for a concurrent duplicate, expiry after the TTL."""

from __future__ import annotations

import threading
import time

import requests

from tests.waiting import wait_until

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "once") { id } }'


def test_a_replay_returns_the_first_response_without_applying_again(monday_emulator, api):
    first = api(monday_emulator, CREATE, headers={"Idempotency-Key": "k-1"})
    replay = api(monday_emulator, CREATE, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == replay.status_code == 200
    assert "Idempotency-Replayed" not in first.headers
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.json() == first.json()
    assert len(monday_emulator.items("5000000001")) == 1
    stats = monday_emulator.stats()
    assert stats["mutations"] == {"create_item": 1} and stats["idempotent_replays"] == 1


def test_a_different_key_or_token_runs_again(monday_emulator, api):
    api(monday_emulator, CREATE, headers={"Idempotency-Key": "k-1"})
    api(monday_emulator, CREATE, headers={"Idempotency-Key": "k-2"})
    api(monday_emulator, CREATE, token="other-token", headers={"Idempotency-Key": "k-1"})
    assert len(monday_emulator.items("5000000001")) == 3


def test_a_duplicate_arriving_while_the_first_runs_gets_409(monday_emulator_factory, api):
    server = monday_emulator_factory(slow_seconds=0.8)
    server.set_faults([{"kind": "slow", "next": 1}])
    first: list[requests.Response] = []
    worker = threading.Thread(target=lambda: first.append(api(server, CREATE, headers={"Idempotency-Key": "k"})))
    worker.start()
    # charged = past the key's claim and into the slow run: the duplicate now meets a key in use
    wait_until(lambda: server.stats()["complexity_spent"] > 0, "the first request is running")
    conflict = api(server, CREATE, headers={"Idempotency-Key": "k"})
    worker.join()
    assert conflict.status_code == 409
    error = conflict.json()["errors"][0]
    assert error["extensions"]["code"] == "IDEMPOTENCY_CONFLICT"
    assert int(conflict.headers["Retry-After"]) >= 1
    assert first[0].status_code == 200
    replay = api(server, CREATE, headers={"Idempotency-Key": "k"})
    assert replay.headers["Idempotency-Replayed"] == "true" and replay.json() == first[0].json()
    assert len(server.items("5000000001")) == 1


def test_the_cached_response_expires_after_the_ttl(monday_emulator_factory, api):
    server = monday_emulator_factory(idempotency_ttl_seconds=0.5)
    api(server, CREATE, headers={"Idempotency-Key": "k"})
    time.sleep(0.6)
    again = api(server, CREATE, headers={"Idempotency-Key": "k"})
    assert "Idempotency-Replayed" not in again.headers
    assert len(server.items("5000000001")) == 2


def test_a_request_refused_by_a_limit_is_not_cached(monday_emulator_factory, api):
    server = monday_emulator_factory(requests_per_minute=1, rate_window_seconds=60)
    api(server, "{ complexity { query } }")
    refused = api(server, CREATE, headers={"Idempotency-Key": "k"})
    assert refused.status_code == 429
    server.reset_limits()
    retried = api(server, CREATE, headers={"Idempotency-Key": "k"})
    assert retried.status_code == 200 and "Idempotency-Replayed" not in retried.headers
    assert len(server.items("5000000001")) == 1


def test_application_errors_are_replayed_too(monday_emulator, api):
    bad = 'mutation { create_item(board_id: 5000000001, item_name: "") { id } }'
    first = api(monday_emulator, bad, headers={"Idempotency-Key": "k"})
    replay = api(monday_emulator, bad, headers={"Idempotency-Key": "k"})
    assert replay.json() == first.json()
    assert replay.json()["errors"][0]["extensions"]["code"] == "ItemNameTooLongException"
