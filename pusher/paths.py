"""Where the project's non-Python files live.

ordersync runs from a checkout (an editable install): the SQL templates, GraphQL documents
and configs sit beside the ``pusher`` package, not inside it.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_DIR = PROJECT_ROOT / "db"
PROCEDURES_DIR = PROJECT_ROOT / "procedures"
GRAPHQL_DIR = PROJECT_ROOT / "graphql"
CONFIGS_DIR = PROJECT_ROOT / "configs"
DEFAULT_CONFIG = CONFIGS_DIR / "sync_order_list.toml"
STATE_DIR = PROJECT_ROOT / ".ordersync"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
