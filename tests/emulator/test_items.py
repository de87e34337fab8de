"""Queries and mutations over real HTTP: items, subitems, groups, pages, look-ups by key."""

from __future__ import annotations

import json

from pusher.emulator import SAMPLE_ITEMS_BOARD_ID as BOARD
from pusher.emulator import SAMPLE_SUBITEMS_BOARD_ID as SUBBOARD

CREATE = """mutation($board: ID!, $name: String!, $values: JSON, $group: String) {
  create_item(board_id: $board, item_name: $name, column_values: $values, group_id: $group,
              create_labels_if_missing: true) { id name group { id } state } }"""
SUBITEM = """mutation($parent: ID!, $name: String!, $values: JSON) {
  create_subitem(parent_item_id: $parent, item_name: $name, column_values: $values) { id board { id } } }"""
FIND = """query($board: ID!, $column: String!, $keys: [String]!) {
  items_page_by_column_values(board_id: $board, limit: 50, columns: [{column_id: $column, column_values: $keys}]) {
    cursor items { id name state parent_item { id } } } }"""


def create(api, server, name, values=None, group=None):
    body = api(
        server, CREATE, {"board": BOARD, "name": name, "values": json.dumps(values or {}), "group": group}
    ).json()
    assert "errors" not in body, body
    return body["data"]["create_item"]


def test_create_item_returns_numeric_string_ids_that_increase(monday_emulator, api):
    first = create(api, monday_emulator, "PO-1")
    second = create(api, monday_emulator, "PO-2")
    assert first["id"].isdigit() and int(second["id"]) > int(first["id"])
    assert first["group"] == {"id": "topics"} and first["state"] == "active"
    assert [i["name"] for i in monday_emulator.items(BOARD)] == ["PO-1", "PO-2"]


def test_create_item_into_a_group_made_by_create_group(monday_emulator, api):
    body = api(monday_emulator, 'mutation { create_group(board_id: 5000000001, group_name: "ACME FW25") { id title } }')
    group = body.json()["data"]["create_group"]
    assert group["title"] == "ACME FW25"
    item = create(api, monday_emulator, "PO-1", group=group["id"])
    assert item["group"]["id"] == group["id"]
    titles = api(monday_emulator, "{ boards(ids: [5000000001]) { groups { title } } }").json()
    assert titles["data"]["boards"][0]["groups"] == [{"title": "Group Title"}, {"title": "ACME FW25"}]


def test_an_unknown_group_is_refused(monday_emulator, api):
    body = api(monday_emulator, CREATE, {"board": BOARD, "name": "x", "group": "nope"}).json()
    assert body["errors"][0]["extensions"]["code"] == "InvalidGroupIdException"
    assert monday_emulator.items(BOARD) == []


def test_create_subitem_lands_on_the_subitems_board_under_its_parent(monday_emulator, api):
    parent = create(api, monday_emulator, "PO-1")
    body = api(monday_emulator, SUBITEM, {"parent": parent["id"], "name": "S", "values": '{"numeric_qty": 12}'}).json()
    sub = body["data"]["create_subitem"]
    assert sub["board"]["id"] == SUBBOARD
    [stored] = monday_emulator.items(SUBBOARD)
    assert stored["parent_item_id"] == parent["id"] and stored["column_values"]["numeric_qty"]["text"] == "12"
    read = api(
        monday_emulator,
        "query($i: [ID!]) { items(ids: $i) { subitems { id parent_item { id } } "
        'column_values(ids: ["subitems"]) { text ... on SubtasksValue { subitems_ids } } } }',
        {"i": [parent["id"]]},
    ).json()["data"]["items"][0]
    assert read["subitems"] == [{"id": sub["id"], "parent_item": {"id": parent["id"]}}]
    assert read["column_values"] == [{"text": "S", "subitems_ids": [sub["id"]]}]


def test_the_first_create_subitem_creates_the_subitems_board(monday_emulator_factory, api):
    board = {
        "id": "7000000001",
        "name": "Orders",
        "columns": [
            {"id": "text_key", "title": "Key", "type": "text"},
            {"id": "subitems", "title": "Subitems", "type": "subtasks"},
        ],
    }
    server = monday_emulator_factory(board_fixtures=({"boards": [board]},))
    item = api(server, 'mutation { create_item(board_id: 7000000001, item_name: "A") { id } }').json()
    parent = item["data"]["create_item"]["id"]
    sub = api(server, SUBITEM, {"parent": parent, "name": "S1"}).json()["data"]["create_subitem"]
    boards = {b["id"]: b for b in server.boards()}
    assert boards["7000000001"]["subitems_board_id"] == sub["board"]["id"]
    assert boards[sub["board"]["id"]]["name"] == "Subitems of Orders"
    again = api(server, SUBITEM, {"parent": parent, "name": "S2"}).json()["data"]["create_subitem"]
    assert again["board"]["id"] == sub["board"]["id"]


