"""`ordersync sync`: push the pending queue to monday (`--execute`), or show what would be sent (`--dry-run`)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from pusher import eventlog
from pusher.commands.common import add_customer_option, add_mode, command, count, load, open_database
from pusher.errors import ExitCode, OrdersyncError
from pusher.logfile import attach_rotating_file
from pusher.sql.deployed_config import require_deployed_config
from pusher.sync.plan import build_plan, format_plan
from pusher.sync.runner import RunReport
from pusher.sync.session import run_sync
from pusher.sync.token import install_token_mask, resolve_token

log = logging.getLogger(__name__)

DESCRIPTION = """\
Claim pending item and subitem changes, send them to monday as batched GraphQL mutations, and
mark each row SYNCED or FAILED with monday's answer. Groups first, then items, then subitems.

  --dry-run   send no mutation: plan every pending row (board reads only), print the counts per
              action, every problem found, the plan (each order's action and changed columns as
              old -> new, old being what monday last confirmed; its subitems by size, also those
              waiting for a new item) and the first payloads exactly as they would be sent; rows
              are claimed and released again, so no attempt is spent. --limit N: the first N
              orders; --output-json: the whole plan
  --execute   push for real
"""

EPILOG = """\
exit codes:
  0    everything claimed was synced (dry run: nothing to complain about)
  1    the run finished but some rows failed (see `ordersync status`)
  2    configuration or command-line problem, dry run and execute alike: the `validate` checks
       (staging names, board columns, types) found a problem, a mapped column is absent from the
       claimed rows (rendered before it was mapped: render + deploy), no pending row belongs
       to --customer (the closest customers are named), or the config differs from the one the
       deployed procedures were rendered from (fix: ordersync deploy); nothing was sent, claims
       were released
  3    monday refused the whole run (token, board, column, daily limit) or stayed unreachable
       (the message names the URL, the tries and the seconds); unsent rows stay PENDING without
       spending attempts
  4    database error
  130  interrupted (Ctrl-C / SIGTERM): the current request finished, the rest was released
Every failing path ends FAILED in the run log with its reason. With --log-file each run writes a
start line and a summary line (outcome, counts, exit code), also when nothing was pending.

examples:
  ordersync sync --dry-run
  ordersync sync --execute --customer "Société Générale Wear" --limit 100
  ordersync sync --execute --quiet --log-file logs/ordersync-sync.log   # scheduled task
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "sync", help="push pending changes to monday (or --dry-run)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        add_mode(p, dry_run="send no mutation; show what would be sent", execute="push to monday")
        p.add_argument("--limit", type=count(), metavar="N", help="claim at most N items and N subitems")
        add_customer_option(p)
        p.add_argument("--output-json", action="store_true", help="print the report as JSON on stdout")
        p.add_argument("--log-file", metavar="PATH", help="also log to PATH, rotated by size (scheduled runs)")


def run(args: argparse.Namespace) -> int:
    if args.log_file:
        attach_rotating_file(args.log_file)
    if args.dry_run:
        return _sync(args)
    handler = eventlog.attach()  # a scheduled run's start, summary and failure reach the Windows Event Log
    eventlog.start(f"ordersync sync --execute started (env {args.env or 'default'}"
                   + (f", limit {args.limit}" if args.limit else "") + (f", customer {args.customer}" if args.customer
                                                                       else "") + ")")
    try:
        return _sync(args)
    except OrdersyncError as exc:
        eventlog.failure(f"ordersync sync --execute failed, exit {int(exc.exit_code)}: {exc}")
        raise
    except KeyboardInterrupt:
        eventlog.failure("ordersync sync --execute interrupted twice: stopped at once")
        raise
    finally:
        eventlog.detach(handler)


def _sync(args: argparse.Namespace) -> int:
    try:
        config = load(args)
        token = resolve_token(config.environment)
    except OrdersyncError as exc:  # the run never started: still leave its trace in the log file
        log.info("sync %s not started (exit %d): %s", "--dry-run" if args.dry_run else "--execute",
                 int(exc.exit_code), exc)
        raise
    install_token_mask(token)
    with open_database(args) as db:
        require_deployed_config(db)  # the queued payloads carry the columns the procedures were rendered for
        report, code = run_sync(config, db, token, dry_run=args.dry_run, limit=args.limit, customer=args.customer,
                                progress_stream=None if args.quiet or args.output_json else sys.stderr)
        plan = build_plan(db, args.limit, args.customer) if args.dry_run else None
    if args.output_json:
        print(json.dumps({**report.as_dict(), "exit_code": int(code), **({"plan": plan} if plan else {})},
                         ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(report, int(code), plan))
    if not args.dry_run:
        text = summary(report, int(code))
        if code in (ExitCode.OK, ExitCode.ROWS_FAILED):
            eventlog.summary(text, rows_failed=code == ExitCode.ROWS_FAILED)
        else:
            eventlog.failure(text)
    return int(code)


def summary(report: RunReport, code: int, plan: dict[str, Any] | None = None) -> str:
    """The human summary: counts per entity and action, problems, failures, the plan and first payloads (dry run)."""
    lines = [f"ordersync sync {'--dry-run' if report.dry_run else '--execute'}: "
             f"{report.synced} synced, {report.failed} failed, {report.requests} requests, "
             f"{report.complexity:,} complexity points (exit {code})"]
    for entity, counts in report.counts.items():
        if counts:
            lines.append(f"  {entity}: " + ", ".join(f"{k.replace(':', ' ')} {n}" for k, n in sorted(counts.items())))
    if report.fatal:
        lines.append(f"  stopped: {report.fatal}")
    if report.interrupted:
        lines.append("  interrupted: the current request finished, unsent rows were released")
    lines += [f"  warning: {w}" for w in report.warnings]
    if report.problems:
        lines.append(f"  {len(report.problems)} problem(s):")
        lines += [f"    - {p}" for p in report.problems]
    failed = [f for f in report.failures if not f["retryable"]]
    if failed:
        lines.append(f"  {len(failed)} failed row(s):")
        lines += [f"    - {f['entity']} {f['key']} {f['action']}: {f['code']}: {f['message']}" for f in failed[:50]]
    if plan:
        lines.append(format_plan(plan))
    for preview in report.previews:
        lines.append(f"  first {preview.entity} request as it would be sent: {preview.mutations} mutation(s), the "
                     f"first one below (--output-json prints every request in full):")
        lines.append(_indent(preview.document))
        lines.append(_indent("variables: " + json.dumps(preview.variables, ensure_ascii=False, indent=2)))
    return "\n".join(lines)


def _indent(text: Any) -> str:
    return "\n".join("      " + line for line in str(text).splitlines())
