"""The reference-shaped PO reaches the board completely and exactly, and the `demo` change set
changes exactly what it should and nothing else (real PostgreSQL + the emulator over HTTP)."""

from __future__ import annotations

from decimal import Decimal

from pusher.sample_data import apply_change_set
from tests.pusher.conftest import (
    ITEMS_BOARD,
    SUBITEMS_BOARD,
    assert_no_duplicates,
    point_at,
    push,
    queue_states,
)


def _orders(db):
    return {r["order_key"]: r for r in db.fetch(f'SELECT * FROM dbo."{db.config.tables.orders}"')}


def _lines(db):
    return {(r["order_key"], r["size"]): r for r in db.fetch(f'SELECT * FROM dbo."{db.config.tables.lines}"')}


def _board(server):
    """key -> item (items board, non-deleted) and line key -> subitem."""
    items = {i["column_values"]["text_order_key"]["text"]: i for i in server.items(ITEMS_BOARD)}
    subs = {s["column_values"]["text_line_key"]["text"]: s for s in server.items(SUBITEMS_BOARD)}
    return items, subs


def _assert_item_matches(item, order, group_titles):
    cv = item["column_values"]
    assert item["name"] == order["item_name"]
    # the group key is normalised as SQL Server's default collation compares (upper case, no trailing
    # spaces); the monday group keeps the title as spelled
    assert group_titles[item["group_id"]].upper().rstrip() == order["group_key"]
    assert cv["text_po"]["text"] == order["PO NUMBER"]
    assert cv["text_style"]["text"] == order["CUSTOMER STYLE"]
    assert cv["dropdown_customer"]["text"] == order["CUSTOMER NAME"]
    assert cv["dropdown_season"]["text"] == order["CUSTOMER SEASON"]
    assert cv["long_text_colour"]["text"] == order["CUSTOMER COLOUR DESCRIPTION"]
    assert cv["date_order"]["text"] == order["ORDER DATE PO RECEIVED"].strftime("%Y-%m-%d")
    assert cv["date_ex_factory"]["text"] == order["EX FACTORY DATE"].strftime("%Y-%m-%d")
    assert Decimal(cv["numeric_price"]["text"]) == order["CUSTOMER PRICE"]
    assert int(cv["numeric_total_qty"]["text"]) == order["TOTAL QTY"]
    assert cv["status_order_type"]["text"] == order["ORDER TYPE"]
    assert cv["dropdown_delivery_terms"]["text"] == order["DELIVERY TERMS"]
    assert cv["text_destination"]["text"] == order["DESTINATION"]


def test_the_reference_po_lands_completely_in_its_groups_with_the_database_values(
        db, config, monday_emulator, load_reference):
    load_reference()
    report, code = push(point_at(config, monday_emulator), db)
    assert code == 0, report.as_dict()

    items, subs = _board(monday_emulator)
    orders, lines = _orders(db), _lines(db)
    board = next(b for b in monday_emulator.boards() if b["id"] == ITEMS_BOARD)
    group_titles = {g["id"]: g["title"] for g in board["groups"]}
    assert len(items) == len(orders) == 69
    for key, order in orders.items():
        assert str(order["monday_item_id"]) == items[key]["id"]
        _assert_item_matches(items[key], order, group_titles)
    assert len(subs) == len(lines) == 317
    for (order_key, size), line in lines.items():
        sub = subs[f"{order_key}|{size}"]
        assert str(line["monday_subitem_id"]) == sub["id"]
        assert sub["parent_item_id"] == items[order_key]["id"]
        assert sub["name"] == size
        assert sub["column_values"]["dropdown_size"]["text"] == size
        assert int(sub["column_values"]["numeric_qty"]["text"]) == line["qty"]
    assert queue_states(db) == {"item": {"SYNCED": 69}, "subitem": {"SYNCED": 317}}
    assert_no_duplicates(monday_emulator)
    stats = monday_emulator.stats()["mutations"]
    assert stats == {"create_group": 1, "create_item": 69, "create_subitem": 317}


def test_the_demo_change_set_changes_exactly_what_it_says_and_nothing_else(
        db, config, monday_emulator, load_reference, shape):
    cfg = point_at(config, monday_emulator)
    rows = load_reference()
    assert push(cfg, db)[1] == 0
    before_items, before_subs = _board(monday_emulator)
    changed, summary = apply_change_set(shape, rows, "demo")
    load_reference(changed)
    monday_emulator.stats_counter.reset()

    report, code = push(cfg, db)
    assert code == 0, report.as_dict()
    after_items, after_subs = _board(monday_emulator)
    orders, lines = _orders(db), _lines(db)

    actions = summary.item_actions()
    (dropped,) = summary.dropped
    (cancelled,) = summary.cancelled
    assert after_items[dropped]["state"] == "archived"
    assert after_items[cancelled]["column_values"]["status_order_type"]["text"] == "CANCELLED"
    for key, item in after_items.items():
        if actions.get(key) == "UPDATE":
            assert int(item["column_values"]["numeric_total_qty"]["text"]) == orders[key]["TOTAL QTY"]
        elif key != dropped:
            assert item == before_items[key], f"order {key} was touched but not changed"
    for (order_key, size), (_, new) in summary.quantities.items():
        assert int(after_subs[f"{order_key}|{size}"]["column_values"]["numeric_qty"]["text"]) == new
    for (order_key, size), qty in summary.added.items():
        sub = after_subs[f"{order_key}|{size}"]
        assert sub["parent_item_id"] == after_items[order_key]["id"] and sub["state"] == "active"
        assert int(sub["column_values"]["numeric_qty"]["text"]) == qty
        assert f"{order_key}|{size}" not in before_subs
    for order_key, size in summary.removed:
        assert f"{order_key}|{size}" not in after_subs  # deleted (on_removed_size = "delete")
    expected_line_changes = {f"{o}|{s}" for o, s in (*summary.quantities, *summary.added, *summary.removed)}
    for line_key, sub in after_subs.items():
        if line_key not in expected_line_changes and not line_key.startswith(dropped + "|"):
            assert sub == before_subs[line_key], f"line {line_key} was touched but not changed"
    mutations = monday_emulator.stats()["mutations"]
    item_updates = sum(1 for a in actions.values() if a == "UPDATE")
    assert mutations.get("archive_item") == 1
    assert mutations.get("create_subitem") == len(summary.added)
    assert mutations.get("create_item") is None and mutations.get("create_group") is None
    assert mutations.get("change_multiple_column_values") == item_updates + len(summary.quantities)
    assert len(orders) == 69 and len(lines) >= 317 - len(summary.removed)
    assert_no_duplicates(monday_emulator)
