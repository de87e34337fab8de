"""One `ordersync sync` run around the runner: run log, boards, preflight, signals, exit code.

Kept apart from the claim -> push -> mark loop so the loop stays about rows, and so tests and the
benchmark can drive a whole run in-process exactly as the command does.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any, TextIO

from pusher import queue, views
from pusher.config import Config, ConfigProblems
from pusher.errors import ConfigError, ExitCode
from pusher.sql.connection import Database
from pusher.sync.board import read_item_and_subitem_boards
from pusher.sync.client import MondayClient, RetryPolicy
from pusher.sync.errors import RunFatalError, TransientError
from pusher.sync.pacing import Pacer
from pusher.sync.preflight import config_problems
from pusher.sync.progress import Progress
from pusher.sync.runner import Interrupted, Pusher, RunReport

log = logging.getLogger(__name__)


def make_client(config: Config, token: str, pacer: Pacer | None = None) -> MondayClient:
    env, m = config.environment, config.monday
    retry = RetryPolicy(m.retry_tries, m.retry_backoff_seconds, m.retry_backoff_cap_seconds)
    return MondayClient(env.monday_api_url, token, m.api_version, m.timeout_seconds, retry, pacer)


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
    """Run one sync (or dry run) end to end; never raises for monday's refusals, only for the database.

    Config problems (names, board columns, types, a customer no pending row has, a mapped value the
    claimed rows lack) stop the run with exit 2 before its first mutation; an unreachable or refusing
    monday with exit 3. Either way the claims are given back and the run log row says FAILED and why.
    The log gets a start line and a summary line, also when nothing was pending.
    """
    stop = stop or threading.Event()
    client = make_client(config, token, pacer)
    stream = None if dry_run else progress_stream  # a preview sends nothing: no bar to draw
    progress = Progress(stream, total=queue.pending_total(db, limit, customer) if stream else None)
    client.pacer.on_wait = progress.waiting
    mode = "--dry-run" if dry_run else "--execute"
    log.info("sync %s started: environment %s, monday %s, board %s, limit %s, customer %s", mode,
             config.environment.name, client.url, config.environment.items_board_id, limit or "none",
             "all" if customer is None else repr(customer))
    run_log_id = queue.start_run_log(db, "sync", "pusher", dry_run)
    report = RunReport(dry_run=dry_run)
    error: str | None = None
    forced: int | None = None  # the exit code when it is not the report's (config problem, exception)
    try:
        if customer is not None:
            check_customer(db, customer)
        items, subitems = read_item_and_subitem_boards(client, config.environment.items_board_id,
                                                       config.environment.subitems_board_id)
        problems = config_problems(config, db, items, subitems)
        if problems:
            raise ConfigProblems(config.path, problems)
        pusher = Pusher(config, db, client, items, subitems, limit=limit, customer=customer, progress=progress,
                        stop=stop, run_id=run_log_id)
        report = pusher.report
        if dry_run:
            pusher.preview()
        else:
            with stop_on_signals(stop):
                pusher.run()
    except ConfigError as exc:
        forced = ExitCode.CONFIG_ERROR
        report.problems.extend(getattr(exc, "problems", None) or [str(exc)])
        error = "configuration: " + "; ".join(report.problems)
        log.error("stopped before sending anything: %s", error)
    except RunFatalError as exc:
        report.fatal = error = str(exc)
        log.error("%s", exc)
    except TransientError as exc:
        report.fatal = error = str(client.gave_up(exc))
        log.error("%s", error)
    except Interrupted:
        report.interrupted, error = True, "interrupted: the current request finished, the rest was released"
    except KeyboardInterrupt:
        report.interrupted, error = True, "interrupted twice: stopped at once; unconfirmed rows wait for their lease"
        raise
    except Exception as exc:  # a database error, or a bug: the run log must not say SUCCEEDED
        error = f"{type(exc).__name__}: {exc}"
        forced = getattr(exc, "exit_code", 1)  # DatabaseError: 4; an uncaught bug ends Python with 1
        raise
    finally:
        progress.close()
        client.close()
        report.requests = client.stats.requests
        report.complexity = client.stats.complexity
        outcome = "SUCCEEDED" if error is None and not report.failed else "FAILED"
        queue.end_run_log(db, run_log_id, outcome, report.synced + report.failed,
                          {e: dict(c) for e, c in report.counts.items()}, error)
        code = exit_code(report) if forced is None else ExitCode(forced)
        log.info("sync %s finished: %s, %d synced, %d failed, %d requests, exit %d%s", mode, outcome,
                 report.synced, report.failed, report.requests, int(code), f": {error}" if error else "")
    return report, code


def check_customer(db: Database, customer: str) -> None:
    """ConfigError naming the closest customers when no pending row belongs to ``customer``.

    The pusher reads the queue only through its views, so "known" means: has a pending item or subitem
    ready to claim. The name must match exactly (PostgreSQL compares case; a SQL Server collation may
    not, but a refusal naming the exact spelling is safer than a run that claims nothing); the closest
    names are found ignoring case.
    """
    known = {r["customer"] for q in queue.QUEUES.values()
             for r in views.view_rows(db, q.pending_view, columns="DISTINCT customer") if r["customer"] is not None}
    if customer in known:
        return
    by_fold = {k.casefold(): k for k in known}
    close = [by_fold[k] for k in difflib.get_close_matches(customer.casefold(), list(by_fold), n=3, cutoff=0.5)]
    hint = (f"closest: {', '.join(repr(c) for c in close)}" if close else
            f"customers with pending rows: {', '.join(repr(c) for c in sorted(known)[:10]) or 'none'}")
    raise ConfigError(f"--customer {customer!r}: no pending item or subitem belongs to that customer "
                      f"(order.customer_column); {hint}")


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
