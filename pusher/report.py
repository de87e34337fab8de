"""A one-file HTML status report: queue over time, throughput per run, failures by reason.

Operators open it from a file share or an e-mail, often on a server with no internet, so
the page is self-contained: CSS, data and the small chart script are inline, nothing is
fetched. Everything comes from the sync views (`pusher.queue`), so any login allowed to
run `ordersync status` (the pusher role) can write it.

The run log records what each run did, not the queue's size, so the queue over time is
rebuilt backwards from the current counts: before a pusher run the queue held what it
synced and failed more; before a pipeline run it held what that run queued less. The last
point is exact; earlier points are as exact as the run log is complete (see `Purge`).
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pusher import queue
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


def collect(db: Database, runs: int = 200, reasons: int = 15) -> ReportData:
    """Read the views once and shape everything the page shows."""
    status = queue.status_counts(db)

    def total(*states: str) -> int:
        return sum(int(r["rows"]) for r in status if r["sync_state"] in states)

    generated = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
    totals = {"pending": total("PENDING"), "in_flight": total("IN_FLIGHT"), "synced": total("SYNCED"),
              "failed": total("FAILED")}
    history = list(reversed(queue.run_history(db, limit=runs)))  # oldest first
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
                 for r in queue.failure_reasons(db, limit=reasons)],
    )


def render_html(data: ReportData) -> str:
    """The page: summary tiles, three charts drawn by inline script from inline JSON."""
    payload = json.dumps(asdict(data), separators=(",", ":")).replace("</", "<\\/")
    tiles = "".join(
        f'<div class="tile {key}"><span>{html.escape(label)}</span><b>{data.totals[key]:,}</b></div>'
        for key, label in (("pending", "pending"), ("in_flight", "in flight"), ("synced", "synced"),
                           ("failed", "failed"))
    )
    title = f"ordersync status: {html.escape(data.environment)}"
    return PAGE.format(title=title, generated=html.escape(data.generated_at), tiles=tiles, payload=payload,
                       style=STYLE, script=SCRIPT)


STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2933; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.muted { color: #65717e; }
.tiles { display: flex; gap: 12px; margin-top: 16px; }
.tile { border: 1px solid #d9dee3; border-radius: 6px; padding: 8px 16px; min-width: 110px; }
.tile span { display: block; color: #65717e; } .tile b { font-size: 22px; }
.pending b { color: #c27c0e; } .in_flight b { color: #2f6fb0; } .synced b { color: #2b8a3e; }
.failed b { color: #c92a2a; }
svg { display: block; max-width: 100%; height: auto; border: 1px solid #eef0f2; }
svg text { font: 11px system-ui, sans-serif; fill: #52606d; }
.legend span { margin-right: 16px; } .legend i { display: inline-block; width: 10px; height: 10px;
  margin-right: 4px; }
.empty { color: #65717e; font-style: italic; }
"""

