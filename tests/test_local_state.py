"""Local state on a fresh state folder: `ordersync demo` then `ordersync status` work with no flags,
and `ordersync local` lists, stops and wipes the embedded server the demo started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.paths import DEFAULT_CONFIG, STATE_DIR_VARIABLE
from tests.ports import unused_port


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


@pytest.mark.slow
def test_with_keep_running_the_demo_leaves_its_board_where_sync_dry_run_looks(tmp_path):
    config = tmp_path / "config.toml"  # the shipped config on a free port instead of 8765, named by the variable
    port = unused_port()
    config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace("127.0.0.1:8765", f"127.0.0.1:{port}"),
                      encoding="utf-8")
    env = {**os.environ, STATE_DIR_VARIABLE: str(tmp_path / "state"), "ORDERSYNC_CONFIG": str(config)}
    command = [sys.executable, "-m", "pusher.cli"]
    with (tmp_path / "demo.err").open("w") as errors:
        demo = subprocess.Popen([*command, "demo", "--orders", "20", "--keep-running"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=errors)
        try:
            assert any("keeps running at" in line for line in demo.stdout), (tmp_path / "demo.err").read_text()
            dry_run = subprocess.run([*command, "sync", "--dry-run"], env=env, capture_output=True, text=True)
            assert dry_run.returncode == 0, dry_run.stderr
            assert "0 synced, 0 failed" in dry_run.stdout + dry_run.stderr
        finally:
            demo.terminate()
            demo.wait()
            subprocess.run([*command, "local", "stop"], env=env, capture_output=True)
