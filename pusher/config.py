"""Load and check `configs/sync_order_list.toml`.

Every problem is reported with the TOML key that holds it and the fix, all at once, so a
user edits the file once instead of once per error. Secrets are never read from the file:
the database URL and the monday token come from the environment variables it names.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pusher.errors import ConfigError
from pusher.monday_api import API_VERSION
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT, state_dir
from pusher.sql.dialect import DIALECTS

STAGING_MODES = ("snapshot", "incremental")
REMOVED_ORDER_ACTIONS = ("archive", "delete")
REMOVED_SIZE_ACTIONS = ("delete", "archive")
MISSING_ITEM_ACTIONS = ("recreate", "fail")
LINE_FIELDS = ("size", "qty")


class ConfigProblems(ConfigError):
    """Every problem the loader found, one sentence each in ``problems`` (``validate --output-json``)."""

    def __init__(self, path: Path, problems: list[str]):
        listing = "\n  - ".join(problems)
        super().__init__(f"{path} has {len(problems)} problem(s):\n  - {listing}")
        self.problems = list(problems)


@dataclass(frozen=True)
class Environment:
    name: str
    dialect: str
    data_schema: str
    sync_schema: str
    database_url: str | None
    database_url_env: str | None
    monday_api_url: str
    monday_token_env: str
    monday_token_default: str | None
    monday_keyring_service: str | None
    items_board_id: str
    subitems_board_id: str | None

    @property
    def embedded(self) -> bool:
        """True when no database URL is configured: ordersync runs its own PostgreSQL."""
        return self.database_url is None and self.database_url_env is None

    def resolve_database_url(self) -> str | None:
        """The URL to connect to, or None for the embedded PostgreSQL."""
        if self.database_url:
            return self.database_url
        if self.database_url_env:
            from pusher import secret_store  # the account's DPAPI store, when the variable is not set

            value = os.environ.get(self.database_url_env) or secret_store.load(self.database_url_env)
            if not value:
                raise ConfigError(
                    f"environment.{self.name}.database_url_env names ${self.database_url_env}, "
                    f"which is not set: export it with the database URL"
                    + (f", or store it as this account with `ordersync secrets set {self.database_url_env}`"
                       if secret_store.ON_WINDOWS else "")
                )
            return value
        return None


@dataclass(frozen=True)
class Tables:
    staging: str
    orders: str
    lines: str
    order_delta: str
    line_delta: str
    groups: str
    run_log: str


@dataclass(frozen=True)
class NameSpec:
    """How an item or group name is composed from staging columns."""

    columns: tuple[str, ...]
    separator: str


@dataclass(frozen=True)
class Sizes:
    columns: tuple[str, ...] | None  # explicit list, or None to discover between markers
    first_after: str | None
    last_before: str | None
    aliases: dict[str, str]

    def canonical(self, column: str) -> str:
        """The canonical size a size column counts towards (alias map, else itself)."""
        return self.aliases.get(column, column)


@dataclass(frozen=True)
class Monday:
    api_version: str
    item_key_column: str
    line_key_column: str
    batch_size: int
    timeout_seconds: float
    max_attempts: int
    lease_seconds: int
    on_removed_order: str
    on_removed_size: str
    item_columns: dict[str, str]  # staging column -> monday column id
    subitem_columns: dict[str, str]  # size | qty -> monday column id
    create_labels_if_missing: dict[str, bool]
    retry_tries: int  # tries of one request, the first included (pusher.sync.client.RetryPolicy)
    retry_backoff_seconds: float  # the first backoff; it doubles per try ...
    retry_backoff_cap_seconds: float  # ... up to this
    on_missing_item: str = "recreate"  # an item deleted or archived on the board by hand: recreate | fail


@dataclass(frozen=True)
class SqlAgent:
    """SQL Agent jobs rendered by `ordersync render-ops` (names, owner, schedules, retention)."""

    pipeline_job: str
    retention_job: str
    owner_login: str | None  # None: sqlagent_jobs.sql refuses to run (never sa by default)
    pipeline_every_minutes: int
    retention_at: str  # HH:MM, server time
    purge_synced_after_days: int
    purge_run_log_after_days: int
    purge_rows_per_batch: int  # rows per DELETE batch (SQL Server: each its own transaction)
    output_directory: str | None  # None: SQL Server's error log folder (Agent token SQLLOGDIR)
    notify_operator: str | None  # Agent operator e-mailed when a job fails

    @property
    def retention_at_hhmmss(self) -> int:
        """The retention start time as Agent's `@active_start_time` (HHMMSS integer)."""
        hours, minutes = self.retention_at.split(":")
        return int(hours) * 10000 + int(minutes) * 100


