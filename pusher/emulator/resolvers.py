"""Binds the project's SDL subset (schema.graphql) to the board store with graphql-core.

Objects handed to graphql-core are small views whose attributes or methods carry the field names
of the schema; graphql-core's default resolver calls a method with ``(info, **arguments)``. Mutation
resolvers run one alias at a time (graphql-core executes mutation fields serially), and an
``ApiError`` in one alias becomes that alias's ``errors[]`` entry while the others still apply.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema
from pusher.emulator import board_ops, errors
from pusher.emulator.columns import VALUE_TYPE_NAMES, Column
from pusher.emulator.errors import ApiError, MalformedJsonError
from pusher.emulator.models import Board, Group, Item
from pusher.emulator.queries import decode_cursor, run_page
from pusher.emulator.state import BoardStore
from pusher.emulator.stats import Stats

SCHEMA_PATH = Path(__file__).resolve().parent / "schema.graphql"
SITE = "https://emulator.monday.local"
EMULATOR_USER = {"id": "1", "name": "Emulator user", "email": "user@emulator.invalid", "url": f"{SITE}/users/1"}
API_VERSIONS = (("2026-07", "maintenance"), ("2026-10", "current"), ("2027-01", "release_candidate"))
log = logging.getLogger("ordersync.emulator")


@dataclass
class RequestContext:
    """What resolvers of one request share: the store, the charged complexity, the abort flag."""

    store: BoardStore
    stats: Stats
    complexity: dict[str, int] = field(default_factory=dict)
    aborted: bool = False  # set by malformed column-value JSON: the request ends as HTTP 500


# -- views ----------------------------------------------------------------------------------------
class ColumnView:
    def __init__(self, column: Column) -> None:
        self.id = column.id
        self.title = column.title
        self.type = column.type
        self.description = column.description
        self.archived = False
        self.width = None
        self.settings_str = json.dumps(column.settings)
        self.settings = json.loads(self.settings_str)  # a copy: later label changes do not show through


class GroupView:
    def __init__(self, store: BoardStore, board: Board, group: Group) -> None:
        self._store, self._board = store, board
        self.id, self.title, self.color = group.id, group.title, group.color
        self.position, self.archived, self.deleted = group.position, group.archived, group.deleted

    def items_page(
        self, info: GraphQLResolveInfo, limit: int = 25, cursor: str | None = None, query_params: Any = None
    ):
        return page(self._store, cursor, {"b": self._board.id, "g": self.id, "q": query_params}, limit)


class BoardView:
    def __init__(self, store: BoardStore, board: Board) -> None:
        self._store, self._board = store, board
        self.id, self.name, self.state = board.id, board.name, board.state
        self.board_kind, self.type, self.description = board.kind, board.type, board.description
        self.items_limit = store.items_per_board
        self.url = f"{SITE}/boards/{board.id}"

    @property
    def items_count(self) -> int:
        with self._store.lock:
            return sum(1 for i in self._board.item_ids if self._store.items[i].state == "active")

    @property
    def updated_at(self) -> str | None:
        """The last change of any of its items (the emulator keeps no board-level history)."""
        with self._store.lock:
            stamps = [self._store.items[i].updated_at for i in self._board.item_ids]
        return max(stamps, default=None)

    permissions = "everyone"
    tags: tuple = ()

    @property
    def owners(self) -> list[dict[str, str]]:
        return [EMULATOR_USER]

    @property
    def top_group(self) -> GroupView:
        return GroupView(self._store, self._board, next(iter(self._board.groups.values())))

    def columns(self, info: GraphQLResolveInfo, ids: list[str] | None = None, types: list[str] | None = None):
        with self._store.lock:
            chosen = [
                c for c in self._board.columns.values() if (not ids or c.id in ids) and (not types or c.type in types)
            ]
            return [ColumnView(c) for c in chosen]

    def groups(self, info: GraphQLResolveInfo, ids: list[str] | None = None):
        with self._store.lock:
            chosen = [g for g in self._board.groups.values() if not g.deleted and (not ids or g.id in ids)]
            return [GroupView(self._store, self._board, g) for g in chosen]

    def items_page(
        self, info: GraphQLResolveInfo, limit: int = 25, cursor: str | None = None, query_params: Any = None
    ):
        return page(self._store, cursor, {"b": self._board.id, "q": query_params}, limit)


class ItemView:
    def __init__(self, store: BoardStore, item: Item) -> None:
        self._store, self._item = store, item
        self.id = item.id

    def __getattr__(self, name: str) -> Any:
        if name in ("name", "state", "created_at", "updated_at"):
            return getattr(self._item, name)
        raise AttributeError(name)

    @property
    def url(self) -> str:
        return f"{SITE}/boards/{self._item.board_id}/pulses/{self._item.id}"

    def updates(self, info: GraphQLResolveInfo, limit: int = 25, page: int = 1, ids: Any = None) -> list:
        """Always empty: the emulator keeps no updates (comments), and the pusher writes none."""
        return []

    @property
    def relative_link(self) -> str:
        return f"/boards/{self._item.board_id}/pulses/{self._item.id}"

    @property
    def board(self) -> BoardView | None:
        board = self._store.boards.get(self._item.board_id)
        return BoardView(self._store, board) if board else None

    @property
    def group(self) -> GroupView | None:
        board = self._store.boards.get(self._item.board_id)
        group = board.groups.get(self._item.group_id) if board else None
        return GroupView(self._store, board, group) if group else None

    @property
    def parent_item(self) -> ItemView | None:
        parent = self._store.items.get(self._item.parent_item_id or "")
        return ItemView(self._store, parent) if parent else None

    @property
    def subitems(self) -> list[ItemView]:
        with self._store.lock:
            subs = [self._store.items[s] for s in self._item.subitem_ids]
            return [ItemView(self._store, s) for s in subs if s.state != "deleted"]

    def column_values(self, info: GraphQLResolveInfo, ids: list[str] | None = None, types: list[str] | None = None):
        with self._store.lock:
            board = self._store.boards[self._item.board_id]
            return [
                ColumnValueView(self._store, self._item, c)
                for c in board.columns.values()
                if c.type != "name" and (not ids or c.id in ids) and (not types or c.type in types)
            ]


class ColumnValueView:
    """One ColumnValue; the type-specific fields (label, number, values, ...) derive from the stored value."""

    def __init__(self, store: BoardStore, item: Item, column: Column) -> None:
        self._store, self._column = store, column
        self.id, self.type = column.id, column.type
        self.text, self.value = store.column_value(item, column)
        self._stored = store.stored_value(item, column)
        self.graphql_type = VALUE_TYPE_NAMES.get(column.type, "UnsupportedValue")
        self.item_id, self.updated_at = item.id, item.updated_at
        self.display_value = self.text
        self._linked = [p["linkedPulseId"] for p in self._get("linkedPulseIds") or []]

    @property
    def column(self) -> ColumnView:
        """Built only when the query selects it: it copies the column's settings."""
        with self._store.lock:
            return ColumnView(self._column)

    def _get(self, key: str) -> Any:
        return self._stored.get(key) if isinstance(self._stored, dict) else None

    number = property(lambda self: float(self._stored) if self.type == "numbers" and self._stored else None)
    symbol = property(lambda self: None)
    date = property(lambda self: self._get("date"))
    time = property(lambda self: self._get("time"))
    index = property(lambda self: self._get("index"))
    is_done = property(lambda self: self.type == "status" and self.text == "Done")
    checked = property(lambda self: bool(self._get("checked")))
    url = property(lambda self: self._get("url"))
    url_text = property(lambda self: self._get("text"))
    email = property(lambda self: self._get("email"))
    phone = property(lambda self: self._get("phone"))
    country_short_name = property(lambda self: self._get("countryShortName"))
    persons_and_teams = property(lambda self: self._get("personsAndTeams") or [])

    @property
    def label(self) -> str | None:
        if self.type == "email":
            return self._get("text")
        return self.text or None

    @property
    def values(self) -> list[dict[str, Any]]:
        ids = self._get("ids") or []
        return [{"id": i, "label": self._column.dropdown_name(i)} for i in ids]

    @property
    def linked_item_ids(self) -> list[str]:
        return [str(i) for i in self._linked]

    subitems_ids = linked_item_ids

    @property
    def linked_items(self) -> list[ItemView]:
        return [ItemView(self._store, self._store.items[str(i)]) for i in self._linked if str(i) in self._store.items]

    subitems = linked_items


