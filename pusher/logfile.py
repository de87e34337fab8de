"""A size-rotated log file for unattended runs (Windows Task Scheduler, cron, SQL Agent).

A scheduled `ordersync sync` has no console anyone reads, and a log that only grows fills the
disk of a server nobody watches, so the file rotates by size and keeps a fixed number of old
files. Call `attach_rotating_file` from `--log-file PATH` once logging is configured and
*before* `pusher.sync.token.install_token_mask`: that mask is added to the root handlers that
exist when it runs, and this handler must be one of them so the token never reaches the file.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # ~5 MB a file: a few weeks of 5-minute runs at INFO
BACKUP_COUNT = 10  # ordersync-sync.log.1 .. .10, then the oldest is dropped
FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


def attach_rotating_file(path: str | Path, level: int = logging.INFO, max_bytes: int = MAX_BYTES,
                         backup_count: int = BACKUP_COUNT) -> RotatingFileHandler:
    """Log to `path` (rotated by size) in addition to stderr; create its folder if missing.

    The process id is in every line because the task may overlap with a run started by hand.
    `--quiet` keeps the console to warnings, but the file still gets `level`: the root logger is
    lowered to `level` and the handlers already there keep the threshold they had through it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8",
                                  delay=True)
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    if root.level > level:
        for existing in root.handlers:
            existing.setLevel(max(existing.level, root.level))
        root.setLevel(level)
    root.addHandler(handler)
    return handler
