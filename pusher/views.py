"""The sync views (docs/contracts.md) as every reader sees them: one reader, and the reports' reads.

The pusher's roles read the queue, the failures and the run log only through the views, so
``view_rows`` is the one place a view is queried: the queue (``pusher.queue``), the pipeline's
run-log lookups, ``status`` and ``report`` all go through it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from pusher.sql.connection import Database


def view_rows(db: Database, view: str, *, columns: str = "*", where: str = "", params: Sequence[Any] = (),
              group_by: str = "", order_by: str = "", limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of a sync view (``params`` fill the placeholders of ``where``); OFFSET/FETCH is the
    one paging syntax both engines accept. Roles read the run log and queues only this way."""
    sql = f"SELECT {columns} FROM {db.dialect.qualified(db.config.environment.sync_schema, view)}"
    sql += f" WHERE {where}" if where else ""
    sql += f" GROUP BY {group_by}" if group_by else ""
    params = list(params)
    if order_by:
        sql += f" ORDER BY {order_by}"
        if limit is not None:
            sql += f" OFFSET 0 ROWS FETCH NEXT {db.dialect.placeholder} ROWS ONLY"
            params.append(limit)
    return [{k: _plain(v) for k, v in row.items()} for row in db.fetch(sql, params)]


def customer_filter(db: Database, customer: str | None) -> tuple[str, list[Any]]:
    """(where, params) of view_rows for the rows of one customer (None: every customer)."""
    return ("customer = " + db.dialect.placeholder, [customer]) if customer is not None else ("", [])


def _plain(value: Any) -> Any:
    """Values as JSON-friendly Python: numbers stay numbers, times and uuids become text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def status_counts(db: Database) -> list[dict[str, Any]]:
    """Rows by entity, state and action with the oldest row's creation time (UTC)."""
    return view_rows(db, "StatusCounts", order_by="entity, sync_state, action")


def failures(db: Database, limit: int = 100) -> list[dict[str, Any]]:
    """Dead-lettered rows and the latest pipeline run's rejected staging rows, newest first."""
    return view_rows(db, "Failures", order_by="updated_at DESC, entity, delta_id", limit=limit)


def failure_reasons(db: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The most frequent (entity, error code) pairs among the rows in sync.Failures."""
    return view_rows(db, "Failures", columns="entity, last_error_code, COUNT(*) AS n",
                     group_by="entity, last_error_code", order_by="COUNT(*) DESC, entity, last_error_code",
                     limit=limit)


def run_history(db: Database, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs and steps, newest first, without the queue procedures' per-batch rows (component
    'queue': claims, marks, releases) and the pipeline's per-row rejects; sync.RunHistory holds both."""
    where = "component <> 'queue' AND outcome <> 'REJECTED'"
    return view_rows(db, "RunHistory", where=where, order_by="run_log_id DESC", limit=limit)


def last_successful_sync(db: Database) -> dict[str, Any] | None:
    """The newest pusher run that pushed for real and ended SUCCEEDED (None: never)."""
    rows = view_rows(db, "RunHistory", columns="run_log_id, start_time, end_time, rows_affected",
                     where="component = 'pusher' AND step = 'sync' AND outcome = 'SUCCEEDED' "
                           f"AND is_dry_run = {db.dialect.placeholder}",
                     params=[False], order_by="end_time DESC, run_log_id DESC", limit=1)
    return rows[0] if rows else None


def runs_summary(db: Database, since: datetime) -> list[dict[str, Any]]:
    """Runs per component, step and outcome started since ``since`` (UTC), row-level rejects left out."""
    return view_rows(db, "RunHistory", columns="component, step, outcome, COUNT(*) AS runs, "
                                               "SUM(rows_affected) AS rows_affected",
                     where=f"start_time >= {db.dialect.placeholder} AND outcome <> 'REJECTED'",
                     params=[since], group_by="component, step, outcome",
                     order_by="component, step, outcome")


def failure_examples(db: Database, entity: str, code: str | None, limit: int) -> list[dict[str, Any]]:
    """The newest few rows behind one failure reason, with their messages."""
    if limit <= 0:  # FETCH NEXT 0 ROWS is an error on SQL Server (Msg 10744)
        return []
    match = "last_error_code IS NULL" if code is None else f"last_error_code = {db.dialect.placeholder}"
    return view_rows(db, "Failures", columns="order_key, size, action, attempts, last_error, updated_at",
                     where=f"entity = {db.dialect.placeholder} AND {match}",
                     params=[entity] if code is None else [entity, code],
                     order_by="updated_at DESC, order_key", limit=limit)
