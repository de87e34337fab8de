"""Invariant 3 through the pusher: a change that arrives while an earlier change of the same order
is in flight waits behind it and reaches the board after it, with the latest values."""

from __future__ import annotations

import uuid

from pusher import queue
from tests.pusher.conftest import ITEMS_BOARD, assert_no_duplicates, point_at, push, queue_states


def test_a_change_made_while_its_order_is_in_flight_lands_after_it_with_the_latest_values(
        db, config, monday_emulator, load_reference):
    cfg = point_at(config, monday_emulator)
    rows = load_reference()
    # a pusher that then died holds the oldest order's CREATE in flight
    (flight,) = queue.claim_batch(db, "item", 1, 300, uuid.uuid4())
    key = flight.order_key
    (row,) = [r for r in rows if r["AAG ORDER NUMBER"] == key]
    assert row["DESTINATION"] != "LATEST"
    row["DESTINATION"] = "LATEST"
    load_reference(rows)  # the pipeline queues an UPDATE behind the flight

    assert push(cfg, db)[1] == 0
    on_board = {i["column_values"]["text_order_key"]["text"]: i for i in monday_emulator.items(ITEMS_BOARD)}
    assert key not in on_board and len(on_board) == 68  # the order waits while its flight holds a lease
    assert queue_states(db)["item"] == {"SYNCED": 68, "IN_FLIGHT": 1, "PENDING": 1}

    db.fetch(f'UPDATE dbo."{config.tables.order_delta}" SET lease_expires_at = \'2000-01-01\' '
             f"WHERE delta_id = %s", (flight.delta_id,))  # the dead pusher's lease runs out
    assert push(cfg, db)[1] == 0

    assert queue_states(db) == {"item": {"SYNCED": 70}, "subitem": {"SYNCED": 317}}
    item = {i["column_values"]["text_order_key"]["text"]: i for i in monday_emulator.items(ITEMS_BOARD)}[key]
    assert item["column_values"]["text_destination"]["text"] == "LATEST"
    mutations = monday_emulator.stats()["mutations"]
    assert mutations["create_item"] == 69 and mutations["change_multiple_column_values"] == 1
    assert_no_duplicates(monday_emulator)
