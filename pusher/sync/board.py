"""The live board as the pusher needs it: columns with types and labels, groups, the subitems board.

Read with one query per board at the start of a run (and by ``ordersync validate``), so the pusher
formats every value for the column type monday really has, checks labels before sending, and finds
groups by title. The subitems board is discovered from the items board's subitems column settings
(``boardIds``) unless the config names it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from pusher.sync.client import MondayClient
from pusher.sync.column_types import writable
from pusher.sync.errors import RunFatalError
from pusher.sync.mutations import document_text


@dataclass
class BoardColumn:
    id: str
    title: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def writable(self) -> bool:
        return writable(self.type)

    def labels(self) -> set[str]:
        """Status labels (index -> label map) or dropdown option names (list of {id, name})."""
        raw = self.settings.get("labels") or {}
        if isinstance(raw, dict):
            return {str(v) for v in raw.values() if v is not None}
        return {str(o.get("name")) for o in raw if isinstance(o, dict) and o.get("name") is not None}

    def describe(self) -> str:
        return f"{self.id!r} ({self.type}, {self.title!r})"


@dataclass
class Board:
    id: str
    name: str
    type: str | None
    columns: dict[str, BoardColumn]
    groups: dict[str, str]  # title -> group id (first one wins when titles repeat)
    group_ids: set[str]
    items_count: int | None = None  # live items now (monday's count; the pusher adds what it creates)
    items_limit: int | None = None  # None: monday did not say
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def room(self) -> int | None:
        """Items the board can still take, or None when monday gave no limit."""
        if self.items_limit is None or self.items_count is None:
            return None
        return max(0, self.items_limit - self.items_count)

    def capacity_problem(self, creates: int) -> str | None:
        """A sentence when ``creates`` new items would push the board past its limit, else None."""
        room = self.room()
        if room is None or creates <= room:
            return None
        return (f"board {self.id} ({self.name}) holds {self.items_count} items of its limit of {self.items_limit}: "
                f"{creates} pending create(s) need {creates - room} more than it has room for; archive or "
                f"delete items on the board, or move some customers to another board")

    @property
    def subitems_board_id(self) -> str | None:
        """The board behind the subitems column, as monday records it in the column settings."""
        for column in self.columns.values():
            if column.type == "subtasks":
                ids = column.settings.get("boardIds") or []
                if ids:
                    return str(ids[0])
        return None

    def add_group(self, title: str, group_id: str) -> None:
        with self._lock:
            self.groups.setdefault(title, group_id)
            self.group_ids.add(group_id)

    def add_label(self, column_id: str, label: str) -> None:
        """Remember a label monday created for us (create_labels_if_missing), so later rows pass checks."""
        column = self.columns.get(column_id)
        if column is None:
            return
        with self._lock:
            raw = column.settings.setdefault("labels", [] if column.type == "dropdown" else {})
            if isinstance(raw, dict):
                raw[str(len(raw) + 1000)] = label
            else:
                raw.append({"id": -len(raw) - 1, "name": label})


def _settings(raw: Any) -> dict[str, Any]:
    """``settings`` is a JSON scalar: an object, or (through some gateways) its JSON text."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return {}
    return raw if isinstance(raw, dict) else {}


def read_boards(client: MondayClient, board_ids: list[str]) -> dict[str, Board]:
    """Read the given boards in one request; RunFatalError naming any board monday does not return."""
    reply = client.request(document_text("board"), {"board_ids": board_ids})
    boards: dict[str, Board] = {}
    for raw in reply.data.get("boards") or []:
        if raw is None:
            continue
        columns = {c["id"]: BoardColumn(c["id"], c["title"], c["type"], _settings(c.get("settings")))
                   for c in raw.get("columns") or []}
        groups: dict[str, str] = {}
        for g in raw.get("groups") or []:
            groups.setdefault(g["title"], g["id"])
        boards[str(raw["id"])] = Board(str(raw["id"]), raw.get("name") or "", raw.get("type"), columns, groups,
                                       {g["id"] for g in raw.get("groups") or []}, raw.get("items_count"),
                                       raw.get("items_limit"))
    missing = [b for b in board_ids if b not in boards]
    if missing:
        raise RunFatalError("InvalidBoardIdException", f"board(s) {', '.join(missing)} not found or not visible "
                                                       f"to this token: check items_board_id / subitems_board_id")
    return boards


def read_item_and_subitem_boards(client: MondayClient, items_board_id: str,
                                 subitems_board_id: str | None) -> tuple[Board, Board | None]:
    """The items board and its subitems board (configured, else discovered from the subitems column)."""
    wanted = [items_board_id] + ([subitems_board_id] if subitems_board_id else [])
    boards = read_boards(client, wanted)
    items = boards[items_board_id]
    sub_id = subitems_board_id or items.subitems_board_id
    if sub_id is None:
        return items, None
    if sub_id not in boards:
        boards.update(read_boards(client, [sub_id]))
    return items, boards[sub_id]
