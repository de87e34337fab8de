"""Column types: how a written value is checked and stored, and how it reads back as ``text``/``value``.

Formats follow monday's column-types reference, because the pusher must not be able to tell the
emulator from the real API: a value the real API refuses is refused here with the same code
(``ColumnValueException``), and reads render ``text`` the way monday does (dropdown labels joined by
", ", a status's label, ...). Stored values use monday's own ``value`` JSON shapes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pusher.emulator.errors import COLUMN_VALUE, ApiError

LONG_TEXT_MAX = 2000
LABEL_NOT_FOUND = (
    "invalid value - label does not exist in column. Please check our API documentation for the correct "
    "data structure for this column. https://developer.monday.com/api-reference/docs/change-column-values"
)

# Columns monday computes itself; the API refuses to write them.
READ_ONLY_TYPES = frozenset(
    {
        "mirror",
        "formula",
        "subtasks",
        "item_id",
        "last_updated",
        "auto_number",
        "creation_log",
        "progress",
        "button",
        "item_assignees",
        "time_tracking",
        "vote",
    }
)

# GraphQL implementing type of the ColumnValue interface for each column type.
VALUE_TYPE_NAMES = {
    "text": "TextValue",
    "long_text": "LongTextValue",
    "numbers": "NumbersValue",
    "date": "DateValue",
    "status": "StatusValue",
    "dropdown": "DropdownValue",
    "checkbox": "CheckboxValue",
    "link": "LinkValue",
    "email": "EmailValue",
    "phone": "PhoneValue",
    "people": "PeopleValue",
    "board_relation": "BoardRelationValue",
    "mirror": "MirrorValue",
    "formula": "FormulaValue",
    "subtasks": "SubtasksValue",
    "item_id": "ItemIdValue",
    "last_updated": "LastUpdatedValue",
    # typed like monday, with no type-specific data behind them (the schema's nullable fields answer null)
    **{kind: "".join(part.capitalize() for part in kind.split("_")) + "Value" for kind in (
        "button", "color_picker", "country", "creation_log", "dependency", "direct_doc", "doc", "file", "group",
        "hour", "integration", "location", "person", "progress", "rating", "tags", "team", "time_tracking",
        "timeline", "vote", "week", "world_clock")},
}

# monday's API type names differ from a few names used in exports (our reference boards say "lookup").
TYPE_ALIASES = {"color": "status", "numeric": "numbers", "lookup": "mirror", "pulse_id": "item_id"}


@dataclass
class Column:
    """One board column; ``settings`` holds labels (status: index->label, dropdown: id/name list)."""

    id: str
    title: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)
    description: str | None = None

    @property
    def read_only(self) -> bool:
        return self.type in READ_ONLY_TYPES

    # -- labels ---------------------------------------------------------------------------------
    def status_labels(self) -> dict[int, str]:
        return {int(k): v for k, v in self.settings.get("labels", {}).items()}

    def dropdown_labels(self) -> list[dict[str, Any]]:
        return self.settings.setdefault("labels", [])

    def status_index(self, label: str, create: bool) -> int:
        for index, name in self.status_labels().items():
            if name == label:
                return index
        if not create:
            raise self.error(LABEL_NOT_FOUND, label)
        used = set(self.status_labels())
        index = next(i for i in range(len(used) + 1) if i not in used)
        self.settings.setdefault("labels", {})[str(index)] = label
        return index

    def dropdown_id(self, label: str, create: bool) -> int:
        for option in self.dropdown_labels():
            if option["name"] == label:
                return int(option["id"])
        if not create:
            raise self.error(LABEL_NOT_FOUND, label)
        new_id = max((int(o["id"]) for o in self.dropdown_labels()), default=0) + 1
        self.dropdown_labels().append({"id": new_id, "name": label})
        return new_id

    def dropdown_name(self, option_id: int) -> str | None:
        for option in self.dropdown_labels():
            if int(option["id"]) == option_id:
                return option["name"]
        return None

    def error(self, message: str, value: Any = None) -> ApiError:
        return ApiError(
            COLUMN_VALUE,
            message,
            {"column_id": self.id, "column_type": self.type, "column_value": _short(value)},
        )


def _short(value: Any) -> Any:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:200] + "..."


def is_empty(raw: Any) -> bool:
    """monday clears a column when it is sent "" , null or {} ."""
    return raw is None or raw == "" or raw == {}


# -- parsing writes -------------------------------------------------------------------------------
def parse_write(column: Column, raw: Any, *, create_labels: bool, item_exists: Callable[[str], bool]) -> Any:
    """Check ``raw`` (JSON value or simple string) for ``column``; return the stored value or None.

    Labels missing from a status/dropdown are added to ``column`` when ``create_labels`` is set, so
    callers pass a copy of the column and keep it only if the whole mutation succeeds.
    """
    if column.read_only:
        raise column.error(f"This column type ({column.type}) is read-only and cannot be changed through the API", raw)
    parser = _PARSERS.get(column.type)
    if parser is None:
        raise column.error(f"The emulator does not support writing {column.type} columns", raw)
    if is_empty(raw):
        return None
    return parser(column, raw, create_labels, item_exists)


def _require_str(column: Column, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise column.error(f"invalid value for a {column.type} column: expected a string", raw)
    return str(raw)


def _parse_text(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    return _require_str(column, raw)


def _parse_long_text(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    text = raw.get("text") if isinstance(raw, dict) else _require_str(column, raw)
    if not isinstance(text, str):
        raise column.error('invalid value for a long_text column: expected {"text": "..."}', raw)
    if len(text) > LONG_TEXT_MAX:
        raise column.error(f"long text is limited to {LONG_TEXT_MAX} characters, got {len(text)}", raw)
    return {"text": text} if text else None


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _parse_numbers(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, bool):
        raise column.error("invalid value for a numbers column", raw)
    text = repr(raw) if isinstance(raw, float) else str(raw).strip() if isinstance(raw, int | str) else None
    if text is None or not _NUMBER.match(text):
        raise column.error("invalid value for a numbers column: expected a number", raw)
    return text


def _parse_date(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        date, _, time = raw.strip().partition(" ")
    elif isinstance(raw, dict):
        date, time = raw.get("date"), raw.get("time") or ""
    else:
        raise column.error('invalid value for a date column: expected {"date": "YYYY-MM-DD"}', raw)
    try:
        dt.date.fromisoformat(str(date))
        if not re.match(r"^\d{4}-\d{2}-\d{2}$", str(date)):
            raise ValueError(date)
        if time:
            dt.time.fromisoformat(str(time))
    except ValueError:
        raise column.error("invalid date - expected YYYY-MM-DD (and optionally HH:MM:SS)", raw) from None
    stored: dict[str, Any] = {"date": date}
    if time:
        stored["time"] = str(time) if len(str(time)) == 8 else str(time) + ":00"
    return stored


def _parse_status(column: Column, raw: Any, create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        return {"index": column.status_index(raw, create)}
    if isinstance(raw, dict) and "label" in raw and "index" not in raw:
        if not isinstance(raw["label"], str):
            raise column.error("invalid value for a status column: label must be a string", raw)
        if raw["label"] == "":
            return None
        return {"index": column.status_index(raw["label"], create)}
    if isinstance(raw, dict) and "index" in raw and "label" not in raw:
        try:
            index = int(raw["index"])
        except (TypeError, ValueError):
            raise column.error("invalid value for a status column: index must be a number", raw) from None
        if index not in column.status_labels():
            raise column.error(LABEL_NOT_FOUND, raw)
        return {"index": index}
    raise column.error('invalid value for a status column: expected {"label": ...} or {"index": n}', raw)


def _parse_dropdown(column: Column, raw: Any, create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        raw = {"labels": [part.strip() for part in raw.split(",") if part.strip()]}
    if not isinstance(raw, dict) or not ({"labels", "ids"} & raw.keys()):
        raise column.error('invalid value for a dropdown column: expected {"labels": [...]} or {"ids": [...]}', raw)
    if "labels" in raw and "ids" in raw:
        raise column.error("dropdown values can be set by labels or by ids, not both", raw)
    if "labels" in raw:
        labels = raw["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise column.error("dropdown labels must be a list of strings", raw)
        ids = [column.dropdown_id(label, create) for label in labels]
    else:
        try:
            ids = [int(x) for x in raw["ids"]]
        except (TypeError, ValueError):
            raise column.error("dropdown ids must be numbers", raw) from None
        if any(column.dropdown_name(i) is None for i in ids):
            raise column.error(LABEL_NOT_FOUND, raw)
    return {"ids": list(dict.fromkeys(ids))} if ids else None


def _parse_checkbox(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    checked = raw.get("checked") if isinstance(raw, dict) else raw
    if checked in (True, "true", "v"):
        return {"checked": True}
    if checked in (False, "false", None):
        return None
    raise column.error('invalid value for a checkbox column: expected {"checked": "true"}', raw)


def _parse_link(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        url, _, text = raw.strip().partition(" ")
        raw = {"url": url, "text": text}
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str) or not raw["url"]:
        raise column.error('invalid value for a link column: expected {"url": ..., "text": ...}', raw)
    return {"url": raw["url"], "text": str(raw.get("text") or raw["url"])}


def _parse_email(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        email, _, text = raw.strip().partition(" ")
        raw = {"email": email, "text": text}
    email = raw.get("email") if isinstance(raw, dict) else None
    if not isinstance(email, str) or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise column.error("invalid value for an email column: expected a valid email address", raw)
    return {"email": email, "text": str(raw.get("text") or email)}


def _parse_phone(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str):
        phone, _, country = raw.strip().partition(" ")
        raw = {"phone": phone, "countryShortName": country}
    phone = raw.get("phone") if isinstance(raw, dict) else None
    country = raw.get("countryShortName") if isinstance(raw, dict) else None
    if not isinstance(phone, str) or not re.match(r"^\+?\d{4,15}$", phone):
        raise column.error("invalid value for a phone column: expected digits", raw)
    if not isinstance(country, str) or not re.match(r"^[A-Z]{2}$", country):
        raise column.error("invalid value for a phone column: countryShortName must be an ISO code", raw)
    return {"phone": phone, "countryShortName": country}


def _parse_people(column: Column, raw: Any, _create: bool, _exists: Callable) -> Any:
    if isinstance(raw, str | int):
        raw = {"personsAndTeams": [{"id": p.strip(), "kind": "person"} for p in str(raw).split(",") if p.strip()]}
    entries = raw.get("personsAndTeams") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise column.error('invalid value for a people column: expected {"personsAndTeams": [...]}', raw)
    people = []
    for entry in entries:
        try:
            people.append({"id": int(entry["id"]), "kind": entry.get("kind", "person")})
        except (KeyError, TypeError, ValueError):
            raise column.error("invalid value for a people column: each entry needs a numeric id", raw) from None
        if people[-1]["kind"] not in ("person", "team"):
            raise column.error("invalid value for a people column: kind must be person or team", raw)
    return {"personsAndTeams": people} if people else None


def _parse_board_relation(column: Column, raw: Any, _create: bool, exists: Callable[[str], bool]) -> Any:
    if isinstance(raw, str | int):
        raw = {"item_ids": [p.strip() for p in str(raw).split(",") if p.strip()]}
    ids = raw.get("item_ids") if isinstance(raw, dict) else None
    if not isinstance(ids, list):
        raise column.error('invalid value for a connect boards column: expected {"item_ids": [...]}', raw)
    clean = [str(i) for i in ids]
    if any(not exists(i) for i in clean):
        raise column.error("invalid value for a connect boards column: item not found", raw)
    return {"linkedPulseIds": [{"linkedPulseId": int(i)} for i in clean]} if clean else None


_PARSERS: dict[str, Callable[[Column, Any, bool, Callable], Any]] = {
    "text": _parse_text,
    "long_text": _parse_long_text,
    "numbers": _parse_numbers,
    "date": _parse_date,
    "status": _parse_status,
    "dropdown": _parse_dropdown,
    "checkbox": _parse_checkbox,
    "link": _parse_link,
    "email": _parse_email,
    "phone": _parse_phone,
    "people": _parse_people,
    "board_relation": _parse_board_relation,
}
# Column types a mutation can write: exactly those with a parser.
WRITABLE_TYPES = frozenset(_PARSERS)


# -- rendering reads ------------------------------------------------------------------------------
def render_text(column: Column, stored: Any, item_name: Callable[[str], str]) -> str:
    """The ``text`` monday shows for a stored value ("" when empty)."""
    if stored is None:
        return ""
    kind = column.type
    if kind in ("text", "numbers"):
        return str(stored)
    if kind == "long_text":
        return stored["text"]
    if kind == "date":
        time = stored.get("time")
        return f"{stored['date']} {time[:5]}" if time else stored["date"]
    if kind == "status":
        return column.status_labels().get(stored["index"], "")
    if kind == "dropdown":
        return ", ".join(name for name in (column.dropdown_name(i) for i in stored["ids"]) if name)
    if kind == "checkbox":
        return "v" if stored.get("checked") else ""
    if kind == "link":
        return f"{stored['text']} - {stored['url']}"
    if kind == "email":
        return stored["email"]
    if kind == "phone":
        return stored["phone"]
    if kind == "people":
        return ", ".join(f"{p['kind']} {p['id']}" for p in stored["personsAndTeams"])
    if kind in ("board_relation", "subtasks"):
        return ", ".join(item_name(str(p["linkedPulseId"])) for p in stored["linkedPulseIds"])
    return str(stored)


def render_value(stored: Any, changed_at: str | None) -> str | None:
    """The ``value`` JSON string monday returns: its stored shape plus ``changed_at`` for objects."""
    if stored is None:
        return None
    if isinstance(stored, dict):
        return json.dumps({**stored, "changed_at": changed_at} if changed_at else stored)
    return json.dumps(stored)
