"""A one-file HTML status report: the last successful sync, failed orders with their messages,
the latest runs, and charts of the queue over time, throughput per run and failures by reason.

Operators open it from a file share or an e-mail, often on a server with no internet, so
the page is self-contained and has no script: CSS is inline and the charts are SVG drawn
here (`pusher.report_charts`), so it reads the same with JavaScript off or in a mail preview.
Everything comes from the sync views (`pusher.queue`), so any login allowed to run
`ordersync status` (the pusher role) can write it.

The run log records what each run did, not the queue's size, so the queue over time is
rebuilt backwards from the current counts: before a pusher run the queue held what it
synced and failed more; before a pipeline run it held what that run queued less. The last
point is exact; earlier points are as exact as the run log is complete (see `Purge`).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pusher import views
from pusher.report_charts import COLOURS, queue_chart, reasons_chart, throughput_chart
from pusher.sql.connection import Database

QUEUED_STATES = ("PENDING", "IN_FLIGHT")


@dataclass(frozen=True)
class QueuePoint:
    """The queue right after one run-log step (or now, for the last point)."""

    at: str
    pending: int
    synced: int
    failed: int


@dataclass(frozen=True)
class RunThroughput:
    """What one pusher run sent to monday."""

    run_log_id: int
    at: str
    synced: int
    failed: int
    seconds: float | None
    outcome: str


@dataclass(frozen=True)
class ReportData:
    generated_at: str
    environment: str
    totals: dict[str, int]  # pending / in_flight / synced / failed now
    queue: list[QueuePoint]
    throughput: list[RunThroughput]
    reasons: list[dict[str, Any]]  # entity, last_error_code, n
    last_sync: dict[str, Any] | None  # the newest real, successful `sync --execute` (None: never)
    failures: list[dict[str, Any]]  # rows of sync.Failures, newest first
    failures_truncated: bool  # more rows in sync.Failures than the page lists
    runs: list[dict[str, Any]]  # the latest run-log steps, newest first


def _counts(value: Any) -> dict[str, dict[str, int]]:
    """The run log's counts: jsonb arrives parsed (PostgreSQL), NVARCHAR as text (SQL Server)."""
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _sum(counts: dict[str, dict[str, int]], keep) -> int:
    return sum(int(n) for entity, actions in counts.items() if isinstance(actions, dict)
               for action, n in actions.items() if keep(entity, action))


def queued_by(run: dict[str, Any]) -> int:
    """Rows a pipeline run put in the queue (every action but rejects)."""
    return _sum(_counts(run.get("counts")), lambda entity, _: entity != "reject")


def pushed_by(run: dict[str, Any], outcome: str) -> int:
    """Rows a pusher run ended as `outcome` (synced | failed), over items and subitems."""
    return _sum(_counts(run.get("counts")), lambda _, action: action.endswith(f":{outcome}"))


def queue_over_time(runs: list[dict[str, Any]], now: QueuePoint) -> list[QueuePoint]:
    """The queue after each finished, non-dry run (oldest first), ending with `now`."""
    points = [now]
    pending, synced, failed = now.pending, now.synced, now.failed
    for run in reversed(runs):
        if run.get("is_dry_run") or run.get("end_time") is None:
            continue
        at = str(run["end_time"])
        points.append(QueuePoint(at, max(pending, 0), max(synced, 0), max(failed, 0)))
        if run["component"] == "pusher":
            done, dead = pushed_by(run, "synced"), pushed_by(run, "failed")
            pending, synced, failed = pending + done + dead, synced - done, failed - dead
        elif run["component"] == "pipeline":
            pending -= queued_by(run)
    return list(reversed(points))


def collect(db: Database, runs: int = 200, reasons: int = 15, failures: int = 200,
            runs_shown: int = 30) -> ReportData:
    """Read the views once and shape everything the page shows."""
    status = views.status_counts(db)

    def total(*states: str) -> int:
        return sum(int(r["rows"]) for r in status if r["sync_state"] in states)

    generated = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    totals = {"pending": total("PENDING"), "in_flight": total("IN_FLIGHT"), "synced": total("SYNCED"),
              "failed": total("FAILED")}
    history = list(reversed(views.run_history(db, limit=runs)))  # oldest first
    listed = views.failures(db, limit=failures + 1)  # one more tells whether the table is cut
    now = QueuePoint(generated, total(*QUEUED_STATES), totals["synced"], totals["failed"])
    throughput = [
        RunThroughput(int(r["run_log_id"]), str(r["start_time"]), pushed_by(r, "synced"), pushed_by(r, "failed"),
                      float(r["duration_seconds"]) if r.get("duration_seconds") is not None else None,
                      r["outcome"])
        for r in history if r["component"] == "pusher" and not r.get("is_dry_run")
    ]
    return ReportData(
        generated_at=generated,
        environment=db.config.environment.name,
        totals=totals,
        queue=queue_over_time(history, now),
        throughput=throughput,
        reasons=[{"entity": r["entity"], "code": r["last_error_code"] or "(no code)", "n": int(r["n"])}
                 for r in views.failure_reasons(db, limit=reasons)],
        last_sync=views.last_successful_sync(db),
        failures=listed[:failures],
        failures_truncated=len(listed) > failures,
        runs=list(reversed(history))[:runs_shown],
    )



