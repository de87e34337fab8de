"""The checks every sync runs before it claims a row, and `ordersync validate` runs too.

The config against the staging catalog, the queued payloads and the live boards: mapped and key
columns exist, are writable and of a type the pusher writes (``pusher.sync.column_types``), SQL
types fit, labels exist. Every check collects problems instead of stopping at the first, and each
problem is one sentence naming both sides (the config key or staging column, and the monday column
with its type), so one run tells a user everything to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pusher import queue
from pusher.config import Config
from pusher.sql.catalog import Column, check_config_columns, sql_kind
from pusher.sql.connection import Database
from pusher.sync.board import Board, BoardColumn
from pusher.sync.column_types import COLUMN_TYPES, supported, types_accepting
from pusher.sync.values import absent_problem

log = logging.getLogger(__name__)


def board_problems(config: Config, items: Board, subitems: Board | None) -> list[str]:
    """Mapped and key columns exist on their board, are writable, supported, and fed from one source."""
    m = config.monday
    problems: list[str] = []
    sides = [("monday.item_columns", items, m.item_columns, ("monday.item_key_column", m.item_key_column))]
    if subitems is None:
        problems.append(f"items board {items.id} has no subitems column and no subitems_board_id is configured: "
                        f"add a subitems column on monday or set environment.{config.environment.name}"
                        f".subitems_board_id")
    else:
        sides.append(("monday.subitem_columns", subitems, m.subitem_columns,
                      ("monday.line_key_column", m.line_key_column)))
    for key, board, mapping, (key_setting, key_column) in sides:
        where = f"board {board.id} ({board.name})"
        targets = [(f"{key}.{source!r}", repr(source), column_id) for source, column_id in mapping.items()]
        targets.append((key_setting, f"the key ({key_setting})", key_column))
        feeds: dict[str, list[str]] = {}
        for label, source, column_id in targets:
            feeds.setdefault(column_id, []).append(source)
            column = board.columns.get(column_id)
            if column is None:
                problems.append(f"{label} -> {column_id!r}: no such column on {where}")
            elif not column.writable:
                problems.append(f"{label} -> {column.describe()}: a {column.type} column is computed by monday "
                                f"and cannot be written; map a writable column instead")
            elif column.type not in COLUMN_TYPES:
                problems.append(f"{label} -> {column.describe()}: the pusher cannot write {column.type} columns "
                                f"(supported: {supported()})")
            elif label == key_setting and column.type != "text":
                problems.append(f"{label} -> {column.describe()}: the key column must be a text column")
        for column_id, sources in feeds.items():
            if len(sources) > 1:
                problems.append(f"{key}: monday column {column_id!r} on {where} is fed by {' and '.join(sources)}: "
                                f"map each monday column from one source")
    return problems


def type_problems(config: Config, catalog: list[Column], items: Board, subitems: Board | None) -> list[str]:
    """Each mapped staging column's SQL type fits its monday column type."""
    by_name = {c.name: c for c in catalog}
    problems = []
    for source, column_id in config.monday.item_columns.items():
        column, db_column = items.columns.get(column_id), by_name.get(source)
        if column is None or db_column is None or column.type not in COLUMN_TYPES:
            continue
        kind = sql_kind(db_column.sql_type)
        if kind not in COLUMN_TYPES[column.type].accepts:
            problems.append(f"monday.item_columns: staging column {source!r} is {db_column.sql_type} ({kind}) but "
                            f"monday {column.describe()} takes {column.type} values: map it to a "
                            f"{' or '.join(types_accepting(kind))} column, or change the mapping")
    if subitems is not None:
        for line_field, kind in (("size", "text"), ("qty", "integer")):
            column = subitems.columns.get(config.monday.subitem_columns.get(line_field, ""))
            if column is not None and column.type in COLUMN_TYPES and kind not in COLUMN_TYPES[column.type].accepts:
                problems.append(f"monday.subitem_columns.{line_field}: the line {line_field} is {kind} but monday "
                                f"{column.describe()} takes {column.type} values")
    return problems


def label_problems(config: Config, items: Board, subitems: Board | None,
                   payloads: Iterable[dict[str, Any]], sizes: Iterable[str]) -> list[str]:
    """Status/dropdown values in the pending data that monday lacks while the policy forbids creating them."""
    policy = config.monday.create_labels_if_missing
    missing: dict[tuple[str, str], set[str]] = {}
    labelled = {source: items.columns[c] for source, c in config.monday.item_columns.items()
                if c in items.columns and _labelled(items.columns[c])}
    for payload in payloads:
        for source, column in labelled.items():
            value = payload.get(source)
            if value not in (None, "") and str(value).strip() not in column.labels():
                missing.setdefault((source, column.id), set()).add(str(value).strip())
    size_column = subitems.columns.get(config.monday.subitem_columns.get("size", "")) if subitems else None
    if size_column is not None and _labelled(size_column):
        for size in sizes:
            if size not in size_column.labels():
                missing.setdefault(("size", size_column.id), set()).add(size)
    problems = []
    for (source, column_id), values in sorted(missing.items()):
        if policy.get(column_id, False):
            continue
        shown = ", ".join(repr(v) for v in sorted(values)[:10]) + (" ..." if len(values) > 10 else "")
        problems.append(f"{source!r} -> monday {column_id!r}: pending values {shown} are not labels of the column "
                        f"and monday.create_labels_if_missing.{column_id} is not true: add the labels on monday "
                        f"or allow creating them")
    return problems


def config_problems(config: Config, db: Database, items: Board, subitems: Board | None) -> list[str]:
    """The config against the staging catalog and the boards already read: names, targets, types.

    The one check `validate`, `sync --dry-run` and `sync --execute` share, so all three find the same
    problems and agree on exit 2; a sync runs it before claiming anything.
    """
    catalog = db.live_columns(config.environment.data_schema, config.tables.staging)
    if not catalog:
        # The pusher's least-privilege role may not see the staging table's columns (no VIEW
        # DEFINITION): names and types are then checked by `validate` as a DBA and by the deploy
        # fingerprint, and the queued payloads still prove every mapped value is present.
        log.info("staging columns not visible to this login: name and type checks skipped, payloads checked")
        return board_problems(config, items, subitems) + payload_problems(config, db, None)
    return (check_config_columns(config, catalog) + board_problems(config, items, subitems)
            + type_problems(config, catalog, items, subitems) + payload_problems(config, db, catalog))


def payload_problems(config: Config, db: Database, catalog: list[Column] | None) -> list[str]:
    """Mapped staging columns the queued payloads lack (mapped after the procedures were rendered).

    Absent is not NULL: sending such a field as empty would blank the monday column on every update.
    Names missing from staging itself are `check_config_columns`'s problem and not repeated here.
    """
    payload = queue.sample_payload(db)
    if payload is None:
        return []
    staged = None if catalog is None else {c.name for c in catalog}  # None: the catalog is not visible
    return [absent_problem(source, column_id, "the oldest pending change")
            for source, column_id in config.monday.item_columns.items()
            if (staged is None or source in staged) and source not in payload]


def _labelled(column: BoardColumn) -> bool:
    column_type = COLUMN_TYPES.get(column.type)
    return column_type is not None and column_type.labelled
