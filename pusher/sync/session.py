"""One `ordersync sync` run around the runner: run log, boards, preflight, signals, exit code.

Kept apart from the claim -> push -> mark loop so the loop stays about rows, and so tests and the
benchmark can drive a whole run in-process exactly as the command does.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any, TextIO

from pusher import queue
from pusher.config import Config
from pusher.errors import ExitCode
from pusher.sql.connection import Database
from pusher.sync.board import read_item_and_subitem_boards
from pusher.sync.client import MondayClient
from pusher.sync.errors import RunFatalError
from pusher.sync.pacing import Pacer
from pusher.sync.progress import Progress, pending_total
from pusher.sync.runner import Interrupted, Pusher, RunReport
from pusher.validate import board_problems

log = logging.getLogger(__name__)


def make_client(config: Config, token: str, pacer: Pacer | None = None) -> MondayClient:
    env, m = config.environment, config.monday
    return MondayClient(env.monday_api_url, token, m.api_version, m.timeout_seconds, pacer)


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C / SIGTERM (SIGBREAK on Windows) set ``stop``; a second one interrupts at once.

    Only the main thread may install handlers; elsewhere (tests driving a run from a thread) the
    caller sets ``stop`` itself.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.warning("signal %s: finishing the current request, then releasing the rest of the batch", signum)
        stop.set()

    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):
                previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


def run_sync(config: Config, db: Database, token: str, *, dry_run: bool, limit: int | None = None,
             customer: str | None = None, progress_stream: TextIO | None = None,
             stop: threading.Event | None = None, pacer: Pacer | None = None) -> tuple[RunReport, ExitCode]:
    """Run one sync (or dry run) end to end; never raises for monday's refusals, only for the database."""
    stop = stop or threading.Event()
    client = make_client(config, token, pacer)
    stream = None if dry_run else progress_stream  # a preview sends nothing: no bar to draw
    progress = Progress(stream, total=pending_total(db, limit, customer) if stream else None)
    client.pacer.on_wait = progress.waiting
    run_log_id = queue.start_run_log(db, "sync", "pusher", dry_run)
    report = RunReport(dry_run=dry_run)
    error: str | None = None
    try:
        items, subitems = read_item_and_subitem_boards(client, config.environment.items_board_id,
                                                       config.environment.subitems_board_id)
        problems = board_problems(config, items, subitems)
        pusher = Pusher(config, db, client, items, subitems, limit=limit, customer=customer, progress=progress,
                        stop=stop)
        report = pusher.report
        if dry_run:
            report.problems.extend(problems)
            if not problems:
                pusher.preview()
        elif problems:
            raise RunFatalError("InvalidColumnIdException", "; ".join(problems))
        else:
            with stop_on_signals(stop):
                pusher.run()
    except RunFatalError as exc:
        report.fatal = error = str(exc)
        log.error("%s", exc)
    except Interrupted:
        report.interrupted, error = True, "interrupted: the current request finished, the rest was released"
    except KeyboardInterrupt:
        report.interrupted, error = True, "interrupted twice: stopped at once; unconfirmed rows wait for their lease"
        raise
    finally:
        progress.close()
        client.close()
        report.requests = client.stats.requests
        report.complexity = client.stats.complexity
        outcome = "SUCCEEDED" if error is None and not report.failed else "FAILED"
        queue.end_run_log(db, run_log_id, outcome, report.synced + report.failed,
                          {e: dict(c) for e, c in report.counts.items()}, error)
    return report, exit_code(report)


def exit_code(report: RunReport) -> ExitCode:
    if report.interrupted:
        return ExitCode.INTERRUPTED
    if report.fatal:
        return ExitCode.REMOTE_FATAL
    if report.dry_run and report.problems:
        return ExitCode.CONFIG_ERROR
    if report.failed:
        return ExitCode.ROWS_FAILED
    return ExitCode.OK