# -- helpers --------------------------------------------------------------------------------------
def page(store: BoardStore, cursor: str | None, query: dict[str, Any], limit: int) -> dict[str, Any]:
    if cursor:
        query = decode_cursor(cursor)
    items, next_cursor = run_page(store, query, limit)
    return {"cursor": next_cursor, "items": [ItemView(store, i) for i in items]}


def json_argument(value: Any, name: str) -> Any:
    """A JSON argument arrives as a JSON-encoded string (usual) or already as an object (variables)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise MalformedJsonError(f"{name} is not valid JSON: {exc}") from exc
    return value


def column_map(value: Any) -> dict[str, Any]:
    parsed = json_argument(value, "column_values")
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise ApiError(
            errors.INVALID_ARGUMENT, "column_values must be a JSON object", {"column_values": str(value)[:200]}
        )
    return parsed


def mutation(kind: str) -> Callable:
    """Wrap a mutation resolver: skip after an abort, count it when it applied, mark the abort."""

    def wrap(fn: Callable) -> Callable:
        def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            ctx: RequestContext = info.context
            if ctx.aborted:
                return None
            try:
                result = fn(ctx.store, **args)
            except MalformedJsonError:
                ctx.aborted = True
                raise
            ctx.stats.mutation(kind)
            return result

        return resolve

    return wrap


# -- root resolvers -------------------------------------------------------------------------------
def _by_ids(table: dict[str, Any], ids: list[Any] | None) -> list[Any]:
    """The rows named by ``ids`` (unknown ones left out), or every row when no ids are given."""
    return [table[str(i)] for i in ids if str(i) in table] if ids else list(table.values())


def _numbered_page(rows: list[Any], limit: int | None, page: int | None) -> list[Any]:
    """Page ``page`` (from 1) of ``limit`` rows, the way boards and items page."""
    size = limit or 25
    start = max(0, ((page or 1) - 1) * size)
    return rows[start : start + size]


def _boards(_root: Any, info: GraphQLResolveInfo, ids=None, limit=25, page=1, state="active", board_kind=None,
            workspace_ids=None, order_by=None, hierarchy_types=None, latest=None):
    """monday's filters over the emulator's boards: one workspace (id 1, also matched by null, the main
    workspace), classic hierarchy only; ``order_by`` newest first (created_at by id, used_at by the
    last item change); ``latest`` changes nothing (every read is current)."""
    store: BoardStore = info.context.store
    with store.lock:
        boards = _by_ids(store.boards, ids)
        if state != "all":
            boards = [b for b in boards if b.state == state]
        if board_kind is not None:
            boards = [b for b in boards if b.kind == board_kind]
        if workspace_ids is not None and not {None, "1", 1} & set(workspace_ids):
            boards = []
        if hierarchy_types is not None and "classic" not in hierarchy_types:
            boards = []
        if order_by == "created_at":
            boards = sorted(boards, key=lambda b: int(b.id), reverse=True)
        elif order_by == "used_at":
            boards = sorted(boards, key=lambda b: BoardView(store, b).updated_at or "", reverse=True)
        return [BoardView(store, b) for b in _numbered_page(boards, limit, page)]


def _items(_root: Any, info: GraphQLResolveInfo, ids=None, limit=25, page=1, newest_first=None, exclude_nonactive=None):
    store: BoardStore = info.context.store
    with store.lock:
        items = _by_ids(store.items, ids)
        if exclude_nonactive:
            items = [i for i in items if i.state == "active"]
        if newest_first:
            items.sort(key=lambda i: int(i.id), reverse=True)
        return [ItemView(store, i) for i in _numbered_page(items, limit, page)]


def _items_page_by_column_values(_root: Any, info: GraphQLResolveInfo, board_id, limit=25, columns=None, cursor=None):
    store: BoardStore = info.context.store
    if cursor:
        return page(store, cursor, {}, limit)
    if not columns:
        raise ApiError(errors.INVALID_ARGUMENT, "columns or cursor is required", {})
    with store.lock:
        board = store.board(board_id)
        for spec in columns:
            if spec["column_id"] != "name":
                store.column(board, spec["column_id"])
    query = {
        "b": str(board_id),
        "cv": [{"column_id": c["column_id"], "column_values": c["column_values"]} for c in columns],
    }
    return page(store, None, query, limit)


def _next_items_page(_root: Any, info: GraphQLResolveInfo, cursor, limit=25):
    return page(info.context.store, cursor, {}, limit)


def _complexity(_root: Any, info: GraphQLResolveInfo):
    return info.context.complexity


# -- mutations ------------------------------------------------------------------------------------
@mutation("create_group")
def _create_group(store: BoardStore, board_id, group_name, group_color=None, position=None,
                  position_relative_method=None, relative_to=None):
    group = store.create_group(board_id, group_name, group_color, position, relative_to, position_relative_method)
    return GroupView(store, store.board(board_id), group)


@mutation("change_item_position")
def _change_item_position(store: BoardStore, item_id, group_id=None, group_top=None, relative_to=None,
                          position_relative_method=None):
    return ItemView(store, board_ops.change_item_position(store, item_id, group_id, group_top, relative_to,
                                                          position_relative_method))


@mutation("bulk_archive_items")
def _bulk_archive_items(store: BoardStore, board_id, item_ids):
    return board_ops.bulk_change(store, board_id, item_ids, "archived")


@mutation("bulk_delete_items")
def _bulk_delete_items(store: BoardStore, board_id, item_ids):
    return board_ops.bulk_change(store, board_id, item_ids, "deleted")


def _job_status(_root: Any, info: GraphQLResolveInfo, job_id):
    return board_ops.job_status(info.context.store, job_id)


@mutation("archive_group")
def _archive_group(store: BoardStore, board_id, group_id):
    return GroupView(store, store.board(board_id), store.end_group(board_id, group_id, "archived"))


@mutation("delete_group")
def _delete_group(store: BoardStore, board_id, group_id):
    return GroupView(store, store.board(board_id), store.end_group(board_id, group_id, "deleted"))


def _me(_root: Any, info: GraphQLResolveInfo):
    """The token's user (any accepted token is one emulator user: there is no user directory)."""
    return EMULATOR_USER


