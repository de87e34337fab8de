"""`ordersync reconcile`: a scripted round of hand edits is found exactly, and --execute repairs it through the
queue (the pusher applies it), after which the boards equal the database again."""

from __future__ import annotations

import json

import requests

from pusher.reconcile import Reconciler, queue_repairs
from pusher.sync.board import read_item_and_subitem_boards
from pusher.sync.session import make_client
from tests.pusher.conftest import ITEMS_BOARD, SUBITEMS_BOARD, TOKEN, point_at, push


def reconcile(cfg, db, customer=None):
    client = make_client(cfg, TOKEN)
    try:
        items, subitems = read_item_and_subitem_boards(client, cfg.environment.items_board_id,
                                                       cfg.environment.subitems_board_id)
        return Reconciler(cfg, db, client, items, subitems, customer).run()
    finally:
        client.close()


def by_hand(server, query: str) -> dict:
    """What a person does in monday's UI, through the same API."""
    reply = requests.post(server.url, json={"query": query}, headers={"Authorization": TOKEN}, timeout=10).json()
    assert "errors" not in reply, reply
    return reply["data"]


def hand_edits(server):
    """Delete one item, edit a value, drag one item to another group, delete a subitem, copy an item."""
    items = sorted(server.items(ITEMS_BOARD, include_archived=False), key=lambda i: int(i["id"]))
    deleted, edited, dragged, trimmed, copied = items[0], items[1], items[2], items[3], items[4]
    by_hand(server, f"mutation {{ delete_item(item_id: {deleted['id']}) {{ id }} }}")
    by_hand(server, f'mutation {{ change_simple_column_value(board_id: {ITEMS_BOARD}, item_id: {edited["id"]}, '
                    f'column_id: "text_destination", value: "edited by hand") {{ id }} }}')
    other = by_hand(server, f'mutation {{ create_group(board_id: {ITEMS_BOARD}, group_name: "Parking") {{ id }} }}')
    by_hand(server, f'mutation {{ move_item_to_group(item_id: {dragged["id"]}, '
                    f'group_id: "{other["create_group"]["id"]}") {{ id }} }}')
    by_hand(server, f"mutation {{ delete_item(item_id: {trimmed['subitem_ids'][0]}) {{ id }} }}")
    key = copied["column_values"]["text_order_key"]["text"]
    values = json.dumps(json.dumps({"text_order_key": key}))
    by_hand(server, f'mutation {{ create_item(board_id: {ITEMS_BOARD}, item_name: "copy", '
                    f"column_values: {values}) {{ id }} }}")
    return len(deleted["subitem_ids"])


def test_a_freshly_synced_board_equals_the_database(db, config, monday_emulator, load_reference):
    cfg = point_at(config, monday_emulator)
    load_reference()
    assert push(cfg, db)[1] == 0
    report = reconcile(cfg, db)
    assert report.differences == []
    assert (report.orders, report.items_read, report.lines, report.subitems_read) == (69, 69, 317, 317)


def test_hand_edits_are_found_exactly_and_execute_repairs_them_through_the_queue(
        db, config, monday_emulator, load_reference):
    cfg = point_at(config, monday_emulator)
    load_reference()
    assert push(cfg, db)[1] == 0
    lost_subitems = hand_edits(monday_emulator)

    report = reconcile(cfg, db)
    assert report.counts() == {"missing_item": 1, "duplicate_item": 1, "value_differs": 1, "wrong_group": 1,
                               "missing_subitem": lost_subitems + 1, "duplicate_subitem": 0, "wrong_parent": 0}
    edited = next(d for d in report.differences if d.kind == "value_differs")
    assert (edited.column, edited.board) == ("text_destination", "edited by hand")

    repairs = queue_repairs(db, report)
    assert (repairs["orders_marked"], repairs["lines_marked"]) == (3, 1)  # missing, edited, dragged; one line
    assert monday_emulator.stats()["mutations"].get("move_item_to_group") == 1  # reconcile wrote nothing itself
    report_, code = push(cfg, db)
    assert code == 0, report_.as_dict()

    after = reconcile(cfg, db)
    assert after.counts()["duplicate_item"] == 1  # a person's copy is reported, never removed by us
    assert [d.kind for d in after.differences] == ["duplicate_item"]
    assert len([i for i in monday_emulator.items(SUBITEMS_BOARD, include_archived=False)]) == 317


def test_customer_limits_the_comparison_to_that_customers_orders_and_items(
        db, config, monday_emulator, load_reference):
    from pusher.sample_data import REFERENCE_CUSTOMER

    cfg = point_at(config, monday_emulator)
    load_reference()
    assert push(cfg, db)[1] == 0
    hand_edits(monday_emulator)
    mine = reconcile(cfg, db, customer=REFERENCE_CUSTOMER)
    assert mine.orders == 69 and mine.counts()["missing_item"] == 1 and mine.counts()["duplicate_item"] == 1
    other = reconcile(cfg, db, customer="NO SUCH CUSTOMER")
    assert (other.orders, other.lines, other.differences) == (0, 0, [])  # the board's 69 are not its items
