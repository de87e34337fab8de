"""Where local state goes, and what a missing optional dependency says."""

from __future__ import annotations

from pathlib import Path

import pytest

from pusher import paths
from pusher.errors import ConfigError
from pusher.extras import require_local


def test_the_state_folder_is_the_checkouts_unless_the_variable_moves_it(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.STATE_DIR_VARIABLE, raising=False)
    assert paths.IS_CHECKOUT and paths.state_dir() == paths.PROJECT_ROOT / ".ordersync"
    monkeypatch.setenv(paths.STATE_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert paths.state_dir() == tmp_path / "elsewhere"


@pytest.mark.parametrize(("platform", "variable", "expected"), [
    ("win32", "LOCALAPPDATA", Path("C:/Users/dba/AppData/Local/ordersync")),
    ("linux", "XDG_STATE_HOME", Path("/srv/state/ordersync")),
])
def test_an_installed_copy_keeps_its_state_in_the_platforms_per_user_folder(monkeypatch, platform, variable, expected):
    monkeypatch.setattr(paths.sys, "platform", platform)
    monkeypatch.setenv(variable, str(expected.parent))
    assert paths.user_state_dir() == expected
    monkeypatch.delenv(variable)
    fallback = {"win32": Path.home() / "AppData" / "Local", "linux": Path.home() / ".local" / "state"}[platform]
    assert paths.user_state_dir() == fallback / "ordersync"


def test_a_missing_local_extra_names_the_command_that_installs_it():
    with pytest.raises(ConfigError) as caught:
        require_local("ordersync_no_such_module", "the embedded PostgreSQL")
    assert 'pip install "ordersync[local]"' in str(caught.value)
    assert "the embedded PostgreSQL needs the Python package 'ordersync_no_such_module'" in str(caught.value)