def test_create_subitem_on_a_board_without_subitems_column_errors(monday_emulator_factory, api):
    board = {"id": "7000000001", "name": "Flat", "columns": [{"id": "text_key", "title": "Key", "type": "text"}]}
    server = monday_emulator_factory(board_fixtures=({"boards": [board]},))
    parent = api(server, 'mutation { create_item(board_id: 7000000001, item_name: "A") { id } }').json()
    body = api(server, SUBITEM, {"parent": parent["data"]["create_item"]["id"], "name": "S"}).json()
    assert body["data"]["create_subitem"] is None
    assert body["errors"][0]["extensions"]["code"] == "InvalidArgumentException"
    assert [b["id"] for b in server.boards()] == ["7000000001"]


def test_change_mutations_update_values(monday_emulator, api):
    item = create(api, monday_emulator, "PO-1", {"text_po": "A1", "numeric_total_qty": 5})
    api(
        monday_emulator,
        "mutation($i: ID) { change_multiple_column_values(board_id: 5000000001, item_id: $i, "
        'column_values: "{\\"text_po\\": \\"B2\\", \\"name\\": \\"PO-1b\\"}") { id } }',
        {"i": item["id"]},
    )
    api(
        monday_emulator,
        "mutation($i: ID) { change_simple_column_value(board_id: 5000000001, item_id: $i, "
        'column_id: "status_order_type", value: "ON HOLD") { id } }',
        {"i": item["id"]},
    )
    api(
        monday_emulator,
        "mutation($i: ID) { change_column_value(board_id: 5000000001, item_id: $i, "
        'column_id: "date_order", value: "{\\"date\\": \\"2025-03-01\\"}") { id } }',
        {"i": item["id"]},
    )
    [stored] = monday_emulator.items(BOARD)
    values = stored["column_values"]
    assert stored["name"] == "PO-1b"
    assert (values["text_po"]["text"], values["status_order_type"]["text"], values["date_order"]["text"]) == (
        "B2",
        "ON HOLD",
        "2025-03-01",
    )
    assert values["numeric_total_qty"]["text"] == "5"
    assert monday_emulator.stats()["mutations"] == {
        "change_column_value": 1,
        "change_multiple_column_values": 1,
        "change_simple_column_value": 1,
        "create_item": 1,
    }


def test_archive_and_delete_cascade_to_subitems(monday_emulator, api):
    keep, gone = create(api, monday_emulator, "keep"), create(api, monday_emulator, "gone")
    for parent in (keep, gone):
        api(monday_emulator, SUBITEM, {"parent": parent["id"], "name": f"{parent['name']}-s"})
    archived = api(monday_emulator, "mutation($i: ID) { archive_item(item_id: $i) { id state } }", {"i": keep["id"]})
    assert archived.json()["data"]["archive_item"]["state"] == "archived"
    api(monday_emulator, "mutation($i: ID) { delete_item(item_id: $i) { id } }", {"i": gone["id"]})
    states = {i["name"]: i["state"] for i in monday_emulator.items(SUBBOARD, include_deleted=True)}
    assert states == {"keep-s": "archived", "gone-s": "deleted"}
    assert [i["name"] for i in monday_emulator.items(BOARD)] == ["keep"]
    assert [i["name"] for i in monday_emulator.items(BOARD, include_archived=False)] == []
    again = api(monday_emulator, "mutation($i: ID) { archive_item(item_id: $i) { id } }", {"i": gone["id"]}).json()
    assert again["errors"][0]["extensions"]["code"] == "InvalidItemIdException"


def test_items_page_pages_with_cursors_and_skips_archived(monday_emulator, api):
    ids = [create(api, monday_emulator, f"PO-{n}")["id"] for n in range(5)]
    api(monday_emulator, "mutation($i: ID) { archive_item(item_id: $i) { id } }", {"i": ids[0]})
    first = api(monday_emulator, "{ boards(ids: [5000000001]) { items_page(limit: 2) { cursor items { id } } } }")
    page = first.json()["data"]["boards"][0]["items_page"]
    seen = [i["id"] for i in page["items"]]
    while page["cursor"]:
        page = api(
            monday_emulator,
            "query($c: String!) { next_items_page(cursor: $c, limit: 2) { cursor items { id } } }",
            {"c": page["cursor"]},
        ).json()["data"]["next_items_page"]
        seen += [i["id"] for i in page["items"]]
    assert seen == ids[1:]


def test_items_page_filters_by_rules(monday_emulator, api):
    create(api, monday_emulator, "A", {"status_order_type": {"label": "ACTIVE"}, "numeric_total_qty": 10})
    create(api, monday_emulator, "B", {"status_order_type": {"label": "CANCELLED"}, "numeric_total_qty": 50})
    query = """{ boards(ids: [5000000001]) { items_page(limit: 10, query_params: {rules: [
        {column_id: "status_order_type", compare_value: [1], operator: any_of},
        {column_id: "numeric_total_qty", compare_value: [20], operator: greater_than}]}) { items { name } } } }"""
    assert api(monday_emulator, query).json()["data"]["boards"][0]["items_page"]["items"] == [{"name": "B"}]


