"""Helpers for the pipeline tests: put rows in staging, run the pipeline, read the queues.

Staging rows are dicts of staging column -> value; `order()` fills the columns every order
needs so a test states only what it is about.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from pusher.pipeline import PipelineResult, run_pipeline
from pusher.sql.connection import Database

KEY = "AAG ORDER NUMBER"


def order(key: str | None, sizes: dict[str, int] | None = None, **columns: Any) -> dict[str, Any]:
    """A staging row: the order key, a customer/season/style/colour, sizes and any overrides."""
    row: dict[str, Any] = {KEY: key, "CUSTOMER NAME": "ACME", "CUSTOMER SEASON": "SS25",
                           "CUSTOMER STYLE": f"STYLE-{key}", "CUSTOMER COLOUR DESCRIPTION": "NAVY"}
    row.update(sizes or {})
    row.update({name.replace("_", " "): value for name, value in columns.items()})
    return row


def table(db: Database, name: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(db.config.environment.data_schema), sql.Identifier(name))


def stage(db: Database, *rows: dict[str, Any], replace: bool = True) -> None:
    """Load rows into staging (a snapshot: by default what was there before is removed)."""
    conn = db.connection()
    staging = table(db, db.config.tables.staging)
    with conn.cursor() as cur:
        if replace:
            cur.execute(sql.SQL("DELETE FROM {}").format(staging))
        for row in rows:
            cur.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                staging, sql.SQL(", ").join(map(sql.Identifier, row)),
                sql.SQL(", ").join(sql.Placeholder() * len(row))), list(row.values()))
    conn.commit()


def run(db: Database, dry_run: bool = False, allow_mass_archive: bool = False) -> PipelineResult:
    return run_pipeline(db, dry_run=dry_run, allow_mass_archive=allow_mass_archive)


def rows(db: Database, name: str, columns: str = "*", order_by: str = "1") -> list[dict[str, Any]]:
    return db.fetch(sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
        sql.SQL(columns), table(db, name), sql.SQL(order_by)).as_string(db.connection()))


def item_deltas(db: Database) -> list[tuple]:
    """(order_key, action, sync_state) of every item delta, oldest first."""
    return [(r["order_key"], r["action"], r["sync_state"])
            for r in rows(db, db.config.tables.order_delta, "order_key, action, sync_state, delta_id", "4")]


def line_deltas(db: Database) -> list[tuple]:
    """(order_key, size, action, qty, sync_state) of every line delta, oldest first."""
    return [(r["order_key"], r["size"], r["action"], r["qty"], r["sync_state"])
            for r in rows(db, db.config.tables.line_delta,
                          "order_key, size, action, qty, sync_state, line_delta_id", "6")]


def lines(db: Database) -> dict[tuple[str, str], int]:
    return {(r["order_key"], r["size"]): r["qty"] for r in rows(db, db.config.tables.lines)}


def rejects(db: Database) -> list[tuple]:
    """(step, order_key, error_message) of every REJECTED run-log row."""
    return [(r["step"], r["order_key"], r["error_message"])
            for r in rows(db, db.config.tables.run_log, "step, order_key, error_message, outcome, run_log_id", "5")
            if r["outcome"] == "REJECTED"]


def set_state(db: Database, entity_table: str, state: str) -> None:
    """Move every open delta of a queue to `state`, as a claim or a dead letter would."""
    db.fetch(sql.SQL("UPDATE {} SET sync_state = %s WHERE sync_state IN ('PENDING', 'FAILED')").format(
        table(db, entity_table)).as_string(db.connection()), (state,))
