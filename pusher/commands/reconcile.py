"""`ordersync reconcile`: compare the boards with the database; list (and queue the repair of) every difference."""

from __future__ import annotations

import argparse
import json

from pusher.commands.common import add_customer_option, add_mode, command, load, monday_client, open_database
from pusher.errors import ExitCode
from pusher.reconcile import KINDS, Reconciler, ReconcileReport, queue_repairs
from pusher.sync.board import read_item_and_subitem_boards
from pusher.sync.errors import RunFatalError

DESCRIPTION = """\
Read both boards page by page and compare them with the database's current copy (ORDER_LIST_V2,
ORDER_LIST_LINES), by key and by the stored monday ids. Reports:

  missing_item / missing_subitem      in the database, not (live) on the board
  duplicate_item / duplicate_subitem  a live item with our key besides ours, or a key we do not know
  value_differs                       the name or a mapped column edited by hand
  wrong_group / wrong_parent          an item outside its order's group; a subitem under another item

  --dry-run   report only (reads only; paced on the complexity budget)
  --execute   also queue the repairs through the normal delta queue (QueueRepairs, then the
              pipeline); `ordersync sync --execute` applies them. Nothing is written to monday here.
              Duplicates and wrong parents are reported only: delete them on the board, then
              reconcile again.
"""

EPILOG = """\
exit codes:
  0    the boards equal the database (with --execute: nothing to repair)
  1    differences found (with --execute: their repairs are queued)
  2    configuration problem
  3    monday refused the run (token, board) or stayed unreachable
  4    database error

examples:
  ordersync reconcile --dry-run
  ordersync reconcile --dry-run --customer "Société Générale Wear" --output-json > differences.json
  ordersync reconcile --execute && ordersync sync --execute
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "reconcile", help="compare the boards with the database (and queue repairs)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        add_mode(p, dry_run="report the differences; change nothing",
                 execute="also queue the repairs for `ordersync sync`")
        add_customer_option(p)
        p.add_argument("--output-json", action="store_true", help="print counts and every difference as JSON")


def run(args: argparse.Namespace) -> int:
    config = load(args)
    client = monday_client(config)
    repairs = None
    try:
        with open_database(args) as db:
            items, subitems = read_item_and_subitem_boards(client, config.environment.items_board_id,
                                                           config.environment.subitems_board_id)
            report = Reconciler(config, db, client, items, subitems, args.customer).run()
            if args.execute and report.differences:
                repairs = queue_repairs(db, report)
    except RunFatalError as exc:
        print(f"ordersync reconcile: {exc}")
        return int(ExitCode.REMOTE_FATAL)
    finally:
        client.close()
    code = ExitCode.ROWS_FAILED if report.differences else ExitCode.OK
    if args.output_json:
        print(json.dumps({**report.as_dict(), "repairs": repairs, "requests": client.stats.requests,
                          "exit_code": int(code)}, ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(report, repairs, client.stats.requests, int(code)))
    return int(code)


def summary(report: ReconcileReport, repairs: dict | None, requests: int, code: int) -> str:
    counts = report.counts()
    lines = [f"ordersync reconcile: {report.orders} orders / {report.lines} lines in the database, "
             f"{report.items_read} items / {report.subitems_read} subitems on the boards, {requests} requests "
             f"(exit {code})"]
    lines += [f"  {kind:18} {counts[kind]}" for kind in KINDS]
    for d in report.differences[:50]:
        what = (f" {d.column}:" if d.column else "") + (
            f" board {d.board!r}, database {d.database!r}" if d.board is not None or d.database is not None else "")
        lines.append(f"    - {d.kind} {d.entity} {d.key}" + (f" (monday {d.monday_id})" if d.monday_id else "")
                     + what + (f": {d.detail}" if d.detail else ""))
    if len(report.differences) > 50:
        lines.append(f"    ... {len(report.differences) - 50} more (--output-json lists every one)")
    if repairs is not None:
        lines.append(f"  queued: {repairs['orders_marked']} order(s) to push again, {repairs['lines_marked']} "
                     f"line(s) to create again; pipeline: {repairs['queued'] or 'nothing new'}. "
                     f"Run `ordersync sync --execute` to apply them.")
    return "\n".join(lines)
