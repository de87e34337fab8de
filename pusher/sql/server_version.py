"""The oldest servers ordersync supports, checked before anything is deployed.

SQL Server before 2017 lacks what the procedures use (CREATE OR ALTER before 2016 SP1,
STRING_AGG, CONCAT_WS, TRIM), and would fail half-way through a deploy with a syntax error
that names none of this. Checking first gives one clear sentence instead. Azure SQL Database
and Managed Instance report version 12 but run the current engine, so the edition decides.
install.sql carries the same check in T-SQL (db/install/tsql.sql.j2), with these numbers; the
query and the rule for each engine are its dialect's (`version_query`, `unsupported_reason`).
"""

from __future__ import annotations

from pusher.errors import DatabaseError

MIN_SQLSERVER_MAJOR = 14  # SQL Server 2017
AZURE_ENGINE_EDITIONS = (5, 8)  # SERVERPROPERTY('EngineEdition'): Azure SQL Database, Managed Instance
MIN_POSTGRES_VERSION_NUM = 150000  # PostgreSQL 15


def require_supported_server(db) -> str:
    """Raise DatabaseError naming the version when `db` (a pusher.sql.connection.Database) is too old.

    Returns the server's version text, for the deploy log.
    """
    rows = db.fetch(db.dialect.version_query)
    row = rows[0] if rows else {}
    version, edition = row.get("version"), row.get("edition")
    reason = db.dialect.unsupported_reason(version, edition)
    if reason:
        raise DatabaseError(reason)
    return str(version)
