"""Column value formats as monday documents them, read back as monday renders them."""

from __future__ import annotations

import json

import pytest

TYPES_BOARD = {
    "id": "7100000001",
    "name": "All types",
    "columns": [
        {"id": "t", "title": "Text", "type": "text"},
        {"id": "lt", "title": "Long", "type": "long_text"},
        {"id": "n", "title": "Number", "type": "numbers"},
        {"id": "d", "title": "Date", "type": "date"},
        {"id": "s", "title": "Status", "type": "status", "labels": {"0": "OPEN", "1": "DONE"}},
        {"id": "dd", "title": "Drop", "type": "dropdown", "labels": ["XS", "S", "M"]},
        {"id": "cb", "title": "Check", "type": "checkbox"},
        {"id": "ln", "title": "Link", "type": "link"},
        {"id": "em", "title": "Email", "type": "email"},
        {"id": "ph", "title": "Phone", "type": "phone"},
        {"id": "pp", "title": "People", "type": "people"},
        {"id": "mr", "title": "Mirror", "type": "mirror"},
        {"id": "fm", "title": "Formula", "type": "formula"},
        {"id": "iid", "title": "Item ID", "type": "item_id"},
        {"id": "lu", "title": "Last updated", "type": "last_updated"},
        {"id": "an", "title": "Auto number", "type": "auto_number"},
        {"id": "sub", "title": "Subitems", "type": "subtasks"},
    ],
}
CREATE = """mutation($values: JSON, $labels: Boolean) { create_item(board_id: 7100000001, item_name: "x",
    column_values: $values, create_labels_if_missing: $labels) { id column_values { id text value } } }"""
SIMPLE = """mutation($item: ID, $column: String!, $value: String, $labels: Boolean) { change_simple_column_value(
    board_id: 7100000001, item_id: $item, column_id: $column, value: $value, create_labels_if_missing: $labels) {
    column_values(ids: [$column]) { text value } } }"""


@pytest.fixture
def board(monday_emulator_factory):
    return monday_emulator_factory(board_fixtures=(TYPES_BOARD,))


def write(api, server, values, labels=None):
    return api(server, CREATE, {"values": json.dumps(values), "labels": labels}).json()


@pytest.mark.parametrize(
    ("column", "raw", "text"),
    [
        ("t", "hello", "hello"),
        ("t", 42, "42"),
        ("lt", {"text": "a long colour description"}, "a long colour description"),
        ("lt", "plain string", "plain string"),
        ("n", "12.50", "12.50"),
        ("n", 7, "7"),
        ("n", -3.5, "-3.5"),
        ("d", {"date": "2025-02-28"}, "2025-02-28"),
        ("d", {"date": "2025-02-28", "time": "13:05:00"}, "2025-02-28 13:05"),
        ("d", "2025-02-28", "2025-02-28"),
        ("s", {"label": "DONE"}, "DONE"),
        ("s", {"index": 0}, "OPEN"),
        ("s", "DONE", "DONE"),
        ("dd", {"labels": ["M", "XS"]}, "M, XS"),
        ("dd", {"ids": [2]}, "S"),
        ("dd", "S, M", "S, M"),
        ("cb", {"checked": "true"}, "v"),
        ("ln", {"url": "https://example.com", "text": "Example"}, "Example - https://example.com"),
        ("em", {"email": "buyer@example.com", "text": "Buyer"}, "buyer@example.com"),
        ("ph", {"phone": "+4420123456", "countryShortName": "GB"}, "+4420123456"),
        ("pp", {"personsAndTeams": [{"id": 4, "kind": "person"}]}, "person 4"),
    ],
)
def test_a_documented_value_is_stored_and_read_back_as_monday_renders_it(board, api, column, raw, text):
    body = write(api, board, {column: raw})
    assert "errors" not in body, body
    values = {v["id"]: v for v in body["data"]["create_item"]["column_values"]}
    assert values[column]["text"] == text
    assert values[column]["value"] is not None


@pytest.mark.parametrize(
    ("column", "raw"),
    [
        ("n", "twelve"),
        ("n", "1,000"),
        ("d", {"date": "2025-02-30"}),
        ("d", "28/02/2025"),
        ("d", {"day": "2025-02-28"}),
        ("lt", {"text": "x" * 2001}),
        ("s", {"label": "MISSING"}),
        ("s", {"index": 9}),
        ("s", {"label": "OPEN", "index": 0}),
        ("dd", {"labels": ["XL"]}),
        ("dd", {"ids": [99]}),
        ("dd", {"labels": ["S"], "ids": [1]}),
        ("dd", ["S"]),
        ("t", {"text": "not a string"}),
        ("cb", {"checked": "maybe"}),
        ("ln", {"text": "no url"}),
        ("em", {"email": "not-an-email"}),
        ("ph", {"phone": "12ab", "countryShortName": "GB"}),
        ("ph", {"phone": "+4420123456", "countryShortName": "Britain"}),
        ("pp", {"personsAndTeams": [{"kind": "person"}]}),
    ],
)
def test_a_bad_value_is_a_column_value_exception_and_nothing_is_created(board, api, column, raw):
    body = write(api, board, {column: raw})
    assert body["data"]["create_item"] is None
    error = body["errors"][0]
    assert error["path"] == ["create_item"]
    assert error["extensions"]["code"] == "ColumnValueException"
    assert error["extensions"]["error_data"]["column_id"] == column
    assert board.items("7100000001") == []


