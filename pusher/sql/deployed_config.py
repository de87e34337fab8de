"""What the deployed objects were rendered from, and the refusal when the config moved on.

Rendering bakes part of the config into the SQL: schemas and table names, the staging mode,
the key, the columns that reach monday (and so the row hash and the payload), the name and
group specs, the size columns and aliases. Deploy renders these settings into the view
``sync.DeployedConfig`` together with the procedures, so the view always says what the
deployed procedures were built from, and their SHA-256 into RunPipeline, which refuses a
caller's different ``ConfigFingerprint`` (error 50005, logged as REFUSED).
``ordersync pipeline`` sends the fingerprint and ``ordersync sync`` compares the view before
it claims anything; both refuse (exit 2), naming each setting that changed, until
``ordersync deploy`` renders the objects again.

Not in the fingerprint, because they travel with each call or are only defaults: monday column
ids (the pusher maps payload columns to them when it sends), ``monday.max_attempts`` and
``lease_seconds``, the mass-change guard's thresholds, the purge batch size.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pusher.config import Config
from pusher.errors import ConfigError
from pusher.sql.connection import Database
from pusher.views import view_rows

VIEW = "DeployedConfig"


def settings(config: Config) -> dict[str, Any]:
    """The config settings rendering bakes in, by `section.key` as the TOML spells them."""
    env, sizes = config.environment, config.sizes
    return {
        "environment.data_schema": env.data_schema,
        "environment.sync_schema": env.sync_schema,
        **{f"tables.{key}": value for key, value in vars(config.tables).items()},
        "staging.mode": config.staging_mode,
        "order.key_columns": list(config.key_columns),
        "order.customer_column": config.customer_column,
        "order.item_name": {"columns": list(config.item_name.columns), "separator": config.item_name.separator},
        "order.group_name": {"columns": list(config.group_name.columns), "separator": config.group_name.separator},
        "sizes.columns": list(sizes.columns) if sizes.columns else None,
        "sizes.first_after": sizes.first_after,
        "sizes.last_before": sizes.last_before,
        "sizes.aliases": dict(sorted(sizes.aliases.items())),
        "monday.item_columns (staging columns)": sorted(config.monday.item_columns),
        "hashed columns (row hash and payload)": list(config.monday_columns),
    }


def settings_json(config: Config) -> str:
    """The settings as the view stores them: ASCII JSON, so any client encoding reads it intact."""
    return json.dumps(settings(config), sort_keys=True, ensure_ascii=True)


def fingerprint(config: Config) -> str:
    """SHA-256 (hex) of the settings: what RunPipeline compares with the one it was rendered with."""
    return hashlib.sha256(settings_json(config).encode("ascii")).hexdigest()


def differences(deployed: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """One sentence per setting that differs, e.g. `order.key_columns: deployed ["A"], config ["B"]`."""
    found = []
    for key in sorted(deployed.keys() | current.keys()):
        old, new = deployed.get(key, "(not recorded)"), current.get(key, "(not recorded)")
        if old != new:
            found.append(f"{key}: deployed {json.dumps(old, ensure_ascii=False)}, "
                         f"config {json.dumps(new, ensure_ascii=False)}")
    return found


def require_deployed_config(db: Database) -> None:
    """Refuse (ConfigError, exit 2) when the deployed objects were rendered from other settings
    than `db.config`, naming each one and the fix; DatabaseError (exit 4) when the view is
    missing (nothing deployed, or deployed before it existed)."""
    problems = changed_settings(db)
    if problems:
        raise ConfigError(refusal(db.config, problems))


def changed_settings(db: Database) -> list[str]:
    """The settings that differ between sync.DeployedConfig and `db.config`, as sentences."""
    # A missing view (nothing deployed, or deployed before this check existed) is a DatabaseError
    # whose message already names the fix, `ordersync deploy` (pusher.sql.connection).
    rows = view_rows(db, VIEW, columns="settings")
    return differences(json.loads(rows[0]["settings"]) if rows else {}, settings(db.config))


def refusal(config: Config, problems: list[str]) -> str:
    listing = "\n  - ".join(problems)
    return (f"the deployed procedures were rendered from other settings than {config.path} has now "
            f"({len(problems)}):\n  - {listing}\nFix: `ordersync deploy` to render and deploy them again "
            f"(SQL Server: `ordersync render`, then run install.sql), or put the config back.")
