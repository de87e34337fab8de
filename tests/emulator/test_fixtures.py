"""Board fixtures: the sample board, the production board exports in tests/fixtures, and bad fixtures."""

from __future__ import annotations

import json

import pytest

from pusher.emulator import EmulatorOptions, EmulatorServer
from pusher.emulator.fixtures import SAMPLE_BOARD_PATH, FixtureError, build_board, load_fixture_file

EXPORTS = ("board_items_customer_master_schedule.json", "board_subitems_customer_master_schedule.json")

SAMPLE_COLUMNS = [
    ("name", "Name", "name"),
    ("text_order_key", "Order Key", "text"),
    ("dropdown_customer", "CUSTOMER", "dropdown"),
    ("text_po", "PO NUMBER", "text"),
    ("text_style", "CUSTOMER STYLE", "text"),
    ("long_text_colour", "COLOUR DESCRIPTION", "long_text"),
    ("dropdown_season", "CUSTOMER SEASON", "dropdown"),
    ("date_order", "ORDER DATE PO RECEIVED", "date"),
    ("date_ex_factory", "EX FACTORY DATE", "date"),
    ("numeric_price", "CUSTOMER PRICE", "numbers"),
    ("numeric_total_qty", "TOTAL QTY", "numbers"),
    ("status_order_type", "ORDER TYPE", "status"),
    ("dropdown_delivery_terms", "DELIVERY TERMS", "dropdown"),
    ("text_destination", "DESTINATION", "text"),
    ("mirror_qty_packed", "QTY PACKED", "mirror"),
    ("formula_revenue", "REVENUE", "formula"),
    ("subitems", "Subitems", "subtasks"),
]


def test_the_default_board_is_the_sample_order_board_with_the_agreed_ids():
    server = EmulatorServer(EmulatorOptions())
    items_board, sub_board = server.boards()
    assert (items_board["id"], items_board["name"], items_board["subitems_board_id"]) == (
        "5000000001",
        "ORDER_LIST demo",
        "5000000002",
    )
    assert items_board["groups"] == [{"id": "topics", "title": "Group Title"}]
    assert [(c["id"], c["title"], c["type"]) for c in items_board["columns"]] == SAMPLE_COLUMNS
    status = next(c for c in items_board["columns"] if c["id"] == "status_order_type")
    assert status["settings"]["labels"] == {"0": "ACTIVE", "1": "CANCELLED", "2": "ON HOLD", "3": "SAMPLE"}
    assert (sub_board["id"], sub_board["name"], sub_board["type"]) == (
        "5000000002",
        "Subitems of ORDER_LIST demo",
        "sub_items_board",
    )
    assert [(c["id"], c["type"]) for c in sub_board["columns"]] == [
        ("name", "name"),
        ("text_line_key", "text"),
        ("dropdown_size", "dropdown"),
        ("numeric_qty", "numbers"),
        ("status_line", "status"),
    ]
    assert load_fixture_file(SAMPLE_BOARD_PATH)[0]["id"] == "5000000001"


@pytest.fixture
def production(monday_emulator_factory, fixtures_dir):
    return monday_emulator_factory(boards=tuple(fixtures_dir / name for name in EXPORTS))


def test_the_production_board_exports_load_with_their_85_and_11_columns(production, api):
    boards = {b["name"]: b for b in production.boards()}
    items_board = boards["Customer Master Schedule"]
    sub_board = boards["Subitems of Customer Master Schedule"]
    assert (len(items_board["columns"]), len(sub_board["columns"])) == (85, 11)
    assert items_board["subitems_board_id"] == sub_board["id"] == "9609317948"
    types = {c["id"]: c["type"] for c in items_board["columns"]}
    assert types["lookup_mkrdm6xp"] == "mirror" and types["formula_mkrd937j"] == "formula"


def test_items_and_subitems_on_the_production_shape(production, api):
    values = {
        "text_mkr5ej2x": "PO-778",
        "dropdown_mkr542p2": {"labels": ["GREYSON"]},
        "color_mkr5j5pp": {"label": "RECEIVED"},
        "numeric_mkr5cact": "12.75",
        "date_mkr5zp5": {"date": "2025-06-01"},
        "long_text_mktdy7re": {"text": "NAVY / WHITE"},
    }
    query = """mutation($v: JSON) { create_item(board_id: 9609317401, item_name: "GREYSON PO-778",
        column_values: $v, create_labels_if_missing: true) { id } }"""
    created = api(production, query, {"v": json.dumps(values)}).json()
    assert "errors" not in created, created
    item_id = created["data"]["create_item"]["id"]
    sub = api(
        production,
        """mutation($p: ID!) { create_subitem(parent_item_id: $p, item_name: "XS",
        column_values: "{\\"dropdown_mkrak7qp\\": {\\"labels\\": [\\"XS\\"]}, \\"numeric_mkra7j8e\\": 40}",
        create_labels_if_missing: true) { id board { id } } }""",
        {"p": item_id},
    ).json()
    assert sub["data"]["create_subitem"]["board"]["id"] == "9609317948"
    [stored] = production.items("9609317401")
    assert stored["column_values"]["dropdown_mkr542p2"]["text"] == "GREYSON"
    assert stored["column_values"]["color_mkr5j5pp"]["text"] == "RECEIVED"
    assert stored["column_values"]["subtasks_mkr5c0kp"]["text"] == "XS"
    refused = api(production, query, {"v": json.dumps({"lookup_mkrdm6xp": "5"})}).json()
    assert refused["errors"][0]["extensions"]["code"] == "ColumnValueException"


@pytest.mark.parametrize(
    ("board", "message"),
    [
        ({"id": "abc", "name": "x"}, "'id' must be a numeric string"),
        ({"id": "1", "columns": []}, "'name' is required"),
        (
            {"id": "1", "name": "x", "columns": [{"id": "a", "title": "A", "type": "sparkles"}]},
            "unknown type 'sparkles'",
        ),
        ({"id": "1", "name": "x", "columns": [{"id": "a", "title": "A"}]}, "lacks 'type'"),
        ({"id": "1", "name": "x", "columns": [{"id": "a", "title": "A", "type": "text"}] * 2}, "appears twice"),
        ({"id": "1", "name": "x", "type": "folder"}, "'type' must be"),
    ],
)
def test_a_bad_fixture_names_the_board_and_the_key(board, message):
    with pytest.raises(FixtureError, match=message):
        build_board(board)


def test_an_unreadable_fixture_file_is_a_fixture_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FixtureError, match="cannot read board fixture"):
        EmulatorServer(EmulatorOptions(boards=(path,)))
