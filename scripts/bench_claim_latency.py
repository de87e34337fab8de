#!/usr/bin/env python3
"""Benchmark what a pipeline run costs the pushers, on the embedded PostgreSQL (not a test).

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_claim_latency.py [--orders 100000] [--seed 1]

A fresh database with staging in the real shape (`scripts/bench_pipeline.py`'s helpers: the
reference column list, `pusher.sample_data`), loaded with `--orders` orders, plus a pool of
PENDING item rows of orders that are not in staging (the merge never touches them). A second
connection then claims one row and marks it SYNCED (ClaimItems + MarkItemsSynced, two round trips,
as a pusher does), again and again with a short pause: first with the database idle, then
while the full pipeline run of all the orders (every order a CREATE) runs on the first
connection. Printed: p50 / p95 / max of the round trips and the ratios during / idle.

PostgreSQL takes row locks only (no escalation) and claims use SKIP LOCKED, so a claim should
never wait for the merge: what remains is CPU and I/O contention on a shared machine. SQL
Server cannot run here; docs/runbook.md ("Pushers during a pipeline run") says what it does
differently.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from pathlib import Path

from bench_pipeline import BENCH_PG_DIR, REFERENCE, reference_config, timed

from pusher import queue
from pusher.config import Config
from pusher.sample_data import SampleShape, load_snapshot, snapshot
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.embedded import drop_database, fresh_database, server_url

PAUSE = 0.02  # seconds between two probes, so the prober does not take a core from the pipeline


def add_pool(db: Database, rows: int) -> None:
    """`rows` PENDING item rows of orders that staging does not hold."""
    table = db.dialect.qualified(db.config.environment.data_schema, db.config.tables.order_delta)
    db.fetch(f"INSERT INTO {table} (order_key, action, payload, item_name) "
             f"SELECT 'BENCH-' || n, 'CREATE', '{{}}', 'bench ' || n FROM generate_series(1, %s) AS n", (rows,))


def probe(db: Database) -> float:
    """One claim of one row and its MarkItemsSynced, in seconds."""
    start = time.perf_counter()
    token = uuid.uuid4()
    [row] = queue.claim_batch(db, "item", 1, 300, token)
    queue.mark_synced(db, token, "item", [queue.SyncResult(row.delta_id, 1)])
    return time.perf_counter() - start


def probe_while(db: Database, running: threading.Event) -> list[float]:
    latencies = [probe(db)]
    while running.is_set():
        time.sleep(PAUSE)
        latencies.append(probe(db))
    return latencies


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ms = sorted(1000 * t for t in latencies)
    return statistics.median(ms), ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))], ms[-1]


def bench(admin_url: str, config: Config, orders: int, seed: int, idle_seconds: float) -> None:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        url = fresh_database(name, BENCH_PG_DIR)
        db, prober = Database(config, url=url), Database(config, url=url)
        columns = read_columns_file(config.columns_file)
        create_staging_and_deploy(db, columns)
        load_snapshot(db, snapshot(SampleShape(config, columns), orders, seed))
        add_pool(db, 20_000)
        db.fetch(f"ANALYZE {db.dialect.qualified(config.environment.data_schema, config.tables.order_delta)}")

        running = threading.Event()
        running.set()
        threading.Timer(idle_seconds, running.clear).start()
        idle = probe_while(prober, running)

        running.set()
        result: dict = {}
        pipeline = threading.Thread(target=lambda: (result.update(run=timed(db)), running.clear()))
        pipeline.start()
        during = probe_while(prober, running)
        pipeline.join()
        seconds, run = result["run"]
        print(f"  full run: {seconds:.1f} s, {run.count('item', 'CREATE'):,} items, "
              f"{run.count('subitem', 'CREATE'):,} lines")

        rows = [("idle", idle, summary(idle)), ("during the full run", during, summary(during))]
        print(f"\n{'claim + mark synced, ms':<28} {'probes':>7} {'p50':>8} {'p95':>8} {'max':>8}")
        for case, latencies, (p50, p95, top) in rows:
            print(f"{case:<28} {len(latencies):>7} {p50:>8.1f} {p95:>8.1f} {top:>8.1f}")
        (i50, i95, imax), (d50, d95, dmax) = rows[0][2], rows[1][2]
        print(f"{'ratio during / idle':<28} {'':>7} {d50 / i50:>8.2f} {d95 / i95:>8.2f} {dmax / imax:>8.2f}")
        prober.close()
        db.close()
    finally:
        drop_database(admin_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--idle-seconds", type=float, default=15.0, help="how long to probe the idle database")
    parser.add_argument("--columns", type=Path, default=REFERENCE,
                        help="the reference column list (default: %(default)s)")
    args = parser.parse_args()
    print(f"benchmarking claims during a pipeline run of {args.orders:,} orders ...", flush=True)
    bench(server_url(BENCH_PG_DIR), reference_config(args.columns), args.orders, args.seed, args.idle_seconds)


if __name__ == "__main__":
    main()