@dataclass(frozen=True)
class Alerts:
    """`ordersync status --check` thresholds (value >= threshold: that level; None: not checked) and its webhook."""

    failed_rows_warning: int | None
    failed_rows_critical: int | None
    oldest_pending_minutes_warning: int | None
    oldest_pending_minutes_critical: int | None
    minutes_since_success_warning: int | None
    minutes_since_success_critical: int | None
    webhook_url_env: str | None  # variable holding the Teams/Slack incoming-webhook URL (a secret)
    state_file: Path  # the last state announced, so the webhook fires on a change only


@dataclass(frozen=True)
class ArchiveGuard:
    """Snapshot staging's mass-change guard: a run that would archive more than `count`
    orders AND more than `share` of the live orders (or delete as many size lines) is
    refused, so that a small board losing 3 of 10 orders goes through and a 100k board losing
    9k does not. Sent by the pusher at call time; the rendered defaults serve the Agent job."""

    share: float
    count: int


@dataclass(frozen=True)
class Config:
    path: Path
    environment: Environment
    tables: Tables
    staging_mode: str
    columns_file: Path | None
    archive_guard: ArchiveGuard
    key_columns: tuple[str, ...]
    customer_column: str
    item_name: NameSpec
    group_name: NameSpec
    sizes: Sizes
    monday: Monday
    sql_agent: SqlAgent
    alerts: Alerts

    def with_api_url(self, url: str) -> Config:
        """The same config talking to another monday endpoint (the emulator in demo and tests)."""
        return replace(self, environment=replace(self.environment, monday_api_url=url))

    @property
    def monday_columns(self) -> tuple[str, ...]:
        """Staging columns whose values reach monday, in a stable order, without repeats.

        These feed the change-detection hash: key, mapped columns, name and group sources.
        """
        seen: dict[str, None] = {}
        for name in (
            *self.key_columns,
            *self.monday.item_columns,
            *self.item_name.columns,
            *self.group_name.columns,
            self.customer_column,
        ):
            seen.setdefault(name, None)
        return tuple(seen)


