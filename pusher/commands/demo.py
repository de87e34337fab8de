"""`ordersync demo`: the whole product end to end on embedded defaults, in about a minute.

A fresh `ordersync` database on the embedded PostgreSQL (the one every command uses when the
config names no database, so `ordersync status` afterwards shows the demo's queue), the monday
emulator in-process, the reference-shaped PO through the pipeline and the pusher, then the `demo`
change set through both again, and a report of what changed on the board. Nothing outside the
state folder (`ordersync local status` shows it) is touched.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from pusher.commands.common import command, count, load
from pusher.emulator import EmulatorOptions, EmulatorServer
from pusher.errors import ConfigError, ExitCode
from pusher.pipeline import PipelineResult, run_pipeline
from pusher.sample_data import SampleShape, apply_change_set, reference_po, snapshot
from pusher.sample_data import load_snapshot as load_staging
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.dialect import get_dialect
from pusher.sync.runner import RunReport
from pusher.sync.session import run_sync

DEMO_TOKEN = "demo-token"

DESCRIPTION = """\
Run ordersync end to end on embedded defaults and show what reached the board:

  1. start the embedded PostgreSQL and replace its database `ordersync` with an empty
     one (the database every command uses when the config names none)
  2. start the monday emulator on a free local port (sample ORDER_LIST board)
  3. deploy the tables, procedures and views; load the reference-shaped PO
     (69 orders, 317 size lines) into staging
  4. run the pipeline, then the pusher: groups, items, subitems
  5. apply the `demo` change set (changed quantities, a size added and one
     removed, a cancelled order, an order dropped from staging), run both again
  6. print what changed on the board, with API calls and complexity used

It needs nothing running and no token: everything is local. Run it again at will;
each run starts from a fresh database and a fresh emulator. Afterwards `ordersync status`
shows the queue; with --keep-running the emulator stays where the config points the pusher,
so `ordersync sync --dry-run` works from another terminal. `ordersync local stop` stops the
embedded PostgreSQL, `ordersync local reset --yes` deletes its data.

