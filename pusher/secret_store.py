"""Secrets kept per Windows account with DPAPI: the monday token and the database URL (with its password).

``ordersync secrets set NAME`` encrypts the value with the Data Protection API in the scope of the
account that runs it and writes it to ``%LOCALAPPDATA%\\ordersync\\secrets\\NAME.dpapi``. Only that
account can decrypt it (not an administrator, not another service account), and it needs no
interactive logon, so it works for a group managed service account (gMSA) as for an ordinary
service account: run the command once *as that account*, e.g. through a one-shot scheduled task
(docs/runbook.md). NAME is the environment variable the config names (``monday_token_env``,
``database_url_env``); the variable, when set, still wins. pywin32's ``win32crypt`` is imported
only on Windows; elsewhere the store is empty and ``set`` refuses with the alternatives.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from pusher.errors import ConfigError

ON_WINDOWS = sys.platform == "win32"
SUFFIX = ".dpapi"
ENTROPY = b"ordersync secret store v1"  # binds the blobs to this tool, so another DPAPI user cannot pass them off
CRYPTPROTECT_UI_FORBIDDEN = 0x1  # a service has no desktop to prompt on
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,99}")


def account() -> str:
    """The Windows account this process runs as (for messages only)."""
    domain, user = os.environ.get("USERDOMAIN", ""), os.environ.get("USERNAME", "?")
    return f"{domain}\\{user}" if domain else user


def store_dir() -> Path:
    local = os.environ.get("LOCALAPPDATA")
    if not local:
        raise ConfigError("%LOCALAPPDATA% is not set, so this account has no profile folder for its secrets: "
                          "run the task with its user profile loaded")
    return Path(local) / "ordersync" / "secrets"


def path_of(name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise ConfigError(f"secret name {name!r} is not a variable name: use letters, digits and _ . - "
                          f"(e.g. MONDAY_API_TOKEN, the name the config gives)")
    return store_dir() / f"{name}{SUFFIX}"


def _not_windows(name: str) -> ConfigError:
    return ConfigError(f"the secret store uses Windows DPAPI, and this is {sys.platform}: "
                       f"export {name}=... for the account that runs ordersync, or use the OS keyring")


def save(name: str, value: str) -> Path:
    """Encrypt ``value`` for this account and write it (atomically); returns the file."""
    if not ON_WINDOWS:
        raise _not_windows(name)
    if not value.strip():
        raise ConfigError(f"the value for {name} is empty: nothing was stored")
    import win32crypt

    blob = win32crypt.CryptProtectData(value.strip().encode("utf-8"), f"ordersync {name}", ENTROPY, None, None,
                                       CRYPTPROTECT_UI_FORBIDDEN)
    path = path_of(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp")
    scratch.write_bytes(blob)
    os.replace(scratch, path)
    return path


def load(name: str) -> str | None:
    """The secret ``name`` of this account; None when none is stored (or not on Windows)."""
    if not ON_WINDOWS:
        return None
    path = path_of(name)
    if not path.is_file():
        return None
    import pywintypes
    import win32crypt

    try:
        _, data = win32crypt.CryptUnprotectData(path.read_bytes(), ENTROPY, None, None, CRYPTPROTECT_UI_FORBIDDEN)
    except pywintypes.error as exc:
        raise ConfigError(f"secret {name} in {path} cannot be decrypted by {account()} ({exc.strerror}): it was "
                          f"stored by another account; run `ordersync secrets set {name}` as {account()}") from None
    return data.decode("utf-8")


def delete(name: str) -> bool:
    """Remove the stored secret; False when there was none."""
    path = path_of(name)
    if not path.is_file():
        return False
    path.unlink()
    return True