def _versions(_root: Any, info: GraphQLResolveInfo):
    return [{"display_name": f"{kind.replace('_', ' ').capitalize()} ({value})", "kind": kind, "value": value}
            for value, kind in API_VERSIONS]


@mutation("create_item")
def _create_item(
    store: BoardStore, board_id, item_name, group_id=None, column_values=None, create_labels_if_missing=None, **_ignored
):
    values = column_map(column_values)
    item = store.create_item(board_id, item_name, group_id, values, bool(create_labels_if_missing))
    return ItemView(store, item)


@mutation("create_subitem")
def _create_subitem(store: BoardStore, parent_item_id, item_name, column_values=None, create_labels_if_missing=None):
    values = column_map(column_values)
    return ItemView(store, store.create_subitem(parent_item_id, item_name, values, bool(create_labels_if_missing)))


@mutation("change_multiple_column_values")
def _change_multiple(store: BoardStore, board_id, column_values, item_id=None, create_labels_if_missing=None):
    values = column_map(column_values)
    return ItemView(store, store.change_values(board_id, item_id, values, bool(create_labels_if_missing)))


@mutation("change_simple_column_value")
def _change_simple(store: BoardStore, board_id, column_id, item_id=None, value=None, create_labels_if_missing=None):
    item = store.change_values(board_id, item_id, {column_id: value}, bool(create_labels_if_missing))
    return ItemView(store, item)