The emulator enforces monday's real limits (10M complexity points a minute, 30k per
created item). The first push needs about 11.6M points, so the pusher pauses once for
the budget window to reset (about a minute), exactly as it would against monday.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "demo", help="run the whole sync end to end locally (start here)",
                 description=DESCRIPTION, func=run) as p:
        p.add_argument("--orders", type=count(), metavar="N", default=None,
                       help="push N random orders instead of the reference-shaped PO")
        p.add_argument("--keep-running", action="store_true",
                       help="leave the emulator running afterwards at the config's monday_api_url, accepting any "
                            "token, so `ordersync sync --dry-run` can reach it (Ctrl-C stops it)")


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if not get_dialect(config.environment.dialect).embedded_server:
        raise ConfigError(f"the demo runs on the embedded PostgreSQL; environment {config.environment.name!r} "
                          f"is {config.environment.dialect}: use --env development")
    if not args.verbose:  # the narration below says what deploy does, without a line per object
        logging.getLogger("pusher.sql.deploy").setLevel(logging.WARNING)
    from pusher.sql.embedded import DATABASE_NAME, fresh_database  # the local extra: imported when it runs

    say = _Printer()
    with _emulator(config, args.keep_running) as emulator:  # first: a busy port refuses before any drop
        say.step("embedded PostgreSQL")
        url = fresh_database(DATABASE_NAME)
        say.step(f"monday emulator at {emulator.url}")
        config = config.with_api_url(emulator.url)
        with Database(config, url=url) as db:
            code = _demo(config, db, emulator, args.orders, say)
        if args.keep_running:
            print(f"\nThe emulator keeps running at {emulator.url}: try `ordersync sync --dry-run` in another "
                  f"terminal; Ctrl-C stops it.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    return code


def _emulator(config, keep_running: bool) -> EmulatorServer:
    """On a free port with the demo's token; with --keep-running where the config sends the pusher
    instead, taking any token, so the commands the demo suggests work as they are."""
    if not keep_running:
        return EmulatorServer(EmulatorOptions(port=0, token=DEMO_TOKEN))
    where = urlsplit(config.environment.monday_api_url)
    if where.hostname not in ("127.0.0.1", "localhost") or where.port is None:
        raise ConfigError(f"--keep-running starts the emulator where environment {config.environment.name!r} "
                          f"points the pusher, but monday_api_url is {config.environment.monday_api_url!r}, "
                          f"not a local port: use --env development")
    server = EmulatorServer(EmulatorOptions(host=where.hostname, port=where.port))
    try:
        server.start()
    except OSError as exc:
        raise ConfigError(f"--keep-running needs port {where.port} for the emulator ({exc}): stop what "
                          f"listens there (an `ordersync monday-emulator`?) or run the demo without it") from exc
    return server


def _demo(config, db: Database, emulator: EmulatorServer, orders: int | None, say: _Printer) -> int:
    columns = read_columns_file(config.columns_file)
    objects = create_staging_and_deploy(db, columns)
    say.step(f"deployed {len(objects)} objects (tables, procedures, views)")

    shape = SampleShape(config, columns)
    rows = list(snapshot(shape, orders)) if orders else reference_po(shape)
    lines = sum(len(shape.lines(r)) for r in rows)
    say.step(f"staging: {len(rows)} orders, {lines} non-zero size lines "
             f"({'random, ' + str(orders) + ' orders' if orders else 'reference-shaped PO'})")
    load_staging(db, rows)

    first = _pipeline_and_push(config, db, emulator, say, "first sync")
    before = _board(emulator, config)
    say.board_summary(before, config)

    changed, summary = apply_change_set(shape, rows, "demo")
    say.heading("change set `demo`")
    for line in summary.describe():
        print(f"  - {line}")
    load_staging(db, changed)
    second = _pipeline_and_push(config, db, emulator, say, "second sync")
    after = _board(emulator, config)
    say.changes(before, after)
    say.board_summary(after, config)

    duplicates = _duplicates(emulator, config)
    if duplicates:
        print(f"\nDUPLICATES on the board: {duplicates}", file=sys.stderr)
        return int(ExitCode.ROWS_FAILED)
    failed = first.failed + second.failed
    print(f"\nDone: no duplicates on the board; {failed} row(s) failed. Try `ordersync status` next; "
          f"`ordersync demo --keep-running` leaves the emulator up for `ordersync sync --dry-run`.")
    return int(ExitCode.ROWS_FAILED if failed else ExitCode.OK)


def _pipeline_and_push(config, db: Database, emulator: EmulatorServer, say: _Printer, title: str) -> RunReport:
    say.heading(title)
    started = time.perf_counter()
    result = run_pipeline(db)
    say.pipeline(result, time.perf_counter() - started)
    started = time.perf_counter()
    report, _code = run_sync(config, db, DEMO_TOKEN, dry_run=False, progress_stream=sys.stderr)
    say.push(report, time.perf_counter() - started)
    return report


def _board(emulator: EmulatorServer, config) -> dict[str, dict[str, Any]]:
    """Every item and subitem on the demo boards (deleted ones too), by item id."""
    env = config.environment
    items = emulator.items(env.items_board_id, include_archived=True, include_deleted=True)
    subitems = emulator.items(env.subitems_board_id, include_archived=True, include_deleted=True) \
        if env.subitems_board_id else []
    return {i["id"]: i for i in [*items, *subitems]}


def _duplicates(emulator: EmulatorServer, config) -> list[str]:
    """Keys held by two live items, on the items board or the subitems board."""
    env, monday = config.environment, config.monday
    boards = [(env.items_board_id, monday.item_key_column)]
    if env.subitems_board_id:
        boards.append((env.subitems_board_id, monday.line_key_column))
    return sorted(str(k) for board, column in boards for k in emulator.duplicate_keys(board, column))


class _Printer:
    """The demo's narration: short numbered steps, then tables a person can read."""

    def __init__(self) -> None:
        self.n = 0

    def step(self, text: str) -> None:
        self.n += 1
        print(f"[{self.n}] {text}", flush=True)

    @staticmethod
    def heading(text: str) -> None:
        print(f"\n== {text} ==", flush=True)

    @staticmethod
    def pipeline(result: PipelineResult, seconds: float) -> None:
        counts = ", ".join(f"{entity} {action} {n}" for (entity, action), n in sorted(result.counts.items()))
        print(f"  pipeline ({seconds:.2f} s): {counts or 'nothing changed'}")
        for reject in result.rejects:
            print(f"    rejected {reject.order_key}: {reject.message}")

    @staticmethod
    def push(report: RunReport, seconds: float) -> None:
        for entity, counts in report.counts.items():
            if counts:
                print(f"  pushed {entity}s: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
        print(f"  pusher ({seconds:.2f} s): {report.synced} synced, {report.failed} failed, "
              f"{report.requests} API requests, {report.complexity:,} complexity points")
        for failure in report.failures:
            print(f"    failed: {failure}")

    @staticmethod
    def board_summary(board: dict[str, dict[str, Any]], config) -> None:
        states = Counter(("subitem" if i.get("parent_item_id") else "item", i["state"]) for i in board.values())
        groups = {i["group_id"] for i in board.values() if not i.get("parent_item_id") and i["state"] == "active"}
        text = ", ".join(f"{kind}s {state} {n}" for (kind, state), n in sorted(states.items()))
        print(f"  board now: {text}; {len(groups)} group(s) in use")

    @staticmethod
    def changes(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> None:
        print("  what changed on the board:")
        shown = 0
        for item_id, new in after.items():
            parent = after.get(str(new.get("parent_item_id")))
            kind = f"subitem (of {parent['name']!r})" if parent else "item"
            old = before.get(item_id)
            if old is None:
                print(f"    + new {kind} {new['name']!r}")
            elif old["state"] != new["state"]:
                print(f"    ~ {kind} {new['name']!r}: {old['state']} -> {new['state']}")
            else:
                diff = [f"{cid}: {(old['column_values'].get(cid) or {}).get('text')!r} -> {v.get('text')!r}"
                        for cid, v in new["column_values"].items()
                        if (old["column_values"].get(cid) or {}).get("text") != v.get("text")]
                if not diff and old["name"] == new["name"]:
                    continue
                print(f"    ~ {kind} {new['name']!r}: " + "; ".join(diff or ["renamed"]))
            shown += 1
        if not shown:
            print("    nothing")
