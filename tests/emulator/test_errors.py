"""Errors shaped like the real API: per-alias errors on HTTP 200, 401/403/400/500 for the whole request."""

from __future__ import annotations

import json

import requests

from pusher.emulator import SAMPLE_ITEMS_BOARD_ID as BOARD

BATCH = """mutation {
  first: create_item(board_id: 5000000001, item_name: "ok-1", column_values: "{\\"text_po\\": \\"P1\\"}") { id }
  bad: create_item(board_id: 5000000001, item_name: "bad", column_values: "{\\"no_such_column\\": \\"x\\"}") { id }
  last: create_item(board_id: 5000000001, item_name: "ok-2") { id }
}"""


def codes(body):
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def test_an_aliased_batch_with_one_bad_alias_applies_the_others_in_order(monday_emulator, api):
    response = api(monday_emulator, BATCH)
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["bad"] is None and body["data"]["first"]["id"] and body["data"]["last"]["id"]
    assert int(body["data"]["first"]["id"]) < int(body["data"]["last"]["id"])
    [error] = body["errors"]
    assert error["path"] == ["bad"]
    assert error["extensions"]["code"] == "InvalidColumnIdException"
    assert error["extensions"]["error_data"]["column_id"] == "no_such_column"
    assert error["message"]
    assert [i["name"] for i in monday_emulator.items(BOARD)] == ["ok-1", "ok-2"]


def test_each_application_error_code(monday_emulator_factory, api):
    server = monday_emulator_factory(items_per_board=1)
    ok = api(server, 'mutation { create_item(board_id: 5000000001, item_name: "only") { id } }').json()
    item_id = ok["data"]["create_item"]["id"]
    cases = {
        "InvalidBoardIdException": 'mutation { create_item(board_id: 123, item_name: "x") { id } }',
        "InvalidItemIdException": "mutation { change_multiple_column_values(board_id: 5000000001, item_id: 999, "
        'column_values: "{}") { id } }',
        "InvalidColumnIdException": f"mutation {{ change_simple_column_value(board_id: 5000000001, item_id: {item_id}, "
        'column_id: "nope", value: "x") { id } }',
        "ColumnValueException": f"mutation {{ change_simple_column_value(board_id: 5000000001, item_id: {item_id}, "
        'column_id: "numeric_price", value: "cheap") { id } }',
        "ItemNameTooLongException": "mutation { create_item(board_id: 5000000001, "
        f'item_name: "{"x" * 256}") {{ id }} }}',
        "ItemsLimitationException": 'mutation { create_item(board_id: 5000000001, item_name: "second") { id } }',
    }
    for code, query in cases.items():
        response = api(server, query)
        assert response.status_code == 200, code
        assert codes(response.json()) == [code], response.json()
        assert response.json()["errors"][0]["extensions"]["error_data"], code
    assert [i["name"] for i in server.items(BOARD)] == ["only"]
    assert server.stats()["errors_by_code"] == {code: 1 for code in cases}


def test_item_names_must_be_1_to_255_characters(monday_emulator, api):
    query = "mutation($n: String!) { create_item(board_id: 5000000001, item_name: $n) { name } }"
    assert api(monday_emulator, query, {"n": "x" * 255}).json()["data"]["create_item"]["name"] == "x" * 255
    for name in ("", "   ", "x" * 256):
        assert codes(api(monday_emulator, query, {"n": name}).json()) == ["ItemNameTooLongException"]


def test_change_on_an_item_of_another_board_is_invalid_item(monday_emulator, api):
    parent = api(monday_emulator, 'mutation { create_item(board_id: 5000000001, item_name: "p") { id } }').json()
    pid = parent["data"]["create_item"]["id"]
    body = api(
        monday_emulator,
        f"mutation {{ change_simple_column_value(board_id: 5000000002, item_id: {pid}, "
        'column_id: "text_line_key", value: "x") { id } }',
    ).json()
    assert codes(body) == ["InvalidItemIdException"]


def test_malformed_column_value_json_is_http_500_after_the_aliases_before_it(monday_emulator, api):
    query = """mutation {
      a: create_item(board_id: 5000000001, item_name: "before") { id }
      b: create_item(board_id: 5000000001, item_name: "broken", column_values: "{not json") { id }
      c: create_item(board_id: 5000000001, item_name: "after") { id }
    }"""
    response = api(monday_emulator, query)
    assert response.status_code == 500
    assert codes(response.json()) == ["INTERNAL_SERVER_ERROR"]
    assert [i["name"] for i in monday_emulator.items(BOARD)] == ["before"]


def test_a_missing_or_wrong_token_is_401(monday_emulator_factory, api):
    server = monday_emulator_factory(token="secret")
    query = "{ boards(ids: [5000000001]) { id } }"
    for token in (None, "", "wrong"):
        response = api(server, query, token=token)
        assert response.status_code == 401
        assert codes(response.json()) == ["Unauthorized"]
    assert api(server, query, token="secret").status_code == 200
    assert api(server, query, token="Bearer secret").json()["data"]["boards"] == [{"id": BOARD}]


def test_any_non_empty_token_is_accepted_when_none_is_configured(monday_emulator, api):
    assert api(monday_emulator, "{ boards { id } }", token="whatever").status_code == 200
    assert api(monday_emulator, "{ boards { id } }", token="").status_code == 401


def test_a_view_only_token_gets_403_on_mutations_but_may_read(monday_emulator_factory, api):
    server = monday_emulator_factory(viewer_tokens=("viewer",))
    response = api(server, 'mutation { create_item(board_id: 5000000001, item_name: "x") { id } }', token="viewer")
    assert response.status_code == 403
    assert codes(response.json()) == ["UserUnauthorizedException"]
    assert api(server, "{ boards { id } }", token="viewer").status_code == 200
    assert server.items(BOARD) == []


def test_graphql_parse_and_validation_errors(monday_emulator, api):
    parse_error = api(monday_emulator, "{ boards { id }")
    assert parse_error.status_code == 200 and codes(parse_error.json()) == ["GRAPHQL_PARSE_FAILED"]
    invalid = api(monday_emulator, "{ boards { id nam } }")
    assert codes(invalid.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "Did you mean 'name'?" in invalid.json()["errors"][0]["message"]
    missing = api(monday_emulator, 'mutation { create_item(item_name: "x") { id } }')
    assert codes(missing.json()) == ["GRAPHQL_VALIDATION_FAILED"]


def test_a_body_that_is_not_json_is_400(monday_emulator):
    response = requests.post(monday_emulator.url, data=b"query=boards", headers={"Authorization": "t"}, timeout=5)
    assert response.status_code == 400 and codes(response.json()) == ["JsonParseException"]
    response = requests.post(monday_emulator.url, json={"q": "x"}, headers={"Authorization": "t"}, timeout=5)
    assert response.status_code == 400 and codes(response.json()) == ["BadRequest"]


def test_a_malformed_api_version_header_is_refused(monday_emulator, api):
    good = api(monday_emulator, "{ boards { id } }", headers={"API-Version": "2026-10"})
    assert "errors" not in good.json()
    bad = api(monday_emulator, "{ boards { id } }", headers={"API-Version": "latest"})
    assert codes(bad.json()) == ["InvalidVersionException"]


def test_unknown_paths_are_404(monday_emulator):
    response = requests.post(
        monday_emulator.url.replace("/v2", "/v1"),
        json={"query": "{ boards { id } }"},
        headers={"Authorization": "t"},
        timeout=5,
    )
    assert response.status_code == 404
    assert json.loads(response.text)["error"].startswith("not found")