def test_items_page_rules_on_status_and_dropdown_compare_label_indexes_not_text(monday_emulator, api):
    """monday documents compare_value for status as the label index and for dropdown as option ids."""
    create(api, monday_emulator, "A", {"status_order_type": {"label": "ACTIVE"},
                                       "dropdown_customer": {"labels": ["X"]}})
    create(api, monday_emulator, "B", {"status_order_type": {"label": "CANCELLED"}})

    def names(rule):
        query = f"{{ boards(ids: [5000000001]) {{ items_page(limit: 10, query_params: {{rules: [{rule}]}}) " \
                f"{{ items {{ name }} }} }} }}"
        return [i["name"] for i in api(monday_emulator, query).json()["data"]["boards"][0]["items_page"]["items"]]

    assert names('{column_id: "status_order_type", compare_value: [1], operator: any_of}') == ["B"]
    assert names('{column_id: "status_order_type", compare_value: ["CANCELLED"], operator: any_of}') == []
    assert names('{column_id: "status_order_type", compare_value: [1], operator: not_any_of}') == ["A"]
    (column,) = [c for c in monday_emulator.boards()[0]["columns"] if c["id"] == "dropdown_customer"]
    option = next(o for o in column["settings"]["labels"] if o["name"] == "X")
    assert names(f'{{column_id: "dropdown_customer", compare_value: [{option["id"]}], operator: any_of}}') == ["A"]


def test_items_page_by_column_values_sees_new_items_and_subitems_but_not_deleted(monday_emulator, api):
    a = create(api, monday_emulator, "A", {"text_order_key": "K-1"})
    b = create(api, monday_emulator, "B", {"text_order_key": "K-2"})
    create(api, monday_emulator, "C", {"text_order_key": "K-3"})
    api(monday_emulator, SUBITEM, {"parent": a["id"], "name": "A/S", "values": '{"text_line_key": "K-1/S"}'})
    api(monday_emulator, "mutation($i: ID) { archive_item(item_id: $i) { id } }", {"i": b["id"]})
    found = api(monday_emulator, FIND, {"board": BOARD, "column": "text_order_key", "keys": ["K-1", "K-2", "K-3"]})
    items = found.json()["data"]["items_page_by_column_values"]["items"]
    assert [(i["name"], i["state"]) for i in items] == [("A", "active"), ("B", "archived"), ("C", "active")]
    sub = api(monday_emulator, FIND, {"board": SUBBOARD, "column": "text_line_key", "keys": ["K-1/S"]}).json()
    assert [(i["name"], i["parent_item"]["id"]) for i in sub["data"]["items_page_by_column_values"]["items"]] == [
        ("A/S", a["id"])
    ]
    api(monday_emulator, "mutation($i: ID) { delete_item(item_id: $i) { id } }", {"i": a["id"]})
    after = api(monday_emulator, FIND, {"board": BOARD, "column": "text_order_key", "keys": ["K-1"]}).json()
    assert after["data"]["items_page_by_column_values"]["items"] == []


def test_items_page_by_column_values_pages_with_a_cursor(monday_emulator, api):
    for n in range(3):
        create(api, monday_emulator, f"P{n}", {"text_po": "SAME"})
    query = """query($c: String) { items_page_by_column_values(board_id: 5000000001, limit: 2, cursor: $c,
        columns: [{column_id: "text_po", column_values: ["SAME"]}]) { cursor items { name } } }"""
    first = api(monday_emulator, query).json()["data"]["items_page_by_column_values"]
    second = api(monday_emulator, query, {"c": first["cursor"]}).json()["data"]["items_page_by_column_values"]
    assert [i["name"] for i in first["items"] + second["items"]] == ["P0", "P1", "P2"]
    assert second["cursor"] is None


def test_boards_query_reports_columns_with_types_and_settings(monday_emulator, api):
    body = api(
        monday_emulator, "{ boards(ids: [5000000001, 5000000002]) { id name type columns { id title type settings } } }"
    ).json()
    items_board, sub_board = body["data"]["boards"]
    assert (items_board["type"], sub_board["type"]) == ("board", "sub_items_board")
    columns = {c["id"]: c for c in items_board["columns"]}
    assert columns["status_order_type"]["settings"]["labels"] == {
        "0": "ACTIVE",
        "1": "CANCELLED",
        "2": "ON HOLD",
        "3": "SAMPLE",
    }
    assert columns["subitems"]["settings"]["boardIds"] == [int(SUBBOARD)]
    assert (columns["mirror_qty_packed"]["type"], columns["formula_revenue"]["type"]) == ("mirror", "formula")
    assert [c["id"] for c in sub_board["columns"]] == [
        "name",
        "text_line_key",
        "dropdown_size",
        "numeric_qty",
        "status_line",
    ]


def test_concurrent_creates_from_many_threads_lose_nothing_and_share_no_id(monday_emulator, api):
    from concurrent.futures import ThreadPoolExecutor

    def make(n: int) -> str:
        return create(api, monday_emulator, f"T-{n}", {"text_order_key": f"K-{n}"})["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(make, range(64)))
    assert len(set(ids)) == 64
    stored = monday_emulator.items(BOARD)
    assert sorted(i["id"] for i in stored) == sorted(ids)
    assert {i["column_values"]["text_order_key"]["text"] for i in stored} == {f"K-{n}" for n in range(64)}
