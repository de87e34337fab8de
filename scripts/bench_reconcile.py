"""Benchmark (not a test): `ordersync reconcile --dry-run` on a board of N orders (default 10,000) in the emulator.

    .venv/bin/python scripts/bench_reconcile.py                 # 10,000 orders with their subitems
    .venv/bin/python scripts/bench_reconcile.py --orders 2000

The board is filled by the pusher itself (with an unlimited budget, to set up fast); then monday's
default limits are put back (10M complexity a one-minute window, 5M a request) and the reconcile is
timed: requests, pages, complexity points and seconds, and the differences it finds (0 expected), then
again after a few hand edits. Reads are paced on the budget, so the time includes any budget wait.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pipeline import BENCH_PG_DIR  # noqa: E402

from pusher.config import load_config  # noqa: E402
from pusher.emulator import EmulatorOptions, EmulatorServer  # noqa: E402
from pusher.paths import DEFAULT_CONFIG  # noqa: E402
from pusher.pipeline import run_pipeline  # noqa: E402
from pusher.reconcile import Reconciler  # noqa: E402
from pusher.sample_data import SampleShape, load_snapshot, snapshot  # noqa: E402
from pusher.sql.catalog import read_columns_file  # noqa: E402
from pusher.sql.connection import Database  # noqa: E402
from pusher.sql.deploy import create_staging_and_deploy  # noqa: E402
from pusher.sql.embedded import fresh_database  # noqa: E402
from pusher.sync.board import read_item_and_subitem_boards  # noqa: E402
from pusher.sync.session import make_client, run_sync  # noqa: E402

TOKEN = "bench-token"
DEFAULT_BUDGET = 10_000_000


def timed_reconcile(cfg, db) -> dict:
    client = make_client(cfg, TOKEN)
    waits: list[float] = []
    client.pacer.on_wait = waits.append  # the pacer announces each wait for monday's budget
    started = time.monotonic()
    items, subitems = read_item_and_subitem_boards(client, cfg.environment.items_board_id,
                                                   cfg.environment.subitems_board_id)
    report = Reconciler(cfg, db, client, items, subitems).run()
    seconds = time.monotonic() - started
    client.close()
    return {"seconds": round(seconds, 1), "requests": client.stats.requests,
            "complexity": client.stats.complexity, "budget_wait_s": round(sum(waits), 1),
            "orders": report.orders, "lines": report.lines, "items_read": report.items_read,
            "subitems_read": report.subitems_read, "counts": report.counts()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    config = load_config(DEFAULT_CONFIG)
    columns = read_columns_file(config.columns_file)
    shape = SampleShape(config, columns)
    db = Database(config, url=fresh_database("bench_reconcile", BENCH_PG_DIR))
    create_staging_and_deploy(db, columns)
    load_snapshot(db, list(snapshot(shape, args.orders)))
    run_pipeline(db)
    server = EmulatorServer(EmulatorOptions(complexity_per_minute=2**31 - 1, requests_per_minute=1_000_000,
                                            daily_calls=1_000_000, items_per_board=max(100_000, 10 * args.orders)))
    server.start()
    cfg = config.with_api_url(server.url)
    started = time.monotonic()
    _, code = run_sync(cfg, db, TOKEN, dry_run=False)
    print(f"setup: pushed {args.orders} orders in {time.monotonic() - started:.0f} s (exit {code})", flush=True)
    server.limits.budget.limit = DEFAULT_BUDGET  # monday's default from here on
    server.reset_limits()
    clean = timed_reconcile(cfg, db)
    print("reconcile, board equal to the database:", json.dumps(clean), flush=True)
    items = server.items("5000000001", include_archived=False)[:5]
    for item in items:
        requests.post(server.url, headers={"Authorization": TOKEN}, timeout=10, json={
            "query": f'mutation {{ change_simple_column_value(board_id: 5000000001, item_id: {item["id"]}, '
                     f'column_id: "text_destination", value: "edited") {{ id }} }}'})
    edited = timed_reconcile(cfg, db)
    print("reconcile, after 5 hand edits:", json.dumps(edited), flush=True)
    server.stop()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
