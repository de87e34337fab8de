"""Windows parts on Linux, with only the pywin32 boundary stubbed: the Event Log entries of a scheduled
`sync --execute` (win32evtlogutil) and the per-account DPAPI secret store (win32crypt)."""

from __future__ import annotations

import sys
import types

import pytest

from pusher import eventlog, secret_store
from pusher.cli import main
from pusher.config import load_config
from pusher.errors import ConfigError
from pusher.paths import DEFAULT_CONFIG
from pusher.sync.token import resolve_token

INFORMATION, WARNING, ERROR = 4, 2, 1  # win32evtlog's EVENTLOG_*_TYPE


@pytest.fixture
def event_log(monkeypatch):
    """pywin32's event-log modules replaced by a recorder; yields the (source, type, text) written."""
    written: list[tuple[str, int, str]] = []
    welu = types.ModuleType("win32evtlogutil")
    welu.__file__ = "C:\\Python\\Lib\\site-packages\\win32\\lib\\win32evtlogutil.py"
    welu.AddSourceToRegistry = lambda appname, dllname, logtype: None
    welu.ReportEvent = lambda appname, message_id, category, kind, strings: written.append(
        (appname, kind, strings[0]))
    evtlog = types.ModuleType("win32evtlog")
    evtlog.EVENTLOG_INFORMATION_TYPE, evtlog.EVENTLOG_WARNING_TYPE, evtlog.EVENTLOG_ERROR_TYPE = (
        INFORMATION, WARNING, ERROR)
    monkeypatch.setitem(sys.modules, "win32evtlogutil", welu)
    monkeypatch.setitem(sys.modules, "win32evtlog", evtlog)
    monkeypatch.setattr(eventlog, "ON_WINDOWS", True)
    return written


@pytest.fixture
def dpapi(monkeypatch, tmp_path):
    """win32crypt replaced by a stand-in that, like DPAPI, only the storing account can reverse."""
    crypt = types.ModuleType("win32crypt")
    wintypes = types.ModuleType("pywintypes")

    class Error(Exception):
        strerror = "Key not valid for use in specified state."

    def protect(data, description, entropy, reserved, prompt, flags):
        return b"DPAPI:" + secret_store.account().encode() + b":" + entropy + b":" + data[::-1]

    def unprotect(blob, entropy, reserved, prompt, flags):
        tag, owner, salt, data = blob.split(b":", 3)
        if owner.decode() != secret_store.account() or salt != entropy:
            raise Error()
        return "description", data[::-1]

    crypt.CryptProtectData, crypt.CryptUnprotectData, wintypes.error = protect, unprotect, Error
    monkeypatch.setitem(sys.modules, "win32crypt", crypt)
    monkeypatch.setitem(sys.modules, "pywintypes", wintypes)
    monkeypatch.setattr(secret_store, "ON_WINDOWS", True)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "svc" / "AppData" / "Local"))
    monkeypatch.setenv("USERDOMAIN", "CONTOSO")
    monkeypatch.setenv("USERNAME", "svc_ordersync$")
    return tmp_path


# -- the Event Log ---------------------------------------------------------------------------------------
@pytest.fixture
def sync_command(db, config, monday_emulator, monkeypatch):
    from pusher.commands import sync as sync_command
    from pusher.sql.connection import Database

    cfg = config.with_api_url(monday_emulator.url)
    monkeypatch.setattr(sync_command, "load", lambda args: cfg)
    monkeypatch.setattr(sync_command, "open_database", lambda args: Database(cfg, url=db.url))
    monkeypatch.setenv("MONDAY_API_TOKEN", "test-token")
    return cfg


def test_a_scheduled_run_writes_its_start_and_summary_to_the_event_log(sync_command, load_reference, event_log,
                                                                        capsys):
    load_reference()
    assert main(["sync", "--execute", "--quiet", "--limit", "2"]) == 0
    capsys.readouterr()
    assert [(source, kind) for source, kind, _ in event_log] == [("ordersync", INFORMATION), ("ordersync", INFORMATION)]
    assert event_log[0][2] == "ordersync sync --execute started (env default, limit 2)"
    assert event_log[1][2].startswith("ordersync sync --execute: 4 synced, 0 failed")


