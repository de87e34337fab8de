"""The config loader reports every problem at once, each naming its key and the fix."""

import re
from pathlib import Path

import pytest

from pusher.config import load_config
from pusher.errors import ConfigError
from pusher.paths import DEFAULT_CONFIG

SHIPPED = DEFAULT_CONFIG.read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, env: str | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text), env)
    return str(info.value)


def test_the_shipped_config_loads_for_every_environment(monkeypatch):
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", "Driver={ODBC Driver 18 for SQL Server};Server=db")
    dev = load_config(DEFAULT_CONFIG, "development")
    prod = load_config(DEFAULT_CONFIG, "production")
    assert (dev.environment.dialect, dev.environment.embedded) == ("postgres", True)
    assert (prod.environment.dialect, prod.environment.embedded) == ("tsql", False)
    assert prod.environment.resolve_database_url().startswith("Driver=")
    assert dev.monday_columns[0] == "AAG ORDER NUMBER"
    assert dev.sizes.canonical("O/S") == "ONE SIZE" and dev.sizes.canonical("XS") == "XS"


def test_an_unset_database_variable_is_named(monkeypatch):
    monkeypatch.delenv("ORDERSYNC_DATABASE_URL", raising=False)
    prod = load_config(DEFAULT_CONFIG, "production")
    with pytest.raises(ConfigError, match=r"\$ORDERSYNC_DATABASE_URL, which is not set"):
        prod.environment.resolve_database_url()


def test_every_problem_is_reported_at_once_with_its_key(tmp_path):
    text = re.sub(r"batch_size = \d+", "batch_size = 0", SHIPPED).replace('mode = "snapshot"', 'mode = "weekly"')
    text = text.replace('"PO NUMBER" = "text_po"', '"PO NUMBER" = "text_style"')
    message = _problems(tmp_path, text)
    assert "2 problem(s)" in message
    assert "monday.batch_size = 0 is out of range: use 1..100" in message
    assert "staging.mode = 'weekly' is not one of snapshot, incremental" in message
    # Two sources for one monday column are a board problem, reported by `validate` with the board and
    # type checks in the same run (tests/pusher/test_validate.py), not a loader refusal that hides them.
    assert "text_style" not in message


def test_a_misspelt_key_gets_a_suggestion(tmp_path):
    message = _problems(tmp_path, SHIPPED.replace("lease_seconds =", "lease_secnds ="))
    assert "monday.lease_secnds is not a known setting: did you mean 'lease_seconds'?" in message


def test_a_password_in_the_file_is_refused(tmp_path):
    text = SHIPPED.replace('data_schema = "dbo"          # where',
                           'database_url = "postgresql://app:s3cret@db/orders"\ndata_schema = "dbo" # where', 1)
    message = _problems(tmp_path, text)
    assert "environment.development.database_url holds a password" in message
    assert "s3cret" not in message


def test_an_unknown_environment_lists_the_known_ones(tmp_path):
    message = _problems(tmp_path, SHIPPED, env="staging")
    assert "environment 'staging' is not defined: use one of development, production" in message


def test_sizes_need_markers_or_a_list_not_both(tmp_path):
    text = SHIPPED.replace('last_before = "TOTAL QTY"', 'last_before = "TOTAL QTY"\ncolumns = ["XS"]')
    message = _problems(tmp_path, text)
    assert "sizes: give either columns = [...] or first_after/last_before markers, not both" in message


def test_an_alias_to_an_alias_is_refused(tmp_path):
    message = _problems(tmp_path, SHIPPED.replace('"OS" = "ONE SIZE"', '"OS" = "O/S"'))
    assert "sizes.aliases maps OS to a name that is itself an alias" in message
