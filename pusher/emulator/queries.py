"""Item reads: items_page filters (query_params), items_page_by_column_values, cursors.

Cursors are opaque strings, as on monday, but carry their own query (board, filter, last id) so a
later ``next_items_page`` sees items created meanwhile in id order and never repeats one. Items are
ordered by id, which grows with creation time.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from pusher.emulator import errors
from pusher.emulator.errors import ApiError
from pusher.emulator.models import Board, Item
from pusher.emulator.state import BoardStore

MAX_PAGE = 500


def encode_cursor(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        query = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(query, dict) or "b" not in query:
            raise ValueError(cursor)
        return query
    except (ValueError, TypeError):
        raise ApiError(errors.CURSOR, "The cursor is invalid or expired", {"cursor": cursor}) from None


def check_limit(limit: int) -> int:
    if limit < 1 or limit > MAX_PAGE:
        raise ApiError(errors.INVALID_ARGUMENT, f"limit must be between 1 and {MAX_PAGE}", {"limit": limit})
    return limit


def run_page(store: BoardStore, query: dict[str, Any], limit: int) -> tuple[list[Item], str | None]:
    """One page of the query; returns the items and the cursor for the next page (None at the end)."""
    check_limit(limit)
    with store.lock:
        board = store.board(query["b"])
        matches = _matching(store, board, query)
        after = int(query.get("a") or 0)
        rest = [item for item in matches if int(item.id) > after]
        page = rest[:limit]
        cursor = None
        if len(rest) > limit:
            cursor = encode_cursor({**query, "a": page[-1].id})
        return page, cursor


def _matching(store: BoardStore, board: Board, query: dict[str, Any]) -> list[Item]:
    items = [store.items[i] for i in board.item_ids]
    if query.get("cv") is not None:
        # items_page_by_column_values: deleted items are gone; archived ones still match.
        items = [i for i in items if i.state != "deleted"]
        return [
            i for i in items if all(_text_in(store, board, i, c["column_id"], c["column_values"]) for c in query["cv"])
        ]
    items = [i for i in items if i.state == "active"]
    if query.get("g"):
        items = [i for i in items if i.group_id == query["g"]]
    params = query.get("q") or {}
    if params.get("ids"):
        wanted = {str(x) for x in params["ids"]}
        items = [i for i in items if i.id in wanted]
    if params.get("rules") or params.get("groups"):
        items = [i for i in items if _group_matches(store, board, i, params)]
    for order in reversed(params.get("order_by") or []):
        column_id = order["column_id"]
        items.sort(
            key=lambda i, c=column_id: _text(store, board, i, c),
            reverse=order.get("direction", "asc") == "desc",
        )
    return items


def _text(store: BoardStore, board: Board, item: Item, column_id: str) -> str:
    if column_id == "name":
        return item.name
    return store.column_value(item, store.column(board, column_id))[0]


def _text_in(store: BoardStore, board: Board, item: Item, column_id: str, values: list[Any]) -> bool:
    return _text(store, board, item, column_id) in {"" if v is None else str(v) for v in values}


def _group_matches(store: BoardStore, board: Board, item: Item, group: dict[str, Any]) -> bool:
    results = [_rule_matches(store, board, item, rule) for rule in group.get("rules") or []]
    results += [_group_matches(store, board, item, sub) for sub in group.get("groups") or []]
    return any(results) if group.get("operator", "and") == "or" else all(results)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(op: Callable[[float, float], bool]) -> Callable[[str, list[Any]], bool]:
    def check(text: str, values: list[Any]) -> bool:
        left, right = _number(text), _number(str(values[0])) if values else None
        return left is not None and right is not None and op(left, right)

    return check


RULES: dict[str, Callable[[str, list[Any]], bool]] = {
    "any_of": lambda text, values: text in {str(v) for v in values},
    "not_any_of": lambda text, values: text not in {str(v) for v in values},
    "is_empty": lambda text, _values: text == "",
    "is_not_empty": lambda text, _values: text != "",
    "contains_text": lambda text, values: any(str(v).lower() in text.lower() for v in values),
    "not_contains_text": lambda text, values: not any(str(v).lower() in text.lower() for v in values),
    "starts_with": lambda text, values: any(text.startswith(str(v)) for v in values),
    "ends_with": lambda text, values: any(text.endswith(str(v)) for v in values),
    "greater_than": _compare(lambda a, b: a > b),
    "greater_than_or_equals": _compare(lambda a, b: a >= b),
    "lower_than": _compare(lambda a, b: a < b),
    "lower_than_or_equal": _compare(lambda a, b: a <= b),
}


def _rule_matches(store: BoardStore, board: Board, item: Item, rule: dict[str, Any]) -> bool:
    operator = rule.get("operator", "any_of")
    check = RULES.get(operator)
    if check is None:
        raise ApiError(
            errors.INVALID_ARGUMENT,
            f"The emulator does not support the {operator} rule operator",
            {"operator": operator},
        )
    column = None if rule["column_id"] == "name" else store.column(board, rule["column_id"])
    if column is not None and column.type in ("status", "dropdown") and operator in ("any_of", "not_any_of"):
        held = _label_ids(store, item, column)
        return bool(held & {str(v) for v in _as_list(rule.get("compare_value"))}) == (operator == "any_of")
    return check(_text(store, board, item, rule["column_id"]), _as_list(rule.get("compare_value")))


def _label_ids(store: BoardStore, item: Item, column: Any) -> set[str]:
    """A status's label index or a dropdown's option ids: what monday's any_of / not_any_of rules compare
    on these columns (as its docs say), not the label text."""
    stored = store.stored_value(item, column) or {}
    return {str(i) for i in ([stored["index"]] if "index" in stored else stored.get("ids") or [])}
