"""The column-type registry, the formatters, the preflight's type checks and monday (the emulator) agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pusher.emulator import columns as monday_columns
from pusher.sql.catalog import SQL_KINDS, sql_kind
from pusher.sync.board import BoardColumn
from pusher.sync.column_types import COLUMN_TYPES, READ_ONLY_TYPES, shown_text
from pusher.sync.values import format_value

# One value of each SQL kind, as the database driver hands it over.
SAMPLES = {"text": "Navy 01", "integer": 12, "number": Decimal("12.50"), "date": dt.date(2026, 3, 1),
           "other": b"\x01"}
CASES = [(name, kind) for name, column_type in COLUMN_TYPES.items() for kind in sorted(column_type.accepts)]


def test_every_sql_kind_has_a_sample_and_every_registered_type_is_writable_on_monday():
    assert set(SAMPLES) == set(SQL_KINDS)
    assert not set(COLUMN_TYPES) & READ_ONLY_TYPES
    assert set(COLUMN_TYPES) <= monday_columns.WRITABLE_TYPES  # the emulator takes every type the pusher writes


@pytest.mark.parametrize("type_name, kind", CASES)
def test_a_value_of_every_accepted_sql_kind_formats_and_monday_shows_it_as_the_registry_says(type_name, kind):
    """What the preflight accepts (``accepts``) the formatter formats, monday stores, and reconcile
    expects back as the column's text."""
    formatted = format_value(BoardColumn("c", "C", type_name), SAMPLES[kind])
    column = monday_columns.Column("c", "C", type_name)
    stored = monday_columns.parse_write(column, formatted, create_labels=True, item_exists=lambda _id: False)
    assert monday_columns.render_text(column, stored, lambda _id: "") == shown_text(type_name, formatted)
    if COLUMN_TYPES[type_name].labelled:
        assert COLUMN_TYPES[type_name].label(formatted) == str(SAMPLES[kind]).strip()


@pytest.mark.parametrize("type_name", sorted(COLUMN_TYPES))
def test_the_empty_value_of_every_type_clears_the_column_on_monday(type_name):
    column = monday_columns.Column("c", "C", type_name)
    empty = COLUMN_TYPES[type_name].empty
    assert monday_columns.parse_write(column, empty, create_labels=False, item_exists=lambda _id: False) is None


@pytest.mark.parametrize("type_name, kind", [("numbers", "text"), ("numbers", "date"), ("date", "integer"),
                                             ("date", "text")])
def test_a_kind_the_registry_does_not_accept_is_refused_by_the_formatter(type_name, kind):
    assert kind not in COLUMN_TYPES[type_name].accepts
    with pytest.raises(ValueError):
        format_value(BoardColumn("c", "C", type_name), SAMPLES[kind])


@pytest.mark.parametrize("sql_type, kind", [("NVARCHAR(100)", "text"), ("INT", "integer"), ("BIT", "integer"),
                                            ("DECIMAL(10,4)", "number"), ("DATETIME2(3)", "date"),
                                            ("VARBINARY(16)", "other")])
def test_sql_types_fall_into_the_families_the_registry_speaks_of(sql_type, kind):
    assert sql_kind(sql_type) == kind


def test_a_type_outside_the_registry_is_refused_naming_the_supported_ones():
    with pytest.raises(ValueError, match="not supported .supported: checkbox, date, dropdown"):
        format_value(BoardColumn("c", "C", "location"), "Paris")
