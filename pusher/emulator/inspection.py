"""Plain-dict snapshots of the boards and items, for tests and the admin endpoint.

Tests prove "no duplicates" and "nothing lost" from these, so they show everything the store holds,
archived and (on request) deleted items included, without going through the GraphQL layer.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pusher.emulator.state import BoardStore


def boards_snapshot(store: BoardStore) -> list[dict[str, Any]]:
    with store.lock:
        result = []
        for board in store.boards.values():
            subtasks = board.subtasks_column()
            sub_ids = subtasks.settings.get("boardIds") if subtasks else None
            counts = {state: 0 for state in ("active", "archived", "deleted")}
            for item_id in board.item_ids:
                counts[store.items[item_id].state] += 1
            result.append(
                {
                    "id": board.id,
                    "name": board.name,
                    "type": board.type,
                    "state": board.state,
                    "subitems_board_id": str(sub_ids[0]) if sub_ids else None,
                    "groups": [{"id": g.id, "title": g.title} for g in board.groups.values()],
                    "columns": [
                        {"id": c.id, "title": c.title, "type": c.type, "settings": dict(c.settings)}
                        for c in board.columns.values()
                    ],
                    "item_counts": counts,
                }
            )
        return result


def items_snapshot(
    store: BoardStore, board_id: str, include_archived: bool = True, include_deleted: bool = False
) -> list[dict[str, Any]]:
    """Items of one board in creation order, each with every column's ``text`` and ``value``."""
    with store.lock:
        board = store.board(board_id)
        result = []
        for item_id in board.item_ids:
            item = store.items[item_id]
            if (item.state == "archived" and not include_archived) or (item.state == "deleted" and not include_deleted):
                continue
            values = {}
            for column in board.columns.values():
                if column.type != "name":
                    text, value = store.column_value(item, column)
                    values[column.id] = {"text": text, "value": value}
            result.append(
                {
                    "id": item.id,
                    "name": item.name,
                    "board_id": board.id,
                    "group_id": item.group_id,
                    "state": item.state,
                    "parent_item_id": item.parent_item_id,
                    "subitem_ids": list(item.subitem_ids),
                    "created_at": item.created_at,
                    "updated_at": item.updated_at,
                    "column_values": values,
                }
            )
        return result


def key_counts(store: BoardStore, board_id: str, key_column: str) -> Counter:
    """How many live (not deleted) items of a board hold each value of its key column, archived
    ones included: the "no duplicates" check is ``all(n == 1 ...)`` on this."""
    with store.lock:
        board = store.board(board_id)
        column = board.columns.get(key_column)
        readable = column is not None and column.type != "name"  # else every key is None, as in items_snapshot
        live = (store.items[i] for i in board.item_ids if store.items[i].state != "deleted")
        return Counter(store.column_value(item, column)[0] if readable else None for item in live)
