"""Database values -> monday column values, per column type, checked before anything is sent.

A value that cannot be formatted (a date that is not a date, text in a numbers column, a label the
column lacks while the policy forbids creating it, a name over 255 characters) raises
``FormatError`` with a sentence naming the order, both columns and the value; the runner fails that
row alone and sends the rest of its batch. Catching these locally saves a round trip and gives a
clearer message than monday's ColumnValueException.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pusher.config import Config
from pusher.errors import ConfigError
from pusher.sync.board import Board, BoardColumn
from pusher.sync.column_types import COLUMN_TYPES, supported
from pusher.sync.errors import LABEL_MISSING, VALUE_FORMAT

NAME_MAX = 255


class AbsentValueError(ConfigError):
    """A mapped source field missing from a claimed row: the config means a value the row does not carry.

    Absent is not empty: sending "" would blank the monday column, so the run stops (exit 2) before
    its first mutation and gives its claims back.
    """


class FormatError(Exception):
    """A value that cannot go to monday as it is; ``code`` is VALUE_FORMAT or LABEL_MISSING."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class RowValues:
    """The ``column_values`` of one mutation and whether it must let monday create labels."""

    column_values: dict[str, Any] = field(default_factory=dict)
    create_labels: bool = False
    new_labels: list[tuple[str, str]] = field(default_factory=list)  # (column id, label) monday will add


def format_value(column: BoardColumn, value: Any, *, non_negative: bool = False) -> Any:
    """The monday value for ``value`` in ``column``; None when the database value is empty.

    Raises ValueError (with the reason) when the value does not fit the column type.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    column_type = COLUMN_TYPES.get(column.type)
    if column_type is None:
        raise ValueError(f"cannot be written by the pusher: column type {column.type} is not supported "
                         f"(supported: {supported()})")
    return column_type.format(value, non_negative)


def check_name(name: Any, who: str) -> str:
    """An item or subitem name monday accepts (1-255 characters), else FormatError."""
    text = "" if name is None else str(name)
    if not text.strip():
        raise FormatError(VALUE_FORMAT, f"{who}: the item name is empty; monday needs 1-{NAME_MAX} characters")
    if len(text) > NAME_MAX:
        raise FormatError(VALUE_FORMAT, f"{who}: the item name is {len(text)} characters long; monday allows "
                                        f"at most {NAME_MAX} (it starts {text[:40]!r})")
    return text


def absent_problem(source_name: str, column_id: str, who: str) -> str:
    """The sentence for a mapped field a queued row does not carry (absent, not NULL)."""
    return (f"monday.item_columns.{source_name!r} -> monday {column_id!r}: {who} carries no {source_name!r} value "
            f"(absent, not NULL): the deployed procedures were rendered before it was mapped, so nothing "
            f"was sent: fix the name, or after mapping a new column run `ordersync deploy` (SQL Server: render + "
            f"install.sql), then the pipeline, which queues every order with the new column")


def build_values(config: Config, board: Board, mapping: dict[str, str], source: dict[str, Any], who: str,
                 *, creating: bool, fixed: dict[str, Any] | None = None,
                 non_negative: frozenset[str] = frozenset()) -> RowValues:
    """Format every mapped source value for ``board``; FormatError on the first that does not fit.

    ``mapping`` is source field -> monday column id; ``fixed`` adds values already formatted (the key
    column). On create, empty values (NULL, blank) are left out; on update they clear the column. A
    field absent from ``source`` raises AbsentValueError: absent is never sent as empty.
    """
    result = RowValues(column_values=dict(fixed or {}))
    policy = config.monday.create_labels_if_missing
    for source_name, column_id in mapping.items():
        column = board.columns[column_id]
        if source_name not in source:
            raise AbsentValueError(absent_problem(source_name, column_id, who))
        value = source[source_name]
        try:
            formatted = format_value(column, value, non_negative=source_name in non_negative)
        except ValueError as exc:
            raise FormatError(VALUE_FORMAT, f"{who}: column {source_name!r} -> monday {column.describe()}: "
                                            f"value {_show(value)} {exc}") from None
        column_type = COLUMN_TYPES[column.type]
        if formatted is None:
            if not creating:
                result.column_values[column_id] = column_type.empty
            continue
        if column_type.label is not None:
            label = column_type.label(formatted)
            if label not in column.labels():
                if not policy.get(column_id, False):
                    raise FormatError(LABEL_MISSING, f"{who}: column {source_name!r} -> monday {column.describe()}: "
                                                     f"label {label!r} does not exist and "
                                                     f"monday.create_labels_if_missing.{column_id} is not true: "
                                                     f"add the label on the board or allow creating it")
                result.create_labels = True
                result.new_labels.append((column_id, label))
        result.column_values[column_id] = formatted
    return result


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
