"""Everything the pusher knows about a monday column type, in one registry.

``COLUMN_TYPES`` maps each type the pusher writes to how a database value is formatted for it, what
clears it, how monday shows it as text, whether it has labels, and which SQL type families always
fit it. ``READ_ONLY_TYPES`` lists the types monday computes. The value formatter
(``pusher.sync.values``), the board and type checks (``pusher.sync.preflight``) and reconcile's
comparison all read these; supporting a new monday type is one entry here (plus the emulator's
``pusher/emulator/columns.py`` if tests are to write it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pusher.sql.catalog import SQL_KINDS  # the SQL type families `accepts` names

LONG_TEXT_MAX = 2000

# Column types monday computes (or that hold links the pusher cannot derive from the database).
READ_ONLY_TYPES = frozenset({
    "mirror", "lookup", "formula", "subtasks", "item_id", "last_updated", "auto_number", "board_relation",
    "creation_log", "progress", "button", "item_assignees", "time_tracking", "vote", "dependency", "doc",
    "direct_doc", "integration", "file", "name",
})

@dataclass(frozen=True)
class ColumnType:
    """One monday column type the pusher writes."""

    name: str
    format: Callable[[Any, bool], Any]  # (non-empty value, non_negative) -> monday value; ValueError says why not
    empty: Any  # the value that clears the column on update
    shown: Callable[[Any], str]  # how monday shows a formatted value as column text
    accepts: frozenset[str]  # SQL kinds whose every value fits
    label: Callable[[Any], str] | None = None  # the label a formatted value names (status, dropdown)

    @property
    def labelled(self) -> bool:
        return self.label is not None


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("not a finite number")
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number


def _numbers(value: Any, non_negative: bool) -> str:
    try:
        number = _number(value)
    except (InvalidOperation, ValueError):
        raise ValueError("is not a number") from None
    if non_negative and number < 0:
        raise ValueError("is negative; a quantity must be 0 or more")
    return format(number.normalize(), "f")


def _date(value: Any, _non_negative: bool) -> dict[str, str]:
    try:
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, dt.date):
            moment = dt.datetime.combine(value, dt.time())
        else:
            moment = dt.datetime.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError("is not a date (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)") from None
    out = {"date": moment.strftime("%Y-%m-%d")}
    if moment.time() != dt.time():
        out["time"] = moment.strftime("%H:%M:%S")
    return out


def _long_text(value: Any, _non_negative: bool) -> dict[str, str]:
    text = str(value)
    if len(text) > LONG_TEXT_MAX:
        raise ValueError(f"is {len(text)} characters; a long text column holds at most {LONG_TEXT_MAX}")
    return {"text": text}


def _checkbox(value: Any, _non_negative: bool) -> dict[str, str] | None:
    truthy = str(value).strip().lower() in ("1", "true", "yes", "y", "x", "v")
    return {"checked": "true"} if truthy else None


_ANY = frozenset(SQL_KINDS)
COLUMN_TYPES: dict[str, ColumnType] = {t.name: t for t in (
    ColumnType("text", lambda v, _: str(v), "", str, _ANY),
    ColumnType("long_text", _long_text, {}, lambda f: f["text"], _ANY),
    ColumnType("numbers", _numbers, "", str, frozenset({"integer", "number"})),
    ColumnType("date", _date, {}, lambda f: f["date"] + (f" {f['time'][:5]}" if f.get("time") else ""),
               frozenset({"date"})),
    ColumnType("status", lambda v, _: {"label": str(v).strip()}, {}, lambda f: f["label"],
               frozenset({"text", "integer"}), label=lambda f: f["label"]),
    ColumnType("dropdown", lambda v, _: {"labels": [str(v).strip()]}, {}, lambda f: ", ".join(f["labels"]),
               frozenset({"text", "integer"}), label=lambda f: f["labels"][0]),
    ColumnType("checkbox", _checkbox, {}, lambda _f: "v", frozenset({"integer", "text"})),
)}


def writable(type_name: str) -> bool:
    """Whether monday lets anyone write the type (computed types are not)."""
    return type_name not in READ_ONLY_TYPES


def shown_text(type_name: str, formatted: Any) -> str:
    """How monday shows a formatted value (``format_value``'s result, or an empty one) as column text."""
    if formatted is None or formatted == "" or formatted == {}:
        return ""
    column_type = COLUMN_TYPES.get(type_name)
    return column_type.shown(formatted) if column_type else str(formatted)


def supported() -> str:
    """The types the pusher writes, for messages."""
    return ", ".join(sorted(COLUMN_TYPES))


def types_accepting(kind: str) -> list[str]:
    """The monday types every value of SQL kind ``kind`` fits, for a hint."""
    return sorted(name for name, t in COLUMN_TYPES.items() if kind in t.accepts)
