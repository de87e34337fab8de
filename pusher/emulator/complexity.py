"""What a GraphQL request costs, computed before it runs, as monday does.

monday charges a query by what it could fetch: nested lists multiply by their page size. The model
here: every field costs 1, a list field multiplies the cost of its selection by its fan-out (the
``limit`` argument, or the number of ``ids`` asked for, or a typical size), and each mutation adds
its kind's fixed cost (``create_item`` 30,000 by default). The same number is charged against the
budget and reported in ``complexity { query }``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    value_from_ast_untyped,
)

# Typical sizes for list fields whose size is not given by an argument.
DEFAULT_FANOUT = {"column_values": 20, "columns": 20, "groups": 5, "subitems": 10, "linked_items": 5}
PAGED_FIELDS = frozenset({"items_page", "next_items_page", "items_page_by_column_values"})
ROOT_LISTS = frozenset({"boards", "items"})


class CostModel:
    """Computes request complexity from the parsed operation and its variables."""

    def __init__(self, mutation_costs: Mapping[str, int], default_mutation_cost: int = 10_000) -> None:
        self.mutation_costs = dict(mutation_costs)
        self.default_mutation_cost = default_mutation_cost

    def cost(
        self,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
    ) -> int:
        walker = _Walker(fragments, variables or {})
        total = 0
        for field in walker.fields(operation.selection_set):
            own = walker.selection_cost(field.selection_set)
            if operation.operation.value == "mutation" and field.name.value != "complexity":
                name = field.name.value
                total += self.mutation_costs.get(name, self.default_mutation_cost) + own
            else:
                total += 1 + walker.fanout(field, root=True) * own
        return max(total, 1)


class _Walker:
    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables

    def fields(self, selection_set: SelectionSetNode | None) -> list[FieldNode]:
        """Fields of a selection set with fragments flattened in."""
        found: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self.fields(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    found.extend(self.fields(fragment.selection_set))
        return found

    def selection_cost(self, selection_set: SelectionSetNode | None) -> int:
        return sum(1 + self.fanout(f) * self.selection_cost(f.selection_set) for f in self.fields(selection_set))

    def argument(self, field: FieldNode, name: str) -> Any:
        for arg in field.arguments or ():
            if arg.name.value == name:
                return value_from_ast_untyped(arg.value, self.variables)
        return None

    def fanout(self, field: FieldNode, root: bool = False) -> int:
        name = field.name.value
        if field.selection_set is None:
            return 0
        if name in PAGED_FIELDS:
            return self._limit(field)
        if root and name in ROOT_LISTS:
            return self._id_count(field) or self._limit(field)
        if name in DEFAULT_FANOUT:
            return self._id_count(field) or DEFAULT_FANOUT[name]
        return 1

    def _limit(self, field: FieldNode) -> int:
        return max(1, int(self.argument(field, "limit") or 25))

    def _id_count(self, field: FieldNode) -> int:
        """How many ids the field names; 0 when it names none."""
        ids = self.argument(field, "ids")
        return len(ids) if isinstance(ids, list) else 0
