"""Item and group names built from one column (issue 13, Build 3).

SQL Server refuses `CONCAT_WS(separator, a)` (Msg 189: it needs 3 to 254 arguments) where
PostgreSQL accepts it, so the templates render a one-column name as the column itself.
Tested on PostgreSQL end to end, and on the T-SQL rendering by counting the arguments of
every CONCAT_WS.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from pipeline_support import order, rejects, rows, run, stage

from pusher.config import Config, NameSpec
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.render import Renderer


@pytest.fixture
def one_column(config: Config) -> Config:
    return dataclasses.replace(config, item_name=NameSpec(("PLANNER",), " - "),
                               group_name=NameSpec(("CUSTOMER NAME",), " "))


@pytest.fixture
def one_column_db(one_column: Config, pg_url: str):
    database = Database(one_column, url=pg_url)
    create_staging_and_deploy(database, read_columns_file(one_column.columns_file))
    yield database
    database.close()


def test_a_one_column_item_and_group_name_is_that_column(one_column_db):
    stage(one_column_db, order("A1", {"XS": 1}, PLANNER="ST-1"),
          order("A2", {"XS": 1}, PLANNER="S" * 300))
    result = run(one_column_db)
    assert result.counts[("item", "CREATE")] == 1
    (queued,) = rows(one_column_db, "ORDER_LIST_DELTA", "order_key, item_name, group_key")
    assert queued == {"order_key": "A1", "item_name": "ST-1", "group_key": "ACME"}
    ((step, key, message),) = rejects(one_column_db)
    assert (step, key) == ("MergeHeaders", "A2")
    assert message.startswith("item name is 300 characters, over monday's 255: \"PLANNER\" = 300 characters 'SSS")


def test_a_one_column_name_with_a_null_is_no_name(one_column_db):
    """As CONCAT_WS would have it: a NULL column leaves no name (NULL, not '')."""
    stage(one_column_db, order("A1", {"XS": 1}, PLANNER=None, CUSTOMER_NAME=None))
    run(one_column_db)
    (queued,) = rows(one_column_db, "ORDER_LIST_DELTA", "item_name, group_key")
    assert queued == {"item_name": None, "group_key": None}


def _closing(sql: str, i: int, mark: str) -> int:
    """Index of the mark closing the literal or [identifier] opened at i (doubled marks skipped)."""
    i = sql.index(mark, i + 1)
    while sql[i + 1:i + 2] == mark:
        i = sql.index(mark, i + 2)
    return i


def _concat_ws_argument_counts(sql: str) -> list[int]:
    """The number of arguments of every CONCAT_WS call (literals, [names] and nesting read)."""
    counts = []
    for match in re.finditer(r"CONCAT_WS\s*\(", sql, re.IGNORECASE):
        depth, args, i = 1, 1, match.end()
        while depth:
            ch = sql[i]
            if ch in "'[":
                i = _closing(sql, i, "'" if ch == "'" else "]")
            elif ch in "()":
                depth += 1 if ch == "(" else -1
            elif ch == "," and depth == 1:
                args += 1
            i += 1
        counts.append(args)
    return counts


def test_the_tsql_rendering_never_calls_concat_ws_with_fewer_than_three_arguments(one_column):
    renderer = Renderer(one_column, "tsql", read_columns_file(one_column.columns_file))
    counts = [n for obj in renderer.render_all() for n in _concat_ws_argument_counts(obj.sql)]
    assert counts, "no CONCAT_WS rendered at all: the check would prove nothing"
    assert min(counts) >= 3
    merge = renderer.render("procedures/sync.MergeHeaders.sql.j2").sql
    assert "NULLIF(COALESCE(CAST(p.[PLANNER] AS NVARCHAR(4000)), ''), '')" in merge


def test_name_length_counts_an_emoji_as_one_character(one_column_db, one_column):
    """monday counts characters, not UTF-16 code units: 255 emoji fit, 256 do not. PostgreSQL's
    char_length counts code points; SQL Server's LEN does too under a supplementary-character
    (_SC) collation, which the rendered length check applies."""
    stage(one_column_db, order("A1", {"XS": 1}, PLANNER="\U0001F600" * 255),
          order("A2", {"XS": 1}, PLANNER="\U0001F600" * 256))
    run(one_column_db)
    assert [(key, message[:28]) for _, key, message in rejects(one_column_db)] == [
        ("A2", "item name is 256 characters,")]
    renderer = Renderer(one_column, "tsql", read_columns_file(one_column.columns_file))
    merge = renderer.render("procedures/sync.MergeHeaders.sql.j2").sql
    assert "(LEN(CAST(k.item_name AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1) > 255" in merge
