"""The two things the pusher syncs, items (orders) and subitems (sizes), as objects the runner asks.

Like singer-sdk's one sink per stream: each entity knows its board, its key column and id field, its
removal policy, the row type its claim (ClaimItems, ClaimSubitems) hands out, and how a row becomes a mutation. The
runner loops over ``entities_for(...)`` and never switches on the entity's name.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from pusher import queue
from pusher.config import Config
from pusher.sql.connection import Database
from pusher.sync.board import Board
from pusher.sync.mutations import Op
from pusher.sync.values import RowValues, build_values, check_name


@dataclass(frozen=True)
class Entity(ABC):
    """What the runner needs of one entity; the subclasses say how one of its rows becomes a mutation."""

    name: ClassVar[queue.Entity]  # its queue (pusher.queue.QUEUES: the procedures it calls), and the report's key
    id_field: ClassVar[str]  # the claimed row's field holding its monday id (None: not on the board yet)
    key_field: ClassVar[str]  # the claimed row's field holding the key written to ``key_column``
    top_level: ClassVar[bool]  # lives in a board group and counts toward the board's item limit

    config: Config
    board: Board
    key_column: str  # monday.item_key_column / line_key_column: the column that finds a row on the board
    removal: str  # monday.on_removed_order / on_removed_size: "archive" or "delete"

    def claim(self, db: Database, size: int, token: str, customer: str | None, run_id: int | None) -> list[Any]:
        """Lease up to ``size`` ready rows to ``token`` for pusher run ``run_id``: this entity's row type
        (``queue.QUEUES``)."""
        return queue.claim_batch(db, self.name, size, self.config.monday.lease_seconds, token, customer, run_id)

    def key(self, row: Any) -> str:
        return getattr(row, self.key_field)

    def own_id(self, row: Any) -> str | None:
        value = getattr(row, self.id_field)
        return str(value) if value else None

    def who(self, row: Any) -> str:
        """The row in an error sentence: ``order <key>`` (and the size, for a subitem)."""
        return f"order {row.order_key}"

    def change(self, row: Any, known: str | None) -> tuple[Op, RowValues]:
        """The create (``known`` None) or change_values mutation of a CREATE/UPDATE row; FormatError on a
        value or name that does not fit."""
        who = self.who(row)
        name = check_name(self.name_of(row), who)
        values = build_values(self.config, self.board, self.columns(), self.source(row), who, creating=known is None,
                              fixed={self.key_column: self.key(row)}, non_negative=self.non_negative)
        if known is None:
            op = self.create(row, name)
        else:
            values.column_values["name"] = name
            op = Op("change_values", {"board_id": self.board.id, "item_id": known})
        op.variables["column_values"] = json.dumps(values.column_values, ensure_ascii=False)
        op.variables["create_labels"] = values.create_labels
        return op, values

    def removal_op(self, known: str) -> Op:
        """The mutation of an ARCHIVE/DELETE row whose item is on the board, per the removal policy."""
        return Op("archive_item" if self.removal == "archive" else "delete_item", {"item_id": known})

    # -- what each entity says -----------------------------------------------------------------
    non_negative: ClassVar[frozenset[str]] = frozenset()

    @abstractmethod
    def name_of(self, row: Any) -> Any: ...

    @abstractmethod
    def columns(self) -> dict[str, str]: ...

    @abstractmethod
    def source(self, row: Any) -> dict[str, Any]: ...

    @abstractmethod
    def create(self, row: Any, name: str) -> Op: ...


@dataclass(frozen=True)
class Items(Entity):
    """One item per order, in the group of its group key; ``row`` is a ``queue.ItemRow``."""

    name: ClassVar[queue.Entity] = "item"
    id_field: ClassVar[str] = "monday_item_id"
    key_field: ClassVar[str] = "order_key"
    top_level: ClassVar[bool] = True

    def name_of(self, row: Any) -> Any:
        return row.item_name

    def columns(self) -> dict[str, str]:
        return self.config.monday.item_columns

    def source(self, row: Any) -> dict[str, Any]:
        return row.payload

    def create(self, row: Any, name: str) -> Op:
        return Op("create_item", {"board_id": self.board.id, "group_id": None, "item_name": name})


@dataclass(frozen=True)
class Subitems(Entity):
    """One subitem per non-zero size under its order's item; ``row`` is a ``queue.SubitemRow``."""

    name: ClassVar[queue.Entity] = "subitem"
    id_field: ClassVar[str] = "monday_subitem_id"
    key_field: ClassVar[str] = "line_key"
    top_level: ClassVar[bool] = False
    non_negative: ClassVar[frozenset[str]] = frozenset({"qty"})

    def who(self, row: Any) -> str:
        return f"order {row.order_key} size {row.size}"

    def name_of(self, row: Any) -> Any:
        return row.size

    def columns(self) -> dict[str, str]:
        return self.config.monday.subitem_columns

    def source(self, row: Any) -> dict[str, Any]:
        return {"size": row.size, "qty": row.qty}

    def create(self, row: Any, name: str) -> Op:
        return Op("create_subitem", {"parent_item_id": str(row.parent_item_id), "item_name": name})


def entities_for(config: Config, items_board: Board, subitems_board: Board | None) -> list[Entity]:
    """The entities to sync, in order: items first (subitems need their parent), subitems when there is a
    subitems board."""
    m = config.monday
    found: list[Entity] = [Items(config, items_board, m.item_key_column, m.on_removed_order)]
    if subitems_board is not None:
        found.append(Subitems(config, subitems_board, m.line_key_column, m.on_removed_size))
    return found
