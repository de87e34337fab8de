"""The oldest servers ordersync supports, checked before anything is deployed.

SQL Server before 2017 lacks what the procedures use (CREATE OR ALTER before 2016 SP1,
STRING_AGG, CONCAT_WS, TRIM), and would fail half-way through a deploy with a syntax error
that names none of this. Checking first gives one clear sentence instead. Azure SQL Database
and Managed Instance report version 12 but run the current engine, so the edition decides.
install.sql carries the same check in T-SQL (db/install/tsql.sql.j2), with these numbers.
"""

from __future__ import annotations

from pusher.errors import DatabaseError

MIN_SQLSERVER_MAJOR = 14  # SQL Server 2017
AZURE_ENGINE_EDITIONS = (5, 8)  # SERVERPROPERTY('EngineEdition'): Azure SQL Database, Managed Instance
MIN_POSTGRES_VERSION_NUM = 150000  # PostgreSQL 15

VERSION_QUERY = {
    "tsql": "SELECT CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)) AS version, "
            "CAST(SERVERPROPERTY('EngineEdition') AS INT) AS edition",
    "postgres": "SELECT current_setting('server_version') AS version, "
                "CAST(current_setting('server_version_num') AS INTEGER) AS edition",
}


def unsupported_reason(dialect: str, version: str, edition: int | None) -> str | None:
    """Why this server is too old for ordersync, or None when it is supported.

    `edition` is SQL Server's EngineEdition, or PostgreSQL's server_version_num.
    """
    if dialect == "postgres":
        if edition is not None and edition < MIN_POSTGRES_VERSION_NUM:
            return f"PostgreSQL {version} is older than 15, the oldest ordersync supports: upgrade the server"
        return None
    if edition in AZURE_ENGINE_EDITIONS:
        return None
    try:
        major = int(version.split(".")[0])
    except (AttributeError, ValueError):
        return f"cannot read the SQL Server version from {version!r}: check the connection points at SQL Server"
    if major < MIN_SQLSERVER_MAJOR:
        return (f"SQL Server {version} (major version {major}) is older than SQL Server 2017 (14.x), the oldest "
                f"ordersync supports: upgrade the server or use Azure SQL")
    return None


def require_supported_server(db) -> str:
    """Raise DatabaseError naming the version when `db` (a pusher.sql.connection.Database) is too old.

    Returns the server's version text, for the deploy log.
    """
    rows = db.fetch(VERSION_QUERY[db.dialect.name])
    row = rows[0] if rows else {}
    version, edition = row.get("version"), row.get("edition")
    reason = unsupported_reason(db.dialect.name, version, edition)
    if reason:
        raise DatabaseError(reason)
    return str(version)
