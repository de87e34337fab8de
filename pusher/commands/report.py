"""`ordersync report --html FILE`: the status as one self-contained page to keep or send."""

from __future__ import annotations

import argparse
from pathlib import Path

from pusher.commands.common import command, open_database
from pusher.report import collect, render_html

DESCRIPTION = """\
Write one HTML file, read from the sync views (nothing is changed): the last successful
sync, the failed orders with their messages, charts of the queue after each run, the rows
pushed per sync run and the failures by reason, and a table of the latest runs. The page
needs no network and runs no script: styles are inline and the charts are SVG drawn by
ordersync, so it reads the same from a file share, with JavaScript off, or in an e-mail
client's preview. Times are UTC.
"""

EPILOG = """\
examples:
  ordersync report --html status.html
  ordersync report --html \\\\fileshare\\ordersync\\status.html --env production --runs 500
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "report",
                 help="write a self-contained HTML page: last sync, failed orders, runs, charts (no script)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--html", type=Path, required=True, metavar="FILE", help="the page to write")
        p.add_argument("--runs", type=int, default=200, metavar="N",
                       help="how many recent run-log steps to chart (default 200)")
        p.add_argument("--failures", type=int, default=200, metavar="N",
                       help="how many failed rows to list, newest first (default 200)")


def run(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        data = collect(db, runs=args.runs, failures=args.failures)
    args.html.parent.mkdir(parents=True, exist_ok=True)
    args.html.write_text(render_html(data), encoding="utf-8")
    print(f"wrote {args.html}: {len(data.queue)} queue points, {len(data.throughput)} sync runs, "
          f"{len(data.failures)} failed rows listed, {len(data.reasons)} failure reasons")
    return 0
