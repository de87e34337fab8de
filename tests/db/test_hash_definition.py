"""Change detection sees data, not types, and its definition carries a version (issue 13
Build 9, issue 12 Build 3).

A staging column whose type changes within its family (a decimal's scale, an integer that
becomes a decimal, a datetime's precision, a date that becomes a datetime) with the same
values is no change. Hashes stored under an older definition are recomputed from the current
copy and rewritten, queuing nothing; a real change still queues.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pipeline_support import item_deltas, order, rows, run, set_state, stage, table
from psycopg import sql

from pusher.sql.connection import Database
from pusher.sql.dialect import hash_family
from pusher.sql.render import Renderer

VALUES = {"CUSTOMER_PRICE": Decimal("12.5"), "TOTAL_QTY": 40,
          "EX_FACTORY_DATE": dt.datetime(2025, 3, 1), "ORDER_DATE_PO_RECEIVED": dt.datetime(2025, 1, 2, 8, 30)}


def _synced_order(db: Database, **changes) -> None:
    stage(db, order("A1", {"XS": 1}, **{**VALUES, **changes}))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")


def _alter_staging(db: Database, column: str, new_type: str) -> None:
    db.fetch(sql.SQL("ALTER TABLE {} ALTER COLUMN {} TYPE {}").format(
        table(db, db.config.tables.staging), sql.Identifier(column), sql.SQL(new_type)).as_string(db.connection()))


@pytest.mark.parametrize(("column", "new_type"), [
    ("CUSTOMER PRICE", "numeric(14,2)"),
    ("TOTAL QTY", "numeric(12,3)"),
    ("TOTAL QTY", "bigint"),
    ("EX FACTORY DATE", "date"),
    ("ORDER DATE PO RECEIVED", "timestamp(0)"),
], ids=["decimal scale", "int to decimal", "int to bigint", "datetime to date", "datetime precision"])
def test_a_type_change_with_the_same_values_queues_nothing(db, column, new_type):
    _synced_order(db)
    _alter_staging(db, column, new_type)
    stage(db, order("A1", {"XS": 1}, **VALUES))
    assert run(db).counts == {}
    assert [state for _, _, state in item_deltas(db)] == ["SYNCED"]


def test_a_real_change_in_an_altered_column_still_queues(db):
    _synced_order(db)
    _alter_staging(db, "CUSTOMER PRICE", "numeric(14,2)")
    stage(db, order("A1", {"XS": 1}, **{**VALUES, "CUSTOMER_PRICE": Decimal("12.51")}))
    assert run(db).counts == {("item", "UPDATE"): 1}


def _age_the_stored_hashes(db: Database) -> None:
    """The current copy as a deploy from before hash versions left it: another definition's
    hash (here: garbage) and no version."""
    db.fetch(sql.SQL("UPDATE {} SET row_hash = %s, hash_version = NULL").format(
        table(db, db.config.tables.orders)).as_string(db.connection()), (b"old-definition",))


def test_a_new_hash_definition_rewrites_the_stored_hashes_and_queues_nothing(db):
    _synced_order(db)
    (before,) = rows(db, "ORDER_LIST_V2", "row_hash, hash_version")
    _age_the_stored_hashes(db)
    result = run(db)
    assert result.counts == {}
    assert [state for _, _, state in item_deltas(db)] == ["SYNCED"]
    (after,) = rows(db, "ORDER_LIST_V2", "row_hash, hash_version")
    assert after == before and before["hash_version"] == 2
    assert run(db).counts == {}  # and the next run finds nothing either


def test_a_new_hash_definition_with_a_real_change_queues_that_change(db):
    _synced_order(db)
    _age_the_stored_hashes(db)
    stage(db, order("A1", {"XS": 1}, **{**VALUES, "DESTINATION": "DE"}))
    assert run(db).counts == {("item", "UPDATE"): 1}
    assert rows(db, "ORDER_LIST_DELTA", "payload, delta_id", "2")[-1]["payload"]["DESTINATION"] == "DE"
    assert [r["hash_version"] for r in rows(db, "ORDER_LIST_V2", "hash_version")] == [2]


def test_an_archived_order_with_an_old_hash_is_rewritten_not_queued(db):
    """A1 left the snapshot (archived, synced); A2 changes, so the merges run: A1's stored hash
    is rewritten under the new definition and nothing is queued for it."""
    stage(db, order("A1", {"XS": 1}, **VALUES), order("A2", {"XS": 1}, **VALUES))
    run(db)
    stage(db, order("A2", {"XS": 1}, **VALUES))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    _age_the_stored_hashes(db)
    stage(db, order("A2", {"XS": 1}, **{**VALUES, "DESTINATION": "DE"}))
    assert run(db).counts == {("item", "UPDATE"): 1}
    assert [d[:2] for d in item_deltas(db) if d[2] != "SYNCED"] == [("A2", "UPDATE")]
    assert {r["order_key"]: r["hash_version"] for r in rows(db, "ORDER_LIST_V2", "order_key, hash_version")} \
        == {"A1": 2, "A2": 2}


@pytest.mark.parametrize(("sql_type", "family"), [
    ("DECIMAL(10,4)", "number"), ("INT", "number"), ("money", "number"), ("FLOAT", "float"),
    ("DATETIME2(7)", "datetime"), ("DATE", "datetime"), ("NVARCHAR(MAX)", "text"), ("BIT", "exact"),
    ("UNIQUEIDENTIFIER", "exact"),
])
def test_each_catalog_type_has_its_hash_family(sql_type, family):
    assert hash_family(sql_type) == family


def test_the_tsql_row_hash_compares_fixed_types(config):
    """SQL Server hashes the JSON text of the values, where DECIMAL(10,2) writes 12.50 and
    DECIMAL(10,4) 12.5000: the rendered hash casts each family to one type first."""
    from pusher.sql.catalog import read_columns_file

    merge = Renderer(config, "tsql", read_columns_file(config.columns_file)).render(
        "procedures/sync.MergeHeaders.sql.j2").sql
    assert "CAST(src.[CUSTOMER PRICE] AS DECIMAL(38, 10)) AS [h" in merge
    assert "CAST(src.[EX FACTORY DATE] AS DATETIME2(3)) AS [h" in merge
    assert "CAST(src.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h" in merge
