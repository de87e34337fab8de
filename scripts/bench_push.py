"""Benchmark (not a test): push N orders with their subitems to the emulator at monday's default limits,
with the ordersync pusher and with a baseline client that behaves like the existing system.

    .venv/bin/python scripts/bench_push.py                # 1,000 orders, real one-minute windows
    .venv/bin/python scripts/bench_push.py --scale 4      # windows of 15 s: ~4x faster wall time

Limits are the emulator's defaults (10M complexity per window, 30k per create, 5M per request,
5,000 requests per window). ``--scale S`` shortens every window to 60/S seconds and keeps every
budget as it is, so "per minute" below means "per window": the ratios stay honest, but request
latency weighs S times more against a shorter window, so a scaled run understates the pusher.

Reported: mutations per window, the ceiling the budget allows per window (budget / points charged
per mutation), the share of that ceiling reached (mutations / the most the budget allows in the
elapsed time: one full window at the start plus one per window after it), HTTP requests per
mutation, and the baseline's rate, failed rows and duplicates.
The baseline: 5 items per request, up to 3 requests at once, 100 ms between batches, no budget
awareness, a 429 answered by a 2 s sleep and the batch given up, a timed-out batch re-sent one item
at a time (without an Idempotency-Key, as the existing client does).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_pipeline import BENCH_PG_DIR  # noqa: E402

from pusher.config import load_config  # noqa: E402
from pusher.emulator import EmulatorOptions, EmulatorServer  # noqa: E402
from pusher.paths import DEFAULT_CONFIG  # noqa: E402
from pusher.pipeline import run_pipeline  # noqa: E402
from pusher.sample_data import SampleShape, load_snapshot, snapshot  # noqa: E402
from pusher.sql.catalog import read_columns_file  # noqa: E402
from pusher.sql.connection import Database  # noqa: E402
from pusher.sql.deploy import create_staging_and_deploy  # noqa: E402
from pusher.sql.embedded import fresh_database  # noqa: E402
from pusher.sync.session import run_sync  # noqa: E402

TOKEN = "bench-token"
ITEMS_BOARD, SUBITEMS_BOARD = "5000000001", "5000000002"
BASELINE_BATCH, BASELINE_THREADS, BASELINE_PAUSE, BASELINE_429_SLEEP = 5, 3, 0.1, 2.0


def emulator(scale: float, slow_rate: float) -> EmulatorServer:
    window = 60.0 / scale
    faults = ({"kind": "slow", "rate": slow_rate},) if slow_rate else ()
    server = EmulatorServer(EmulatorOptions(budget_window_seconds=window, rate_window_seconds=window,
                                            slow_seconds=35.0, seed=5))
    server.set_faults(faults)
    server.start()
    return server


def deployed_database(config, name: str) -> Database:
    """A fresh database on the benchmark's embedded server, with staging and every object deployed."""
    db = Database(config, url=fresh_database(name, BENCH_PG_DIR))
    columns = read_columns_file(config.columns_file)
    create_staging_and_deploy(db, columns)
    return db


def measure(server: EmulatorServer, elapsed: float, scale: float) -> dict:
    stats = server.stats()
    mutations = stats["mutations_total"]
    window = 60.0 / scale
    per_window = mutations / elapsed * window
    points_per_mutation = stats["complexity_spent"] / max(mutations, 1)
    ceiling = server.options.complexity_per_minute / points_per_mutation
    # The most the budget allows in `elapsed` seconds: a full window at the start, then one per window.
    most = ceiling * (1 + elapsed / window)
    return {"mutations": mutations, "requests": stats["requests"], "seconds": round(elapsed, 1),
            "per_window": per_window, "ceiling": ceiling, "share": mutations / most,
            "requests_per_mutation": stats["requests"] / max(mutations, 1),
            "http_429": stats["http_statuses"].get("429", 0)}


def duplicates(server: EmulatorServer) -> int:
    """Extra items beyond the first per key, on both boards."""
    return sum(n - 1 for board, column in ((ITEMS_BOARD, "text_order_key"), (SUBITEMS_BOARD, "text_line_key"))
               for n in server.duplicate_keys(board, column).values())


def run_ours(config, rows, scale: float, slow_rate: float) -> dict:
    db = deployed_database(config, "bench_ours")
    load_snapshot(db, rows)
    run_pipeline(db)
    server = emulator(scale, slow_rate)
    cfg = config.with_api_url(server.url)
    started = time.monotonic()
    report, code = run_sync(cfg, db, TOKEN, dry_run=False)
    result = measure(server, time.monotonic() - started, scale)
    result.update(failed=report.failed, duplicates=duplicates(server), exit=int(code))
    server.stop()
    db.close()
    return result


