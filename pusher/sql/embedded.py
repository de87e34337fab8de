"""The embedded PostgreSQL: started by ordersync itself when no database URL is configured.

`pgserver` bundles the server binaries; the data folder lives in the project's `.ordersync/`
and the server keeps running between commands, so the next command reuses it (~0.5 s cold).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import psycopg

from pusher.errors import DatabaseError
from pusher.paths import STATE_DIR

log = logging.getLogger(__name__)
# pgserver logs every attach and detach at INFO: noise in a DBA's log, not events.
logging.getLogger("pgserver").setLevel(logging.WARNING)
DEFAULT_DATA_DIR = STATE_DIR / "pgdata"
DATABASE_NAME = "ordersync"


def server_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """Start (or find) the embedded server and return the URL of its `postgres` database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (services, CI); pgserver's
            # fallback to /tmp is fine, and the warning would only confuse a DBA.
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            import pgserver  # imported here: only the embedded mode needs it

            server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    except Exception as exc:  # pgserver raises plain exceptions with the server log inside
        raise DatabaseError(f"could not start the embedded PostgreSQL in {data_dir}: {exc}") from exc
    return server.get_uri()


def database_url(data_dir: Path = DEFAULT_DATA_DIR, database: str = DATABASE_NAME) -> str:
    """URL of the ordersync database on the embedded server, creating the database once."""
    admin_url = server_url(data_dir)
    create_database(admin_url, database)
    return url_of(admin_url, database)


def url_of(admin_url: str, database: str) -> str:
    """The URL of another database on the server `admin_url` points at."""
    return admin_url.replace("/postgres?", f"/{database}?", 1)


def create_database(admin_url: str, database: str, template: str | None = None) -> None:
    """Create a database unless it exists; a copy of `template` when given (which must
    have no open connection: PostgreSQL refuses to copy a database in use)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            log.info("creating database %s on the embedded PostgreSQL", database)
            create = psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database))
            if template is not None:
                create += psycopg.sql.SQL(" TEMPLATE {}").format(psycopg.sql.Identifier(template))
            conn.execute(create)


def drop_database(admin_url: str, database: str) -> None:
    """Drop a database if it exists, sessions still attached to it included."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        drop = psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(psycopg.sql.Identifier(database)))


def fresh_database(database: str, data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """URL of an empty database on the embedded server, dropped and created anew (demo runs)."""
    admin_url = server_url(data_dir)
    drop_database(admin_url, database)
    create_database(admin_url, database)
    return url_of(admin_url, database)
