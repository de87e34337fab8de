"""Checks GraphQL text against monday's official schema (SDL, API 2026-10).

Two users: the emulator proves its own smaller schema agrees with the real one field by field
(``compare_subset``), and the pusher proves every document it sends is valid for the real API
(``validate_document``). Both read the official SDL committed for the pinned API version
(``pusher.monday_api.SCHEMA_PATH``; ``scripts/update_monday_schema.py`` refreshes it).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    parse,
    print_ast,
    validate,
)
from pusher.monday_api import SCHEMA_PATH


@lru_cache(maxsize=4)
def _build_cached(path: str) -> GraphQLSchema:
    return build_schema(Path(path).read_text(encoding="utf-8"))


def load_official_schema(path: Path | None = None) -> GraphQLSchema:
    """Build (once per process) the official monday schema; ~0.25 s, so it is cached."""
    return _build_cached(str(path or SCHEMA_PATH))


def validate_document(schema: GraphQLSchema, document_text: str) -> list[str]:
    """Return one sentence per problem that ``schema`` finds in ``document_text``; [] if valid."""
    try:
        document = parse(document_text)
    except GraphQLError as exc:
        return [_describe(exc)]
    return [_describe(error) for error in validate(schema, document)]


def _describe(error: GraphQLError) -> str:
    where = ""
    if error.locations:
        where = " (line {0.line}, column {0.column})".format(error.locations[0])
    return f"{error.message}{where}"


def _kind(named_type: GraphQLNamedType) -> str:
    for cls, name in (
        (GraphQLObjectType, "type"),
        (GraphQLInterfaceType, "interface"),
        (GraphQLInputObjectType, "input"),
        (GraphQLEnumType, "enum"),
        (GraphQLUnionType, "union"),
        (GraphQLScalarType, "scalar"),
    ):
        if isinstance(named_type, cls):
            return name
    return type(named_type).__name__


def _default_text(arg: GraphQLArgument | GraphQLInputField) -> str | None:
    """The default as written in SDL, so `Int = 25` compares equal across the two schemas."""
    node = arg.ast_node
    if node is None or node.default_value is None:
        return None
    return print_ast(node.default_value)


def _is_required(arg: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and _default_text(arg) is None


def _compare_args(
    where: str,
    ours: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
    theirs: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
    what: str,
) -> list[str]:
    problems: list[str] = []
    for name, arg in ours.items():
        official = theirs.get(name)
        if official is None:
            problems.append(f"{where}: {what} '{name}' does not exist in the official schema")
            continue
        if str(arg.type) != str(official.type):
            problems.append(f"{where}: {what} '{name}' is {arg.type} in the subset but {official.type} officially")
        ours_default, official_default = _default_text(arg), _default_text(official)
        if ours_default is not None and ours_default != official_default:
            problems.append(
                f"{where}: {what} '{name}' defaults to {ours_default} in the subset "
                f"but to {official_default} officially"
            )
    for name, official in theirs.items():
        if name not in ours and _is_required(official):
            problems.append(f"{where}: required {what} '{name}' of the official schema is missing")
    return problems


def _compare_fields(
    name: str, ours: GraphQLObjectType | GraphQLInterfaceType, theirs: GraphQLObjectType | GraphQLInterfaceType
) -> list[str]:
    problems: list[str] = []
    for field_name, field in ours.fields.items():
        official = theirs.fields.get(field_name)
        where = f"{name}.{field_name}"
        if official is None:
            problems.append(f"{where}: field does not exist in the official schema")
            continue
        if str(field.type) != str(official.type):
            problems.append(f"{where}: field type is {field.type} in the subset but {official.type} officially")
        problems.extend(_compare_args(where, field.args, official.args, "argument"))
    official_interfaces = {i.name for i in theirs.interfaces}
    for interface in ours.interfaces:
        if interface.name not in official_interfaces:
            problems.append(f"{name}: implements {interface.name}, which the official type does not")
    return problems


def _compare_type(name: str, ours: GraphQLNamedType, theirs: GraphQLNamedType) -> list[str]:
    if _kind(ours) != _kind(theirs):
        return [f"{name}: is a {_kind(ours)} in the subset but a {_kind(theirs)} officially"]
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        return _compare_fields(name, ours, theirs)  # type: ignore[arg-type]
    if isinstance(ours, GraphQLInputObjectType):
        return _compare_args(name, ours.fields, theirs.fields, "input field")  # type: ignore[union-attr]
    if isinstance(ours, GraphQLEnumType):
        missing = sorted(set(ours.values) - set(theirs.values))  # type: ignore[union-attr]
        return [f"{name}: enum value '{value}' does not exist in the official schema" for value in missing]
    if isinstance(ours, GraphQLUnionType):
        extra = {t.name for t in ours.types} - {t.name for t in theirs.types}  # type: ignore[union-attr]
        return [f"{name}: union member '{member}' is not official" for member in sorted(extra)]
    return []


def compare_subset(subset_sdl: str, official_schema: GraphQLSchema) -> list[str]:
    """List every way the subset SDL disagrees with the official schema; [] means it is a true subset.

    A subset may leave out types, fields, arguments and enum values, but what it declares must have
    the official name, type (nullability and lists included) and default, and it must keep every
    argument the official schema requires, so a document valid against the subset is valid for real.
    """
    try:
        subset = build_schema(subset_sdl)
    except (GraphQLError, TypeError) as exc:
        return [f"the subset SDL does not build: {exc}"]
    problems: list[str] = []
    for root in ("query_type", "mutation_type", "subscription_type"):
        ours, theirs = getattr(subset, root), getattr(official_schema, root)
        if ours is not None and (theirs is None or ours.name != theirs.name):
            problems.append(f"root {root}: {ours.name} is not the official root type")
    for name, named_type in sorted(subset.type_map.items()):
        if name.startswith("__"):
            continue
        official = official_schema.type_map.get(name)
        if official is None:
            problems.append(f"{name}: type does not exist in the official schema")
            continue
        problems.extend(_compare_type(name, named_type, official))
    return problems
