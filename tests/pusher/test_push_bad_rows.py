"""Bad rows fail alone with a message naming the order, the column and the value; the rest of
their batch lands. Emoji and non-Latin text are not bad: they land intact.

The pipeline already rejects most bad staging rows (contracts.md), so these rows are made bad in
the queue itself (Arrange), which is what the pusher must survive when a value slips through.
"""

from __future__ import annotations

import json

from tests.pusher.conftest import ITEMS_BOARD, SUBITEMS_BOARD, assert_no_duplicates, point_at, push, queue_states


def _delta(db, order_key, **changes):
    table = db.config.tables.order_delta
    row = db.fetch(f'SELECT delta_id, payload FROM dbo."{table}" WHERE order_key = %s', (order_key,))[0]
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    name = changes.pop("item_name", None)
    payload.update(changes)
    db.fetch(f'UPDATE dbo."{table}" SET payload = %s::jsonb, item_name = COALESCE(%s, item_name) '
             f'WHERE delta_id = %s', (json.dumps(payload), name, row["delta_id"]))


def test_bad_rows_fail_alone_with_clear_messages_and_the_rest_of_the_batch_lands(
        db, config, monday_emulator, load_reference):
    load_reference()
    keys = [r["order_key"] for r in db.fetch(f'SELECT order_key FROM dbo."{config.tables.order_delta}" '
                                             f'ORDER BY delta_id')]
    bad_date, long_name, bad_label, bad_number, unicode_key = keys[1], keys[3], keys[5], keys[7], keys[9]
    _delta(db, bad_date, **{"EX FACTORY DATE": "2026-02-30T00:00:00"})
    _delta(db, long_name, item_name="N" * 300)
    _delta(db, bad_label, **{"ORDER TYPE": "BACKORDER"})
    _delta(db, bad_number, **{"CUSTOMER PRICE": "twelve"})
    fancy_name = "Ünïcødé 👕 Кофта 上衣 – ق"
    _delta(db, unicode_key, item_name=fancy_name, **{"CUSTOMER COLOUR DESCRIPTION": "Rosé 🌸 – 桜色"})
    lines = db.config.tables.line_delta
    negative = db.fetch(f'SELECT order_key, size FROM dbo."{lines}" WHERE order_key = %s ORDER BY size LIMIT 1',
                        (keys[0],))[0]
    db.fetch(f'UPDATE dbo."{lines}" SET qty = -12 WHERE order_key = %s AND size = %s',
             (negative["order_key"], negative["size"]))

    report, code = push(point_at(config, monday_emulator), db)
    assert code == 1, report.as_dict()
    failed = {f["key"]: f for f in report.failures if not f["retryable"]}
    assert set(failed) == {bad_date, long_name, bad_label, bad_number, f"{keys[0]}|{negative['size']}"}
    assert "EX FACTORY DATE" in failed[bad_date]["message"] and "2026-02-30" in failed[bad_date]["message"]
    assert bad_date in failed[bad_date]["message"] and "date_ex_factory" in failed[bad_date]["message"]
    assert "300 characters" in failed[long_name]["message"]
    assert "BACKORDER" in failed[bad_label]["message"] and "create_labels_if_missing" in failed[bad_label]["message"]
    assert "'CUSTOMER PRICE'" in failed[bad_number]["message"] and "not a number" in failed[bad_number]["message"]
    assert "-12" in failed[f"{keys[0]}|{negative['size']}"]["message"]

    states = queue_states(db)
    assert states["item"] == {"SYNCED": 65, "FAILED": 4}
    assert states["subitem"]["FAILED"] == 1
    failures = db.fetch(f'SELECT order_key, last_error_code, last_error FROM dbo."{config.tables.order_delta}" '
                        f"WHERE sync_state = 'FAILED'")
    assert {f["order_key"] for f in failures} == {bad_date, long_name, bad_label, bad_number}
    assert all(f["last_error"] for f in failures)

    items = {i["column_values"]["text_order_key"]["text"]: i for i in monday_emulator.items(ITEMS_BOARD)}
    assert len(items) == 65
    assert items[unicode_key]["name"] == fancy_name
    assert items[unicode_key]["column_values"]["long_text_colour"]["text"] == "Rosé 🌸 – 桜色"
    subs = monday_emulator.items(SUBITEMS_BOARD)
    parents = {i["id"] for i in items.values()}
    assert all(s["parent_item_id"] in parents for s in subs)
    assert_no_duplicates(monday_emulator)
