"""An order whose group key (customer + season) changes moves its item with move_item_to_group, into a
group created if needed; an item a person dragged to another group goes back with the order's next change."""

from __future__ import annotations

import requests

from pusher.sample_data import reference_po
from tests.pusher.conftest import ITEMS_BOARD, TOKEN, assert_no_duplicates, point_at, push


def _setup(db, config, shape, server, load_reference):
    cfg = point_at(config, server)
    rows = reference_po(shape)
    load_reference(rows)
    assert push(cfg, db)[1] == 0
    key = shape.order_key(rows[0])
    (item,) = [i for i in server.items(ITEMS_BOARD) if i["column_values"]["text_order_key"]["text"] == key]
    return cfg, rows, key, item


def _groups(server):
    (board,) = [b for b in server.boards() if b["id"] == ITEMS_BOARD]
    return {g["title"]: g["id"] for g in board["groups"]}


def _item(server, item_id):
    return {i["id"]: i for i in server.items(ITEMS_BOARD)}[item_id]


def test_a_changed_season_moves_the_item_into_a_new_group(db, config, shape, monday_emulator, load_reference):
    cfg, rows, key, item = _setup(db, config, shape, monday_emulator, load_reference)
    rows[0] = {**rows[0], "CUSTOMER SEASON": "SS99"}
    load_reference(rows)
    report, code = push(cfg, db)
    assert code == 0, report.as_dict()
    title = f"{rows[0]['CUSTOMER NAME']} SS99"
    moved = _item(monday_emulator, item["id"])  # the same item, not a copy
    assert moved["group_id"] == _groups(monday_emulator)[title] != item["group_id"]
    assert moved["state"] == "active" and len(moved["subitem_ids"]) == len(item["subitem_ids"])
    assert report.counts["item"]["move:synced"] == 1 and report.counts["item"].get("create:synced") is None
    saved = db.fetch(f'SELECT monday_group_id FROM dbo."{config.tables.groups}" WHERE group_key = %s',
                     (title.upper(),))  # keys compare as SQL Server's default collation does
    assert saved and saved[0]["monday_group_id"] == moved["group_id"]
    assert_no_duplicates(monday_emulator)


def test_an_item_dragged_to_another_group_by_hand_goes_back_with_the_next_change(
        db, config, shape, monday_emulator, load_reference):
    cfg, rows, key, item = _setup(db, config, shape, monday_emulator, load_reference)
    other = {g["title"]: g["id"] for b in monday_emulator.boards() if b["id"] == ITEMS_BOARD for g in b["groups"]}
    elsewhere = next(gid for gid in other.values() if gid != item["group_id"])
    body = {"query": f'mutation {{ move_item_to_group(item_id: {item["id"]}, group_id: "{elsewhere}") {{ id }} }}'}
    assert requests.post(monday_emulator.url, json=body, headers={"Authorization": TOKEN}, timeout=10).ok
    rows[0] = {**rows[0], "DESTINATION": "Antwerp, BE"}
    load_reference(rows)
    report, code = push(cfg, db)
    assert code == 0, report.as_dict()
    assert _item(monday_emulator, item["id"])["group_id"] == item["group_id"]
    assert report.counts["item"]["move:synced"] == 1
