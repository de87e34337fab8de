"""`ordersync report --html FILE`: the status as one self-contained page to keep or send."""

from __future__ import annotations

import argparse
from pathlib import Path

from pusher.commands.common import add_common_options, open_database
from pusher.report import collect, render_html

DESCRIPTION = """\
Write one HTML file with the queue (pending, synced, failed) after each run, the rows
pushed per sync run, and the failures grouped by reason, read from the sync views (nothing
is changed). The page needs no network: styles, data and charts are inside the file, so it
opens from a file share or an e-mail attachment on a machine with no internet.
"""

EPILOG = """\
examples:
  ordersync report --html status.html
  ordersync report --html \\\\fileshare\\ordersync\\status.html --env production --runs 500
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="write a self-contained HTML page with charts of the queue, throughput and failures",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--html", type=Path, required=True, metavar="FILE", help="the page to write")
    p.add_argument("--runs", type=int, default=200, metavar="N",
                   help="how many recent run-log steps to chart (default 200)")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        data = collect(db, runs=args.runs)
    args.html.parent.mkdir(parents=True, exist_ok=True)
    args.html.write_text(render_html(data), encoding="utf-8")
    print(f"wrote {args.html}: {len(data.queue)} queue points, {len(data.throughput)} sync runs, "
          f"{len(data.reasons)} failure reasons")
    return 0
