"""The embedded PostgreSQL: started by ordersync itself when no database URL is configured.

`pgserver` bundles the server binaries; the data folder lives in the state folder
(`pusher.paths.state_dir`: `.ordersync/` in a checkout) and the server keeps running between
commands, so the next command reuses it (~0.5 s cold). `ordersync local` lists and stops them.
"""

from __future__ import annotations

import logging
import os
import subprocess
import warnings
from pathlib import Path

from pusher.errors import DatabaseError
from pusher.extras import require_local
from pusher.paths import state_dir

psycopg = require_local("psycopg", "the embedded PostgreSQL")

log = logging.getLogger(__name__)
# pgserver logs every attach and detach at INFO: noise in a DBA's log, not events.
logging.getLogger("pgserver").setLevel(logging.WARNING)
DATABASE_NAME = "ordersync"


def default_data_dir() -> Path:
    """The data folder of the embedded server that the CLI uses."""
    return state_dir() / "pgdata"


def server_url(data_dir: Path | None = None) -> str:
    """Start (or find) the embedded server and return the URL of its `postgres` database."""
    data_dir = data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    pgserver = _pgserver()
    try:
        server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    except Exception as exc:  # pgserver raises plain exceptions with the server log inside
        raise DatabaseError(f"could not start the embedded PostgreSQL in {data_dir}: {exc}") from exc
    return server.get_uri()


def _pgserver():
    """The pgserver package (the local extra), imported once it is needed."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (services, CI) as pgserver is imported;
        # pgserver's fallback to /tmp is fine, and the warning would only confuse a DBA.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        require_local("pgserver.utils", "the embedded PostgreSQL")
        return require_local("pgserver", "the embedded PostgreSQL")


def database_url(data_dir: Path | None = None, database: str = DATABASE_NAME) -> str:
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


def fresh_database(database: str, data_dir: Path | None = None) -> str:
    """URL of an empty database on the embedded server, dropped and created anew (demo runs)."""
    admin_url = server_url(data_dir)
    drop_database(admin_url, database)
    create_database(admin_url, database)
    return url_of(admin_url, database)


def data_folders(root: Path | None = None) -> list[Path]:
    """The embedded servers' data folders directly under the state folder (`pgdata`, `test-pg`, ...)."""
    root = root or state_dir()
    return sorted(marker.parent for marker in root.glob("*/PG_VERSION"))


def running_pid(data_dir: Path) -> int | None:
    """The pid of the server running on `data_dir`, None when it is stopped (postmaster.pid is stale or absent)."""
    info = _pgserver().utils.PostmasterInfo.read_from_pgdata(data_dir)
    return info.pid if info is not None and info.is_running() else None


def stop_server(data_dir: Path) -> None:
    """Stop the server on `data_dir` (fast shutdown: open sessions are ended); as pgserver runs it when root."""
    pgserver = _pgserver()
    user = "pgserver" if os.name != "nt" and os.geteuid() == 0 else None  # PostgreSQL refuses to run as root
    try:
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DatabaseError(f"could not stop the embedded PostgreSQL in {data_dir}: {exc}") from exc
