"""The Python half of the dialect layer: one class per SQL engine, owning everything that differs.

Callers ask the dialect object (``get_dialect(name)`` or ``Database.dialect``) and never branch on
its name. The SQL half lives in ``procedures/_dialect/``: ``default.sql.j2`` (every Jinja macro, one per
concern) and ``<name>.sql.j2`` (only the macros this engine spells its own way).
Identifiers from config are quoted here, never pasted raw; values always travel as
parameters, which is why ``call_sql`` only ever emits placeholders.

Adding an engine: subclass ``Dialect``, implement every abstract method, set every class
attribute, add it to ``DIALECTS``, and write a counterpart of every template named for an engine
(``procedures/_dialect/<name>.sql.j2``, ``batches_<name>``, ``db/install/<name>``, ``db/security/_<name>``,
``ops/doctor/_<name>``); tests/sql/test_dialects.py checks each of these.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from pusher.errors import ConfigError, DatabaseError
from pusher.extras import require_local
from pusher.sql import server_version

_TYPE_RE = re.compile(r"^\s*([A-Za-z0-9_ ]+?)\s*(?:\(\s*([^)]*)\s*\))?\s*$")
_GO = re.compile(r"^\s*GO\s*;?\s*$", re.IGNORECASE | re.MULTILINE)
_SQLSERVER_LOCK_CONFLICT = re.compile(r"\((1205|1222)\)")  # pyodbc ends the text with "(<Msg number>)"
_BASE_OPS_SCRIPTS = ("security.sql", "doctor.sql")


class Dialect(ABC):
    """One SQL engine's spelling of the things that differ."""

    name: ClassVar[str]  # the config's `dialect` value, and the macro file's name
    title: ClassVar[str]  # the engine's name in messages
    placeholder: ClassVar[str]  # the driver's parameter marker
    quote_chars: ClassVar[tuple[str, str]]  # around an identifier; the closing one is doubled inside
    string_prefix: ClassVar[str]  # before a string literal's opening quote
    max_identifier_bytes: ClassVar[int]
    file_encoding: ClassVar[str]  # how a rendered script is written for the engine's command-line client
    ops_scripts: ClassVar[tuple[str, ...]]  # the files `ordersync render-ops` writes besides tSQLt
    has_tsqlt: ClassVar[bool]  # `render-ops` writes the tSQLt classes
    embedded_server: ClassVar[bool]  # an embedded server can stand in when no database URL is set
    uses_odbc: ClassVar[bool]  # connects through an ODBC driver the doctor should look for
    columns_from_database: ClassVar[bool]  # `render` reads the live staging table unless given a column list
    overloads_on_replace: ClassVar[bool]  # re-creating a procedure with new parameters adds an overload
    columns_query: ClassVar[str]  # the staging catalog, parameters (schema, table), read by `catalog_type`
    version_query: ClassVar[str]  # columns version, edition, read by `unsupported_reason`

    def quote(self, identifier: str) -> str:
        """Quote one identifier, doubling the closing quote character inside it."""
        self.check_identifier(identifier)
        opening, closing = self.quote_chars
        return opening + identifier.replace(closing, closing * 2) + closing

    def qualified(self, schema: str, name: str) -> str:
        return f"{self.quote(schema)}.{self.quote(name)}"

    def check_identifier(self, identifier: str) -> None:
        """Refuse identifiers the engine cannot hold, before they reach SQL."""
        if not identifier or "\x00" in identifier or identifier != identifier.strip():
            raise ConfigError(f"{identifier!r} is not a usable SQL identifier: empty, NUL or edge spaces")
        problem = self.identifier_too_long(identifier)
        if problem:
            raise ConfigError(problem)

    def payload_column_problems(self, columns: Iterable[str]) -> list[str]:
        """Why columns sent to monday would be mangled on their way out of the engine (none by default)."""
        return []

    def literal(self, text: str) -> str:
        """A string literal for names and messages baked into rendered SQL (never for data)."""
        escaped = text.replace("'", "''")
        return f"{self.string_prefix}'{escaped}'"

    def split_script(self, script: str) -> list[str]:
        """A rendered deploy script as the batches the driver runs one by one (by default one)."""
        return [script]

    @abstractmethod
    def identifier_too_long(self, identifier: str) -> str | None:
        """The refusal for a name longer than the engine keeps, or None."""

    @abstractmethod
    def param_name(self, name: str) -> str:
        """The procedure parameter spelling of ``name``."""

    @abstractmethod
    def call_sql(self, schema: str, procedure: str, param_names: list[str]) -> str:
        """SQL that runs a procedure with named parameters bound by placeholders."""

    @abstractmethod
    def sql_type(self, sqlserver_type: str) -> str:
        """Translate a column type written in SQL Server syntax (the catalog files' form)."""

    @abstractmethod
    def catalog_type(self, row: dict[str, Any]) -> str:
        """A ``columns_query`` row's type in SQL Server syntax, so both catalogs compare alike."""

    @abstractmethod
    def connect(self, url: str) -> Any:
        """A DB-API connection with autocommit off; DatabaseError if the server refuses."""

    @abstractmethod
    def bulk_load(self, cursor: Any, target: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
        """Insert ``rows`` (values in ``columns`` order, every one a parameter) into the quoted
        ``target``; return how many."""

    @abstractmethod
    def lock_conflict(self, error: BaseException) -> bool:
        """The driver's error is a lost deadlock or a lock timeout (the call may run again)."""

    @abstractmethod
    def not_deployed(self, error: BaseException) -> bool:
        """The driver's error says a procedure, view, table or schema does not exist."""

    @abstractmethod
    def unsupported_reason(self, version: str, edition: int | None) -> str | None:
        """Why a server (a ``version_query`` row) is too old for ordersync, or None when supported."""


class TSql(Dialect):
    name = "tsql"
    title = "SQL Server"
    placeholder = "?"
    quote_chars = ("[", "]")
    string_prefix = "N"  # Unicode
    max_identifier_bytes = 256  # sysname: 128 characters
    # Classic sqlcmd reads a file without a byte-order mark in the client's OEM code page, so
    # `Größe 36` or `∆` would reach SQL Server garbled (Msg 207 or a drift refusal): T-SQL files
    # carry a UTF-8 BOM (and the documented sqlcmd lines say `-f 65001`).
    file_encoding = "utf-8-sig"
    ops_scripts = (*_BASE_OPS_SCRIPTS, "sqlagent_jobs.sql", "uninstall.sql", "export_columns.sql")
    has_tsqlt = True
    embedded_server = False
    uses_odbc = True
    columns_from_database = True
    overloads_on_replace = False  # CREATE OR ALTER replaces by name and keeps grants
    columns_query = (
        "SELECT c.name AS column_name, UPPER(t.name) + CASE "
        " WHEN t.name IN ('nvarchar','nchar') THEN '(' + IIF(c.max_length = -1, 'MAX', "
        "   CAST(c.max_length / 2 AS varchar(10))) + ')' "
        " WHEN t.name IN ('varchar','char','varbinary') THEN '(' + IIF(c.max_length = -1, 'MAX', "
        "   CAST(c.max_length AS varchar(10))) + ')' "
        " WHEN t.name IN ('decimal','numeric') THEN '(' + CAST(c.precision AS varchar(3)) + ',' "
        "   + CAST(c.scale AS varchar(3)) + ')' ELSE '' END AS sql_type "
        "FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id "
        "WHERE c.object_id = OBJECT_ID(QUOTENAME(?) + '.' + QUOTENAME(?)) ORDER BY c.column_id"
    )
    version_query = ("SELECT CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)) AS version, "
                     "CAST(SERVERPROPERTY('EngineEdition') AS INT) AS edition")

    def identifier_too_long(self, identifier: str) -> str | None:
        if len(identifier) > 128:
            return f"identifier {identifier!r} is longer than SQL Server's 128 characters"
        return None

    def payload_column_problems(self, columns: Iterable[str]) -> list[str]:
        return [f"column {c!r} reaches monday but has a dot in its name, which SQL Server's "
                f"FOR JSON PATH turns into a nested object: remove it from monday.item_columns "
                f"and order.* or rename it in staging"
                for c in columns if "." in c]

    def param_name(self, name: str) -> str:
        return f"@{name}"

    def call_sql(self, schema: str, procedure: str, param_names: list[str]) -> str:
        args = ", ".join(f"@{n} = ?" for n in param_names)
        return f"SET NOCOUNT ON; EXEC {self.qualified(schema, procedure)} {args}".rstrip()

    def sql_type(self, sqlserver_type: str) -> str:
        base, args = _split_type(sqlserver_type)
        return f"{base}({args})" if args else base

    def catalog_type(self, row: dict[str, Any]) -> str:
        return row["sql_type"]

    def connect(self, url: str) -> Any:
        try:
            import pyodbc
        except ImportError as exc:
            raise ConfigError(
                f"SQL Server needs pyodbc, which did not load ({exc}): pip install pyodbc "
                f"(on Linux also the unixODBC library: apt-get install unixodbc)"
            ) from exc
        try:
            return pyodbc.connect(odbc_connection_string(url), autocommit=False)
        except pyodbc.Error as exc:
            raise DatabaseError(f"cannot connect to SQL Server: {exc}") from exc

    def lock_conflict(self, error: BaseException) -> bool:
        return _SQLSERVER_LOCK_CONFLICT.search(str(error)) is not None  # Msg 1205 deadlock, 1222 lock timeout

    def not_deployed(self, error: BaseException) -> bool:
        # Msg 2812 (procedure), Msg 208 (table or view; also a missing schema)
        return "Could not find stored procedure" in str(error) or "Invalid object name" in str(error)

    def split_script(self, script: str) -> list[str]:
        return [b for b in _GO.split(script) if b.strip()]

    def bulk_load(self, cursor: Any, target: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
        """`fast_executemany` in batches of 5000."""
        cursor.fast_executemany = True
        loaded, batch = 0, []
        column_list = ", ".join(map(self.quote, columns))
        insert = f"INSERT INTO {target} ({column_list}) VALUES ({', '.join('?' * len(columns))})"
        for values in rows:
            batch.append(values)
            if len(batch) == 5000:
                cursor.executemany(insert, batch)
                loaded, batch = loaded + len(batch), []
        if batch:
            cursor.executemany(insert, batch)
            loaded += len(batch)
        return loaded

    def unsupported_reason(self, version: str, edition: int | None) -> str | None:
        if edition in server_version.AZURE_ENGINE_EDITIONS:
            return None
        try:
            major = int(version.split(".")[0])
        except (AttributeError, ValueError):
            return f"cannot read the SQL Server version from {version!r}: check the connection points at SQL Server"
        if major < server_version.MIN_SQLSERVER_MAJOR:
            return (f"SQL Server {version} (major version {major}) is older than SQL Server 2017 (14.x), the "
                    f"oldest ordersync supports: upgrade the server or use Azure SQL")
        return None


class Postgres(Dialect):
    name = "postgres"
    title = "PostgreSQL"
    placeholder = "%s"
    quote_chars = ('"', '"')
    string_prefix = ""
    max_identifier_bytes = 63
    file_encoding = "utf-8"  # psql would send a byte-order mark to the server as text
    ops_scripts = _BASE_OPS_SCRIPTS
    has_tsqlt = False
    embedded_server = True
    uses_odbc = False
    columns_from_database = False
    overloads_on_replace = True  # a function is keyed on its name and argument types
    columns_query = ("SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
                     "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                     "ORDER BY ordinal_position")
    version_query = ("SELECT current_setting('server_version') AS version, "
                     "CAST(current_setting('server_version_num') AS INTEGER) AS edition")

    def identifier_too_long(self, identifier: str) -> str | None:
        size = len(identifier.encode("utf-8"))
        if size > self.max_identifier_bytes:
            return (f"identifier {identifier!r} is {size} bytes; PostgreSQL keeps 63 "
                    f"and would silently truncate it: rename the column or use SQL Server")
        return None

    def param_name(self, name: str) -> str:
        return f"p_{name.lower()}"

    def call_sql(self, schema: str, procedure: str, param_names: list[str]) -> str:
        """PostgreSQL renders procedures as functions (so they can return rows), hence SELECT."""
        args = ", ".join(f"{self.param_name(n)} => %s" for n in param_names)
        return f"SELECT * FROM {self.qualified(schema, procedure)}({args})"

    def sql_type(self, sqlserver_type: str) -> str:
        base, args = _split_type(sqlserver_type)
        if base in ("NVARCHAR", "VARCHAR", "NCHAR", "CHAR"):
            kind = "varchar" if "VAR" in base else "char"
            return "text" if not args or args.upper() == "MAX" else f"{kind}({args})"
        if base in ("DECIMAL", "NUMERIC"):
            return f"numeric({args})" if args else "numeric"
        if base == "DATETIME2" and args:
            return f"timestamp({args})"
        if base in _POSTGRES_TYPES:
            return _POSTGRES_TYPES[base]
        raise ConfigError(f"column type {sqlserver_type!r} has no PostgreSQL mapping: add it to pusher.sql.dialect")

    def catalog_type(self, row: dict[str, Any]) -> str:
        t, char_len = row["data_type"].lower(), row["character_maximum_length"]
        precision, scale = row["numeric_precision"], row["numeric_scale"]
        if t in ("character varying", "varchar"):
            return f"NVARCHAR({char_len})" if char_len else "NVARCHAR(MAX)"
        if t in ("character", "char"):
            return f"NCHAR({char_len})"
        if t == "numeric":
            return f"DECIMAL({precision},{scale})" if precision is not None else "DECIMAL(18,0)"
        return _SQLSERVER_TYPES.get(t, t.upper())

    def connect(self, url: str) -> Any:
        psycopg = require_local("psycopg", "a PostgreSQL database")
        try:
            return psycopg.connect(url, autocommit=False)
        except psycopg.Error as exc:
            raise DatabaseError(f"cannot connect to PostgreSQL: {exc}") from exc

    def bulk_load(self, cursor: Any, target: str, columns: list[str], rows: Iterable[list[Any]]) -> int:
        """COPY, then ANALYZE: merge plans degrade several-fold on a fresh table without statistics."""
        loaded = 0
        with cursor.copy(f"COPY {target} ({', '.join(map(self.quote, columns))}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(values)
                loaded += 1
        cursor.execute(f"ANALYZE {target}")
        return loaded

    def lock_conflict(self, error: BaseException) -> bool:
        return getattr(error, "sqlstate", None) in ("40P01", "55P03")  # deadlock_detected, lock_not_available

    def not_deployed(self, error: BaseException) -> bool:
        # invalid_schema_name, undefined_function, undefined_table (views and tables too)
        return getattr(error, "sqlstate", None) in ("3F000", "42883", "42P01")

    def unsupported_reason(self, version: str, edition: int | None) -> str | None:
        """`edition` is server_version_num."""
        if edition is not None and edition < server_version.MIN_POSTGRES_VERSION_NUM:
            return f"PostgreSQL {version} is older than 15, the oldest ordersync supports: upgrade the server"
        return None


TSQL, POSTGRES = TSql(), Postgres()
DIALECTS: dict[str, Dialect] = {d.name: d for d in (TSQL, POSTGRES)}

_POSTGRES_TYPES = {
    "INT": "integer", "INTEGER": "integer", "SMALLINT": "smallint", "TINYINT": "smallint",
    "BIGINT": "bigint", "BIT": "boolean", "FLOAT": "double precision", "REAL": "real",
    "DATE": "date", "DATETIME": "timestamp(3)", "DATETIME2": "timestamp", "SMALLDATETIME": "timestamp(0)",
    "DATETIMEOFFSET": "timestamptz", "UNIQUEIDENTIFIER": "uuid", "MONEY": "numeric(19,4)",
    "NTEXT": "text", "TEXT": "text", "VARBINARY": "bytea", "TIME": "time",
}
_SQLSERVER_TYPES = {  # PostgreSQL catalog type -> SQL Server syntax (lengths and scales handled apart)
    "text": "NVARCHAR(MAX)", "integer": "INT", "smallint": "SMALLINT", "bigint": "BIGINT", "boolean": "BIT",
    "double precision": "FLOAT", "real": "REAL", "date": "DATE", "uuid": "UNIQUEIDENTIFIER",
    "timestamp without time zone": "DATETIME2", "timestamp with time zone": "DATETIMEOFFSET",
    "bytea": "VARBINARY(MAX)", "time without time zone": "TIME", "jsonb": "NVARCHAR(MAX)",
}


def get_dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ConfigError(f"unknown dialect {name!r}: use one of {', '.join(DIALECTS)}") from None


def _split_type(sqlserver_type: str) -> tuple[str, str]:
    """SQL Server type text -> (upper-case base name, arguments without spaces)."""
    m = _TYPE_RE.match(sqlserver_type)
    if not m:
        raise ConfigError(f"cannot read the column type {sqlserver_type!r}")
    return m.group(1).strip().upper(), (m.group(2) or "").replace(" ", "")


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


def odbc_connection_string(url: str) -> str:
    """The ODBC connection string pyodbc needs, from either that or an `mssql+pyodbc://` URL.

    The config documents both forms; pyodbc only takes the first. Without a user name the URL
    means Windows authentication (Trusted_Connection), the usual choice for a service account.
    Query parameters (`driver`, `Encrypt`, `TrustServerCertificate`, ...) pass through.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("mssql", "mssql+pyodbc"):
        return url
    query = dict(parse_qsl(parts.query))
    host = unquote(parts.netloc.rpartition("@")[2]) or "localhost"  # case and a %5C named instance kept
    name, _, port = host.rpartition(":")
    server = f"{name},{port}" if name and port.isdigit() else host
    pairs = {"DRIVER": query.pop("driver", "ODBC Driver 18 for SQL Server"), "SERVER": server,
             "DATABASE": unquote(parts.path.lstrip("/"))}
    if parts.username:
        pairs.update(UID=unquote(parts.username), PWD=unquote(parts.password or ""))
    else:
        pairs["Trusted_Connection"] = "yes"
    pairs.update(query)
    return ";".join(f"{key}={_odbc_value(key, value)}" for key, value in pairs.items() if value)


def _odbc_value(key: str, value: str) -> str:
    """Brace a value that ODBC would otherwise split (`;`, braces, edge spaces), and the driver."""
    if key == "DRIVER" or any(c in value for c in ";{}") or value != value.strip():
        return "{" + value.replace("}", "}}") + "}"
    return value
