"""`ordersync validate`: check the config against the database catalog and the live monday boards."""

from __future__ import annotations

import argparse
import json

from pusher.commands.common import command, load, monday_client, open_database
from pusher.errors import ConfigError, ExitCode
from pusher.validate import BoardsUnreadable, validate

DESCRIPTION = """\
Read-only checks, all reported at once, one line per problem naming both sides:
  * every configured staging column exists in the staging table (names, size markers, aliases)
  * every mapped monday column exists on its board and is writable (not mirror, formula, lookup,
    subitems, item id, last updated, auto number, connect boards)
  * no monday column is fed by two sources (two staging columns, or a column and the key)
  * each staging column's SQL type fits its monday column type (a date into a dropdown, or text
    into numbers, is refused)
  * the pending changes carry every mapped staging column (a column mapped after the procedures
    were rendered is absent, not empty: run `ordersync render` and `ordersync deploy`)
  * status and dropdown values in the pending data exist as labels, unless
    monday.create_labels_if_missing allows creating them
Only board reads are sent to monday.
"""

EPILOG = """\
exit codes: 0 no problems, 2 problems listed (also problems in the config file itself),
            3 monday refused or stayed unreachable (token, board, URL), 4 database error
--output-json always prints {"problems": [...], "exit_code": N} on stdout.
`sync --dry-run` and `sync --execute` run the same checks (all but the label one) before
claiming anything, and stop with exit 2 on a problem.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "validate", help="check the config against the database and the live boards",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--output-json", action="store_true", help="print the problems as JSON on stdout")


def run(args: argparse.Namespace) -> int:
    try:
        problems, code = _check(args)
    except ConfigError as exc:  # the config file itself: every problem the loader found
        problems, code = getattr(exc, "problems", None) or [str(exc)], ExitCode.CONFIG_ERROR
    if args.output_json:
        print(json.dumps({"problems": problems, "exit_code": int(code)}, ensure_ascii=False, indent=2))
    elif problems:
        print(f"ordersync validate: {len(problems)} problem(s)")
        print("\n".join(f"  - {p}" for p in problems))
    else:
        print("ordersync validate: no problems found")
    return int(code)


def _check(args: argparse.Namespace) -> tuple[list[str], ExitCode]:
    config = load(args)
    client = monday_client(config)
    try:
        with open_database(args) as db:
            problems = validate(config, db, client)
    except BoardsUnreadable as exc:
        return exc.problems, ExitCode.REMOTE_FATAL
    finally:
        client.close()
    return problems, ExitCode.CONFIG_ERROR if problems else ExitCode.OK
