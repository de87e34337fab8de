"""GraphQL documents: the files under ``graphql/`` and aliased multi-mutation requests built from them.

Each file is one operation, sendable once the fragments it spreads (``graphql/fragments/``) are
appended, which `document_text` does (checked against the official schema by a test). A
batch is built by taking the mutation field of a file once per row, giving it the alias ``m<i>``
and suffixing its variables with ``_<i>``, then adding one ``complexity`` selection. Values always
travel as variables, never pasted into the text, so no value can break or change a document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from pusher.paths import GRAPHQL_DIR

QUERIES = ("board", "items_by_keys", "next_items_page", "probe", "reconcile_page", "reconcile_next")
MUTATIONS = ("create_group", "create_item", "create_subitem", "change_values", "move_item", "archive_item",
             "delete_item")


FRAGMENTS_DIR = GRAPHQL_DIR / "fragments"


@cache
def document_text(name: str) -> str:
    """The text of ``graphql/<name>.graphql``, followed by every fragment it spreads.

    ``...Name`` stands for ``graphql/fragments/Name.graphql`` (one fragment a file, named as the
    file); fragments that spread others bring those too. Only the ones used are appended, since
    GraphQL refuses a document with an unused fragment.
    """
    parts = [(GRAPHQL_DIR / f"{name}.graphql").read_text(encoding="utf-8")]
    added: set[str] = set()
    while missing := _spreads("\n".join(parts)) - added:
        for fragment in sorted(missing):
            parts.append((FRAGMENTS_DIR / f"{fragment}.graphql").read_text(encoding="utf-8"))
        added |= missing
    return "\n".join(parts)


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: Any) -> None:
        self.names.add(node.name.value)


def _spreads(text: str) -> set[str]:
    """The names of the fragments ``text`` spreads."""
    spreads = _Spreads()
    visit(parse(text), spreads)
    return spreads.names


@cache
def _operation(name: str) -> OperationDefinitionNode:
    document: DocumentNode = parse(document_text(name))
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return operation


def _fields(name: str) -> tuple[FieldNode, FieldNode]:
    """(the mutation field, the complexity field) of a mutation file."""
    selections = _operation(name).selection_set.selections
    work = next(f for f in selections if isinstance(f, FieldNode) and f.name.value != "complexity")
    complexity = next(f for f in selections if isinstance(f, FieldNode) and f.name.value == "complexity")
    return work, complexity


class _Suffix(Visitor):
    def __init__(self, suffix: str):
        super().__init__()
        self.suffix = suffix

    def enter_variable(self, node: VariableNode, *_args: Any) -> VariableNode:
        return VariableNode(name=NameNode(value=node.name.value + self.suffix))


@dataclass
class Op:
    """One mutation of a batch: which file, and its variables by the names the file uses."""

    name: str
    variables: dict[str, Any]

    @property
    def field(self) -> str:
        """The monday field the file calls (as the .graphql file spells it); the pacer estimates cost by it."""
        return mutation_field(self.name)


def mutation_field(name: str) -> str:
    """The monday field mutation file ``name`` calls, e.g. change_values -> change_multiple_column_values."""
    return _fields(name)[0].name.value


def alias(index: int) -> str:
    return f"m{index}"


def build_batch(ops: list[Op]) -> tuple[str, dict[str, Any]]:
    """One document running ``ops`` as aliases m0..mN, plus its variables."""
    if not ops:
        raise ValueError("a batch needs at least one mutation")
    definitions: list[VariableDefinitionNode] = []
    selections: list[FieldNode] = []
    variables: dict[str, Any] = {}
    for index, op in enumerate(ops):
        suffix = f"_{index}"
        work, _ = _fields(op.name)
        renamed = visit(work, _Suffix(suffix))
        selections.append(FieldNode(alias=NameNode(value=alias(index)), name=renamed.name,
                                    arguments=renamed.arguments, directives=renamed.directives,
                                    selection_set=renamed.selection_set))
        for definition in _operation(op.name).variable_definitions:
            definitions.append(visit(definition, _Suffix(suffix)))
        for key, value in op.variables.items():
            variables[key + suffix] = value
    selections.append(_fields(ops[0].name)[1])
    operation = OperationDefinitionNode(
        operation=OperationType.MUTATION,
        name=NameNode(value="PushBatch"),
        variable_definitions=tuple(definitions),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    return print_ast(DocumentNode(definitions=(operation,))), variables
