"""The Python half of the dialect layer: identifier quoting, type mapping, procedure calls.

The SQL half lives in ``procedures/_dialect/<name>.sql.j2`` (Jinja macros, one per concern).
Identifiers from config are quoted here, never pasted raw; values always travel as
parameters, which is why ``call_sql`` only ever emits placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pusher.errors import ConfigError

_TYPE_RE = re.compile(r"^\s*([A-Za-z0-9_ ]+?)\s*(?:\(\s*([^)]*)\s*\))?\s*$")


@dataclass(frozen=True)
class Dialect:
    """One SQL engine's spelling of the few things that differ."""

    name: str  # "tsql" | "postgres"
    max_identifier_bytes: int
    placeholder: str

    def quote(self, identifier: str) -> str:
        """Quote one identifier, doubling the closing quote character inside it."""
        check_identifier(identifier, self)
        if self.name == "tsql":
            return "[" + identifier.replace("]", "]]") + "]"
        return '"' + identifier.replace('"', '""') + '"'

    def qualified(self, schema: str, name: str) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}"

    def literal(self, text: str) -> str:
        """A string literal for names and messages baked into rendered SQL (never for data)."""
        escaped = text.replace("'", "''")
        return f"N'{escaped}'" if self.name == "tsql" else f"'{escaped}'"

    def param_name(self, name: str) -> str:
        """The procedure parameter spelling: @DryRun (T-SQL), p_dryrun (PostgreSQL)."""
        return f"@{name}" if self.name == "tsql" else f"p_{name.lower()}"

    def call_sql(self, schema: str, procedure: str, param_names: list[str]) -> str:
        """SQL that runs a procedure with named parameters bound by placeholders.

        PostgreSQL renders procedures as functions (so they can return rows), hence SELECT.
        """
        target = self.qualified(schema, procedure)
        if self.name == "tsql":
            args = ", ".join(f"@{n} = ?" for n in param_names)
            return f"SET NOCOUNT ON; EXEC {target} {args}".rstrip()
        args = ", ".join(f"{self.param_name(n)} => %s" for n in param_names)
        return f"SELECT * FROM {target}({args})"

    def sql_type(self, sqlserver_type: str) -> str:
        """Translate a column type written in SQL Server syntax (the catalog files' form)."""
        return map_type(sqlserver_type, self.name)


TSQL = Dialect("tsql", max_identifier_bytes=256, placeholder="?")  # sysname: 128 characters
POSTGRES = Dialect("postgres", max_identifier_bytes=63, placeholder="%s")
DIALECTS = {d.name: d for d in (TSQL, POSTGRES)}


def get_dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ConfigError(f"unknown dialect {name!r}: use one of {', '.join(DIALECTS)}") from None


def check_identifier(identifier: str, dialect: Dialect) -> None:
    """Refuse identifiers no engine can hold, before they reach SQL."""
    if not identifier or "\x00" in identifier or identifier != identifier.strip():
        raise ConfigError(f"{identifier!r} is not a usable SQL identifier: empty, NUL or edge spaces")
    if dialect.name == "tsql" and len(identifier) > 128:
        raise ConfigError(f"identifier {identifier!r} is longer than SQL Server's 128 characters")
    if dialect.name == "postgres" and len(identifier.encode("utf-8")) > 63:
        raise ConfigError(
            f"identifier {identifier!r} is {len(identifier.encode('utf-8'))} bytes; PostgreSQL keeps 63 "
            f"and would silently truncate it: rename the column or use SQL Server"
        )


def map_type(sqlserver_type: str, dialect: str) -> str:
    """SQL Server type text -> the same type in ``dialect`` (identity for tsql, normalised)."""
    m = _TYPE_RE.match(sqlserver_type)
    if not m:
        raise ConfigError(f"cannot read the column type {sqlserver_type!r}")
    base, args = m.group(1).strip().upper(), (m.group(2) or "").replace(" ", "")
    if dialect == "tsql":
        return f"{base}({args})" if args else base
    simple = {
        "INT": "integer", "INTEGER": "integer", "SMALLINT": "smallint", "TINYINT": "smallint",
        "BIGINT": "bigint", "BIT": "boolean", "FLOAT": "double precision", "REAL": "real",
        "DATE": "date", "DATETIME": "timestamp(3)", "DATETIME2": "timestamp", "SMALLDATETIME": "timestamp(0)",
        "DATETIMEOFFSET": "timestamptz", "UNIQUEIDENTIFIER": "uuid", "MONEY": "numeric(19,4)",
        "NTEXT": "text", "TEXT": "text", "VARBINARY": "bytea", "TIME": "time",
    }
    if base in ("NVARCHAR", "VARCHAR", "NCHAR", "CHAR"):
        kind = "varchar" if "VAR" in base else "char"
        return "text" if not args or args.upper() == "MAX" else f"{kind}({args})"
    if base in ("DECIMAL", "NUMERIC"):
        return f"numeric({args})" if args else "numeric"
    if base == "DATETIME2" and args:
        return f"timestamp({args})"
    if base in simple:
        return simple[base]
    raise ConfigError(f"column type {sqlserver_type!r} has no PostgreSQL mapping: add it to pusher.sql.dialect")


# Change detection compares data, not types (issue 13): each column is hashed as its value
# cast to one fixed type per family (the dialect macro `canonical`), so a change of type within
# a family (a decimal's scale, a datetime's precision, an integer's width, a text's length)
# alone changes no hash. Keep in step with `hash_version` in procedures/_base/pipeline.sql.j2.
HASH_FAMILIES = {
    "number": ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT", "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY"),
    "float": ("FLOAT", "REAL"),
    "datetime": ("DATE", "DATETIME", "DATETIME2", "SMALLDATETIME"),
    "text": ("CHAR", "VARCHAR", "NCHAR", "NVARCHAR", "TEXT", "NTEXT"),
}


def hash_family(sqlserver_type: str) -> str:
    """The family a column is hashed by: number, float, datetime, text, or exact (as stored)."""
    m = _TYPE_RE.match(sqlserver_type)
    base = m.group(1).strip().upper() if m else ""
    return next((family for family, bases in HASH_FAMILIES.items() if base in bases), "exact")


def unmap_postgres_type(data_type: str, char_len: int | None, precision: int | None, scale: int | None) -> str:
    """A PostgreSQL catalog type back in SQL Server syntax, so both catalogs compare alike."""
    t = data_type.lower()
    if t in ("character varying", "varchar"):
        return f"NVARCHAR({char_len})" if char_len else "NVARCHAR(MAX)"
    if t == "text":
        return "NVARCHAR(MAX)"
    if t in ("character", "char"):
        return f"NCHAR({char_len})"
    if t == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None else "DECIMAL(18,0)"
    return {
        "integer": "INT", "smallint": "SMALLINT", "bigint": "BIGINT", "boolean": "BIT",
        "double precision": "FLOAT", "real": "REAL", "date": "DATE", "uuid": "UNIQUEIDENTIFIER",
        "timestamp without time zone": "DATETIME2", "timestamp with time zone": "DATETIMEOFFSET",
        "bytea": "VARBINARY(MAX)", "time without time zone": "TIME", "jsonb": "NVARCHAR(MAX)",
    }.get(t, t.upper())
