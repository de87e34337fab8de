"""`ordersync sync`: push the pending queue to monday (`--execute`), or show what would be sent (`--dry-run`)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from pusher.commands.common import add_common_options, load, open_database
from pusher.logfile import attach_rotating_file
from pusher.sync.runner import RunReport
from pusher.sync.session import run_sync
from pusher.sync.token import install_token_mask, resolve_token

DESCRIPTION = """\
Claim pending item and subitem changes, send them to monday as batched GraphQL mutations, and
mark each row SYNCED or FAILED with monday's answer. Groups first, then items, then subitems.

  --dry-run   send no mutation: plan every pending row (board reads only), print the counts per
              action, the first payloads exactly as they would be sent, and every problem found;
              rows are claimed and released again, so no attempt is spent
  --execute   push for real
"""

EPILOG = """\
exit codes:
  0    everything claimed was synced (dry run: nothing to complain about)
  1    the run finished but some rows failed (see `ordersync status`)
  2    configuration problem (dry run: problems listed); nothing was sent
  3    monday refused the whole run (token, board, column, daily limit) or stayed unreachable;
       unsent rows stay PENDING without spending attempts
  4    database error
  130  interrupted (Ctrl-C / SIGTERM): the current request finished, the rest was released

examples:
  ordersync sync --dry-run
  ordersync sync --execute --customer "Société Générale Wear" --limit 100
  ordersync sync --execute --quiet --log-file logs/ordersync-sync.log   # scheduled task
"""


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sync", help="push pending changes to monday (or --dry-run)", description=DESCRIPTION,
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help="send no mutation; show what would be sent")
    mode.add_argument("--execute", action="store_true", help="push to monday")
    p.add_argument("--limit", type=_positive, metavar="N", help="claim at most N items and N subitems")
    p.add_argument("--customer", metavar="NAME", help="only orders of this customer (order.customer_column)")
    p.add_argument("--output-json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--log-file", metavar="PATH", help="also log to PATH, rotated by size (scheduled runs)")
    add_common_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.log_file:
        attach_rotating_file(args.log_file)
    config = load(args)
    token = resolve_token(config.environment)
    install_token_mask(token)
    with open_database(args) as db:
        report, code = run_sync(config, db, token, dry_run=args.dry_run, limit=args.limit, customer=args.customer,
                                progress_stream=None if args.quiet or args.output_json else sys.stderr)
    if args.output_json:
        print(json.dumps({**report.as_dict(), "exit_code": int(code)}, ensure_ascii=False, indent=2, default=str))
    else:
        print(summary(report, int(code)))
    return int(code)


def summary(report: RunReport, code: int) -> str:
    """The human summary: counts per entity and action, problems, failures, first payloads (dry run)."""
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
    if report.dry_run:
        shown: set[str] = set()
        for payload in report.payloads:
            if payload["entity"] in shown:
                continue
            shown.add(payload["entity"])
            aliases = len(_ALIAS.findall(payload["query"]))
            lines.append(f"  first {payload['entity']} request as it would be sent: {aliases} mutation(s), the first "
                         f"one below (--output-json prints every request in full):")
            lines.append(_indent(_first_mutation(payload["query"])))
            first = {k: v for k, v in payload["variables"].items() if k.endswith("_0")}
            lines.append(_indent("variables: " + json.dumps(first, ensure_ascii=False, indent=2)))
    return "\n".join(lines)


_ALIAS = re.compile(r"^\s+m\d+:", re.MULTILINE)


def _first_mutation(document: str) -> str:
    """The document cut to its first aliased mutation, its header listing only that one's variables."""
    header, _, body = document.partition("\n")
    names = re.findall(r"\$\w+: [^,)]+", header)
    first = [n for n in names if n.split(":")[0].endswith("_0")]
    more = ", ..." if len(first) < len(names) else ""
    header = re.sub(r"\(.*\)", "(" + ", ".join(first) + more + ")", header, count=1) if names else header
    mutations = list(_ALIAS.finditer(body))
    if len(mutations) < 2:
        return header + "\n" + body
    return header + "\n" + body[:mutations[1].start()].rstrip() + "\n  ..."


def _indent(text: Any) -> str:
    return "\n".join("      " + line for line in str(text).splitlines())
