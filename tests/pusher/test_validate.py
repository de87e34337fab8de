"""`ordersync validate` on a config mapping the real reference board (loaded into the emulator from
tests/fixtures) reports each misuse in one line naming both sides."""

from __future__ import annotations

import dataclasses

from pusher.sync.session import make_client
from pusher.validate import validate
from tests.pusher.conftest import TOKEN, point_at


def test_validate_reports_a_mirror_target_a_duplicate_target_and_a_date_into_a_dropdown(
        db, config, monday_emulator_factory, fixtures_dir):
    server = monday_emulator_factory(boards=(fixtures_dir / "board_items_customer_master_schedule.json",
                                             fixtures_dir / "board_subitems_customer_master_schedule.json"))
    cfg = point_at(config, server)
    env = dataclasses.replace(cfg.environment, items_board_id="9609317401", subitems_board_id=None)
    monday = dataclasses.replace(
        cfg.monday,
        item_key_column="text_mkr5wya6",  # AAG ORDER NUMBER ...
        item_columns={
            "AAG ORDER NUMBER": "text_mkr5wya6",  # ... fed a second time here
            "CUSTOMER NAME": "dropdown_mkr542p2",
            "PO NUMBER": "text_mkr5ej2x",
            "TOTAL QTY": "lookup_mkrbrdr1",  # QTY ORDERED is a mirror column
            "ORDER DATE PO RECEIVED": "dropdown_mkr5w5e",  # a date into the DROP dropdown
            "CUSTOMER PRICE": "numeric_mkr5cact",
        },
        subitem_columns={"size": "dropdown_mkrak7qp", "qty": "numeric_mkra7j8e"},
        create_labels_if_missing={"dropdown_mkr542p2": True, "dropdown_mkrak7qp": True},
    )
    cfg = dataclasses.replace(cfg, environment=env, monday=monday)
    client = make_client(cfg, TOKEN)
    problems = validate(cfg, db, client)
    text = "\n".join(problems)

    mirror = [p for p in problems if "lookup_mkrbrdr1" in p]
    assert len(mirror) == 1 and "'TOTAL QTY'" in mirror[0] and "mirror" in mirror[0]
    assert "cannot be written" in mirror[0]
    duplicate = [p for p in problems if "fed by" in p]
    assert len(duplicate) == 1 and "text_mkr5wya6" in duplicate[0] and "'AAG ORDER NUMBER'" in duplicate[0]
    assert "item_key_column" in duplicate[0]
    date = [p for p in problems if "dropdown_mkr5w5e" in p]
    assert len(date) == 1 and "'ORDER DATE PO RECEIVED'" in date[0] and "DATETIME2" in date[0]
    assert "dropdown" in date[0]
    assert "line_key_column" in text and "text_line_key" in text  # the reference subitems board has no key column
    assert not any("dropdown_mkr542p2" in p or "numeric_mkr5cact" in p or "text_mkr5ej2x" in p for p in problems)
    assert server.stats()["mutations_total"] == 0  # reads only
