"""`ordersync retry-failed`: put dead-lettered rows back in the queue once their cause is fixed."""

from __future__ import annotations

import argparse

from pusher import queue
from pusher.commands.common import add_customer_option, command, open_database
from pusher.errors import ConfigError

DESCRIPTION = """\
Move FAILED rows (the dead letter: a permanent monday error, the attempts limit reached,
or a pusher that died holding the row on its last attempt) back to PENDING with attempts
reset to 0, through sync.RequeueFailed. The next `ordersync sync` pushes them again. Each
row keeps its last error code, which tells the pusher that an earlier attempt happened.

Fix the cause first (`ordersync status` lists the error codes; `SELECT * FROM
sync.Failures` shows each row's message), or the rows fail again.

Without filters every FAILED item and subitem row is requeued. The call is logged in the
run log, dry runs too.
"""

EPILOG = """\
examples:
  ordersync retry-failed --dry-run                    # how many would go back
  ordersync retry-failed --customer "ACME"            # one customer's rows
  ordersync retry-failed --entity subitem             # only size lines
  ordersync retry-failed --entity item --delta-id 42  # one row (ids are per entity)
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "retry-failed", help="requeue dead-lettered (FAILED) rows for the next sync",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        add_customer_option(p)
        p.add_argument("--entity", choices=queue.ENTITIES, help="only items or only subitems (default both)")
        p.add_argument("--delta-id", type=int, metavar="N", help="only this row; needs --entity")
        p.add_argument("--dry-run", action="store_true", help="count what would be requeued; change nothing")


def run(args: argparse.Namespace) -> int:
    if args.delta_id is not None and args.entity is None:
        raise ConfigError("--delta-id needs --entity item|subitem: item and subitem rows are numbered apart")
    with open_database(args) as db:
        counts = queue.requeue_failed(db, args.entity, args.customer, args.delta_id, args.dry_run)
    verb = "would requeue" if args.dry_run else "requeued"
    print(", ".join(f"{verb} {n} {entity} row(s)" for entity, n in counts.items()))
    return 0
