"""One database session for a command: connect, call procedures, run scripts, read the catalog.

The dialect connects (psycopg for PostgreSQL; pyodbc for SQL Server, imported only when used:
it needs the system unixODBC library on Linux). Every procedure call is its own transaction,
run again (a few times, after a short wait) when it lost a deadlock or waited past a lock timeout.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from pusher.config import Config
from pusher.errors import DatabaseError
from pusher.sql.catalog import Column
from pusher.sql.dialect import Dialect, get_dialect

log = logging.getLogger(__name__)
LOCK_CONFLICT_TRIES = 4  # first try + 3 retries, waits of 0.25, 0.5 and 1 s between them


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
        return self.dialect.connect(self.url)

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
                                    retry=retry_if_exception(self._lost_lock_conflict),
                                    before_sleep=_log_retry, reraise=True):
                with attempt, self._transaction(f"{what} failed") as cur:
                    cur.execute(sql, values)
                    return _rows(cur)
        except DatabaseError as exc:
            if exc.__cause__ is None or not self.dialect.not_deployed(exc.__cause__):
                raise
            raise DatabaseError(f"{exc}. Fix: deploy ordersync to this database first: `ordersync deploy` "
                                f"(on the embedded demo database, `ordersync sample-data` before it)") from exc

    def _lost_lock_conflict(self, exc: BaseException) -> bool:
        """The call lost a deadlock or waited past its lock timeout, so it is safe to run again.

        Safe because nothing of it is left: the whole call is one transaction, which
        ``_transaction`` rolled back (the engine already had for a deadlock victim, and SQL Server
        for a lock timeout under the procedures' XACT_ABORT). The dialect knows its engine's codes.
        """
        cause = exc.__cause__ if isinstance(exc, DatabaseError) else None
        return cause is not None and self.dialect.lock_conflict(cause)

    def execute_script(self, script: str, what: str) -> None:
        """Run a rendered deploy script: T-SQL batch by batch (GO), PostgreSQL in one go."""
        batches = self.dialect.split_script(script)
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
        rows = self.fetch(self.dialect.columns_query, (schema, table))
        return [Column(r["column_name"], self.dialect.catalog_type(r)) for r in rows]


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


def _log_retry(state: RetryCallState) -> None:
    log.warning("%s; running it again (try %d of %d) in %.2f s", state.outcome.exception(),
                state.attempt_number + 1, LOCK_CONFLICT_TRIES, state.next_action.sleep)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0] if "\n" in text else text
