"""Each limit trips with monday's error and recovers after its window (test-mode windows of ~1 s)."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.waiting import wait_until

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "x") { id } }'
COMPLEXITY = "{ complexity { before after query reset_in_x_seconds } }"


def wait_for_retry(response: requests.Response) -> None:
    """Honour Retry-After the way the pusher will."""
    time.sleep(int(response.headers["Retry-After"]) + 0.05)


def assert_429(response: requests.Response, code: str, message: str | None = None) -> None:
    assert response.status_code == 429
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["retry_in_seconds"] >= 1
    assert int(response.headers["Retry-After"]) == error["extensions"]["retry_in_seconds"]
    if message:
        assert error["message"] == message


def test_complexity_reports_before_after_and_query_consistently_with_what_was_charged(monday_emulator, api):
    first = api(monday_emulator, COMPLEXITY).json()["data"]["complexity"]
    assert first["before"] == 10_000_000 and first["after"] == first["before"] - first["query"] > 0
    created = api(
        monday_emulator,
        'mutation { complexity { before after query } create_item(board_id: 5000000001, item_name: "x") { id } }',
    ).json()["data"]["complexity"]
    assert created["before"] == first["after"]
    assert created["query"] >= 30_000
    third = api(monday_emulator, COMPLEXITY).json()["data"]["complexity"]
    assert third["before"] == created["after"]
    assert monday_emulator.stats()["complexity_spent"] == first["query"] + created["query"] + third["query"]
    assert 1 <= third["reset_in_x_seconds"] <= 2


def test_bigger_pages_cost_more(monday_emulator, api):
    small = api(
        monday_emulator,
        "{ complexity { query } boards(ids: [5000000001]) { items_page(limit: 10) "
        "{ items { id column_values { text } } } } }",
    ).json()["data"]["complexity"]["query"]
    big = api(
        monday_emulator,
        "{ complexity { query } boards(ids: [5000000001]) { items_page(limit: 500) "
        "{ items { id column_values { text } } } } }",
    ).json()["data"]["complexity"]["query"]
    assert big > 40 * small


def test_the_complexity_budget_trips_and_recovers_after_its_window(monday_emulator_factory, api):
    server = monday_emulator_factory(complexity_per_minute=70_000, budget_window_seconds=1.0)
    assert api(server, CREATE).status_code == 200
    assert api(server, CREATE).status_code == 200
    refused = api(server, CREATE)
    assert_429(refused, "COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted")
    assert len(server.items("5000000001")) == 2
    wait_for_retry(refused)
    assert api(server, CREATE).status_code == 200
    assert len(server.items("5000000001")) == 3


def test_a_request_over_the_per_request_cap_is_refused_before_anything_applies(monday_emulator_factory, api):
    server = monday_emulator_factory(complexity_per_request=50_000)
    batch = (
        "mutation { "
        + " ".join(f'a{n}: create_item(board_id: 5000000001, item_name: "x{n}") {{ id }}' for n in range(2))
        + " }"
    )
    response = api(server, batch)
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "maxComplexityExceeded"
    assert "exceeds max complexity of 50000" in error["message"]
    assert server.items("5000000001") == []
    assert server.stats()["complexity_spent"] == 0


def test_requests_per_minute_trip_and_recover(monday_emulator_factory, api):
    server = monday_emulator_factory(requests_per_minute=3, rate_window_seconds=1.0)
    for _ in range(3):
        assert api(server, COMPLEXITY).status_code == 200
    refused = api(server, COMPLEXITY)
    assert_429(refused, "RATE_LIMIT_EXCEEDED", "Rate Limit Exceeded")
    wait_for_retry(refused)
    assert api(server, COMPLEXITY).status_code == 200


def test_daily_calls_trip_and_recover(monday_emulator_factory, api):
    server = monday_emulator_factory(daily_calls=2, daily_window_seconds=1.0)
    assert api(server, COMPLEXITY).status_code == 200
    assert api(server, COMPLEXITY).status_code == 200
    refused = api(server, COMPLEXITY)
    assert_429(refused, "DAILY_LIMIT_EXCEEDED")
    wait_for_retry(refused)
    assert api(server, COMPLEXITY).status_code == 200


def test_limits_are_per_token(monday_emulator_factory, api):
    server = monday_emulator_factory(requests_per_minute=1, rate_window_seconds=30)
    assert api(server, COMPLEXITY, token="a").status_code == 200
    assert api(server, COMPLEXITY, token="a").status_code == 429
    assert api(server, COMPLEXITY, token="b").status_code == 200


def test_concurrent_requests_over_the_limit_get_max_concurrency_exceeded(monday_emulator_factory, api):
    server = monday_emulator_factory(max_concurrency=1, slow_seconds=0.8)
    server.set_faults([{"kind": "slow", "next": 1}])
    first: list[requests.Response] = []
    worker = threading.Thread(target=lambda: first.append(api(server, CREATE)))
    worker.start()
    # charged = inside the concurrency gate and sleeping: the second request finds no free slot
    wait_until(lambda: server.stats()["complexity_spent"] > 0, "the first request holds the only slot")
    refused = api(server, COMPLEXITY)
    worker.join()
    assert_429(refused, "maxConcurrencyExceeded")
    assert first[0].status_code == 200
    assert api(server, COMPLEXITY).status_code == 200  # the slot is free again


@pytest.mark.parametrize("via_http", [False, True])
def test_reset_limits_reopens_every_window(monday_emulator_factory, api, via_http):
    server = monday_emulator_factory(requests_per_minute=1, rate_window_seconds=60)
    assert api(server, COMPLEXITY).status_code == 200
    assert api(server, COMPLEXITY).status_code == 429
    if via_http:
        assert requests.post(server.admin_url + "/reset-limits", timeout=5).json() == {"ok": True}
    else:
        server.reset_limits()
    assert api(server, COMPLEXITY).status_code == 200


def test_refused_requests_do_not_count_against_the_limit(monday_emulator_factory, api):
    server = monday_emulator_factory(
        requests_per_minute=2, rate_window_seconds=60, daily_calls=3, daily_window_seconds=60
    )
    statuses = [api(server, COMPLEXITY).status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    server.limits.rate.reset()
    assert api(server, COMPLEXITY).status_code == 200  # third daily call: the refused ones were not counted
