"""The scheduled task's log file: rotates by size, gets INFO even when the console is --quiet."""

from __future__ import annotations

import logging

import pytest

from pusher.logfile import attach_rotating_file


@pytest.fixture
def quiet_root():
    """The root logger as `ordersync --quiet` leaves it: one console handler, WARNING."""
    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    console = logging.StreamHandler()
    root.handlers[:] = [console]
    root.setLevel(logging.WARNING)
    yield root, console
    for handler in root.handlers:
        handler.close()
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


def test_the_file_gets_info_while_the_console_stays_quiet(quiet_root, tmp_path):
    root, console = quiet_root
    path = tmp_path / "logs" / "ordersync-sync.log"
    handler = attach_rotating_file(path)
    logging.getLogger("pusher.sync").info("claimed 25 items")
    handler.flush()
    assert "INFO" in path.read_text() and "claimed 25 items" in path.read_text()
    assert console.level == logging.WARNING


def test_the_file_rotates_and_keeps_a_fixed_number_of_old_files(quiet_root, tmp_path):
    path = tmp_path / "sync.log"
    attach_rotating_file(path, max_bytes=200, backup_count=2)
    for n in range(40):
        logging.getLogger("pusher").warning("row %d failed: ColumnValueException", n)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sync.log", "sync.log.1", "sync.log.2"]
    assert all(p.stat().st_size <= 400 for p in tmp_path.iterdir())
