"""Where ordersync's non-Python files and its local state live.

The SQL templates (``db/``, ``procedures/``), GraphQL documents (``graphql/``), the default config
(``configs/``), the ops scripts (``ops/``) and the tSQLt classes (``tests/tsqlt/``) are top-level
folders of the repository. A wheel carries them inside the package as ``pusher/_data/<same path>``
(``pyproject.toml`` maps them in at build time), so every path below hangs off one root: the
checkout when running from one (editable install), ``pusher/_data`` when installed from a wheel.

Local state (the embedded PostgreSQL's data folders) goes to ``.ordersync/`` in a checkout and to a
per-user folder once installed; ``$ORDERSYNC_STATE_DIR`` or ``ordersync --state-dir DIR`` moves it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
IS_CHECKOUT = not (PACKAGE_DIR / "_data").is_dir()
PROJECT_ROOT = PACKAGE_DIR.parent if IS_CHECKOUT else PACKAGE_DIR / "_data"
DB_DIR = PROJECT_ROOT / "db"
PROCEDURES_DIR = PROJECT_ROOT / "procedures"
GRAPHQL_DIR = PROJECT_ROOT / "graphql"
CONFIGS_DIR = PROJECT_ROOT / "configs"
TSQLT_DIR = PROJECT_ROOT / "tests" / "tsqlt"
DEFAULT_CONFIG = CONFIGS_DIR / "sync_order_list.toml"
STATE_DIR_VARIABLE = "ORDERSYNC_STATE_DIR"


def state_dir() -> Path:
    """The folder for local state: $ORDERSYNC_STATE_DIR, else .ordersync/ in a checkout, else per user."""
    override = os.environ.get(STATE_DIR_VARIABLE)
    if override:
        return Path(override).expanduser().resolve()
    return PROJECT_ROOT / ".ordersync" if IS_CHECKOUT else user_state_dir()


def user_state_dir() -> Path:
    r"""The per-user state folder: %LOCALAPPDATA%\ordersync on Windows, ~/Library/Application Support/
    ordersync on macOS, $XDG_STATE_HOME/ordersync (default ~/.local/state/ordersync) elsewhere."""
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = os.environ.get("XDG_STATE_HOME") or home / ".local" / "state"
    return Path(base) / "ordersync"
