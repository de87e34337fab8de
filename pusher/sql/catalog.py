"""Staging column lists: read from a catalog file or the live database, and checked.

A catalog file has the columns `ordinal, column_name, sql_server_type, group` (tab separated),
the form of the reference `order_list_columns.tsv`. Types are kept in SQL Server syntax in
both engines so that lists from either catalog compare alike.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pusher.config import Config
from pusher.errors import ConfigError

# SQL Server type families (the staging catalog's spelling), first match wins.
_SQL_KINDS = (
    ("date", re.compile(r"^(DATE|DATETIME|DATETIME2|SMALLDATETIME|DATETIMEOFFSET)\b", re.IGNORECASE)),
    ("integer", re.compile(r"^(INT|BIGINT|SMALLINT|TINYINT|BIT)\b", re.IGNORECASE)),
    ("number", re.compile(r"^(DECIMAL|NUMERIC|FLOAT|REAL|MONEY|SMALLMONEY)\b", re.IGNORECASE)),
    ("text", re.compile(r"^(N?VARCHAR|N?CHAR|N?TEXT|UNIQUEIDENTIFIER)\b", re.IGNORECASE)),
)
SQL_KINDS = ("text", "integer", "number", "date", "other")


def sql_kind(sql_type: str) -> str:
    """The family of a SQL Server column type: text, integer, number, date or other."""
    return next((kind for kind, pattern in _SQL_KINDS if pattern.match(sql_type)), "other")


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # SQL Server syntax, e.g. NVARCHAR(100), DECIMAL(10,4), INT

    @property
    def kind(self) -> str:
        """The column's SQL type family (``sql_kind``), the vocabulary of pusher.sync.column_types."""
        return sql_kind(self.sql_type)


def read_columns_file(path: Path) -> list[Column]:
    """Columns in ordinal order from a catalog TSV; errors name the file and line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:  # an exported list may carry a BOM
            rows = list(csv.DictReader(fh, delimiter="\t"))
    except FileNotFoundError:
        raise ConfigError(f"staging.columns_file {path} does not exist: point it at a column list") from None
    columns = []
    for line, row in enumerate(rows, start=2):
        name, sql_type = (row.get("column_name") or "").strip("\r\n"), (row.get("sql_server_type") or "").strip()
        if not name or not sql_type:
            raise ConfigError(f"{path} line {line}: needs column_name and sql_server_type")
        columns.append((int(row.get("ordinal") or line - 1), Column(name, sql_type)))
    columns.sort(key=lambda pair: pair[0])
    result = [c for _, c in columns]
    names = [c.name for c in result]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ConfigError(f"{path} lists column(s) {', '.join(dups)} twice")
    return result


def size_columns(config: Config, columns: list[Column]) -> list[str]:
    """The size quantity columns: the explicit list, or those between the two markers."""
    names = [c.name for c in columns]
    if config.sizes.columns:
        return list(config.sizes.columns)
    first, last = config.sizes.first_after, config.sizes.last_before
    for key, marker in (("sizes.first_after", first), ("sizes.last_before", last)):
        if marker not in names:
            raise ConfigError(f"{key} = {marker!r} is not a staging column{_hint(marker, names)}")
    start, end = names.index(first), names.index(last)
    if end - start < 2:
        raise ConfigError(f"sizes: no columns lie between {first!r} and {last!r}: check the marker order")
    return names[start + 1 : end]


def check_config_columns(config: Config, columns: list[Column]) -> list[str]:
    """Every problem with config column names against the catalog, one sentence each."""
    by_name = {c.name: c for c in columns}
    names = list(by_name)
    problems = []
    referenced = [("order.key_columns", n) for n in config.key_columns]
    referenced += [("order.customer_column", config.customer_column)]
    referenced += [("order.item_name.columns", n) for n in config.item_name.columns]
    referenced += [("order.group_name.columns", n) for n in config.group_name.columns]
    referenced += [("monday.item_columns", n) for n in config.monday.item_columns]
    if config.sizes.columns:
        referenced += [("sizes.columns", n) for n in config.sizes.columns]
    for key, name in referenced:
        if name not in by_name:
            problems.append(f"{key}: {name!r} is not a column of the staging table{_hint(name, names)}")
    try:
        sizes = size_columns(config, columns)
    except ConfigError as exc:
        problems.append(str(exc))
        sizes = []
    for name in sizes:
        if name in by_name and by_name[name].kind != "integer":
            problems.append(f"sizes: {name!r} is {by_name[name].sql_type}, not an integer type: "
                            f"move the markers or list the size columns explicitly")
    for alias in config.sizes.aliases:
        if sizes and alias not in sizes:
            problems.append(f"sizes.aliases: {alias!r} is not a size column{_hint(alias, sizes)}")
    overlap = set(sizes) & set(config.monday_columns)
    if overlap:
        problems.append(f"sizes: {', '.join(sorted(overlap))} are both size columns and header columns")
    return problems


def fingerprint(names: list[str]) -> str:
    """A short stable digest of a column set, recorded in rendered procedures for drift checks."""
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()[:16]


def _hint(name: str, names: list[str]) -> str:
    """The fix: the closest real name, or else where to find the real ones."""
    close = difflib.get_close_matches(name, names, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return (" (fix the spelling or remove it; `ordersync render --from-database` uses the live columns, "
            "and the staging table's column list is in staging.columns_file)")
