"""Where the monday token comes from, and the logging filter that keeps it out of every log.

Order: the environment variable named by ``monday_token_env``, then this Windows account's DPAPI
store under the same name (``ordersync secrets set``, ``pusher.secret_store``), then the OS keyring
entry named by ``monday_keyring_service`` (Windows Credential Manager, macOS Keychain, Secret
Service), then the dev-only ``monday_token_default`` meant for the local emulator. The token is never in the config
file and never printed; ``install_token_mask`` replaces it in any log record that would carry it.
"""

from __future__ import annotations

import logging
import os

from pusher import secret_store
from pusher.config import Environment
from pusher.errors import ConfigError

MASK = "***monday-token***"


def resolve_token(env: Environment) -> str:
    """The API token for ``env``; ConfigError naming every place that was tried when none is found."""
    token = os.environ.get(env.monday_token_env, "").strip()
    if token:
        return token
    token = (secret_store.load(env.monday_token_env) or "").strip()
    if token:
        return token
    if env.monday_keyring_service:
        token = _from_keyring(env.monday_keyring_service, env.monday_token_env)
        if token:
            return token
    if env.monday_token_default:
        return env.monday_token_default
    tried = f"${env.monday_token_env}"
    if secret_store.ON_WINDOWS:
        tried += f", this account's secret store ({secret_store.path_of(env.monday_token_env)})"
    if env.monday_keyring_service:
        tried += f" and keyring service {env.monday_keyring_service!r} (user {env.monday_token_env!r})"
    raise ConfigError(
        f"environment.{env.name}: no monday token found in {tried}: "
        + (f"store it as this account with `ordersync secrets set {env.monday_token_env}`"
           if secret_store.ON_WINDOWS else f"export {env.monday_token_env}=<token>")
        + (f" or `keyring set {env.monday_keyring_service} {env.monday_token_env}`"
           if env.monday_keyring_service else "")
    )


def _from_keyring(service: str, user: str) -> str | None:
    """The keyring entry, or None when there is no keyring backend on this machine (e.g. a bare server)."""
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        value = keyring.get_password(service, user)
    except KeyringError:
        return None
    return value.strip() if value else None


class TokenMaskFilter(logging.Filter):
    """Replaces the token in a record's message and arguments before any handler formats it."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token and self.token in record.getMessage():
            record.msg = record.getMessage().replace(self.token, MASK)
            record.args = None
        return True


def install_token_mask(token: str) -> TokenMaskFilter:
    """Mask ``token`` in every record that reaches the root handlers (libraries included)."""
    mask = TokenMaskFilter(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(mask)
    return mask
