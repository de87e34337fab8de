"""`ordersync report --html`: the data behind the page, and the page in Chromium with JavaScript off.

The page is built from a real history: the reference PO queued by the pipeline and pushed
to the emulator, a change set, a few rows refused for good, and a second sync. Headless
Chromium (Debian's `chromium`) then loads the file: the charts are SVG drawn by the server, so
the DOM must hold one shape per data point, the failed orders with their messages, the runs and
the last successful sync, and the time-axis labels must not overlap; the screenshot is taken with
JavaScript disabled.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pusher import queue
from pusher.cli import main as ordersync
from pusher.commands import report as report_command
from pusher.pipeline import run_pipeline
from pusher.report import QueuePoint, collect, queue_over_time, render_html
from pusher.report_charts import time_ticks
from pusher.sample_data import SampleShape, apply_change_set, load_snapshot, reference_po
from pusher.sql.catalog import read_columns_file

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# JavaScript off for pages, as in an e-mail preview: the profile's content setting blocks page scripts while
# --dump-dom and --screenshot keep working (--blink-settings=scriptEnabled=false breaks both).
SCRIPTS_OFF = {"profile": {"default_content_setting_values": {"javascript": 2}}}
INSTALL_HINT = ("Debian's chromium is not installed: run `apt-get install -y chromium` (as root, "
                "`python3 scripts/dev.py test` installs it itself), then run the tests again")


def test_the_queue_is_rebuilt_backwards_from_the_current_counts():
    runs = [
        {"component": "pipeline", "end_time": "2026-01-05T06:00:00", "counts": {"item": {"CREATE": 10},
                                                                               "subitem": {"CREATE": 30},
                                                                               "reject": {"REJECTED": 2}}},
        {"component": "pusher", "end_time": "2026-01-05T06:05:00",
         "counts": '{"item": {"create:synced": 9, "create:failed": 1}, "subitem": {"create:synced": 20}}'},
        {"component": "pusher", "end_time": "2026-01-05T06:06:00", "is_dry_run": True,
         "counts": {"item": {"create:planned": 10}}},
        {"component": "pusher", "end_time": None, "counts": None},  # still running: no point yet
        {"component": "pipeline", "end_time": "2026-01-05T06:10:00", "counts": {"item": {"UPDATE": 2}}},
    ]
    now = QueuePoint("2026-01-05T06:12:00", pending=12, synced=29, failed=1)

    points = queue_over_time(runs, now)

    assert [(p.at[11:16], p.pending, p.synced, p.failed) for p in points] == [
        ("06:00", 40, 0, 0),  # the first run queued 10 items + 30 subitems; rejects are not queued
        ("06:05", 10, 29, 1),
        ("06:10", 12, 29, 1),
        ("06:12", 12, 29, 1),
    ]


@pytest.fixture
def history(db, config, monday_emulator):
    """Two pipeline runs, two sync runs, three rows dead-lettered with two reasons."""
    from pusher.sync.session import run_sync

    pushing = config.with_api_url(monday_emulator.url)
    shape = SampleShape(config, read_columns_file(config.columns_file))
    rows = reference_po(shape)
    load_snapshot(db, rows)
    run_pipeline(db)
    assert run_sync(pushing, db, "test-token", dry_run=False)[1] == 0
    changed, _ = apply_change_set(shape, rows, "demo")
    load_snapshot(db, changed)
    run_pipeline(db)
    run = queue.start_run_log(db, "sync")  # a pusher run that monday refused three rows in
    token = uuid.uuid4()
    claimed = queue.claim_batch(db, "item", 3, 60, token)
    queue.mark_failed(db, token, "item", [
        queue.Failure(claimed[0].delta_id, "ColumnValueException", "invalid date", False),
        queue.Failure(claimed[1].delta_id, "ColumnValueException", "invalid date", False),
        queue.Failure(claimed[2].delta_id, "ItemNameTooLongException", "name over 255", False),
    ])
    queue.end_run_log(db, run, "FAILED", 3, {"item": {"update:failed": 3}, "subitem": {}})
    assert run_sync(pushing, db, "test-token", dry_run=False)[1] == 0
    return db


def test_the_report_data_comes_from_the_views(history):
    data = collect(history)
    assert data.totals["failed"] == 3 and data.totals["pending"] == 0
    assert data.queue[-1].failed == 3 and data.queue[-1].pending == 0
    assert data.queue[0].pending == 69 + 317  # the reference PO, queued by the first pipeline run
    assert [t.synced for t in data.throughput][0] == 69 + 317
    assert [t.failed for t in data.throughput] == [0, 3, 0]
    assert {(r["code"], r["n"]) for r in data.reasons} == {("ColumnValueException", 2),
                                                         ("ItemNameTooLongException", 1)}
    assert sorted(f["last_error"] for f in data.failures) == ["invalid date", "invalid date", "name over 255"]
    assert data.last_sync is not None and data.last_sync["run_log_id"] == data.throughput[-1].run_log_id
    assert data.runs[0]["run_log_id"] == data.throughput[-1].run_log_id  # newest first
    assert not data.failures_truncated
    cut = collect(history, failures=2)
    assert len(cut.failures) == 2 and cut.failures_truncated
    assert "Failed orders (the newest 2; all in sync.Failures)" in render_html(cut)


@pytest.mark.parametrize(("start", "end", "labels"), [
    ("2026-01-05T06:01:10", "2026-01-05T06:52:00", ["Jan 05 06:15", "06:30", "06:45"]),  # the date once
    ("2026-01-05T20:10:00", "2026-01-06T07:00:00", ["Jan 05 21:00", "Jan 06 00:00", "03:00", "06:00"]),
    ("2026-01-01T00:00:00", "2026-01-20T00:00:00", ["Jan 03", "Jan 10", "Jan 17"]),  # weeks: dates only
])
def test_the_time_axis_has_few_round_labels(start, end, labels):
    from datetime import datetime

    ticks = time_ticks(datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert [label for _, label in ticks] == labels


class _Drawn(HTMLParser):
    """The DOM as Chromium left it: elements by class, tick labels per chart, table cells, scripts."""

    def __init__(self):
        super().__init__()
        self.classes: dict[str, int] = {}
        self.elements: dict[str, list[dict[str, str | None]]] = {}
        self.tables: dict[str, list[list[str]]] = {}
        self.ticks: list[list[tuple[float, str]]] = []
        self.scripts = 0
        self.text: list[str] = []
        self._table: str | None = None
        self._tick: float | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        if tag == "svg":
            self.ticks.append([])
        if tag == "table":
            self._table = attrs.get("class")
            self.tables[self._table] = []
        if tag == "tr" and self._table:
            self.tables[self._table].append([])
        for name in (attrs.get("class") or "").split():
            self.classes[name] = self.classes.get(name, 0) + 1
            self.elements.setdefault(name, []).append(attrs)
        if tag == "text" and attrs.get("class") == "tick":
            self._tick = float(attrs["x"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        self.text.append(data)
        if self._tick is not None:
            self.ticks[-1].append((self._tick, data))
            self._tick = None
        elif self._table and self.tables[self._table] and data.strip():
            self.tables[self._table][-1].append(data)


def _chromium() -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        pytest.skip(INSTALL_HINT)
    return binary


def _run_chromium(binary: str, *args: str) -> subprocess.CompletedProcess:
    """Chromium on a fresh profile with JavaScript disabled."""
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        (Path(profile) / "Default").mkdir()
        (Path(profile) / "Default" / "Preferences").write_text(json.dumps(SCRIPTS_OFF), encoding="utf-8")
        return subprocess.run([binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120)


def test_the_page_reads_in_headless_chromium_with_javascript_off(history, tmp_path, capsys, monkeypatch):
    page = tmp_path / "status.html"
    monkeypatch.setattr(report_command, "open_database", lambda args: history)  # the test database
    assert ordersync(["report", "--html", str(page)]) == 0
    assert "wrote" in capsys.readouterr().out
    data = collect(history)
    text = page.read_text(encoding="utf-8")
    # self-contained: the only URL is the SVG namespace, which is a name, not a fetch
    assert set(re.findall(r"https?://[^\s\"'<>]+", text)) == {"http://www.w3.org/2000/svg"}
    assert "default-src 'none'" in text and "script-src" not in text and "<script" not in text

    binary = _chromium()
    dom = _run_chromium(binary, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    drawn = _Drawn()
    drawn.feed(dom.stdout)
    assert drawn.scripts == 0
    assert drawn.classes.get("series") == 3  # pending, synced, failed
    assert drawn.classes.get("bar-synced") == drawn.classes.get("bar-failed") == len(data.throughput)
    assert drawn.classes.get("bar-reason") == len(data.reasons) == 2
    small = [float(e["height"]) for e in drawn.elements["bar-failed"] if float(e["height"]) > 0]
    assert len(small) == 1 and small[0] >= 3  # 3 failed beside 386 synced: still visible
    assert drawn.classes.get("failed-count") == 1

    for ticks in drawn.ticks[:2]:  # the two time axes: a few labels, never overprinting
        assert 2 <= len(ticks) <= 7
        gaps = [b[0] - a[0] for a, b in zip(ticks, ticks[1:], strict=False)]
        widest = max(len(label) for _, label in ticks) * 7  # 11 px system-ui: under 7 px a character
        assert all(gap > widest for gap in gaps), (ticks, widest)

    failed = drawn.tables["failures"][1:]
    assert len(failed) == 3 and sorted(row[-2] for row in failed) == ["invalid date", "invalid date",
                                                                       "name over 255"]
    assert [row[0] for row in drawn.tables["runs"][1:]] == [str(r["run_log_id"]) for r in data.runs]
    page_text = " ".join(" ".join(drawn.text).split())
    assert f"Last successful sync: {data.last_sync['end_time']} UTC" in page_text

    shot = tmp_path / "status.png"
    result = _run_chromium(binary, f"--screenshot={shot}", "--window-size=1000,1800", page.as_uri())
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_chromium_runs_here_with_javascript_off(tmp_path):
    """The probe behind the tests above: a page script does not run, so what they read is the page as sent."""
    probe = tmp_path / "probe.html"
    probe.write_text('<p id="p">script did not run</p><script>document.getElementById("p").textContent = "ran"'
                     "</script>", encoding="utf-8")
    dom = _run_chromium(_chromium(), "--dump-dom", probe.as_uri())
    assert '<p id="p">script did not run</p>' in dom.stdout


def test_an_empty_history_says_so_instead_of_drawing(db, tmp_path):
    page = tmp_path / "empty.html"
    page.write_text(render_html(collect(db)), encoding="utf-8")
    dom = _run_chromium(_chromium(), "--dump-dom", page.as_uri())
    drawn = _Drawn()
    drawn.feed(dom.stdout)
    assert drawn.classes.get("empty") == 5 and "series" not in drawn.classes
    assert "Last successful sync: never" in " ".join(" ".join(drawn.text).split())
