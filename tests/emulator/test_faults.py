"""Injected faults, each kind, by schedule and by seeded share; the ambiguous dropped connection."""

from __future__ import annotations

import pytest
import requests

from pusher.emulator import EmulatorOptions, EmulatorServer, FaultRule
from tests.waiting import wait_until

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "x") { id } }'


def count(server):
    return len(server.items("5000000001"))


def test_http_500_answers_json_and_applies_nothing(monday_emulator, api):
    monday_emulator.set_faults([FaultRule("500", next=1)])
    response = api(monday_emulator, CREATE)
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert count(monday_emulator) == 0
    assert api(monday_emulator, CREATE).status_code == 200
    assert count(monday_emulator) == 1


def test_http_502_answers_html_and_applies_nothing(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "502", "next": 1}])
    response = api(monday_emulator, CREATE)
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html>" in response.text
    with pytest.raises(ValueError):
        response.json()
    assert count(monday_emulator) == 0


def test_internal_error_on_http_200(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "internal-error", "next": 1}])
    response = api(monday_emulator, CREATE)
    assert response.status_code == 200
    assert response.json() == {
        "errors": [{"message": "Internal Server Error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]
    }
    assert count(monday_emulator) == 0


def test_a_slow_response_times_the_client_out_but_still_applies(monday_emulator_factory, api):
    server = monday_emulator_factory(slow_seconds=0.6)
    server.set_faults([{"kind": "slow", "next": 1}])
    with pytest.raises(requests.exceptions.ReadTimeout):
        api(server, CREATE, timeout=0.2)
    assert count(server) == 0  # still sleeping when the client gave up
    wait_until(lambda: count(server) == 1, "the slow request applies after all")
    assert server.stats()["mutations"] == {"create_item": 1}


def test_a_dropped_connection_after_apply_is_ambiguous_and_the_key_recovers_it(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "drop", "next": 1}])
    with pytest.raises(requests.exceptions.ConnectionError):
        api(monday_emulator, CREATE, headers={"Idempotency-Key": "k"})
    assert count(monday_emulator) == 1  # applied although the client saw nothing
    replay = api(monday_emulator, CREATE, headers={"Idempotency-Key": "k"})
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.json()["data"]["create_item"]["id"] == monday_emulator.items("5000000001")[0]["id"]
    assert count(monday_emulator) == 1
    assert monday_emulator.stats()["http_statuses"] == {"200": 1, "dropped": 1}


def test_every_kth_request_fails(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "500", "every": 3}])
    statuses = [api(monday_emulator, "{ complexity { query } }").status_code for _ in range(7)]
    assert statuses == [200, 200, 500, 200, 200, 500, 200]


def test_the_next_n_requests_fail_then_it_heals(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "502", "next": 2}])
    statuses = [api(monday_emulator, "{ complexity { query } }").status_code for _ in range(4)]
    assert statuses == [502, 502, 200, 200]
    assert monday_emulator.stats()["faults_injected"] == {"http_502": 2}


def run_with_seed(api, seed: int) -> list[int]:
    options = EmulatorOptions(test_mode=True, faults=(FaultRule("500", rate=0.5),), seed=seed)
    with EmulatorServer(options) as server:
        return [api(server, "{ complexity { query } }", timeout=5).status_code for _ in range(24)]


def test_a_share_of_faults_is_deterministic_under_a_seed(api):
    first, second, other = run_with_seed(api, 7), run_with_seed(api, 7), run_with_seed(api, 8)
    assert first == second
    assert first != other
    assert 3 <= first.count(500) <= 21


def test_clear_faults_stops_them(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "500", "rate": 1.0}])
    assert api(monday_emulator, CREATE).status_code == 500
    monday_emulator.clear_faults()
    assert api(monday_emulator, CREATE).status_code == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "teapot", "next": 1},
        {"kind": "500"},
        {"kind": "500", "rate": 2},
        {"kind": "500", "next": 1, "every": 2},
    ],
)
def test_bad_fault_rules_are_refused(monday_emulator, rule):
    with pytest.raises(ValueError):
        monday_emulator.set_faults([rule])
