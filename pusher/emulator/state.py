"""The boards, groups and items the emulator holds, and every change the mutations make to them.

One re-entrant lock guards the whole store: each mutation runs under it, so aliased mutations in
concurrent requests interleave whole, never half-applied, like rows on a real board. Validation of a
mutation is complete before anything is written (monday refuses a change_multiple_column_values
with one bad value as a whole), while separate aliases are independent (not transactional).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import threading
from collections.abc import Iterable
from typing import Any

from pusher.emulator import errors
from pusher.emulator.columns import Column, parse_write, render_text, render_value
from pusher.emulator.errors import ApiError
from pusher.emulator.fixtures import build_board, link_subitem_boards
from pusher.emulator.models import Board, Group, Item

NAME_MAX = 255
DEFAULT_SUBITEM_COLUMNS = (
    Column("name", "Name", "name"),
    Column("status", "Status", "status", {"labels": {"0": "Working on it", "1": "Done", "2": "Stuck"}}),
    Column("date0", "Date", "date"),
)


def now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class BoardStore:
    """Thread-safe in-memory boards; ids are numeric strings from one increasing counter."""

    def __init__(self, items_per_board: int = 10_000) -> None:
        self.lock = threading.RLock()
        self.items_per_board = items_per_board
        self.boards: dict[str, Board] = {}
        self.items: dict[str, Item] = {}
        self._ids = itertools.count(10_000_000_001)
        self._group_seq = itertools.count(1)
        self.jobs: dict[str, dict[str, Any]] = {}  # bulk archive/delete jobs (pusher.emulator.board_ops)

    # -- loading ------------------------------------------------------------------------------
    def load_boards(self, board_dicts: Iterable[dict[str, Any]]) -> list[str]:
        """Add (or replace) boards from fixture dicts; returns their ids."""
        with self.lock:
            loaded = [build_board(d) for d in board_dicts]
            for board in loaded:
                old = self.boards.get(board.id)
                if old is not None:
                    for item_id in old.item_ids:
                        self.items.pop(item_id, None)
                self.boards[board.id] = board
            link_subitem_boards(self.boards)
            self._bump_ids(int(b.id) for b in loaded)
            return [b.id for b in loaded]

    def reload(self, board_dicts: Iterable[dict[str, Any]]) -> None:
        """Drop every board and item, then load ``board_dicts``; ids keep growing, so old ones never return."""
        with self.lock:
            self.boards.clear()
            self.items.clear()
            self.load_boards(board_dicts)

    def _bump_ids(self, used: Iterable[int]) -> None:
        top = max(used, default=0)
        current = next(self._ids)
        self._ids = itertools.count(max(current, top + 1))

    def new_id(self) -> str:
        return str(next(self._ids))

    # -- lookups ------------------------------------------------------------------------------
    def board(self, board_id: Any) -> Board:
        board = self.boards.get(str(board_id))
        if board is None or board.state == "deleted":
            raise ApiError(errors.INVALID_BOARD_ID, "Board not found", {"board_id": _as_id(board_id)})
        return board

    def live_item(self, item_id: Any) -> Item:
        """An item that can still be changed: it exists and is not deleted."""
        item = self.items.get(str(item_id))
        if item is None or item.state == "deleted":
            raise ApiError(errors.INVALID_ITEM_ID, "Item not found", {"item_id": _as_id(item_id)})
        return item

    def column(self, board: Board, column_id: str) -> Column:
        column = board.columns.get(column_id)
        if column is None:
            raise ApiError(
                errors.INVALID_COLUMN_ID,
                "This column ID doesn't exist for the board",
                {"column_id": column_id, "board_id": int(board.id)},
            )
        return column

    def item_name(self, item_id: str) -> str:
        item = self.items.get(item_id)
        return item.name if item else ""

    def _exists(self, item_id: str) -> bool:
        item = self.items.get(item_id)
        return item is not None and item.state != "deleted"

    # -- mutations ----------------------------------------------------------------------------
    def create_group(self, board_id: Any, title: str, color: str | None = None, position: str | None = None,
                     relative_to: str | None = None, method: str | None = None) -> Group:
        """A new group, last unless ``position`` (monday's position string) or ``relative_to`` a group
        (``before_at`` / ``after_at``, default before, as monday documents) places it."""
        with self.lock:
            board = self.board(board_id)
            if not title or not title.strip():
                raise ApiError(errors.INVALID_ARGUMENT, "Group name must not be empty", {"group_name": title})
            live = [g for g in board.groups.values() if not g.deleted]
            place = max((float(g.position) for g in live), default=0.0) + 65536
            if relative_to is not None:
                anchor = float(self._group(board, relative_to).position)
                side = [float(g.position) for g in live if (float(g.position) > anchor) == (method == "after_at")
                        and float(g.position) != anchor]
                near = (min(side) if method == "after_at" else max(side)) if side else None
                place = (anchor + near) / 2 if near is not None else anchor + (65536 if method == "after_at" else -1)
            elif position is not None:
                try:
                    place = float(position)
                except ValueError:
                    raise ApiError(errors.INVALID_ARGUMENT, "position must be a number",
                                   {"position": position}) from None
            text = f"{place:.3f}".rstrip("0").rstrip(".")
            group = Group(id=f"new_group{next(self._group_seq):05d}", title=title, position=text,
                          color=color or Group.color)
            board.groups[group.id] = group
            return group

    def end_group(self, board_id: Any, group_id: str, state: str) -> Group:
        """Archive or delete a group and its items, as monday does; a board keeps at least one group."""
        with self.lock:
            board = self.board(board_id)
            group = self._group(board, group_id)
            if state == "deleted" and sum(1 for g in board.groups.values() if not g.deleted) == 1:
                raise ApiError(errors.INVALID_ARGUMENT, "A board must keep at least one group",
                               {"group_id": group_id})
            for item_id in [i for i in board.item_ids if self.items[i].group_id == group.id]:
                if self.items[item_id].state != "deleted":
                    self.set_state(item_id, state)
            group.archived = group.archived or state == "archived"
            group.deleted = state == "deleted"
            return group

    def create_item(
        self,
        board_id: Any,
        name: str,
        group_id: str | None,
        values: dict[str, Any],
        create_labels: bool,
    ) -> Item:
        with self.lock:
            board = self.board(board_id)
            if board.type == "sub_items_board":
                raise ApiError(
                    errors.INVALID_ARGUMENT,
                    "Items cannot be created directly on a subitems board; use create_subitem",
                    {"board_id": int(board.id)},
                )
            _check_name(name)
            self._check_capacity(board)
            group = self._group(board, group_id)
            planned = self._plan_values(board, values, create_labels)
            return self._insert(board, name, group.id, planned)

    def create_subitem(self, parent_item_id: Any, name: str, values: dict[str, Any], create_labels: bool) -> Item:
        with self.lock:
            parent = self.live_item(parent_item_id)
            if parent.parent_item_id is not None:
                raise ApiError(
                    errors.INVALID_ARGUMENT,
                    "Subitems cannot have subitems of their own",
                    {"parent_item_id": int(parent.id)},
                )
            parent_board = self.board(parent.board_id)
            column = parent_board.subtasks_column()
            if column is None:
                raise ApiError(
                    errors.INVALID_ARGUMENT,
                    "The parent item's board has no subitems column",
                    {"board_id": int(parent_board.id)},
                )
            _check_name(name)
            board = self._subitems_board(parent_board, column)
            self._check_capacity(board)
            planned = self._plan_values(board, values, create_labels)
            item = self._insert(board, name, next(iter(board.groups)), planned, parent=parent)
            parent.subitem_ids.append(item.id)
            parent.updated_at = item.created_at
            return item

    def change_values(self, board_id: Any, item_id: Any, values: dict[str, Any], create_labels: bool) -> Item:
        with self.lock:
            board = self.board(board_id)
            item = self.live_item(item_id)
            if item.board_id != board.id:
                raise ApiError(
                    errors.INVALID_ITEM_ID,
                    "Item not found in board",
                    {"item_id": int(item.id), "board_id": int(board.id)},
                )
            planned = self._plan_values(board, values, create_labels)
            self._apply(board, item, planned)
            return item

    def move_item(self, item_id: Any, group_id: str) -> Item:
        """Move a top-level item to another group of its board; its subitems stay under it."""
        with self.lock:
            item = self.live_item(item_id)
            board = self.board(item.board_id)
            if item.parent_item_id is not None:
                raise ApiError(errors.INVALID_ARGUMENT, "A subitem cannot be moved to a group",
                               {"item_id": int(item.id)})
            item.group_id = self._group(board, group_id).id
            item.updated_at = now_text()
            return item

    def set_state(self, item_id: Any, state: str) -> Item:
        """Archive or delete an item; its subitems follow, as they do on monday."""
        with self.lock:
            item = self.live_item(item_id)
            stamp = now_text()
            for target in [item, *(self.items[s] for s in item.subitem_ids)]:
                if target.state != "deleted":
                    target.state = state
                    target.updated_at = stamp
            return item

    # -- helpers ------------------------------------------------------------------------------
    def _check_capacity(self, board: Board) -> None:
        live = sum(1 for i in board.item_ids if self.items[i].state != "deleted")
        if live >= self.items_per_board:
            raise ApiError(
                errors.ITEMS_LIMITATION,
                f"The board has reached its limit of {self.items_per_board} items",
                {"board_id": int(board.id), "limit": self.items_per_board},
            )

    def _group(self, board: Board, group_id: str | None) -> Group:
        if group_id is None:
            return next(g for g in board.groups.values() if not g.deleted)
        group = board.groups.get(group_id)
        if group is None or group.deleted:
            raise ApiError(errors.INVALID_GROUP_ID, "Group not found", {"group_id": group_id})
        return group

    def _subitems_board(self, parent_board: Board, column: Column) -> Board:
        """The board behind a subitems column, created on first use like monday does."""
        ids = column.settings.get("boardIds") or []
        if ids and str(ids[0]) in self.boards:
            return self.boards[str(ids[0])]
        board = Board(
            id=self.new_id(),
            name=f"Subitems of {parent_board.name}",
            columns={c.id: copy.deepcopy(c) for c in DEFAULT_SUBITEM_COLUMNS},
            groups={"topics": Group("topics", "Subitems")},
            type="sub_items_board",
        )
        self.boards[board.id] = board
        column.settings["boardIds"] = [int(board.id)]
        return board

    def _plan_values(self, board: Board, values: dict[str, Any], create_labels: bool) -> dict[str, Any]:
        """Check every value before any is written; labels are added only if all of them pass."""
        planned: dict[str, Any] = {}
        touched: dict[str, Column] = {}
        for column_id, raw in values.items():
            if column_id == "name":
                if not isinstance(raw, str):
                    raise ApiError(errors.COLUMN_VALUE, "The item name must be a string", {"column_id": "name"})
                _check_name(raw)
                planned["name"] = raw
                continue
            column = self.column(board, column_id)
            working = touched.setdefault(column_id, copy.deepcopy(column))
            planned[column_id] = parse_write(working, raw, create_labels=create_labels, item_exists=self._exists)
        for column_id, working in touched.items():
            board.columns[column_id].settings = working.settings
        return planned

    def _insert(
        self, board: Board, name: str, group_id: str, planned: dict[str, Any], parent: Item | None = None
    ) -> Item:
        stamp = now_text()
        item = Item(
            id=self.new_id(),
            board_id=board.id,
            name=name,
            group_id=group_id,
            created_at=stamp,
            updated_at=stamp,
            parent_item_id=parent.id if parent else None,
        )
        self.items[item.id] = item
        board.item_ids.append(item.id)
        self._apply(board, item, planned)
        return item

    def _apply(self, board: Board, item: Item, planned: dict[str, Any]) -> None:
        stamp = now_text()
        for column_id, stored in planned.items():
            if column_id == "name":
                item.name = stored
            elif stored is None:
                item.values.pop(column_id, None)
                item.changed_at[column_id] = stamp
            else:
                item.values[column_id] = stored
                item.changed_at[column_id] = stamp
        item.updated_at = stamp

    # -- reads --------------------------------------------------------------------------------
    def stored_value(self, item: Item, column: Column) -> Any:
        """The stored value of one column of one item; a subitems column's is computed from the live subitems."""
        if column.type == "subtasks":
            live = [s for s in item.subitem_ids if self.items[s].state != "deleted"]
            return {"linkedPulseIds": [{"linkedPulseId": int(s)} for s in live]} if live else None
        return item.values.get(column.id)

    def column_value(self, item: Item, column: Column) -> tuple[str, str | None]:
        """(text, value) of one column of one item, including the computed read-only ones."""
        if column.type == "item_id":
            return item.id, None
        if column.type == "last_updated":
            return item.updated_at, None
        stored = self.stored_value(item, column)
        return render_text(column, stored, self.item_name), render_value(stored, item.changed_at.get(column.id))


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
        length = len(name) if isinstance(name, str) else 0
        raise ApiError(
            errors.ITEM_NAME_TOO_LONG,
            f"Item name must be between 1 and {NAME_MAX} characters long (got {length})",
            {"item_name_length": length, "max_length": NAME_MAX},
        )


def _as_id(value: Any) -> Any:
    text = str(value)
    return int(text) if text.isdigit() else text
