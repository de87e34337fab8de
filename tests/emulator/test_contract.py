"""The emulator's SDL must be a true subset of monday's official schema, and the checker must bite."""

from __future__ import annotations

from pathlib import Path

import pytest

from pusher.emulator.resolvers import SCHEMA_PATH, emulator_schema
from pusher.graphql_contract import compare_subset, load_official_schema, validate_document
from pusher.paths import GRAPHQL_DIR

EXAMPLES = sorted((GRAPHQL_DIR / "emulator").glob("*.graphql"))


@pytest.fixture(scope="module")
def official():
    return load_official_schema()


def test_the_emulator_schema_agrees_with_the_official_schema_field_by_field(official):
    assert compare_subset(SCHEMA_PATH.read_text(encoding="utf-8"), official) == []


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        (
            "type Query { complexity: Complexity }\ntype Complexity { before: String! }",
            "Complexity.before: field type is String! in the subset but Int! officially",
        ),
        (
            "type Query { complexity: Complexity }\ntype Complexity { before: Int }",
            "Complexity.before: field type is Int in the subset but Int! officially",
        ),
        (
            "type Query { items(ids: [ID]): [Item] }\ntype Item { id: ID! }",
            "Query.items: argument 'ids' is [ID] in the subset but [ID!] officially",
        ),
        (
            "type Query { items(item_ids: [ID!]): [Item] }\ntype Item { id: ID! }",
            "Query.items: argument 'item_ids' does not exist in the official schema",
        ),
        (
            "type Query { next_items_page(limit: Int! = 25): ItemsResponse! }\ntype ItemsResponse { cursor: String }",
            "Query.next_items_page: required argument 'cursor' of the official schema is missing",
        ),
        (
            "type Query { boards(limit: Int = 50): [Board] }\ntype Board { id: ID! }",
            "Query.boards: argument 'limit' defaults to 50 in the subset but to 25 officially",
        ),
        (
            "type Query { complexity: Complexity }\ntype Complexity { spent: Int }",
            "Complexity.spent: field does not exist in the official schema",
        ),
        ("type Query { x: Gizmo }\ntype Gizmo { id: ID! }", "Gizmo: type does not exist in the official schema"),
        (
            "type Query { boards: [Board] }\ntype Board { state: State! }\nenum State { active gone }",
            "State: enum value 'gone' does not exist in the official schema",
        ),
        (
            "type Query { boards: [Board] }\ninput Board { id: ID! }",
            "Board: is a input in the subset but a type officially",
        ),
    ],
)
def test_the_checker_reports_a_deliberately_wrong_snippet(official, snippet, expected):
    assert expected in compare_subset(snippet, official)


def test_the_checker_reports_sdl_that_does_not_build(official):
    problems = compare_subset("type Query { x: Missing }", official)
    assert problems and problems[0].startswith("the subset SDL does not build")


def test_validate_document_names_the_bad_field_and_its_place(official):
    problems = validate_document(official, "query { boards(ids: [1]) { id nam } }")
    assert problems == ["Cannot query field 'nam' on type 'Board'. Did you mean 'name'? (line 1, column 31)"]
    assert validate_document(official, "query { boards { id }") != []
    assert validate_document(official, "query { boards(ids: [1]) { id name } }") == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_documents_are_valid_for_the_official_api_and_the_emulator(official, path: Path):
    text = path.read_text(encoding="utf-8")
    assert validate_document(official, text) == []
    assert validate_document(emulator_schema(), text) == []


def test_there_are_example_documents():
    assert len(EXAMPLES) >= 2
