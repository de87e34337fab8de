"""The Windows Event Log for scheduled runs: start, summary and failure of each `sync --execute`.

Under Task Scheduler stdout goes nowhere, so every push run also writes to the Application log,
source ``ordersync``, where monitoring agents and `Get-WinEvent` look: "started" (Information), the
summary (Information when every row synced, Warning when some failed) or the failure (Error), plus
every ERROR any module logs during the run. The handler is the standard library's
``NTEventLogHandler``, which writes through pywin32's ``win32evtlogutil`` (a Windows-only
dependency), so it is created only on Windows; elsewhere these calls only log. Register the
source once as an administrator (docs/runbook.md) so Event Viewer shows the text cleanly.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys

SOURCE = "ordersync"
ON_WINDOWS = sys.platform == "win32"

events = logging.getLogger("ordersync.eventlog")


def _wanted(record: logging.LogRecord) -> bool:
    return record.name == events.name or record.levelno >= logging.ERROR


def attach() -> logging.Handler | None:
    """Send this run's events (and any ERROR) to the Application log; None when not on Windows."""
    events.setLevel(logging.INFO)  # start and summary are written even under --quiet
    if not ON_WINDOWS:
        return None
    handler = logging.handlers.NTEventLogHandler(SOURCE)
    handler.addFilter(_wanted)
    logging.getLogger().addHandler(handler)
    return handler


def detach(handler: logging.Handler | None) -> None:
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()


def start(text: str) -> None:
    events.info("%s", text)


def summary(text: str, rows_failed: bool) -> None:
    events.log(logging.WARNING if rows_failed else logging.INFO, "%s", text)


def failure(text: str) -> None:
    events.error("%s", text)
