"""The emulator's in-memory board model: boards own columns, groups and the ids of their items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pusher.emulator.columns import Column


@dataclass
class Group:
    id: str
    title: str
    color: str = "#579bfc"
    position: str = "65536"
    archived: bool = False
    deleted: bool = False


@dataclass
class Board:
    """A board; ``type`` is "board" or "sub_items_board", as monday's BoardObjectType says."""

    id: str
    name: str
    columns: dict[str, Column]
    groups: dict[str, Group]
    type: str = "board"
    kind: str = "public"
    description: str | None = None
    state: str = "active"
    item_ids: list[str] = field(default_factory=list)

    def subtasks_column(self) -> Column | None:
        return next((c for c in self.columns.values() if c.type == "subtasks"), None)


@dataclass
class Item:
    """One item (or subitem, when ``parent_item_id`` is set); ``values`` holds stored column values."""

    id: str
    board_id: str
    name: str
    group_id: str
    created_at: str
    updated_at: str
    state: str = "active"
    parent_item_id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    changed_at: dict[str, str] = field(default_factory=dict)
    subitem_ids: list[str] = field(default_factory=list)
