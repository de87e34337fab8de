"""A board's item limit: validate and sync --dry-run warn before the pending creates overfill it, and sync
creates only what fits, then stops with one clear run-fatal error instead of a storm of failed rows."""

from __future__ import annotations

from pusher.sync.session import make_client
from pusher.validate import validate
from tests.pusher.conftest import ITEMS_BOARD, TOKEN, point_at, push, queue_states

LIMIT = 40  # the reference PO has 69 orders


def test_dry_run_and_validate_warn_that_69_creates_overfill_a_40_item_board(
        db, config, monday_emulator_factory, load_reference):
    server = monday_emulator_factory(items_per_board=LIMIT)
    cfg = point_at(config, server)
    load_reference()
    report, code = push(cfg, db, dry_run=True)
    assert code == 0 and report.problems == []  # a warning, not a configuration problem
    (warning,) = report.warnings
    assert f"holds 0 items of its limit of {LIMIT}: 69 pending create(s) need 29 more" in warning
    client = make_client(cfg, TOKEN)
    try:
        assert any(f"limit of {LIMIT}" in p for p in validate(cfg, db, client))
    finally:
        client.close()
    assert server.items(ITEMS_BOARD) == []


def test_sync_fills_the_board_then_stops_with_one_clear_error_and_no_failed_row(
        db, config, monday_emulator_factory, load_reference):
    server = monday_emulator_factory(items_per_board=LIMIT)
    cfg = point_at(config, server, batch_size=25)
    load_reference()
    report, code = push(cfg, db)
    assert code == 3, report.as_dict()
    assert "ItemsLimitationException" in report.fatal and f"limit of {LIMIT}" in report.fatal
    assert len(server.items(ITEMS_BOARD)) == LIMIT
    assert queue_states(db)["item"] == {"SYNCED": LIMIT, "PENDING": 69 - LIMIT}
    attempts = db.fetch(f'SELECT attempts FROM dbo."{config.tables.order_delta}" WHERE sync_state = \'PENDING\'')
    assert {r["attempts"] for r in attempts} == {0}  # held back, not spent
    assert server.stats()["errors_by_code"].get("ItemsLimitationException", 0) == 0  # never sent into a full board