# Builds each chart as SVG in the page; no library, no network. Colours match the tiles.
SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var NS = "http://www.w3.org/2000/svg", W = 900, H = 260, L = 56, R = 16, T = 12, B = 48;
  var COLOURS = {pending: "#c27c0e", synced: "#2b8a3e", failed: "#c92a2a"};
  function el(name, attrs, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attrs) node.setAttribute(key, attrs[key]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }
  function chart(id, height) {
    var host = document.getElementById(id);
    var svg = el("svg", {viewBox: "0 0 " + W + " " + height, width: W, height: height, role: "img"}, host);
    return svg;
  }
  function empty(id, text) {
    var p = document.createElement("p"); p.className = "empty"; p.textContent = text;
    document.getElementById(id).appendChild(p);
  }
  function axis(svg, max, height) {
    for (var i = 0; i <= 4; i++) {
      var y = T + (height - T - B) * (1 - i / 4);
      el("line", {x1: L, x2: W - R, y1: y, y2: y, stroke: "#eef0f2"}, svg);
      el("text", {x: L - 6, y: y + 4, "text-anchor": "end"}, svg, Math.round(max * i / 4).toLocaleString());
    }
  }
  function label(svg, x, text, height) {
    var short = text.slice(5, 16).replace("T", " ");  // MM-DD HH:MM
    // a label at either edge of the plot is anchored inwards so the chart never clips it
    var anchor = x <= L + 30 ? "start" : (x >= W - R - 30 ? "end" : "middle");
    el("text", {x: x, y: height - B + 16, "text-anchor": anchor, "class": "tick"}, svg, short);
  }

  // 1. pending / synced / failed after each run
  var q = data.queue;
  if (q.length < 2) { empty("queue-chart", "No finished runs in the run log yet."); }
  else {
    var svg = chart("queue-chart", H), max = 1;
    q.forEach(function (p) { max = Math.max(max, p.pending, p.synced, p.failed); });
    axis(svg, max, H);
    var x = function (i) { return L + (W - L - R) * i / (q.length - 1); };
    var y = function (v) { return T + (H - T - B) * (1 - v / max); };
    ["pending", "synced", "failed"].forEach(function (key) {
      var d = q.map(function (p, i) { return (i ? "L" : "M") + x(i).toFixed(1) + " " + y(p[key]).toFixed(1); });
      el("path", {d: d.join(" "), fill: "none", stroke: COLOURS[key], "stroke-width": 2,
                  "class": "series series-" + key}, svg);
    });
    var every = Math.max(1, Math.ceil(q.length / 8));
    q.forEach(function (p, i) { if (i % every === 0 || i === q.length - 1) label(svg, x(i), p.at, H); });
  }

  // 2. rows pushed per pusher run, synced stacked under failed
  var t = data.throughput;
  if (!t.length) { empty("throughput-chart", "No pusher runs in the run log yet."); }
  else {
    var svg2 = chart("throughput-chart", H), max2 = 1;
    t.forEach(function (r) { max2 = Math.max(max2, r.synced + r.failed); });
    axis(svg2, max2, H);
    var slot = (W - L - R) / t.length, bw = Math.max(2, slot * 0.7);
    var y2 = function (v) { return (H - T - B) * v / max2; };
    t.forEach(function (r, i) {
      var x0 = L + slot * i + (slot - bw) / 2, base = H - B;
      var title = r.at + ": " + r.synced + " synced, " + r.failed + " failed" +
                  (r.seconds !== null ? " in " + r.seconds.toFixed(1) + " s" : "");
      var g = el("g", {"class": "run"}, svg2);
      el("title", {}, g, title);
      el("rect", {x: x0, y: base - y2(r.synced), width: bw, height: y2(r.synced), fill: COLOURS.synced,
                  "class": "bar bar-synced"}, g);
      el("rect", {x: x0, y: base - y2(r.synced) - y2(r.failed), width: bw, height: y2(r.failed),
                  fill: COLOURS.failed, "class": "bar bar-failed"}, g);
    });
    var every2 = Math.max(1, Math.ceil(t.length / 8));
    t.forEach(function (r, i) { if (i % every2 === 0) label(svg2, L + slot * (i + 0.5), r.at, H); });
  }

  // 3. failures grouped by reason (entity + error code), longest bar first
  var f = data.reasons;
  if (!f.length) { empty("reasons-chart", "No failed or rejected rows."); }
  else {
    var row = 26, h3 = f.length * row + 16, svg3 = chart("reasons-chart", h3), max3 = 1, left = 300;
    f.forEach(function (r) { max3 = Math.max(max3, r.n); });
    f.forEach(function (r, i) {
      var y0 = 8 + i * row, w = (W - left - 60) * r.n / max3;
      el("text", {x: left - 8, y: y0 + 15, "text-anchor": "end"}, svg3, r.entity + " \\u00b7 " + r.code);
      el("rect", {x: left, y: y0 + 3, width: Math.max(w, 1), height: row - 8, fill: COLOURS.failed,
                  "class": "bar bar-reason"}, svg3);
      el("text", {x: left + w + 6, y: y0 + 15}, svg3, r.n.toLocaleString());
    });
  }
  document.body.setAttribute("data-charts", "drawn");
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<div class="muted">generated {generated} UTC from the sync views; self-contained, works offline</div>
<div class="tiles">{tiles}</div>
<h2>Queue after each run</h2>
<div class="legend"><span><i style="background:#c27c0e"></i>pending + in flight</span>\
<span><i style="background:#2b8a3e"></i>synced</span><span><i style="background:#c92a2a"></i>failed</span></div>
<div id="queue-chart"></div>
<h2>Rows pushed per sync run</h2>
<div id="throughput-chart"></div>
<h2>Failures by reason</h2>
<div class="muted">FAILED rows and the latest pipeline run's rejected staging rows (sync.Failures)</div>
<div id="reasons-chart"></div>
<noscript><p>The charts need JavaScript; the numbers above do not.</p></noscript>
<script type="application/json" id="report-data">{payload}</script>
<script>{script}</script>
</body>
</html>
"""
