"""Items deleted or archived on the board by hand, then changed in the database.

monday deletes (archives) an item's subitems with it. The next change of that order must bring the
item back with current values and ALL its subitems under the new id (monday.on_missing_item =
"recreate", the default), or fail the row visibly ("fail"); never a silent SYNCED on a missing or
archived item. An archived item is left archived (the API has no mutation to restore it, and an
active copy would be a duplicate): monday writes the change to it and the row is FAILED saying so.
"""

from __future__ import annotations

import requests

from pusher.sample_data import reference_po
from tests.pusher.conftest import (
    ITEMS_BOARD,
    SUBITEMS_BOARD,
    TOKEN,
    assert_no_duplicates,
    point_at,
    push,
    queue_states,
)

NEW_DESTINATION = "Antwerp, BE"


def _by_hand(server, mutation: str, item_id: str) -> None:
    """What a person does in monday's UI, through the same API."""
    body = {"query": f"mutation {{ {mutation}(item_id: {item_id}) {{ id }} }}"}
    reply = requests.post(server.url, json=body, headers={"Authorization": TOKEN}, timeout=10).json()
    assert reply["data"][mutation]["id"] == item_id, reply


def _first_order(db, config, shape, rows):
    """The first order with several lines: (staging row index, order key, its item id, its line count)."""
    orders = db.fetch(f"SELECT o.order_key, o.monday_item_id, count(l.size) AS lines "
                      f'FROM dbo."{config.tables.orders}" o '
                      f'JOIN dbo."{config.tables.lines}" l ON l.order_key = o.order_key '
                      f"GROUP BY o.order_key, o.monday_item_id HAVING count(l.size) > 2 "
                      f"ORDER BY o.order_key LIMIT 1")[0]
    index = next(i for i, r in enumerate(rows) if shape.order_key(r) == orders["order_key"])
    return index, orders["order_key"], str(orders["monday_item_id"]), orders["lines"]


def _change(rows, index, load_reference):
    rows[index] = {**rows[index], "DESTINATION": NEW_DESTINATION}
    load_reference(rows)


def _live(server, board, **where):
    return [i for i in server.items(board, include_archived=True)
            if i["state"] == "active" and all(i.get(k) == v for k, v in where.items())]


def _item_of(server, key):
    return [i for i in _live(server, ITEMS_BOARD) if i["column_values"]["text_order_key"]["text"] == key]


def _prepare(db, config, shape, monday_emulator, load_reference, how):
    cfg = point_at(config, monday_emulator, **({"on_missing_item": "fail"} if how == "fail" else {}))
    rows = reference_po(shape)
    load_reference(rows)
    assert push(cfg, db)[1] == 0
    index, key, old_id, lines = _first_order(db, config, shape, rows)
    _by_hand(monday_emulator, "archive_item" if how == "archive" else "delete_item", old_id)
    _change(rows, index, load_reference)
    return cfg, key, old_id, lines


def test_an_item_deleted_by_hand_comes_back_changed_with_all_its_subitems(
        db, config, shape, monday_emulator, load_reference):
    cfg, key, old_id, lines = _prepare(db, config, shape, monday_emulator, load_reference, "delete")
    report, code = push(cfg, db)
    assert code == 0, report.as_dict()
    (item,) = _item_of(monday_emulator, key)
    assert item["id"] != old_id and item["column_values"]["text_destination"]["text"] == NEW_DESTINATION
    assert len(_live(monday_emulator, SUBITEMS_BOARD, parent_item_id=item["id"])) == lines
    assert report.counts["item"]["recreate:synced"] == 1
    assert report.counts["subitem"]["create:synced"] == lines
    assert not queue_states(db)["item"].get("FAILED") and not queue_states(db)["subitem"].get("PENDING")
    assert_no_duplicates(monday_emulator)
    stored = db.fetch(f'SELECT monday_item_id FROM dbo."{config.tables.orders}" WHERE order_key = %s', (key,))
    assert str(stored[0]["monday_item_id"]) == item["id"]


def test_an_item_archived_by_hand_stays_archived_and_the_change_fails_visibly(
        db, config, shape, monday_emulator, load_reference):
    """A person archived it on purpose: no active copy is made (that would be a duplicate); monday
    writes the change to the archived item, and the row is FAILED saying how to restore it."""
    cfg, key, old_id, lines = _prepare(db, config, shape, monday_emulator, load_reference, "archive")
    report, code = push(cfg, db)
    assert code == 1, report.as_dict()
    assert _item_of(monday_emulator, key) == []
    archived = {i["id"]: i for i in monday_emulator.items(ITEMS_BOARD)}[old_id]
    assert archived["state"] == "archived"
    assert archived["column_values"]["text_destination"]["text"] == NEW_DESTINATION  # monday's semantics
    row = db.fetch(f'SELECT sync_state, last_error_code, last_error FROM dbo."{config.tables.order_delta}" '
                   f"WHERE order_key = %s ORDER BY delta_id DESC LIMIT 1", (key,))[0]
    assert (row["sync_state"], row["last_error_code"]) == ("FAILED", "ItemArchivedOnBoard")
    assert old_id in row["last_error"] and "Restore it in monday" in row["last_error"]
    assert_no_duplicates(monday_emulator)


def test_with_on_missing_item_fail_the_row_fails_naming_the_setting(
        db, config, shape, monday_emulator, load_reference):
    cfg, key, old_id, _ = _prepare(db, config, shape, monday_emulator, load_reference, "fail")
    report, code = push(cfg, db)
    assert code == 1, report.as_dict()
    row = db.fetch(f'SELECT sync_state, last_error_code, last_error FROM dbo."{config.tables.order_delta}" '
                   f"WHERE order_key = %s ORDER BY delta_id DESC LIMIT 1", (key,))[0]
    assert (row["sync_state"], row["last_error_code"]) == ("FAILED", "ItemGoneFromBoard")
    assert old_id in row["last_error"] and "on_missing_item" in row["last_error"]
    assert _item_of(monday_emulator, key) == []


def test_a_new_size_for_an_item_deleted_by_hand_brings_the_item_back_through_the_pipeline(
        db, config, shape, monday_emulator, load_reference):
    """Only a line changed: its create_subitem meets a deleted parent. The line is FAILED (not retried
    into the void), the order is marked, and the next pipeline run + push re-create the item with all its
    subitems, closing the FAILED line as superseded."""
    from pusher.pipeline import run_pipeline

    cfg = point_at(config, monday_emulator)
    rows = reference_po(shape)
    load_reference(rows)
    assert push(cfg, db)[1] == 0
    index, key, old_id, lines = _first_order(db, config, shape, rows)
    _by_hand(monday_emulator, "delete_item", old_id)
    column = next(c for c, size in shape.canonical.items() if c == size and not rows[index].get(c))
    rows[index] = {**rows[index], column: 7}
    load_reference(rows)

    report, code = push(cfg, db)
    assert code == 1, report.as_dict()
    (failure,) = [f for f in report.failures if f["entity"] == "subitem"]
    assert failure["code"] == "ParentMissingOnBoard" and old_id in failure["message"]

    run_pipeline(db)  # the scheduled pipeline run: it queues the marked order
    report, code = push(cfg, db)
    assert code == 0, report.as_dict()
    (item,) = _item_of(monday_emulator, key)
    assert len(_live(monday_emulator, SUBITEMS_BOARD, parent_item_id=item["id"])) == lines + 1
    assert not queue_states(db)["subitem"].get("FAILED") and not queue_states(db)["item"].get("FAILED")
    assert_no_duplicates(monday_emulator)
