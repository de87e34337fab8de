"""Helpers for the queue tests: arrange orders, lines and delta rows directly with INSERTs
(no pipeline needed), claim through `pusher.queue`, and read rows back.

Times are the database's UTC clock, like the procedures' own; a lease is given in seconds
from now (negative: already expired).
"""

from __future__ import annotations

import uuid
from typing import Any

from pusher import queue
from pusher.sql.connection import Database

NOW = "(clock_timestamp() AT TIME ZONE 'UTC')"


def t(db: Database, name: str) -> str:
    """A data-schema table, quoted, by its [tables] key (orders, order_delta, ...)."""
    return db.dialect.qualified(db.config.environment.data_schema, getattr(db.config.tables, name))


def add_order(db: Database, key: str, customer: str = "ACME", monday_item_id: int | None = None) -> None:
    db.fetch(f'INSERT INTO {t(db, "orders")} (order_key, "AAG ORDER NUMBER", "CUSTOMER NAME", row_hash, '
             f"monday_item_id) VALUES (%s, %s, %s, %s, %s)", (key, key, customer, b"h", monday_item_id))


def add_line(db: Database, key: str, size: str, qty: int = 1, monday_subitem_id: int | None = None) -> None:
    db.fetch(f'INSERT INTO {t(db, "lines")} (order_key, size, qty, monday_subitem_id) VALUES (%s, %s, %s, %s)',
             (key, size, qty, monday_subitem_id))


def _delta(db: Database, table: str, id_column: str, values: dict[str, Any], state: str, attempts: int,
           token: uuid.UUID | None, lease: float | None) -> int:
    values = {**values, "sync_state": state, "attempts": attempts,
              "claim_token": str(token) if token else None}
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    lease_sql = "NULL" if lease is None else f"{NOW} + make_interval(secs => %s)"
    params = [*values.values(), *([] if lease is None else [lease])]
    row = db.fetch(f"INSERT INTO {t(db, table)} ({columns}, lease_expires_at) VALUES ({marks}, {lease_sql}) "
                   f"RETURNING {id_column} AS id", params)
    return int(row[0]["id"])


def add_item_delta(db: Database, key: str, action: str = "CREATE", state: str = "PENDING", attempts: int = 0,
                   token: uuid.UUID | None = None, lease: float | None = None, group_key: str | None = None,
                   payload: str = '{"AAG ORDER NUMBER": null}') -> int:
    if state == "IN_FLIGHT" and lease is None:
        lease = 300
    return _delta(db, "order_delta", "delta_id",
                  {"order_key": key, "action": action, "payload": payload, "item_name": f"name {key}",
                   "group_key": group_key}, state, attempts, token, lease)


def add_line_delta(db: Database, key: str, size: str, action: str = "CREATE", qty: int | None = 1,
                   state: str = "PENDING", attempts: int = 0, token: uuid.UUID | None = None,
                   lease: float | None = None) -> int:
    if state == "IN_FLIGHT" and lease is None:
        lease = 300
    return _delta(db, "line_delta", "line_delta_id",
                  {"order_key": key, "size": size, "action": action, "qty": qty}, state, attempts, token, lease)


def item_delta(db: Database, delta_id: int) -> dict[str, Any]:
    return db.fetch(f'SELECT * FROM {t(db, "order_delta")} WHERE delta_id = %s', (delta_id,))[0]


def line_delta(db: Database, delta_id: int) -> dict[str, Any]:
    return db.fetch(f'SELECT * FROM {t(db, "line_delta")} WHERE line_delta_id = %s', (delta_id,))[0]


def order_row(db: Database, key: str) -> dict[str, Any]:
    return db.fetch(f'SELECT * FROM {t(db, "orders")} WHERE order_key = %s', (key,))[0]


def states(db: Database, table: str = "order_delta", id_column: str = "delta_id") -> dict[int, str]:
    rows = db.fetch(f"SELECT {id_column} AS id, sync_state FROM {t(db, table)}")
    return {r["id"]: r["sync_state"] for r in rows}


def claim(db: Database, entity: queue.Entity = "item", size: int = 10, token: uuid.UUID | None = None,
          lease: int | None = 300, customer: str | None = None) -> list:
    return queue.claim_batch(db, entity, size, lease, token or uuid.uuid4(), customer)