def test_a_failed_run_is_an_error_in_the_event_log(sync_command, event_log, monkeypatch, capsys):
    from pusher.commands import sync as sync_cmd

    monkeypatch.delenv("MONDAY_API_TOKEN")
    production = load_config(DEFAULT_CONFIG, "production")  # no dev token default there
    monkeypatch.setattr(sync_cmd, "load", lambda args: production)
    assert main(["sync", "--execute", "--quiet"]) == 2
    capsys.readouterr()
    assert [kind for _, kind, _ in event_log] == [INFORMATION, ERROR]
    assert event_log[1][2].startswith("ordersync sync --execute failed, exit 2: environment.production: "
                                      "no monday token found in $MONDAY_API_TOKEN")


def test_the_event_log_is_not_touched_off_windows(monkeypatch):
    monkeypatch.delitem(sys.modules, "win32evtlogutil", raising=False)
    assert eventlog.attach() is None  # no pywin32 import on Linux: the boundary is not even loaded
    assert "win32evtlogutil" not in sys.modules


# -- the secret store ----------------------------------------------------------------------------------------
def test_secrets_set_from_a_handoff_file_stores_it_for_this_account_only(dpapi, capsys):
    handoff = dpapi / "token.txt"
    handoff.write_text("tok-123-secret\n", encoding="utf-8")

    assert main(["secrets", "set", "MONDAY_API_TOKEN", "--from-file", str(handoff), "--delete-source"]) == 0
    out = capsys.readouterr().out
    assert "stored MONDAY_API_TOKEN for CONTOSO\\svc_ordersync$" in out and "tok-123" not in out
    assert not handoff.exists()
    stored = secret_store.path_of("MONDAY_API_TOKEN")
    assert stored.parent == dpapi / "svc" / "AppData" / "Local" / "ordersync" / "secrets"
    assert b"tok-123-secret" not in stored.read_bytes()

    assert main(["secrets", "check", "MONDAY_API_TOKEN"]) == 0
    assert capsys.readouterr().out.strip() == "MONDAY_API_TOKEN: stored for CONTOSO\\svc_ordersync$, decrypts, " \
                                              "14 characters"


def test_the_token_and_the_database_url_come_from_the_store_when_no_variable_is_set(dpapi, monkeypatch):
    secret_store.save("MONDAY_API_TOKEN", "tok-from-store")
    secret_store.save("ORDERSYNC_DATABASE_URL", "Driver={ODBC Driver 18 for SQL Server};Server=db;PWD=s3cret")
    monkeypatch.delenv("MONDAY_API_TOKEN", raising=False)
    monkeypatch.delenv("ORDERSYNC_DATABASE_URL", raising=False)
    prod = load_config(DEFAULT_CONFIG, "production")
    assert resolve_token(prod.environment) == "tok-from-store"
    assert prod.environment.resolve_database_url().endswith("PWD=s3cret")
    monkeypatch.setenv("MONDAY_API_TOKEN", "tok-from-env")
    assert resolve_token(prod.environment) == "tok-from-env"  # the variable still wins


def test_another_account_cannot_read_the_secret_and_is_told_what_to_do(dpapi, monkeypatch):
    secret_store.save("MONDAY_API_TOKEN", "tok")
    monkeypatch.setenv("USERNAME", "administrator")
    with pytest.raises(ConfigError) as info:
        secret_store.load("MONDAY_API_TOKEN")
    assert "cannot be decrypted by CONTOSO\\administrator" in str(info.value)
    assert "run `ordersync secrets set MONDAY_API_TOKEN` as CONTOSO\\administrator" in str(info.value)


def test_off_windows_the_store_refuses_and_names_the_alternatives(monkeypatch, capsys):
    monkeypatch.setattr(secret_store, "ON_WINDOWS", False)
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(isatty=lambda: False, readline=lambda: "tok\n"))
    assert main(["secrets", "set", "MONDAY_API_TOKEN"]) == 2
    assert "uses Windows DPAPI" in capsys.readouterr().err
    assert secret_store.load("MONDAY_API_TOKEN") is None
