"""Progress: a rich bar with total, percentage, rate, ETA and budget waits on a terminal, log lines
above it; one plain line every N seconds without a terminal. A fake clock keeps the numbers exact."""

from __future__ import annotations

import io
import logging
import re

import pytest
from rich.console import Console

from pusher.queue import pending_total
from pusher.sync import progress as progress_module
from pusher.sync.pacing import Pacer
from pusher.sync.progress import Progress
from tests.pusher.conftest import point_at, push


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


@pytest.fixture
def terminal():
    """A rich console drawing into a buffer as if it were a terminal, and a log handler on the same buffer."""
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=140, color_system=None)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield console, buffer, handler
    root.removeHandler(handler)


def test_the_bar_shows_total_percentage_rate_eta_and_budget_waits_with_logs_above(terminal):
    console, buffer, handler = terminal
    clock = Clock()
    progress = Progress(console=console, total=200, clock=clock)

    clock.now += 30
    progress.advance(50)
    progress._bar.refresh()
    drawn = _plain(buffer.getvalue())
    assert "50/200" in drawn and "25%" in drawn and "100 rows/min" in drawn and "ETA" in drawn

    logging.getLogger("pusher.sync.runner").warning("item PO-1 FAILED: bad date")
    pacer = Pacer(clock=clock, sleep=lambda s: None)
    pacer.on_wait = progress.waiting
    pacer._wait(42)  # what fits() does when monday's budget is spent
    progress._bar.refresh()
    progress.close()

    out = _plain(buffer.getvalue())
    assert "WARNING item PO-1 FAILED: bad date\n" in out  # a whole line, printed above the bar
    assert "waiting 42 s for monday's budget" in out
    assert handler.stream is buffer  # the log handler is given back its stream


def test_without_a_terminal_one_line_every_n_seconds(caplog):
    clock = Clock()
    progress = Progress(io.StringIO(), total=1200, every=10, clock=clock)
    with caplog.at_level(logging.INFO, logger="pusher.sync"):
        clock.now += 5
        progress.advance(100)  # 5 s since the start: too soon for a line
        clock.now += 5
        progress.advance(100)
        clock.now += 2
        progress.advance(100)  # 2 s after the last line: none
    lines = [r.getMessage() for r in caplog.records if r.name == "pusher.sync"]
    assert lines == ["rows: 200/1,200 (16 %), 1,200/min, ETA 0m 50s"]
    progress.close()


def test_the_total_is_every_pending_row_bounded_by_the_limit(db):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "db"))
    from queue_support import add_item_delta, add_line_delta, add_order

    add_order(db, "A1", customer="ACME")
    add_order(db, "B1", customer="BETA")
    for key in ("A1", "B1"):
        add_item_delta(db, key)
        for size in ("S", "M", "L"):
            add_line_delta(db, key, size)
    add_item_delta(db, "C1", state="SYNCED")
    assert pending_total(db) == 8
    assert pending_total(db, limit=1) == 2
    assert pending_total(db, customer="ACME") == 4


def test_a_scheduled_run_logs_its_progress_against_the_whole_queue(db, config, monday_emulator, load_reference,
                                                                    monkeypatch, caplog):
    load_reference()  # the reference PO: 69 items, 317 subitems still waiting for them
    monkeypatch.setattr(progress_module, "LOG_EVERY_SECONDS", 0)  # a line per batch instead of every 10 s
    with caplog.at_level(logging.INFO, logger="pusher.sync"):
        report, code = push(point_at(config, monday_emulator), db, progress_stream=io.StringIO())
    assert code == 0, report.as_dict()
    lines = [r.getMessage() for r in caplog.records if r.name == "pusher.sync" and r.getMessage().startswith("rows:")]
    assert lines[-1].startswith("rows: 386/386 (100 %)")
    first = config.monday.batch_size  # the first batch of items, counted against the whole queue
    assert lines[0].startswith(f"rows: {first}/386 ({first * 100 // 386} %)")
