"""The pipeline on the real ORDER_LIST shape: the reference catalog's 411 columns (245 sizes
between `UNIT OF MEASURE` and `TOTAL QTY`, names with spaces, `/`, `(`, `'`, `+`, `∆` and
leading digits), rendered, deployed and run on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_support import line_deltas, lines, order, rows, run, stage

from pusher.config import Config, load_config
from pusher.sql.catalog import read_columns_file, size_columns
from pusher.sql.connection import Database
from pusher.sql.dialect import POSTGRES
from tests.reference_shape import TABLES

CONFIG = """\
default_environment = "test"

[environment.test]
dialect = "postgres"
items_board_id = "1"

{tables}
[staging]
mode = "snapshot"
columns_file = "{columns_file}"

[order]
key_columns = ["AAG ORDER NUMBER"]
customer_column = "CUSTOMER NAME"
item_name = {{ columns = ["CUSTOMER STYLE", "CUSTOMER COLOUR DESCRIPTION", "AAG ORDER NUMBER"], separator = " - " }}
group_name = {{ columns = ["CUSTOMER NAME", "CUSTOMER SEASON"], separator = " " }}

[sizes]
first_after = "UNIT OF MEASURE"
last_before = "TOTAL QTY"

[sizes.aliases]
"OS" = "ONE SIZE"
"O/S" = "ONE SIZE"
"One Sz" = "ONE SIZE"
"One_Size" = "ONE SIZE"
"One_Sz" = "ONE SIZE"

[monday]
item_key_column = "text_order_key"
line_key_column = "text_line_key"

[monday.item_columns]
"CUSTOMER NAME" = "dropdown_customer"
"PO NUMBER" = "text_po"
"CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS" = "text_colour_code"
"ORDER DATE PO RECEIVED" = "date_order"
"CUSTOMER PRICE" = "numeric_price"
"TOTAL QTY" = "numeric_total_qty"

[monday.subitem_columns]
size = "dropdown_size"
qty = "numeric_qty"
"""


@pytest.fixture
def reference(fixtures_dir: Path, tmp_path: Path) -> Config:
    path = tmp_path / "reference.toml"
    columns_file = fixtures_dir / "order_list_columns.tsv"
    path.write_text(CONFIG.format(tables=TABLES, columns_file=columns_file.as_posix()), encoding="utf-8")
    return load_config(path, "test")


@pytest.fixture
def ref_db(reference: Config, pg_url: str, deployed_database):
    deployed_database(reference, read_columns_file(reference.columns_file))
    database = Database(reference, url=pg_url)
    yield database
    database.close()


def test_the_reference_catalog_fits_postgresql_identifiers(reference):
    """PostgreSQL keeps 63 bytes of a name and would silently truncate longer ones; the
    dialect refuses them at render time. The reference names all fit (the longest is 60)."""
    columns = read_columns_file(reference.columns_file)
    assert len(columns) == 411
    assert len(size_columns(reference, columns)) == 245
    longest = max(len(c.name.encode("utf-8")) for c in columns)
    assert longest <= POSTGRES.max_identifier_bytes
    for column in columns:
        POSTGRES.quote(column.name)  # raises ConfigError for a name PostgreSQL would truncate


def test_staging_has_exactly_the_reference_columns(ref_db, reference):
    expected = [(c.name, c.sql_type) for c in read_columns_file(reference.columns_file)]
    live = [(c.name, c.sql_type) for c in ref_db.live_columns("dbo", "swp_ORDER_LIST_V2")]
    assert live == expected
    assert ref_db.call("CheckDrift") == []


R3_HEADER = {"CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS": "C'01",
             "ORDER DATE PO RECEIVED": "2025-01-31", "CUSTOMER PRICE": 3.25}


def test_the_pipeline_unpivots_the_reference_shape_into_the_expected_lines(ref_db):
    stage(ref_db,
          order("R1", {"2T": 10, "3T": 20, "32/30": 5, "3/6 MTHS": 1, "S(6-8)": 2}),
          order("R2", {"OS": 1, "O/S": 2, "One Sz": 3, "One_Size": 4, "One_Sz": 5, "ONE SIZE": 6, "XL": 0}),
          order("R3", {"0": 7, "04/XXS": 8, "30x30": 9, "AB/XL": None}, **R3_HEADER, **{"∆": "delta"}))
    result = run(ref_db)
    assert result.counts == {("item", "CREATE"): 3, ("subitem", "CREATE"): 9}
    assert lines(ref_db) == {
        ("R1", "2T"): 10, ("R1", "3T"): 20, ("R1", "32/30"): 5, ("R1", "3/6 MTHS"): 1, ("R1", "S(6-8)"): 2,
        ("R2", "ONE SIZE"): 21,
        ("R3", "0"): 7, ("R3", "04/XXS"): 8, ("R3", "30x30"): 9,
    }
    payload = {r["order_key"]: r["payload"] for r in rows(ref_db, "ORDER_LIST_DELTA", "order_key, payload")}
    assert payload["R3"]["CUSTOMER'S COLOUR CODE (CUSTOM FIELD) CUSTOMER PROVIDES THIS"] == "C'01"
    assert payload["R3"]["ORDER DATE PO RECEIVED"] == "2025-01-31T00:00:00"
    assert "∆" not in payload["R3"]  # not a monday column

    stage(ref_db,
          order("R1", {"2T": 10, "3T": 25, "S(6-8)": 2, "M(8-10)": 4}),
          order("R2", {"OS": 1, "O/S": 2, "One Sz": 3, "One_Size": 4, "One_Sz": 5, "ONE SIZE": 6}),
          order("R3", {"0": 7, "04/XXS": 8, "30x30": 9}, **R3_HEADER, **{"∆": "changed, not a monday column"}))
    assert run(ref_db).counts == {("subitem", "CREATE"): 1, ("subitem", "UPDATE"): 1, ("subitem", "DELETE"): 2}
    assert sorted(d for d in line_deltas(ref_db) if d[0] == "R1") == [
        ("R1", "2T", "CREATE", 10, "PENDING"), ("R1", "3/6 MTHS", "DELETE", None, "PENDING"),
        ("R1", "32/30", "DELETE", None, "PENDING"), ("R1", "3T", "CREATE", 25, "PENDING"),
        ("R1", "M(8-10)", "CREATE", 4, "PENDING"), ("R1", "S(6-8)", "CREATE", 2, "PENDING")]
    # The snapshot check hashes staging as the merges stored it: on the real 411 columns a
    # rerun of the same snapshot is recognised and the merges are skipped.
    assert run(ref_db).unchanged_rows == 3