class _Reader:
    """Walks the TOML document, collecting every problem with its key path."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.problems: list[str] = []

    def table(self, path: str, *, required: bool = True) -> dict[str, Any]:
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                if required:
                    self.problems.append(f"[{path}] is missing: add the table (see the sample config)")
                return {}
            node = node[part]
        if not isinstance(node, dict):
            self.problems.append(f"{path} must be a table, not {type(node).__name__}")
            return {}
        return node

    def value(self, table: dict[str, Any], path: str, key: str, kind: type, *, default: Any = ...,
              choices: tuple[str, ...] | None = None) -> Any:
        if key not in table:
            if default is ...:
                self.problems.append(f"{path}.{key} is missing: set it")
                return None
            return default
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problems.append(f"{path}.{key} must be a {kind.__name__}, not {value!r}")
            return None
        if choices is not None and value not in choices:
            self.problems.append(f"{path}.{key} = {value!r} is not one of {', '.join(choices)}")
            return None
        if kind is str and not (value if key == "separator" else value.strip()):
            self.problems.append(f"{path}.{key} is empty: give it a value")
            return None
        return value

    def string_list(self, table: dict[str, Any], path: str, key: str, *, required: bool = True) -> tuple:
        if key not in table:
            if required:
                self.problems.append(f"{path}.{key} is missing: give a list of column names")
            return ()
        value = table[key]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.problems.append(f"{path}.{key} must be a non-empty list of column names, not {value!r}")
            return ()
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            self.problems.append(f"{path}.{key} lists {', '.join(duplicates)} more than once: keep one")
        return tuple(value)

    def string_map(self, table: dict[str, Any], path: str) -> dict[str, str]:
        result = {}
        for key, value in table.items():
            if not isinstance(value, str) or not value.strip():
                self.problems.append(f"{path}.{key!r} must be a non-empty string, not {value!r}")
            else:
                result[key] = value
        return result

    def unknown_keys(self, table: dict[str, Any], path: str, known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=1)
                fix = f"did you mean {hint[0]!r}?" if hint else f"known keys: {', '.join(known)}"
                self.problems.append(f"{path}.{key} is not a known setting: {fix}")


def _holds_password(url: str) -> bool:
    """True for URLs or ODBC strings that carry a password, which belongs in the environment."""
    return bool(urlsplit(url).password) or "pwd=" in url.lower() or "password=" in url.lower()


_ENV_KEYS = ("dialect", "data_schema", "sync_schema", "database_url", "database_url_env", "monday_api_url",
             "monday_token_env", "monday_token_default", "monday_keyring_service", "items_board_id",
             "subitems_board_id")


def _read_environment(r: _Reader, name: str) -> Environment | None:
    path = f"environment.{name}"
    t = r.table(path)
    r.unknown_keys(t, path, _ENV_KEYS)
    if "database_url" in t and "database_url_env" in t:
        r.problems.append(f"{path}: set database_url or database_url_env, not both")
    if isinstance(t.get("database_url"), str) and _holds_password(t["database_url"]):
        r.problems.append(f"{path}.database_url holds a password: move the URL to an environment variable "
                          f"and name it in database_url_env")
    env = Environment(
        name=name,
        dialect=r.value(t, path, "dialect", str, choices=tuple(DIALECTS)),
        data_schema=r.value(t, path, "data_schema", str, default="dbo"),
        sync_schema=r.value(t, path, "sync_schema", str, default="sync"),
        database_url=r.value(t, path, "database_url", str, default=None),
        database_url_env=r.value(t, path, "database_url_env", str, default=None),
        monday_api_url=r.value(t, path, "monday_api_url", str, default="https://api.monday.com/v2"),
        monday_token_env=r.value(t, path, "monday_token_env", str, default="MONDAY_API_TOKEN"),
        monday_token_default=r.value(t, path, "monday_token_default", str, default=None),
        monday_keyring_service=r.value(t, path, "monday_keyring_service", str, default=None),
        items_board_id=str(r.value(t, path, "items_board_id", str)),
        subitems_board_id=r.value(t, path, "subitems_board_id", str, default=None),
    )
    engine = DIALECTS.get(env.dialect)
    if engine and env.embedded and not engine.embedded_server:
        r.problems.append(f"{path}: dialect {engine.name} needs database_url_env (there is no embedded {engine.title})")
    return env


_SQL_AGENT_RANGES = (("pipeline_every_minutes", 1, 1440, 5), ("purge_synced_after_days", 1, 3650, 30),
                     ("purge_run_log_after_days", 1, 3650, 90), ("purge_rows_per_batch", 1, 100_000, 4000))


def _read_sql_agent(r: _Reader) -> SqlAgent:
    path = "sql_agent"
    t = r.table(path, required=False)
    r.unknown_keys(t, path, tuple(SqlAgent.__dataclass_fields__))
    numbers = {}
    for key, low, high, default in _SQL_AGENT_RANGES:
        value = numbers[key] = r.value(t, path, key, int, default=default)
        if isinstance(value, int) and not low <= value <= high:
            r.problems.append(f"{path}.{key} = {value} is out of range: use {low}..{high}")
    retention_at = r.value(t, path, "retention_at", str, default="02:30")
    if isinstance(retention_at, str) and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", retention_at):
        r.problems.append(f"{path}.retention_at = {retention_at!r} is not a time: write it as HH:MM, e.g. \"02:30\"")
    names = {key: r.value(t, path, key, str, default=default)
             for key, default in (("pipeline_job", "ordersync - pipeline"), ("retention_job", "ordersync - retention"))}
    if names["pipeline_job"] is not None and names["pipeline_job"] == names["retention_job"]:
        r.problems.append(f"{path}: pipeline_job and retention_job are both {names['pipeline_job']!r}: "
                          f"give the jobs different names")
    for key, value in names.items():
        if isinstance(value, str) and len(value) > 128:
            r.problems.append(f"{path}.{key} is longer than SQL Agent's 128 characters: shorten it")
    return SqlAgent(
        **names,
        owner_login=r.value(t, path, "owner_login", str, default=None),
        retention_at=retention_at,
        output_directory=r.value(t, path, "output_directory", str, default=None),
        notify_operator=r.value(t, path, "notify_operator", str, default=None),
        **numbers,
    )


_ALERT_DEFAULTS = (("failed_rows", 1, 100), ("oldest_pending_minutes", 30, 120), ("minutes_since_success", 30, 120))


def _read_alerts(r: _Reader, environment: str | None) -> Alerts:
    path = "alerts"
    t = r.table(path, required=False)
    r.unknown_keys(t, path, tuple(Alerts.__dataclass_fields__))
    levels: dict[str, int | None] = {}
    for name, warning, critical in _ALERT_DEFAULTS:
        for level, default in (("warning", warning), ("critical", critical)):
            key = f"{name}_{level}"
            value = levels[key] = r.value(t, path, key, int, default=default)
            if isinstance(value, int) and value < 0:
                r.problems.append(f"{path}.{key} = {value} is negative: use 0 or more, or leave it out")
        low, high = levels[f"{name}_warning"], levels[f"{name}_critical"]
        if isinstance(low, int) and isinstance(high, int) and low > high:
            r.problems.append(f"{path}.{name}_warning = {low} is above {name}_critical = {high}: "
                              f"the warning level must come first")
    state_file = r.value(t, path, "state_file", str, default=None)
    return Alerts(**levels, webhook_url_env=r.value(t, path, "webhook_url_env", str, default=None),
                  state_file=PROJECT_ROOT / state_file if state_file else state_dir() / f"alerts-{environment}.json")


def load_config(path: str | Path | None = None, environment: str | None = None) -> Config:
    """Read and check the config file; raise ConfigError listing every problem found."""
    path = Path(path) if path else Path(os.environ.get("ORDERSYNC_CONFIG", DEFAULT_CONFIG))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist: pass --config PATH or create it") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    r = _Reader(data)
    r.unknown_keys(data, "(top level)", ("default_environment", "environment", "tables", "staging", "order",
                                          "sizes", "monday", "sql_agent", "alerts"))

    environments = tuple(r.table("environment"))
    chosen = environment or os.environ.get("ORDERSYNC_ENV") or data.get("default_environment")
    if not chosen:
        r.problems.append("default_environment is missing: set it, or pass --env NAME")
    elif chosen not in environments:
        r.problems.append(f"environment {chosen!r} is not defined: use one of {', '.join(environments)} "
                          f"or add [environment.{chosen}]")
    env = _read_environment(r, chosen) if chosen in environments else None

    t = r.table("tables")
    r.unknown_keys(t, "tables", tuple(Tables.__dataclass_fields__))
    tables = Tables(**{k: r.value(t, "tables", k, str) for k in Tables.__dataclass_fields__})

    s = r.table("staging")
    r.unknown_keys(s, "staging", ("mode", "columns_file", "max_archive_share", "max_archive_count"))
    mode = r.value(s, "staging", "mode", str, default="snapshot", choices=STAGING_MODES)
    guard = ArchiveGuard(r.value(s, "staging", "max_archive_share", float, default=0.05),
                         r.value(s, "staging", "max_archive_count", int, default=100))
    if isinstance(guard.share, float) and not 0 <= guard.share <= 1:
        r.problems.append(f"staging.max_archive_share = {guard.share} is out of range: use 0..1 (0.05 = 5 %)")
    if isinstance(guard.count, int) and guard.count < 0:
        r.problems.append(f"staging.max_archive_count = {guard.count} is out of range: use 0 or more")
    columns_file = r.value(s, "staging", "columns_file", str, default=None)
    columns_path = None
    if columns_file:
        columns_path = Path(columns_file)
        if not columns_path.is_absolute():
            columns_path = (PROJECT_ROOT / columns_path).resolve()

    o = r.table("order")
    r.unknown_keys(o, "order", ("key_columns", "customer_column", "item_name", "group_name"))
    key_columns = r.string_list(o, "order", "key_columns")
    customer_column = r.value(o, "order", "customer_column", str)
    names = {}
    for key in ("item_name", "group_name"):
        spec = r.table(f"order.{key}")
        r.unknown_keys(spec, f"order.{key}", ("columns", "separator"))
        names[key] = NameSpec(r.string_list(spec, f"order.{key}", "columns"),
                              r.value(spec, f"order.{key}", "separator", str, default=" - "))

    z = r.table("sizes")
    r.unknown_keys(z, "sizes", ("columns", "first_after", "last_before", "aliases"))
    explicit = r.string_list(z, "sizes", "columns", required=False) or None
    first_after = r.value(z, "sizes", "first_after", str, default=None)
    last_before = r.value(z, "sizes", "last_before", str, default=None)
    if explicit and (first_after or last_before):
        r.problems.append("sizes: give either columns = [...] or first_after/last_before markers, not both")
    if not explicit and not (first_after and last_before):
        r.problems.append("sizes: set columns = [...] or both first_after and last_before marker columns")
    aliases = r.string_map(r.table("sizes.aliases", required=False), "sizes.aliases")
    chained = sorted(k for k, v in aliases.items() if v in aliases)
    if chained:
        r.problems.append(f"sizes.aliases maps {', '.join(chained)} to a name that is itself an alias: "
                          f"map straight to the canonical size")

    m = r.table("monday")
    r.unknown_keys(m, "monday", ("api_version", "item_key_column", "line_key_column", "batch_size",
                                 "timeout_seconds", "max_attempts", "lease_seconds", "on_removed_order",
                                 "on_removed_size", "item_columns", "subitem_columns",
                                 "create_labels_if_missing", "on_missing_item", "retry_tries",
                                 "retry_backoff_seconds", "retry_backoff_cap_seconds"))
    item_columns = r.string_map(r.table("monday.item_columns"), "monday.item_columns")
    subitem_columns = r.string_map(r.table("monday.subitem_columns"), "monday.subitem_columns")
    for key in subitem_columns:
        if key not in LINE_FIELDS:
            r.problems.append(f"monday.subitem_columns.{key} is not a line field: use one of {', '.join(LINE_FIELDS)}")
    labels_table = r.table("monday.create_labels_if_missing", required=False)
    labels = {}
    for key, value in labels_table.items():
        if not isinstance(value, bool):
            r.problems.append(f"monday.create_labels_if_missing.{key} must be true or false, not {value!r}")
        else:
            labels[key] = value
    # Two sources for one monday column is a board problem (`pusher.sync.preflight.board_problems`, which
    # knows the key columns too): checked there, so `validate` reports it with every other problem.
    monday = Monday(
        api_version=r.value(m, "monday", "api_version", str, default=API_VERSION),
        item_key_column=r.value(m, "monday", "item_key_column", str),
        line_key_column=r.value(m, "monday", "line_key_column", str),
        batch_size=r.value(m, "monday", "batch_size", int, default=25),
        timeout_seconds=r.value(m, "monday", "timeout_seconds", float, default=30.0),
        max_attempts=r.value(m, "monday", "max_attempts", int, default=5),
        lease_seconds=r.value(m, "monday", "lease_seconds", int, default=300),
        on_removed_order=r.value(m, "monday", "on_removed_order", str, default="archive",
                                 choices=REMOVED_ORDER_ACTIONS),
        on_removed_size=r.value(m, "monday", "on_removed_size", str, default="delete",
                                choices=REMOVED_SIZE_ACTIONS),
        item_columns=item_columns,
        subitem_columns=subitem_columns,
        create_labels_if_missing=labels,
        on_missing_item=r.value(m, "monday", "on_missing_item", str, default="recreate", choices=MISSING_ITEM_ACTIONS),
        retry_tries=r.value(m, "monday", "retry_tries", int, default=8),
        retry_backoff_seconds=r.value(m, "monday", "retry_backoff_seconds", float, default=0.5),
        retry_backoff_cap_seconds=r.value(m, "monday", "retry_backoff_cap_seconds", float, default=30.0),
    )
    for key, low, high in (("batch_size", 1, 100), ("max_attempts", 1, 100), ("lease_seconds", 10, 86400),
                           ("retry_tries", 1, 20), ("retry_backoff_seconds", 0, 60),
                           ("retry_backoff_cap_seconds", 0, 3600)):
        value = getattr(monday, key)
        if isinstance(value, (int, float)) and not low <= value <= high:
            r.problems.append(f"monday.{key} = {value} is out of range: use {low}..{high}")

    sql_agent = _read_sql_agent(r)
    alerts = _read_alerts(r, chosen)

    if r.problems:
        raise ConfigProblems(path, r.problems)
    return Config(
        path=path,
        environment=env,
        tables=tables,
        staging_mode=mode,
        columns_file=columns_path,
        archive_guard=guard,
        key_columns=key_columns,
        customer_column=customer_column,
        item_name=names["item_name"],
        group_name=names["group_name"],
        sizes=Sizes(explicit, first_after, last_before, aliases),
        monday=monday,
        sql_agent=sql_agent,
        alerts=alerts,
    )