class Baseline:
    """The existing system's client, as described in the issue: no budget, no key, 2 s on a 429."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": TOKEN, "API-Version": "2026-07"})
        self.failed = 0
        self.lock = threading.Lock()

    def post(self, query: str, timeout: float = 30.0) -> requests.Response:
        return self.session.post(self.url, json={"query": query}, timeout=timeout)

    def send(self, mutations: list[str]) -> dict:
        """One batch; returns alias -> id of what was created."""
        query = "mutation {" + " ".join(f"m{i}: {m} {{ id }}" for i, m in enumerate(mutations)) + "}"
        try:
            response = self.post(query)
        except requests.Timeout:
            ids = {}
            for i, m in enumerate(mutations):  # re-sent one at a time, no idempotency key
                try:
                    ids.update({f"m{i}": v for v in self.send_one(m)})
                except requests.RequestException:
                    self.fail(1)
            return ids
        if response.status_code == 429:
            time.sleep(BASELINE_429_SLEEP)
            self.fail(len(mutations))
            return {}
        data = (response.json().get("data") or {}) if response.status_code == 200 else {}
        self.fail(sum(1 for i in range(len(mutations)) if not data.get(f"m{i}")))
        return {k: v["id"] for k, v in data.items() if v}

    def send_one(self, mutation: str) -> list[str]:
        response = self.post("mutation { m0: " + mutation + " { id } }")
        data = (response.json().get("data") or {}) if response.status_code == 200 else {}
        if not data.get("m0"):
            self.fail(1)
            return []
        return [data["m0"]["id"]]

    def fail(self, n: int) -> None:
        with self.lock:
            self.failed += n

    def run(self, orders: list[tuple[str, str, dict[str, int]]]) -> None:
        def create_item(order):
            key, name, _ = order
            values = json.dumps(json.dumps({"text_order_key": key}))
            return f"create_item(board_id: {ITEMS_BOARD}, item_name: {json.dumps(name)}, column_values: {values})"

        parents: dict[str, str] = {}
        batches = [orders[i:i + BASELINE_BATCH] for i in range(0, len(orders), BASELINE_BATCH)]

        def push_items(batch):
            ids = self.send([create_item(o) for o in batch])
            time.sleep(BASELINE_PAUSE)
            return {batch[int(alias[1:])][0]: item_id for alias, item_id in ids.items()}

        with ThreadPoolExecutor(BASELINE_THREADS) as pool:
            for created in pool.map(push_items, batches):
                parents.update(created)
        lines = [(key, size, qty) for key, _, sizes in orders for size, qty in sizes.items()]
        self.fail(sum(1 for key, _, _ in lines if key not in parents))
        lines = [line for line in lines if line[0] in parents]

        def create_sub(line):
            key, size, qty = line
            values = json.dumps(json.dumps({"text_line_key": f"{key}|{size}", "numeric_qty": str(qty)}))
            return f"create_subitem(parent_item_id: {parents[key]}, item_name: {json.dumps(size)}, " \
                   f"column_values: {values})"

        def push_subs(batch):
            self.send([create_sub(line) for line in batch])
            time.sleep(BASELINE_PAUSE)

        with ThreadPoolExecutor(BASELINE_THREADS) as pool:
            list(pool.map(push_subs, [lines[i:i + BASELINE_BATCH] for i in range(0, len(lines), BASELINE_BATCH)]))


def run_baseline(shape: SampleShape, rows, scale: float, slow_rate: float) -> dict:
    server = emulator(scale, slow_rate)
    orders = [(shape.order_key(r), f"{r.get('CUSTOMER STYLE')} - {shape.order_key(r)}", shape.lines(r))
              for r in rows]
    baseline = Baseline(server.url)
    started = time.monotonic()
    baseline.run(orders)
    result = measure(server, time.monotonic() - started, scale)
    result.update(failed=baseline.failed, duplicates=duplicates(server), exit=None)
    server.stop()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=1.0, help="window = 60/SCALE seconds (budgets unchanged)")
    parser.add_argument("--slow-rate", type=float, default=0.0,
                        help="share of requests answered after 35 s (past both clients' 30 s timeout)")
    parser.add_argument("--batch-size", type=int, default=None, help="mutations per request (default: the config's)")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_config(DEFAULT_CONFIG, "development")
    if args.batch_size:
        config = dataclasses.replace(config, monday=dataclasses.replace(config.monday, batch_size=args.batch_size))
    shape = SampleShape(config, read_columns_file(config.columns_file))
    rows = list(snapshot(shape, args.orders, seed=7))
    lines = sum(len(shape.lines(r)) for r in rows)
    print(f"{args.orders} orders, {lines} subitems; windows of {60 / args.scale:g} s; batch_size "
          f"{config.monday.batch_size}; run id {uuid.uuid4().hex[:8]}", flush=True)
    ours = run_ours(config, rows, args.scale, args.slow_rate)
    results = {"ordersync": ours}
    if not args.skip_baseline:
        results["baseline"] = run_baseline(shape, rows, args.scale, args.slow_rate)
    print(f"{'client':<10} {'mutations':>9} {'seconds':>8} {'per window':>10} {'ceiling':>8} {'share':>6} "
          f"{'req/mut':>8} {'429s':>5} {'failed':>7} {'dups':>5}")
    for name, r in results.items():
        print(f"{name:<10} {r['mutations']:>9} {r['seconds']:>8} {r['per_window']:>10.0f} {r['ceiling']:>8.0f} "
              f"{r['share']:>6.1%} {r['requests_per_mutation']:>8.3f} {r['http_429']:>5} {r['failed']:>7} "
              f"{r['duplicates']:>5}")
    if "baseline" in results:
        b = results["baseline"]
        print(f"ratios ordersync/baseline: rate x{ours['per_window'] / max(b['per_window'], 1e-9):.2f}, "
              f"requests per mutation x{ours['requests_per_mutation'] / max(b['requests_per_mutation'], 1e-9):.2f}, "
              f"failed rows {ours['failed']} vs {b['failed']}, duplicates {ours['duplicates']} vs {b['duplicates']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
