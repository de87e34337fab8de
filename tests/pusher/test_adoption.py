"""A requeued CREATE whose first push did reach the board is adopted, never created twice.

RequeueFailed restarts attempts at 0, so "attempts > 1" alone cannot tell the pusher that an
earlier push may have landed; the error the row carries (LEASE_EXPIRED here: the pusher died
after sending) must.
"""

from __future__ import annotations

from pusher import queue
from tests.pusher.conftest import ITEMS_BOARD, assert_no_duplicates, board_items, point_at, push


def test_a_requeued_create_that_had_reached_the_board_is_adopted(db, config, monday_emulator, load_reference):
    config = point_at(config, monday_emulator)
    load_reference()
    report, code = push(config, db)
    assert code == 0 and report.failed == 0
    orders = config.tables.orders
    key = db.fetch(f'SELECT order_key, monday_item_id FROM dbo."{orders}" ORDER BY order_key LIMIT 1')[0]

    # The board has the item, but the database lost track: the push died after monday applied it.
    db.fetch(f'UPDATE dbo."{orders}" SET monday_item_id = NULL WHERE order_key = %s', (key["order_key"],))
    db.fetch(f'UPDATE dbo."{config.tables.order_delta}" SET sync_state = \'FAILED\', action = \'CREATE\', '
             f"attempts = 5, last_error_code = 'LEASE_EXPIRED', monday_item_id = NULL WHERE order_key = %s",
             (key["order_key"],))
    assert queue.requeue_failed(db, entity="item") == {"item": 1}

    report, code = push(config, db)

    assert code == 0 and report.failed == 0
    assert_no_duplicates(monday_emulator)
    assert len(board_items(monday_emulator, ITEMS_BOARD)) == 69
    adopted = db.fetch(f'SELECT monday_item_id FROM dbo."{orders}" WHERE order_key = %s', (key["order_key"],))
    assert adopted[0]["monday_item_id"] == key["monday_item_id"]