def test_long_text_of_exactly_2000_characters_is_accepted(board, api):
    body = write(api, board, {"lt": {"text": "y" * 2000}})
    assert "errors" not in body


@pytest.mark.parametrize("column", ["mr", "fm", "iid", "lu", "an", "sub"])
def test_read_only_columns_refuse_writes(board, api, column):
    body = write(api, board, {column: "anything"})
    assert body["errors"][0]["extensions"]["code"] == "ColumnValueException"
    assert "read-only" in body["errors"][0]["message"]
    assert board.items("7100000001") == []


def test_read_only_columns_read_back_computed_text(board, api):
    body = write(api, board, {"t": "x"})
    item = body["data"]["create_item"]
    values = {v["id"]: v for v in item["column_values"]}
    assert values["iid"]["text"] == item["id"]
    assert values["lu"]["text"].endswith("Z")
    assert (values["mr"]["text"], values["mr"]["value"]) == ("", None)


@pytest.mark.parametrize(("column", "label"), [("s", "BLOCKED"), ("dd", "XXL")])
def test_unknown_labels_fail_without_create_labels_if_missing_and_are_created_with_it(board, api, column, label):
    raw = {"label": label} if column == "s" else {"labels": [label]}
    refused = write(api, board, {column: raw}, labels=False)
    assert refused["errors"][0]["extensions"]["code"] == "ColumnValueException"
    assert refused["errors"][0]["message"].startswith("invalid value - label does not exist in column")
    created = write(api, board, {column: raw}, labels=True)
    values = {v["id"]: v for v in created["data"]["create_item"]["column_values"]}
    assert values[column]["text"] == label
    settings = {c["id"]: c["settings"] for c in board.boards()[0]["columns"]}
    assert label in json.dumps(settings[column])


def test_a_failing_value_does_not_create_labels_of_the_other_values(board, api):
    body = write(api, board, {"dd": {"labels": ["NEW"]}, "n": "bad"}, labels=True)
    assert body["errors"][0]["extensions"]["error_data"]["column_id"] == "n"
    settings = {c["id"]: c["settings"] for c in board.boards()[0]["columns"]}
    assert [o["name"] for o in settings["dd"]["labels"]] == ["XS", "S", "M"]


@pytest.mark.parametrize("empty", ["", None, {}])
def test_clearing_a_value_with_empty_string_null_or_empty_object(board, api, empty):
    item = write(api, board, {"t": "set", "s": {"label": "DONE"}, "dd": {"labels": ["S"]}})["data"]["create_item"]
    change = """mutation($i: ID, $v: JSON!) { change_multiple_column_values(board_id: 7100000001, item_id: $i,
        column_values: $v) { column_values(ids: ["t", "s", "dd"]) { id text value } } }"""
    body = api(board, change, {"i": item["id"], "v": json.dumps({"t": empty, "s": empty, "dd": empty})}).json()
    assert body["data"]["change_multiple_column_values"]["column_values"] == [
        {"id": "t", "text": "", "value": None},
        {"id": "s", "text": "", "value": None},
        {"id": "dd", "text": "", "value": None},
    ]


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("t", "plain", "plain"),
        ("n", "3.25", "3.25"),
        ("d", "2025-01-02 09:30:00", "2025-01-02 09:30"),
        ("s", "DONE", "DONE"),
        ("dd", "XS, M", "XS, M"),
        ("ln", "https://example.com Example", "Example - https://example.com"),
        ("ph", "+4420123456 GB", "+4420123456"),
        ("t", "", ""),
        ("s", None, ""),
    ],
)
def test_change_simple_column_value_takes_monday_simple_strings(board, api, column, value, text):
    item = write(api, board, {"t": "x", "s": {"label": "OPEN"}})["data"]["create_item"]
    body = api(board, SIMPLE, {"item": item["id"], "column": column, "value": value}).json()
    assert "errors" not in body, body
    assert body["data"]["change_simple_column_value"]["column_values"][0]["text"] == text


def test_typed_fields_of_column_values(board, api):
    write(
        api,
        board,
        {
            "s": {"label": "DONE"},
            "dd": {"labels": ["S", "M"]},
            "n": "4.5",
            "d": {"date": "2025-05-06"},
            "cb": {"checked": "true"},
        },
    )
    query = """{ boards(ids: [7100000001]) { items_page { items { column_values(ids: ["s", "dd", "n", "d", "cb"]) {
        id ... on StatusValue { label index } ... on DropdownValue { values { id label } }
        ... on NumbersValue { number } ... on DateValue { date } ... on CheckboxValue { checked } } } } } }"""
    values = api(board, query).json()["data"]["boards"][0]["items_page"]["items"][0]["column_values"]
    assert values == [
        {"id": "n", "number": 4.5},
        {"id": "d", "date": "2025-05-06"},
        {"id": "s", "label": "DONE", "index": 1},
        {"id": "dd", "values": [{"id": "2", "label": "S"}, {"id": "3", "label": "M"}]},
        {"id": "cb", "checked": True},
    ]