def _ago(then: str, now: str) -> str:
    seconds = max(0, int((datetime.fromisoformat(now) - datetime.fromisoformat(then)).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h {rest // 60}m" if hours else f"{rest // 60}m"


def _table(cls: str, headers: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _last_sync(data: ReportData) -> str:
    last = data.last_sync
    if last is None:
        return '<p class="last-sync never">Last successful sync: <b>never</b> (no <code>sync --execute</code> ' \
               "has succeeded yet)</p>"
    return (f'<p class="last-sync">Last successful sync: <b>{html.escape(str(last["end_time"]))} UTC</b>, '
            f'{_ago(str(last["end_time"]), data.generated_at)} ago (run {last["run_log_id"]}, '
            f'{last["rows_affected"] or 0:,} rows)</p>')


def _chart(svg: str | None, empty: str) -> str:
    return svg if svg is not None else f'<p class="empty">{html.escape(empty)}</p>'


def render_html(data: ReportData) -> str:
    """The page: last sync, tiles, failed orders, runs, and three SVG charts; no script."""
    tiles = "".join(
        f'<div class="tile {key}"><span>{html.escape(label)}</span><b>{data.totals[key]:,}</b></div>'
        for key, label in (("pending", "pending"), ("in_flight", "in flight"), ("synced", "synced"),
                           ("failed", "failed"))
    )
    failures = _table("failures", ["order", "entity", "size", "action", "attempts", "code", "message", "when (UTC)"],
                      [[f["order_key"], f["entity"], f["size"], f["action"], f["attempts"], f["last_error_code"],
                        f["last_error"], f["updated_at"]] for f in data.failures],
                      "No failed or rejected rows.")
    runs = _table("runs", ["id", "component", "step", "outcome", "started (UTC)", "seconds", "rows", "error"],
                  [[r["run_log_id"], r["component"], r["step"],
                    r["outcome"] + (" (dry run)" if r["is_dry_run"] else ""), r["start_time"],
                    r["duration_seconds"], r["rows_affected"], (r["error_message"] or "")[:200]]
                   for r in data.runs], "No runs in the run log yet.")
    title = f"ordersync status: {html.escape(data.environment)}"
    return PAGE.format(
        title=title, generated=html.escape(data.generated_at), tiles=tiles, last_sync=_last_sync(data),
        style=STYLE, failures=failures, runs=runs,
        failed=f"the newest {len(data.failures):,}; all in sync.Failures" if data.failures_truncated
        else len(data.failures),
        queue_chart=_chart(queue_chart(data.queue), "No finished runs in the run log yet."),
        throughput_chart=_chart(throughput_chart(data.throughput), "No sync runs in the run log yet."),
        reasons_chart=_chart(reasons_chart(data.reasons), "No failed or rejected rows."),
        **{f"c_{k}": v for k, v in COLOURS.items()},
    )


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2933; background: #fff; max-width: 1100px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: #65717e; }
.last-sync { font-size: 16px; margin: 12px 0 0; } .never b { color: #c92a2a; }
.tiles { display: flex; gap: 12px; margin-top: 16px; }
.tile { border: 1px solid #d9dee3; border-radius: 6px; padding: 8px 16px; min-width: 110px; }
.tile span { display: block; color: #65717e; } .tile b { font-size: 22px; }
.pending b { color: #c27c0e; } .in_flight b { color: #2f6fb0; } .synced b { color: #2b8a3e; }
.failed b { color: #c92a2a; }
table { border-collapse: collapse; font-size: 13px; } th, td { text-align: left; padding: 3px 8px;
  border-bottom: 1px solid #eef0f2; vertical-align: top; } th { color: #52606d; font-weight: 600; }
td:last-child { max-width: 420px; }
svg { display: block; max-width: 100%; height: auto; border: 1px solid #eef0f2; }
svg text { font: 11px system-ui, sans-serif; fill: #52606d; } svg text.failed-count { fill: #c92a2a; }
.legend span { margin-right: 16px; } .legend i { display: inline-block; width: 10px; height: 10px;
  margin-right: 4px; }
.empty { color: #65717e; font-style: italic; }
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<div class="muted">generated {generated} UTC from the sync views; self-contained, no script, works offline</div>
{last_sync}
<div class="tiles">{tiles}</div>
<h2>Failed orders ({failed})</h2>
<div class="muted">FAILED rows and the latest pipeline run's rejected staging rows (sync.Failures): fix the cause,
then <code>ordersync retry-failed</code></div>
{failures}
<h2>Queue after each run</h2>
<div class="legend"><span><i style="background:{c_pending}"></i>pending + in flight</span>\
<span><i style="background:{c_synced}"></i>synced</span><span><i style="background:{c_failed}"></i>failed</span></div>
{queue_chart}
<h2>Rows pushed per sync run</h2>
{throughput_chart}
<h2>Failures by reason</h2>
{reasons_chart}
<h2>Latest runs</h2>
{runs}
</body>
</html>
"""
