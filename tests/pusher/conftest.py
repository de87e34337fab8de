"""Fixtures for the pusher tests: a deployed PostgreSQL (``db``), the emulator over real HTTP, a config
pointing at it, and helpers that load sample data, run the pipeline and run the pusher in-process.

Nothing here mocks HTTP or the database: the pusher talks to a real emulator server and real procedures.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from pusher.config import Config
from pusher.emulator.server import EmulatorServer
from pusher.sample_data import SampleShape, load_snapshot, reference_po
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database

TOKEN = "test-token"
ITEMS_BOARD = "5000000001"
SUBITEMS_BOARD = "5000000002"


def point_at(config: Config, server: EmulatorServer, **monday: Any) -> Config:
    """``config`` with its API URL set to ``server`` and monday settings overridden (short leases in tests)."""
    settings = {"lease_seconds": 10, "timeout_seconds": 5.0, **monday}
    return dataclasses.replace(config.with_api_url(server.url), monday=dataclasses.replace(config.monday, **settings))


@pytest.fixture
def shape(config: Config) -> SampleShape:
    return SampleShape(config, read_columns_file(config.columns_file))


@pytest.fixture
def load_reference(db: Database, shape: SampleShape) -> Callable[[], list[dict]]:
    """Load the reference-shaped PO into staging and run the pipeline; returns the staging rows."""

    def load(rows: list[dict] | None = None) -> list[dict]:
        from pusher.pipeline import run_pipeline

        rows = reference_po(shape) if rows is None else rows
        load_snapshot(db, rows)
        run_pipeline(db)
        return rows

    return load


def push(config: Config, db: Database, **kwargs: Any):
    """Run the pusher in-process exactly as `ordersync sync` does; (report, exit code)."""
    from pusher.sync.session import run_sync

    token = kwargs.pop("token", TOKEN)
    report, code = run_sync(config, db, token, dry_run=kwargs.pop("dry_run", False), **kwargs)
    return report, int(code)


def board_items(server: EmulatorServer, board: str = ITEMS_BOARD, states: tuple[str, ...] = ("active",)) -> list[dict]:
    return [i for i in server.items(board, include_archived=True) if i["state"] in states]


def assert_no_duplicates(server: EmulatorServer) -> None:
    """No key held by two live items, on either board (the emulator's inspection API counts them)."""
    for board, column in ((ITEMS_BOARD, "text_order_key"), (SUBITEMS_BOARD, "text_line_key")):
        dups = server.duplicate_keys(board, column)
        assert not dups, f"duplicates on board {board}: {dups}"


def queue_states(db: Database) -> dict[str, Counter]:
    """entity -> Counter of sync_state over every delta row."""
    out: dict[str, Counter] = {"item": Counter(), "subitem": Counter()}
    for entity, table in (("item", db.config.tables.order_delta), ("subitem", db.config.tables.line_delta)):
        rows = db.fetch(f'SELECT sync_state, count(*) AS n FROM dbo."{table}" GROUP BY sync_state')
        out[entity].update({r["sync_state"]: r["n"] for r in rows})
    return out
