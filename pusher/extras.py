"""Optional dependencies: import them where used, or say which command installs them.

The core install is what a production pusher needs; the embedded PostgreSQL, PostgreSQL targets
and the demo need the ``local`` extra.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pusher.errors import ConfigError

LOCAL_INSTALL = 'pip install "ordersync[local]" (in a checkout: pip install -e ".[local]")'


def require_local(module: str, needed_for: str) -> ModuleType:
    """Import ``module`` of the ``local`` extra, or fail with the command that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(f"{needed_for} needs the Python package {module!r}, which is not installed "
                          f"({exc}): {LOCAL_INSTALL}") from exc
