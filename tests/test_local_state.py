"""Local state on a fresh state folder: `ordersync demo` then `ordersync status` work with no flags,
and `ordersync local` lists, stops and wipes the embedded server the demo started."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.paths import STATE_DIR_VARIABLE


def _local(state: Path, capsys, *action: str) -> tuple[int, str]:
    code = ordersync(["--state-dir", str(state), "local", *action])
    return code, capsys.readouterr().out


@pytest.mark.slow
def test_status_after_the_demo_shows_its_queue_and_local_stops_and_wipes_its_server(tmp_path, monkeypatch, capsys):
    state = tmp_path / "state"
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(state))  # restored afterwards, --state-dir included
    try:
        assert ordersync(["demo", "--orders", "20"]) == 0
        capsys.readouterr()
        assert ordersync(["status", "--output-json"]) == 0
        queue = json.loads(capsys.readouterr().out)["queue"]
        assert {row["entity"] for row in queue} == {"item", "subitem"}
        assert {row["sync_state"] for row in queue} == {"SYNCED"}

        code, out = _local(state, capsys, "status")
        assert code == 0 and "pgdata" in out and "running (pid" in out
        code, out = _local(state, capsys, "reset")
        assert code == 2 and f"would delete {state / 'pgdata'}" in out and "--yes" in out
        assert (state / "pgdata" / "PG_VERSION").is_file()
        code, out = _local(state, capsys, "stop")
        assert code == 0 and "stopped pgdata" in out
        code, out = _local(state, capsys, "status")
        assert "running" not in out and "stopped" in out
        code, out = _local(state, capsys, "reset", "--yes")
        assert code == 0 and f"deleted {state / 'pgdata'}" in out
        assert not (state / "pgdata").exists()
    finally:
        _local(state, capsys, "stop")  # never leave a server behind, whatever failed
