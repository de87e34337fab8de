"""One database session for a command: connect, call procedures, run scripts, read the catalog.

PostgreSQL goes through psycopg; SQL Server through pyodbc, imported only when used (it needs
the system unixODBC library on Linux). Every procedure call is its own transaction, run again
(a few times, after a short wait) when it lost a deadlock or waited past a lock timeout.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from pusher.config import Config
from pusher.errors import ConfigError, DatabaseError
from pusher.extras import require_local
from pusher.sql.catalog import Column
from pusher.sql.dialect import Dialect, get_dialect, unmap_postgres_type

log = logging.getLogger(__name__)
_GO = re.compile(r"^\s*GO\s*;?\s*$", re.IGNORECASE | re.MULTILINE)
LOCK_CONFLICT_TRIES = 4  # first try + 3 retries, waits of 0.25, 0.5 and 1 s between them
_SQLSERVER_LOCK_CONFLICT = re.compile(r"\((1205|1222)\)")  # pyodbc ends the text with "(<Msg number>)"


class Database:
    """A lazily opened connection plus the few operations ordersync needs."""

    def __init__(self, config: Config, url: str | None = None):
        self.config = config
        self.dialect: Dialect = get_dialect(config.environment.dialect)
        self._url = url
        self._conn = None

    # -- connecting -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._url is None:
            self._url = self.config.environment.resolve_database_url()
            if self._url is None:
                from pusher.sql.embedded import database_url

                self._url = database_url()
        return self._url

    def connection(self):
        if self._conn is None:
            self._conn = self._open()
        return self._conn

    def _open(self):
        if self.dialect.name == "postgres":
            psycopg = require_local("psycopg", "a PostgreSQL database")
            try:
                return psycopg.connect(self.url, autocommit=False)
            except psycopg.Error as exc:
                raise DatabaseError(f"cannot connect to PostgreSQL: {exc}") from exc
        try:
            import pyodbc
        except ImportError as exc:
            raise ConfigError(
                f"SQL Server needs pyodbc, which did not load ({exc}): pip install pyodbc "
                f"(on Linux also the unixODBC library: apt-get install unixodbc)"
            ) from exc
        try:
            return pyodbc.connect(odbc_connection_string(self.url), autocommit=False)
        except pyodbc.Error as exc:
            raise DatabaseError(f"cannot connect to SQL Server: {exc}") from exc

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- running SQL ------------------------------------------------------------------------
    def call(self, procedure: str, **params: Any) -> list[dict[str, Any]]:
        """Run ``sync.<procedure>`` with named parameters in its own transaction; return its rows.

        dict/list parameters are sent as JSON text (the procedures parse JSON themselves).
        """
        schema = self.config.environment.sync_schema
        names = list(params)
        values = [json.dumps(v) if isinstance(v, dict | list) else v for v in params.values()]
        sql = self.dialect.call_sql(schema, procedure, names)
        return self._run(sql, values, what=f"{schema}.{procedure}")

    def fetch(self, sql: str, params: tuple | list = ()) -> list[dict[str, Any]]:
        """Run one query (placeholders in the dialect's style) in its own transaction."""
        return self._run(sql, list(params), what="query")

    def _run(self, sql: str, values: list, what: str) -> list[dict[str, Any]]:
        try:
            for attempt in Retrying(stop=stop_after_attempt(LOCK_CONFLICT_TRIES),
                                    wait=wait_exponential(multiplier=0.25, max=2),
                                    retry=retry_if_exception(_lost_lock_conflict),
                                    before_sleep=_log_retry, reraise=True):
                with attempt, self._transaction(f"{what} failed") as cur:
                    cur.execute(sql, values)
                    return _rows(cur)
        except DatabaseError as exc:
            if not _not_deployed(exc.__cause__):
                raise
            raise DatabaseError(f"{exc}. Fix: deploy ordersync to this database first: `ordersync deploy` "
                                f"(on the embedded demo database, `ordersync sample-data` before it)") from exc

    def execute_script(self, script: str, what: str) -> None:
        """Run a rendered deploy script: T-SQL batch by batch (GO), PostgreSQL in one go."""
        batches = [b for b in _GO.split(script) if b.strip()] if self.dialect.name == "tsql" else [script]
        with self._transaction(f"deploying {what} failed") as cur:
            for batch in batches:
                cur.execute(batch)

    @contextmanager
    def _transaction(self, failed: str) -> Iterator[Any]:
        """A cursor whose work is committed at the end, or rolled back and raised as
        DatabaseError("<failed>: <first line of the driver's message>")."""
        conn = self.connection()
        try:
            yield conn.cursor()
            conn.commit()
        except Exception as exc:
            conn.rollback()
            raise DatabaseError(f"{failed}: {_first_line(exc)}") from exc

    # -- catalog ----------------------------------------------------------------------------
    def live_columns(self, schema: str, table: str) -> list[Column]:
        """The table's columns in ordinal order, types in SQL Server syntax; [] if no table."""
        if self.dialect.name == "postgres":
            rows = self.fetch(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
                "FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position",
                (schema, table),
            )
            return [
                Column(r["column_name"], unmap_postgres_type(r["data_type"], r["character_maximum_length"],
                                                             r["numeric_precision"], r["numeric_scale"]))
                for r in rows
            ]
        rows = self.fetch(
            "SELECT c.name AS column_name, UPPER(t.name) + CASE "
            " WHEN t.name IN ('nvarchar','nchar') THEN '(' + IIF(c.max_length = -1, 'MAX', "
            "   CAST(c.max_length / 2 AS varchar(10))) + ')' "
            " WHEN t.name IN ('varchar','char','varbinary') THEN '(' + IIF(c.max_length = -1, 'MAX', "
            "   CAST(c.max_length AS varchar(10))) + ')' "
            " WHEN t.name IN ('decimal','numeric') THEN '(' + CAST(c.precision AS varchar(3)) + ',' "
            "   + CAST(c.scale AS varchar(3)) + ')' ELSE '' END AS sql_type "
            "FROM sys.columns c JOIN sys.types t ON t.user_type_id = c.user_type_id "
            "WHERE c.object_id = OBJECT_ID(QUOTENAME(?) + '.' + QUOTENAME(?)) ORDER BY c.column_id",
            (schema, table),
        )
        return [Column(r["column_name"], r["sql_type"]) for r in rows]


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


def _rows(cursor) -> list[dict[str, Any]]:
    """Rows of the last result set that has columns (T-SQL procedures may emit several)."""
    rows: list[dict[str, Any]] = []
    while True:
        if cursor.description:
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        nextset = getattr(cursor, "nextset", None)
        if not nextset or not nextset():
            return rows


def _lost_lock_conflict(exc: BaseException) -> bool:
    """The call lost a deadlock or waited past its lock timeout, so it is safe to run again.

    Safe because nothing of it is left: the whole call is one transaction, which
    ``_transaction`` rolled back (the engine already had for a deadlock victim, and SQL Server
    for a lock timeout under the procedures' XACT_ABORT). PostgreSQL: deadlock_detected
    (40P01), lock_not_available (55P03); SQL Server: Msg 1205, Msg 1222.
    """
    cause = exc.__cause__ if isinstance(exc, DatabaseError) else None
    if cause is None:
        return False
    if getattr(cause, "sqlstate", None) in ("40P01", "55P03"):
        return True
    return _SQLSERVER_LOCK_CONFLICT.search(str(cause)) is not None


def _log_retry(state: RetryCallState) -> None:
    log.warning("%s; running it again (try %d of %d) in %.2f s", state.outcome.exception(),
                state.attempt_number + 1, LOCK_CONFLICT_TRIES, state.next_action.sleep)


def _not_deployed(exc: BaseException | None) -> bool:
    """The driver says a procedure, view, table or schema does not exist (ordersync not deployed)."""
    # invalid_schema_name, undefined_function, undefined_table (views and tables too)
    if getattr(exc, "sqlstate", None) in ("3F000", "42883", "42P01"):
        return True
    # SQL Server: Msg 2812 (procedure), Msg 208 (table or view; also a missing schema)
    return "Could not find stored procedure" in str(exc) or "Invalid object name" in str(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0] if "\n" in text else text
