"""The pusher's typed view of the queue procedures and views (docs/contracts.md).

Everything the pusher knows about pending work lives in the database; these functions are
the only place Python spells the procedure names, their parameters and their row shapes,
so the rest of the pusher works with dataclasses instead of dicts.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pusher.sql.connection import Database
from pusher.views import customer_filter, view_rows

Entity = Literal["item", "subitem"]


@dataclass(frozen=True)
class ItemRow:
    """One claimed order change: what the item must look like on monday."""

    delta_id: int
    order_key: str
    action: str  # CREATE | UPDATE | ARCHIVE
    payload: dict[str, Any]
    item_name: str | None
    group_key: str | None
    group_title: str | None
    monday_group_id: str | None
    monday_item_id: str | None  # known item id: update it; None: look up by key, then create
    attempts: int  # this claim included; > 1 means an earlier attempt may have reached monday
    last_error_code: str | None

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> ItemRow:
        return cls(delta_id=int(r["delta_id"]), order_key=r["order_key"], action=r["action"],
                   payload=json_value(r["payload"]) or {}, item_name=r["item_name"], group_key=r["group_key"],
                   group_title=r["group_title"], monday_group_id=r["monday_group_id"],
                   monday_item_id=_id(r["monday_item_id"]), attempts=int(r["attempts"]),
                   last_error_code=r["last_error_code"])


@dataclass(frozen=True)
class SubitemRow:
    """One claimed size-line change of an order whose item exists on monday."""

    delta_id: int
    order_key: str
    size: str
    line_key: str
    action: str  # CREATE | UPDATE | DELETE
    qty: int | None
    parent_item_id: str
    monday_subitem_id: str | None
    attempts: int
    last_error_code: str | None

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> SubitemRow:
        return cls(delta_id=int(r["delta_id"]), order_key=r["order_key"], size=r["size"], line_key=r["line_key"],
                   action=r["action"], qty=r["qty"], parent_item_id=str(r["parent_item_id"]),
                   monday_subitem_id=_id(r["monday_subitem_id"]), attempts=int(r["attempts"]),
                   last_error_code=r["last_error_code"])


@dataclass(frozen=True)
class Queue:
    """One queue's names: the procedures rendered for it from one template each (``Claim{Entity}``,
    ``Mark{Entity}Synced``, ``Mark{Entity}Failed``: pusher.sql.render), its row type and its view."""

    entity: Entity  # the queue's name in the Entity parameters, the views and the reports
    noun: str  # what {Entity} becomes in its procedure names
    row_type: type[ItemRow] | type[SubitemRow]  # what its claim hands out
    pending_view: str

    def procedure(self, pattern: str) -> str:
        """``Claim{Entity}`` -> ``ClaimItems``."""
        return pattern.replace("{Entity}", self.noun)


QUEUES: dict[Entity, Queue] = {
    "item": Queue("item", "Items", ItemRow, "PendingItems"),
    "subitem": Queue("subitem", "Subitems", SubitemRow, "PendingSubitems"),
}
ENTITIES: tuple[Entity, ...] = tuple(QUEUES)


@dataclass(frozen=True)
class SyncResult:
    """monday confirmed the row; `monday_id` is the item or subitem it now corresponds to."""

    delta_id: int
    monday_id: str | int | None


@dataclass(frozen=True)
class Failure:
    """monday refused the row; `retryable` sends it back to the queue while attempts remain."""

    delta_id: int
    code: str
    message: str
    retryable: bool


@dataclass(frozen=True)
class FailOutcome:
    to_pending: int
    to_failed: int


def _id(value: Any) -> str | None:
    """monday ids are opaque strings in the API; the database keeps them as BIGINT."""
    return None if value is None else str(value)


def json_value(value: Any) -> Any:
    """jsonb arrives parsed (psycopg), NVARCHAR(MAX) as text (SQL Server)."""
    return json.loads(value) if isinstance(value, str) else value


def _token(token: uuid.UUID | str) -> str:
    return str(uuid.UUID(str(token)))


def claim_batch(db: Database, entity: Entity, batch_size: int, lease_seconds: int | None,
                claim_token: uuid.UUID | str, customer: str | None = None,
                run_id: int | None = None) -> list[ItemRow] | list[SubitemRow]:
    """Lease up to `batch_size` ready rows to `claim_token`, oldest first.

    `lease_seconds` None uses the rendered `monday.lease_seconds`; `monday.max_attempts` is
    sent from the config with the call, so a TOML edit needs no redeploy. Another pusher never
    gets the same rows while the lease runs; after it, they return to the queue. `run_id` (here
    and in the marks and the release): the pusher run (start_run_log's id) the batch's run-log row
    belongs to.
    """
    q = QUEUES[entity]
    rows = db.call(q.procedure("Claim{Entity}"), BatchSize=batch_size, LeaseSeconds=lease_seconds,
                   ClaimToken=_token(claim_token), Customer=customer, MaxAttempts=db.config.monday.max_attempts,
                   RunId=run_id)
    return [q.row_type.from_record(r) for r in rows]


def mark_synced(db: Database, token: uuid.UUID | str, entity: Entity, results: Iterable[SyncResult],
                run_id: int | None = None) -> int:
    """Record what monday confirmed; returns how many rows changed (rows no longer held
    under `token`, because the lease expired and another pusher took them, are left alone)."""
    payload = [{"delta_id": r.delta_id, "monday_id": _id(r.monday_id)} for r in results]
    if not payload:
        return 0
    rows = db.call(QUEUES[entity].procedure("Mark{Entity}Synced"), ClaimToken=_token(token), Results=payload,
                   RunId=run_id)
    return int(rows[0]["updated"])


def mark_failed(db: Database, token: uuid.UUID | str, entity: Entity, failures: Iterable[Failure],
                run_id: int | None = None) -> FailOutcome:
    """Record what monday refused: retryable rows with attempts left go back to PENDING,
    the others to FAILED (dead letter), each with its code and message."""
    payload = [{"delta_id": f.delta_id, "code": f.code, "message": f.message, "retryable": f.retryable}
               for f in failures]
    if not payload:
        return FailOutcome(0, 0)
    row = db.call(QUEUES[entity].procedure("Mark{Entity}Failed"), ClaimToken=_token(token), Failures=payload,
                  MaxAttempts=db.config.monday.max_attempts, RunId=run_id)[0]
    return FailOutcome(int(row["to_pending"]), int(row["to_failed"]))


def release_claim(db: Database, token: uuid.UUID | str, run_id: int | None = None) -> int:
    """Give every row still held under `token` (one claim of one queue) back to the queue, attempt
    refunded (clean stop, dry run, or monday refused the whole run); returns how many."""
    return int(db.call("ReleaseClaim", ClaimToken=_token(token), RunId=run_id)[0]["released"])


def mark_repairs(db: Database, orders: Iterable[str], lines: Iterable[tuple[str, str]] = ()) -> dict[str, int]:
    """QueueRepairs: make the next pipeline run queue these orders (UPDATE) and (order, size) lines
    (CREATE) again; returns {"orders": n, "lines": n} marked."""
    row = db.call("QueueRepairs", Orders=[{"order_key": o} for o in orders],
                  Lines=[{"order_key": o, "size": s} for o, s in lines], DryRun=False)[0]
    return {"orders": int(row["orders"]), "lines": int(row["lines"])}


def save_group(db: Database, group_key: str, monday_group_id: str) -> None:
    """Cache the monday group id of a group key, so the next run finds the group without a lookup."""
    db.call("SaveGroup", GroupKey=group_key, MondayGroupId=monday_group_id)


def requeue_failed(db: Database, entity: Entity | None = None, customer: str | None = None,
                   delta_id: int | None = None, dry_run: bool = False) -> dict[str, int]:
    """FAILED rows back to PENDING with attempts 0; returns {entity: rows} (counted only
    when `dry_run`)."""
    rows = db.call("RequeueFailed", Entity=entity, Customer=customer, DeltaId=delta_id, DryRun=dry_run)
    return {r["entity"]: int(r["requeued"]) for r in rows}


def purge(db: Database, synced_older_than_days: int = 30, run_log_older_than_days: int = 90,
          dry_run: bool = False, max_batches: int | None = None) -> dict[str, int]:
    """Delete old SYNCED deltas and run-log rows in batches of `sql_agent.purge_rows_per_batch`
    (at most `max_batches` per table; None: all); returns {table: rows}."""
    rows = db.call("Purge", SyncedOlderThanDays=synced_older_than_days,
                   RunLogOlderThanDays=run_log_older_than_days, DryRun=dry_run,
                   BatchSize=db.config.sql_agent.purge_rows_per_batch, MaxBatches=max_batches)
    return {r["object"]: int(r["deleted"]) for r in rows}


def start_run_log(db: Database, step: str, component: str = "pusher", dry_run: bool = False) -> int:
    """Open a run-log row (STARTED); a run that dies stays visible as STARTED."""
    return int(db.call("StartRunLog", Component=component, Step=step, DryRun=dry_run)[0]["run_log_id"])


def end_run_log(db: Database, run_log_id: int, outcome: str, rows_affected: int | None = None,
                counts: dict[str, Any] | None = None, error_message: str | None = None) -> None:
    """Close a run-log row: SUCCEEDED, FAILED or REFUSED, with counts and the error text."""
    db.call("EndRunLog", RunLogId=run_log_id, Outcome=outcome, RowsAffected=rows_affected, Counts=counts,
            ErrorMessage=error_message[:4000] if error_message else None)


def ready_counts(db: Database) -> dict[str, int]:
    """How many PENDING rows a claim could hand out right now, per entity (the rest wait
    behind an in-flight change of their order, or for their parent item)."""
    return {entity: int(view_rows(db, q.pending_view, columns="COUNT(*) AS n")[0]["n"])
            for entity, q in QUEUES.items()}


def pending_total(db: Database, limit: int | None = None, customer: str | None = None) -> int:
    """Rows a run will handle at most: PENDING items and subitems (of ``customer``), each bounded by ``limit``."""
    where, params = customer_filter(db, customer)
    rows = view_rows(db, "PlannedChanges", columns="entity, COUNT(*) AS n", where=where, params=params,
                     group_by="entity")
    return sum(int(r["n"]) if limit is None else min(int(r["n"]), limit) for r in rows)


def pending_creates(db: Database) -> int:
    """Items the queue will create: PENDING CREATE rows and UPDATE rows whose item is not on the board."""
    where = "action = 'CREATE' OR (action = 'UPDATE' AND monday_item_id IS NULL)"
    return int(view_rows(db, QUEUES["item"].pending_view, columns="COUNT(*) AS n", where=where)[0]["n"])


def pending_values(db: Database) -> tuple[list[dict[str, Any]], set[str]]:
    """Payloads of the ready PENDING items and sizes of the ready PENDING subitems, for the label check."""
    payloads = [json_value(r["payload"]) or {} for r in view_rows(db, QUEUES["item"].pending_view, columns="payload")]
    sizes = {r["size"] for r in view_rows(db, QUEUES["subitem"].pending_view, columns="DISTINCT size")}
    return payloads, sizes


def sample_payload(db: Database) -> dict[str, Any] | None:
    """The payload of the oldest ready CREATE/UPDATE item, or None: every payload the deployed
    procedures queue has the same fields, so one shows which mapped columns they carry."""
    rows = view_rows(db, QUEUES["item"].pending_view, columns="delta_id, payload", where="action <> 'ARCHIVE'",
                     order_by="delta_id", limit=1)
    return (json_value(rows[0]["payload"]) or {}) if rows else None
