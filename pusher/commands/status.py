"""`ordersync status`: what the queue holds, how old it is, how the last runs went, and why
rows failed: the first thing to run when monday and the database disagree."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from pusher import alerts, queue, views
from pusher.commands.common import command, count, load, open_database
from pusher.sql.connection import Database

DESCRIPTION = """\
Read the sync views (nothing is changed) and print:

  queue     rows by entity (item | subitem), state and action, with the oldest row's age;
            "ready" counts the PENDING rows the pusher could claim right now (the others
            wait behind an in-flight change of their order, or for their parent item)
  last sync the last successful (not dry-run) `sync --execute` and how long ago it ended
  runs      the latest pipeline and pusher runs from the run log, and the last 24 hours summed
            per component and outcome
  failures  the most frequent error codes among dead-lettered rows (FAILED) and the
            latest pipeline run's rejected staging rows, each with a few example orders and
            their messages

FAILED rows stay until someone acts: fix the cause, then `ordersync retry-failed`.

--check judges the same numbers against the [alerts] thresholds of the config (FAILED rows,
minutes the oldest pending row has waited, minutes since the last successful sync) and answers
like a monitoring plugin (Nagios, Icinga, Zabbix, a SQL Agent CmdExec step): one line with
perfdata, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (database unreachable, bad config).
When the state differs from the last one announced, it posts {"text": ...} to the Teams or Slack
incoming webhook whose URL is in the variable named by [alerts].webhook_url_env.
"""

EPILOG = """\
examples:
  ordersync status                         # readable tables
  ordersync status --output-json | jq .queue
  ordersync status --runs 20 --env production
  ordersync status --check --quiet          # every 5 minutes from a monitor or a scheduled task
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "status",
                 help="queue counts by state and action, oldest pending age, last runs, top failure reasons",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--output-json", action="store_true", help="print one JSON document instead of tables")
        p.add_argument("--check", action="store_true", help="judge against [alerts] thresholds: one line, "
                       "exit 0 OK / 1 WARNING / 2 CRITICAL / 3 UNKNOWN")
        p.add_argument("--runs", type=count(), default=5, metavar="N", help="how many recent runs to show (default 5)")
        p.add_argument("--reasons", type=count(), default=10, metavar="N",
                       help="how many failure reasons to show (default 10)")
        p.add_argument("--examples", type=int, default=3, metavar="N",
                       help="how many example orders to show per failure reason (default 3)")


def collect(db: Database, runs: int = 5, reasons: int = 10, examples: int = 3) -> dict[str, Any]:
    """The whole status as one JSON-ready document (what --output-json prints)."""
    counts = views.status_counts(db)
    pending = [r["oldest_created_at"] for r in counts if r["sync_state"] == "PENDING"]
    oldest = min(pending) if pending else None
    last = views.last_successful_sync(db)
    return {
        "queue": counts,
        "ready": queue.ready_counts(db),
        "failed_rows": sum(r["rows"] for r in counts if r["sync_state"] == "FAILED"),
        "oldest_pending_created_at": oldest,
        "oldest_pending_age_seconds": _age(oldest),
        "last_successful_sync": last,
        "seconds_since_last_successful_sync": _age(last["end_time"]) if last else None,
        "runs": views.run_history(db, runs),
        "runs_last_24h": views.runs_summary(db, datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=24)),
        "failure_reasons": [{**r, "examples": views.failure_examples(db, r["entity"], r["last_error_code"], examples)}
                            for r in views.failure_reasons(db, reasons)],
    }


def _age(created_at: str | None) -> int | None:
    """Seconds since a UTC timestamp as the views give it (ISO text, no zone)."""
    if created_at is None:
        return None
    then = datetime.fromisoformat(created_at).replace(tzinfo=UTC)
    return max(0, int((datetime.now(UTC) - then).total_seconds()))


def run(args: argparse.Namespace) -> int:
    if args.check:
        return check(args)
    with open_database(args) as db:
        status = collect(db, args.runs, args.reasons, args.examples)
    print(json.dumps(status, indent=2, default=str) if args.output_json else format_status(status))
    return 0


def check(args: argparse.Namespace) -> int:
    """`--check`: any failure to find out is UNKNOWN (3), never a crash a monitor reads as CRITICAL."""
    try:
        config = load(args)
    except Exception as exc:  # the monitoring convention: whatever went wrong is UNKNOWN
        print(alerts.Verdict(3, f"cannot read the config: {exc}".replace("\n", " ")).line())
        return 3
    try:
        with open_database(args) as db:
            verdict = alerts.evaluate(collect(db, reasons=1, examples=0), config.alerts)
    except Exception as exc:  # as above
        verdict = alerts.Verdict(3, f"cannot read the status: {exc}".replace("\n", " "))
    alerts.announce_change(verdict, config.alerts, config.environment.name)
    print(verdict.line())
    return verdict.code


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    return [("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))).rstrip()
            for r in [headers, *cells]]


def _duration(seconds: int | None) -> str:
    """Two largest units, e.g. `3h 12m`."""
    if seconds is None:
        return "none"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return " ".join(parts[:2]) or "0s"


def format_status(status: dict[str, Any]) -> str:
    """The readable form: three small tables."""
    lines = ["queue"]
    if status["queue"]:
        lines += _table(["entity", "state", "action", "rows", "oldest"],
                        [[r["entity"], r["sync_state"], r["action"], r["rows"], r["oldest_created_at"]]
                         for r in status["queue"]])
    else:
        lines.append("  empty: nothing queued yet (run `ordersync pipeline`)")
    ready = status["ready"]
    lines.append(f"  ready to claim now: {ready['item']} item(s), {ready['subitem']} subitem(s); "
                 f"oldest pending: {_duration(status['oldest_pending_age_seconds'])}")
    last = status["last_successful_sync"]
    lines += ["", "last successful sync: " + (
        f"run {last['run_log_id']} ended {last['end_time']}, "
        f"{_duration(status['seconds_since_last_successful_sync'])} ago, {last['rows_affected']} row(s)"
        if last else "never (no `sync --execute` has succeeded yet)")]
    lines += ["", "runs (newest first)"]
    runs = [[r["run_log_id"], r["component"], r["step"], r["outcome"] + (" (dry run)" if r["is_dry_run"] else ""),
             r["start_time"], r["duration_seconds"], r["rows_affected"], (r["error_message"] or "")[:60]]
            for r in status["runs"]]
    lines += _table(["id", "component", "step", "outcome", "started", "seconds", "rows", "error"], runs) \
        if runs else ["  none"]
    summary = [[r["component"], r["step"], r["outcome"], r["runs"], r["rows_affected"]]
               for r in status["runs_last_24h"]]
    lines += ["", "runs in the last 24 hours"]
    lines += _table(["component", "step", "outcome", "runs", "rows"], summary) if summary else ["  none"]
    lines += ["", f"failure reasons ({status['failed_rows']} FAILED row(s); fix the cause, then "
                  "`ordersync retry-failed`)"]
    for r in status["failure_reasons"]:
        lines.append(f"  {r['n']} {r['entity']} row(s): {r['last_error_code'] or '(no code)'}")
        for e in r["examples"]:
            where = e["order_key"] + (f" size {e['size']}" if e["size"] else "")
            lines.append(f"    - {where} ({e['action'] or 'staging'}): {(e['last_error'] or '')[:160]}")
    if not status["failure_reasons"]:
        lines.append("  none")
    return "\n".join(lines)
