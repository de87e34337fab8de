"""The entity objects: the runner asks them and never switches on "item" / "subitem" itself."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

from pusher.config import Config
from pusher.queue import ItemRow, SubitemRow
from pusher.sync.board import Board
from pusher.sync.entities import Items, Subitems, entities_for

RUNNER = Path(__file__).resolve().parents[2] / "pusher" / "sync" / "runner.py"


def _board(board_id: str) -> Board:
    return Board(board_id, "b", "board", {}, {}, set())


def _item(**changes) -> ItemRow:
    row = ItemRow(delta_id=1, order_key="PO1|RED", action="CREATE", payload={}, item_name="Order 1", group_key="g",
                  group_title="G", monday_group_id=None, monday_item_id=None, attempts=1, last_error_code=None)
    return dataclasses.replace(row, **changes)


def _line(**changes) -> SubitemRow:
    row = SubitemRow(delta_id=2, order_key="PO1|RED", size="XS", line_key="PO1|RED|XS", action="CREATE", qty=3,
                     parent_item_id="77", monday_subitem_id=None, attempts=1, last_error_code=None)
    return dataclasses.replace(row, **changes)


def _no_columns(config: Config) -> Config:
    """Only the key column is written, so the boards need no mapped columns."""
    return dataclasses.replace(config, monday=dataclasses.replace(config.monday, item_columns={}, subitem_columns={}))


def test_the_runner_spells_no_entity_name():
    """Like tests/sql/test_dialects.py for dialect names: every "item"/"subitem" decision is the entity's."""
    tree = ast.parse(RUNNER.read_text(encoding="utf-8"))
    nodes = list(ast.walk(tree))
    names = [(n.lineno, n.value) for n in nodes if isinstance(n, ast.Constant) and n.value in ("item", "subitem")]
    constants = [(n.lineno, n.id) for n in nodes if isinstance(n, ast.Name) and n.id in ("ITEM", "SUBITEM")]
    assert names == [] and constants == []


def test_entities_are_items_then_subitems_and_subitems_only_with_a_subitems_board(config):
    m = config.monday
    both = entities_for(config, _board("1"), _board("2"))
    assert [(e.name, e.board.id, e.key_column, e.removal) for e in both] == [
        ("item", "1", m.item_key_column, m.on_removed_order), ("subitem", "2", m.line_key_column, m.on_removed_size)]
    assert [e.name for e in entities_for(config, _board("1"), None)] == ["item"]


def test_each_entity_reads_its_own_key_and_id(config):
    items, subitems = entities_for(config, _board("1"), _board("2"))
    assert (items.key(_item()), items.own_id(_item(monday_item_id="123"))) == ("PO1|RED", "123")
    assert items.own_id(_item()) is None
    assert (subitems.key(_line()), subitems.own_id(_line(monday_subitem_id="9"))) == ("PO1|RED|XS", "9")
    assert subitems.who(_line()) == "order PO1|RED size XS" and items.who(_item()) == "order PO1|RED"


def test_an_item_create_goes_to_its_board_and_a_subitem_create_under_its_parent(config):
    config = _no_columns(config)
    m = config.monday
    item_op, _ = Items(config, _board("1"), m.item_key_column, "archive").change(_item(), None)
    line_op, _ = Subitems(config, _board("2"), m.line_key_column, "delete").change(_line(), None)
    assert (item_op.name, item_op.variables["board_id"], item_op.variables["item_name"]) == ("create_item", "1",
                                                                                             "Order 1")
    assert json.loads(item_op.variables["column_values"]) == {m.item_key_column: "PO1|RED"}
    assert (line_op.name, line_op.variables["parent_item_id"], line_op.variables["item_name"]) == (
        "create_subitem", "77", "XS")
    assert json.loads(line_op.variables["column_values"]) == {m.line_key_column: "PO1|RED|XS"}


def test_a_known_row_is_changed_in_place_with_its_name(config):
    config = _no_columns(config)
    op, _ = Subitems(config, _board("2"), "key", "delete").change(_line(action="UPDATE"), "9")
    assert (op.name, op.variables["board_id"], op.variables["item_id"]) == ("change_values", "2", "9")
    assert json.loads(op.variables["column_values"]) == {"key": "PO1|RED|XS", "name": "XS"}


def test_the_removal_policy_picks_archive_or_delete(config):
    archive = Items(config, _board("1"), "key", "archive").removal_op("5")
    delete = Subitems(config, _board("2"), "key", "delete").removal_op("6")
    assert (archive.name, archive.variables) == ("archive_item", {"item_id": "5"})
    assert (delete.name, delete.variables) == ("delete_item", {"item_id": "6"})
