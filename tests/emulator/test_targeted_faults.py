"""Faults aimed at one value (a poisoned row), the 429 fault kind, and the options the emulator refuses."""

from __future__ import annotations

import json

import pytest

from pusher.commands import monday_emulator as command
from pusher.emulator import EmulatorOptions, EmulatorServer
from pusher.errors import ConfigError
from tests.emulator.test_cli import parser

BOARD = "5000000001"
CREATE = ("mutation ($name: String!, $v: JSON) "
          "{ create_item(board_id: 5000000001, item_name: $name, column_values: $v) { id } }")


def create(api, server, name, key):
    return api(server, CREATE, {"name": name, "v": json.dumps({"text_order_key": key})})


def test_a_match_rule_fails_every_request_holding_the_value_and_no_other(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "500", "match": "PO-9|RED"}])
    statuses = [create(api, monday_emulator, f"n{i}", key).status_code
                for i, key in enumerate(["PO-1|RED", "PO-9|RED", "PO-2|RED", "PO-9|RED"])]
    assert statuses == [200, 500, 200, 500]
    keys = sorted(i["column_values"]["text_order_key"]["text"] for i in monday_emulator.items(BOARD))
    assert keys == ["PO-1|RED", "PO-2|RED"]  # the poisoned requests applied nothing
    assert monday_emulator.stats()["faults_injected"] == {"http_500": 2}


def test_a_match_rule_sees_text_inside_json_inside_json_and_in_the_document(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "internal-error", "match": "Größe ∆"}])
    body = api(monday_emulator, CREATE, {"name": "x", "v": json.dumps({"text_po": "Größe ∆"})}).json()
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and "data" not in body
    inline = 'mutation { create_item(board_id: 5000000001, item_name: "Größe ∆") { id } }'
    assert "errors" in api(monday_emulator, inline).json()
    assert api(monday_emulator, inline.replace("∆", "D")).json()["data"]["create_item"]["id"]
    read = api(monday_emulator, '{ items_page_by_column_values(board_id: 5000000001, '
                                'columns: [{column_id: "text_po", column_values: ["Größe ∆"]}]) { items { id } } }')
    assert "errors" not in read.json()  # a look-up of the value is answered: only writes are poisoned


def test_a_match_rule_with_next_fails_only_the_first_n_matches(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "502", "match": "POISON", "next": 1}])
    assert create(api, monday_emulator, "a", "CLEAN").status_code == 200
    assert create(api, monday_emulator, "b", "POISON").status_code == 502
    assert create(api, monday_emulator, "c", "POISON").status_code == 200
    assert monday_emulator.faults()["rules"] == [{"kind": "http_502", "next": 1, "match": "POISON", "left": 0}]


def test_the_429_fault_answers_like_monday_rate_limit_and_applies_nothing(monday_emulator, api):
    monday_emulator.set_faults([{"kind": "429", "next": 1}])
    response = create(api, monday_emulator, "a", "K1")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMIT_EXCEEDED" and error["extensions"]["retry_in_seconds"] == 1
    assert monday_emulator.items(BOARD) == []
    assert create(api, monday_emulator, "a", "K1").status_code == 200


@pytest.mark.parametrize("rule", [{"kind": "500", "match": ""}, {"kind": "500", "match": "x", "next": 1, "rate": 1}])
def test_bad_match_rules_are_refused(monday_emulator, rule):
    with pytest.raises(ValueError, match="match|exactly one"):
        monday_emulator.set_faults([rule])


@pytest.mark.parametrize("option, value", [
    ("complexity_per_minute", 2**31),
    ("complexity_per_request", 0),
    ("daily_calls", -1),
    ("items_per_board", 1.5),
    ("budget_window_seconds", 0),
])
def test_numbers_the_emulator_cannot_honour_are_refused_naming_the_option(option, value):
    with pytest.raises(ValueError, match=option):
        EmulatorOptions(**{option: value})


def test_the_largest_graphql_int_budget_still_answers_complexity(api):
    with EmulatorServer(EmulatorOptions(complexity_per_minute=2**31 - 1, complexity_per_request=2**31 - 1)) as server:
        body = api(server, "{ complexity { before after query } }").json()
    assert "errors" not in body
    assert body["data"]["complexity"]["before"] == 2**31 - 1


def test_the_cli_turns_a_budget_of_2_to_the_31_into_a_config_error_and_parses_fault_match():
    args = parser().parse_args(["monday-emulator", "--complexity-per-minute", str(2**31)])
    with pytest.raises(ConfigError, match="complexity_per_minute must be a whole number from 1 to 2147483647"):
        command.options_from_args(args)
    args = parser().parse_args(["monday-emulator", "--fault-match", "500=PO-1|RED"])
    assert [r.to_dict() for r in command.options_from_args(args).faults] == [{"kind": "http_500", "match": "PO-1|RED"}]
