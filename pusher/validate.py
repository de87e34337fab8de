"""`ordersync validate`: the config against the database catalog and the live boards, read-only.

Every check collects problems instead of stopping at the first, and each problem is one sentence
naming both sides (the config key or staging column, and the monday column with its type), so one
run tells a user everything to fix. The checks themselves live in ``pusher.sync.preflight``: the
pusher runs them before every sync too, so a column deleted on monday stops the run before any row
is claimed.
"""

from __future__ import annotations

from pusher import queue
from pusher.config import Config
from pusher.errors import RemoteFatalError
from pusher.sql.catalog import check_config_columns
from pusher.sql.connection import Database
from pusher.sync.board import read_item_and_subitem_boards
from pusher.sync.client import MondayClient
from pusher.sync.errors import RunFatalError, TransientError
from pusher.sync.preflight import config_problems, label_problems


class BoardsUnreadable(RemoteFatalError):
    """monday refused or never answered the board read; ``problems`` still lists the staging ones."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate(config: Config, db: Database, client: MondayClient) -> list[str]:
    """Every problem of the config against the database catalog and the live boards (reads only).

    Raises BoardsUnreadable (exit 3) when the boards cannot be read, with the staging problems found.
    """
    env = config.environment
    try:
        items, subitems = read_item_and_subitem_boards(client, env.items_board_id, env.subitems_board_id)
    except (RunFatalError, TransientError) as exc:
        reason = str(client.gave_up(exc) if isinstance(exc, TransientError) else exc)
        catalog = db.live_columns(env.data_schema, config.tables.staging)
        raise BoardsUnreadable([reason, *check_config_columns(config, catalog)]) from exc
    problems = config_problems(config, db, items, subitems)
    payloads, sizes = queue.pending_values(db)
    problems += label_problems(config, items, subitems, payloads, sizes)
    full = items.capacity_problem(queue.pending_creates(db))
    return problems + ([full] if full else [])
