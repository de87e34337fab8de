"""`ordersync sync --dry-run` prints the plan: every pending change with old -> new (old = what monday
last confirmed), subitems under their order; --limit bounds it, --output-json gives it whole; no mutation."""

from __future__ import annotations

import json

import pytest

from pusher.sample_data import apply_change_set
from tests.pusher.conftest import point_at, push


@pytest.fixture
def dry_run(db, config, monday_emulator, monkeypatch, capsys):
    """Run the `sync --dry-run` command line on the test database and emulator; (exit code, stdout)."""
    from pusher.cli import main
    from pusher.commands import sync as sync_command
    from pusher.sql.connection import Database

    cfg = point_at(config, monday_emulator)
    monkeypatch.setattr(sync_command, "load", lambda args: cfg)
    monkeypatch.setattr(sync_command, "open_database", lambda args: Database(cfg, url=db.url))
    monkeypatch.setenv("MONDAY_API_TOKEN", "test-token")

    def run(*extra: str) -> tuple[int, str]:
        code = main(["sync", "--dry-run", "--quiet", *extra])
        return code, capsys.readouterr().out
    return run


@pytest.fixture
def demo_changes(db, config, monday_emulator, shape, load_reference):
    """The reference PO synced, then the `demo` change set through the pipeline: what the demo's second sync sees."""
    rows = load_reference()
    report, code = push(point_at(config, monday_emulator), db)
    assert code == 0, report.as_dict()
    changed, summary = apply_change_set(shape, rows, "demo")
    load_reference(changed)
    return summary


def test_the_plan_lists_every_change_of_the_demo_with_old_and_new(dry_run, demo_changes, monday_emulator):
    summary = demo_changes
    mutations = monday_emulator.stats()["mutations_total"]

    code, out = dry_run("--output-json")
    plan = json.loads(out)["plan"]

    assert code == 0
    assert monday_emulator.stats()["mutations_total"] == mutations  # still nothing sent
    orders = {o["order_key"]: o for o in plan["orders"]}
    assert {k: o["action"] for k, o in orders.items() if o["action"]} == {
        k: a.lower() for k, a in summary.item_actions().items()}
    lines = {(k, s["size"]): s for k, o in orders.items() for s in o["subitems"]}
    assert {line: s["action"] for line, s in lines.items()} == {
        line: a.lower() for line, a in summary.line_actions().items()}
    for line, (old, new) in summary.quantities.items():
        assert (lines[line]["old_qty"], lines[line]["new_qty"]) == (old, new)
    for line, qty in summary.added.items():
        assert "old_qty" not in lines[line] and lines[line]["new_qty"] == qty  # never synced: old unknown
    for line, qty in summary.removed.items():
        assert (lines[line]["old_qty"], lines[line]["new_qty"]) == (qty, None)
    (cancelled,) = summary.cancelled
    assert orders[cancelled]["changes"] == [{"column": "ORDER TYPE", "old": "ACTIVE", "new": "CANCELLED"}]
    for order, _ in summary.quantities:
        total = [c for c in orders[order]["changes"] if c["column"] == "TOTAL QTY"]
        assert len(total) == 1 and total[0]["old"] != total[0]["new"]


def test_the_readable_plan_shows_old_to_new_and_limit_bounds_it(dry_run, demo_changes):
    summary = demo_changes
    code, out = dry_run()
    assert code == 0
    (cancelled,) = summary.cancelled
    assert "ORDER TYPE: ACTIVE -> CANCELLED" in out
    (line, (old, new)), *_ = summary.quantities.items()
    assert f"size {line[1]}" in out and f"qty {old} -> {new}" in out
    (removed, qty), = summary.removed.items()
    assert f"qty {qty} -> (removed)" in out
    total = len({*summary.item_actions(), *(k for k, _ in summary.line_actions())})
    assert f"plan: {total} order(s) change" in out

    code, out = dry_run("--limit", "1", "--output-json")
    plan = json.loads(out)["plan"]
    assert plan["orders_total"] == total and len(plan["orders"]) == 1


def test_a_new_order_lists_its_subitems_waiting_for_the_item(dry_run, load_reference):
    rows = load_reference()
    code, out = dry_run("--output-json")
    plan = json.loads(out)["plan"]
    assert plan["orders_total"] == len(rows)
    first = plan["orders"][0]
    assert first["action"] == "create" and first["subitems"]
    assert all(s["action"] == "create" and s["waits_for_parent"] and "old_qty" not in s for s in first["subitems"])
    assert sum(len(o["subitems"]) for o in plan["orders"]) == plan["totals"]["subitem"]["create"]
    assert {c["column"] for c in first["changes"]} >= {"(item name)", "(group)"}