@mutation("change_column_value")
def _change_column(store: BoardStore, board_id, column_id, value, item_id=None, create_labels_if_missing=None):
    raw = json_argument(value, "value")
    item = store.change_values(board_id, item_id, {column_id: raw}, bool(create_labels_if_missing))
    return ItemView(store, item)


@mutation("move_item_to_group")
def _move_item_to_group(store: BoardStore, group_id, item_id=None):
    return ItemView(store, store.move_item(item_id, group_id))


@mutation("archive_item")
def _archive_item(store: BoardStore, item_id=None):
    return ItemView(store, store.set_state(item_id, "archived"))


@mutation("delete_item")
def _delete_item(store: BoardStore, item_id=None):
    return ItemView(store, store.set_state(item_id, "deleted"))


QUERY_RESOLVERS = {
    "boards": _boards,
    "items": _items,
    "items_page_by_column_values": _items_page_by_column_values,
    "next_items_page": _next_items_page,
    "complexity": _complexity,
    "me": _me,
    "versions": _versions,
    "job_status": _job_status,
}
MUTATION_RESOLVERS = {
    "create_group": _create_group,
    "create_item": _create_item,
    "create_subitem": _create_subitem,
    "change_multiple_column_values": _change_multiple,
    "change_simple_column_value": _change_simple,
    "change_column_value": _change_column,
    "move_item_to_group": _move_item_to_group,
    "change_item_position": _change_item_position,
    "bulk_archive_items": _bulk_archive_items,
    "bulk_delete_items": _bulk_delete_items,
    "archive_group": _archive_group,
    "delete_group": _delete_group,
    "archive_item": _archive_item,
    "delete_item": _delete_item,
}


@lru_cache(maxsize=1)
def emulator_schema() -> GraphQLSchema:
    """The executable schema: the SDL subset with resolvers attached (built once per process)."""
    schema = build_schema(SCHEMA_PATH.read_text(encoding="utf-8"))
    for name, resolver in QUERY_RESOLVERS.items():
        schema.query_type.fields[name].resolve = resolver
    for name, resolver in MUTATION_RESOLVERS.items():
        schema.mutation_type.fields[name].resolve = resolver
    schema.mutation_type.fields["complexity"].resolve = _complexity
    schema.type_map["ColumnValue"].resolve_type = lambda value, _info, _type: value.graphql_type
    return schema


def error_from(graphql_error: GraphQLError) -> dict[str, Any]:
    """Shape one graphql-core error the way monday does (extensions.code and error_data)."""
    formatted = graphql_error.formatted
    original = graphql_error.original_error
    if isinstance(original, ApiError):
        formatted["extensions"] = original.extensions()
    elif original is not None and not isinstance(original, MalformedJsonError):
        log.error("resolver failed", exc_info=original)
        formatted["message"] = "Internal Server Error"
        formatted["extensions"] = {"code": errors.INTERNAL_SERVER_ERROR, "status_code": 500}
    return formatted
