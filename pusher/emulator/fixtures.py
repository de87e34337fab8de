"""Board fixtures: the JSON format the emulator loads boards from, and a reader for monday exports.

Format (``{"boards": [...]}``; a single board object is accepted too)::

    {"id": "5000000001", "name": "ORDER_LIST demo", "type": "board" | "sub_items_board",
     "groups": [{"id": "topics", "title": "Group Title"}],
     "columns": [{"id": "status_x", "title": "ORDER TYPE", "type": "status",
                  "labels": {"0": "ACTIVE"}},                       # status: index -> label
                 {"id": "dropdown_x", "title": "CUSTOMER", "type": "dropdown",
                  "labels": ["A", {"id": 7, "name": "B"}]},           # dropdown: names or id/name
                 {"id": "subitems", "title": "Subitems", "type": "subtasks",
                  "subitems_board_id": "5000000002"}]}               # optional link

The production boards in ``tests/fixtures/board_*.json`` use another shape (``board_id``,
``columns[].monday_id/monday_title/monday_type``); ``load_fixture_file`` reads both, so tests can
run the emulator on the real column layout without copying those files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pusher.emulator.columns import READ_ONLY_TYPES, TYPE_ALIASES, WRITABLE_TYPES, Column
from pusher.emulator.models import Board, Group

SAMPLE_BOARD_PATH = Path(__file__).resolve().parent / "boards" / "sample_order_board.json"
SAMPLE_ITEMS_BOARD_ID = "5000000001"
SAMPLE_SUBITEMS_BOARD_ID = "5000000002"

KNOWN_TYPES = (
    WRITABLE_TYPES
    | READ_ONLY_TYPES
    | {
        "name",
        "tags",
        "timeline",
        "file",
        "color_picker",
        "country",
        "hour",
        "location",
        "rating",
        "week",
        "world_clock",
        "dependency",
        "doc",
        "direct_doc",
        "integration",
        "team",
        "person",
        "group",
        "unsupported",
    }
)


class FixtureError(ValueError):
    """A board fixture that cannot be loaded; the message names the board and the key."""


def load_fixture_file(path: str | Path) -> list[dict[str, Any]]:
    """Read a fixture file in either format and return board dicts in the emulator's format."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise FixtureError(f"cannot read board fixture {path}: {exc}") from exc
    return normalize_fixture(data, source=str(path))


def normalize_fixture(data: Any, source: str = "fixture") -> list[dict[str, Any]]:
    """Accept ``{"boards": [...]}``, one board, or one exported board; return a list of board dicts."""
    if isinstance(data, dict) and isinstance(data.get("boards"), list):
        boards = data["boards"]
    elif isinstance(data, dict):
        boards = [data]
    else:
        raise FixtureError(f"{source}: expected a JSON object with a 'boards' list")
    return [from_reference(b) if _is_reference(b) else b for b in boards]


def _is_reference(board: Any) -> bool:
    columns = board.get("columns") if isinstance(board, dict) else None
    return isinstance(columns, list) and bool(columns) and "monday_id" in columns[0]


def from_reference(ref: dict[str, Any]) -> dict[str, Any]:
    """Convert an exported board (``board_id``, ``monday_*`` keys) into the emulator's format."""
    name = str(ref.get("board_name") or ref["board_id"])
    return {
        "id": str(ref["board_id"]),
        "name": name,
        "type": "sub_items_board" if name.startswith("Subitems of ") else "board",
        "groups": [{"id": "topics", "title": "Group Title"}],
        "columns": [
            {"id": c["monday_id"], "title": c["monday_title"], "type": c["monday_type"]} for c in ref["columns"]
        ],
    }


def build_board(data: dict[str, Any]) -> Board:
    """Turn one board dict into a ``Board``; every problem names the board and the bad key."""
    board_id = str(data.get("id", "")).strip()
    if not board_id.isdigit():
        raise FixtureError(f"board {data.get('name')!r}: 'id' must be a numeric string, got {data.get('id')!r}")
    where = f"board {board_id}"
    if not data.get("name"):
        raise FixtureError(f"{where}: 'name' is required")
    columns: dict[str, Column] = {}
    for raw in data.get("columns") or []:
        column = _build_column(where, raw)
        if column.id in columns:
            raise FixtureError(f"{where}: column id {column.id!r} appears twice")
        columns[column.id] = column
    if "name" not in columns:
        columns = {"name": Column("name", "Name", "name"), **columns}
    groups = {}
    for position, raw in enumerate(data.get("groups") or [{"id": "topics", "title": "Group Title"}]):
        if not raw.get("id") or not raw.get("title"):
            raise FixtureError(f"{where}: every group needs 'id' and 'title'")
        groups[str(raw["id"])] = Group(str(raw["id"]), str(raw["title"]), position=str(65536 * (position + 1)))
    board_type = data.get("type", "board")
    if board_type not in ("board", "sub_items_board"):
        raise FixtureError(f"{where}: 'type' must be 'board' or 'sub_items_board'")
    return Board(
        id=board_id,
        name=str(data["name"]),
        columns=columns,
        groups=groups,
        type=board_type,
        kind=data.get("kind", "public"),
        description=data.get("description"),
    )


def _build_column(where: str, raw: dict[str, Any]) -> Column:
    try:
        column_id, title, kind = str(raw["id"]), str(raw["title"]), str(raw["type"])
    except KeyError as exc:
        raise FixtureError(f"{where}: a column lacks {exc.args[0]!r}") from None
    kind = TYPE_ALIASES.get(kind, kind)
    if kind not in KNOWN_TYPES:
        raise FixtureError(f"{where}: column {column_id!r} has unknown type {kind!r}")
    settings: dict[str, Any] = {}
    labels = raw.get("labels")
    if kind == "status":
        settings["labels"] = {str(int(k)): str(v) for k, v in (labels or {}).items()}
    elif kind == "dropdown":
        options = []
        for position, label in enumerate(labels or [], start=1):
            if isinstance(label, dict):
                options.append({"id": int(label["id"]), "name": str(label["name"])})
            else:
                options.append({"id": position, "name": str(label)})
        settings["labels"] = options
    elif kind == "subtasks" and raw.get("subitems_board_id"):
        settings["boardIds"] = [int(raw["subitems_board_id"])]
    return Column(column_id, title, kind, settings, raw.get("description"))


def link_subitem_boards(boards: dict[str, Board]) -> None:
    """Point an unlinked subitems column at the board named "Subitems of <board>", as monday names it."""
    by_name = {b.name: b for b in boards.values()}
    for board in boards.values():
        column = board.subtasks_column()
        if column is None or column.settings.get("boardIds"):
            continue
        partner = by_name.get(f"Subitems of {board.name}")
        if partner is not None:
            column.settings["boardIds"] = [int(partner.id)]
            partner.type = "sub_items_board"
