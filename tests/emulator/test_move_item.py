"""move_item_to_group as monday answers it: the item (with its subitems) changes group; bad ids are refused."""

from __future__ import annotations

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "x") { id group { id } } }'
GROUP = 'mutation { create_group(board_id: 5000000001, group_name: "ACME SS27") { id } }'


def code(body):
    return body["errors"][0]["extensions"]["code"]


def move(api, server, item_id, group_id):
    query = f'mutation {{ move_item_to_group(item_id: {item_id}, group_id: "{group_id}") {{ id group {{ id }} }} }}'
    return api(server, query).json()


def test_an_item_moves_to_another_group_with_its_subitems(monday_emulator, api):
    item = api(monday_emulator, CREATE).json()["data"]["create_item"]
    sub = api(monday_emulator, f'mutation {{ create_subitem(parent_item_id: {item["id"]}, item_name: "XS") {{ id }} }}')
    group = api(monday_emulator, GROUP).json()["data"]["create_group"]["id"]
    body = move(api, monday_emulator, item["id"], group)
    assert body["data"]["move_item_to_group"] == {"id": item["id"], "group": {"id": group}}
    moved = {i["id"]: i for i in monday_emulator.items("5000000001")}[item["id"]]
    assert moved["group_id"] == group and moved["subitem_ids"] == [sub.json()["data"]["create_subitem"]["id"]]
    assert monday_emulator.stats()["mutations"]["move_item_to_group"] == 1


def test_unknown_group_deleted_item_and_subitem_are_refused(monday_emulator, api):
    item = api(monday_emulator, CREATE).json()["data"]["create_item"]
    assert code(move(api, monday_emulator, item["id"], "nope")) == "InvalidGroupIdException"
    sub = api(monday_emulator, f'mutation {{ create_subitem(parent_item_id: {item["id"]}, item_name: "XS") {{ id }} }}')
    sub_id = sub.json()["data"]["create_subitem"]["id"]
    assert code(move(api, monday_emulator, sub_id, "topics")) == "InvalidArgumentException"
    api(monday_emulator, f'mutation {{ delete_item(item_id: {item["id"]}) {{ id }} }}')
    assert code(move(api, monday_emulator, item["id"], "topics")) == "InvalidItemIdException"
