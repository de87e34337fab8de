"""Crash safety and concurrency with real processes: `python -m pusher.cli sync --execute` killed with
SIGKILL at random points, then run again -> no duplicate, no lost row; two pushers started at once on
the same queue -> no row pushed twice.

The emulator runs in the test process with a tight complexity budget so a push takes seconds. The
kill is not timed by a sleep: the test watches the emulator and kills the pusher once monday has
applied a seeded random number of mutations, so it always lands mid-push. A killed pusher's lease
would expire on its own after lease_seconds; the test lets that time pass by moving the lease end
into the past instead of sleeping.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT
from tests.pusher.conftest import (
    ITEMS_BOARD,
    SUBITEMS_BOARD,
    TOKEN,
    assert_no_duplicates,
    queue_states,
)
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL does not exist on Windows")
DONE = {"item": {"SYNCED": 69}, "subitem": {"SYNCED": 317}}
MUTATIONS = 1 + 69 + 317  # one group, the items, the subitems


def _config_file(tmp_path: Path, api_url: str) -> Path:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = text.replace('monday_api_url = "http://127.0.0.1:8765/v2"',
                        f'monday_api_url = "{api_url}"\ndatabase_url_env = "ORDERSYNC_TEST_DATABASE_URL"', 1)
    text = text.replace("lease_seconds = 300", "lease_seconds = 10")
    text = re.sub(r"^batch_size = \d+", "batch_size = 10", text, count=1, flags=re.MULTILINE)
    path = tmp_path / "sync_order_list.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _start(config_path: Path, db_url: str) -> subprocess.Popen:
    env = {**os.environ, "ORDERSYNC_TEST_DATABASE_URL": db_url, "MONDAY_API_TOKEN": TOKEN}
    return subprocess.Popen([sys.executable, "-m", "pusher.cli", "sync", "--execute", "--quiet",
                             "--config", str(config_path), "--env", "development"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _expire_leases(db) -> None:
    for table in (db.config.tables.order_delta, db.config.tables.line_delta):
        db.fetch(f"UPDATE dbo.\"{table}\" SET lease_expires_at = now() - interval '1 second' "
                 f"WHERE sync_state = 'IN_FLIGHT'")


@pytest.mark.parametrize("seed", [11, 23, 47])
def test_a_pusher_killed_at_a_random_point_and_run_again_leaves_no_duplicate_and_no_lost_row(
        db, pg_url, monday_emulator_factory, load_reference, tmp_path, seed):
    server = monday_emulator_factory(complexity_per_minute=3_000_000, budget_window_seconds=1.0)
    load_reference()
    config_path = _config_file(tmp_path, server.url)
    kill_after = random.Random(seed).randint(5, MUTATIONS - 40)  # a batch of 10 may land before the kill
    process = _start(config_path, pg_url)
    wait_until(lambda: server.stats()["mutations_total"] >= kill_after or process.poll() is not None,
               f"monday has applied {kill_after} mutations", timeout=60)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, "the pusher ended before the kill: it proves nothing"
    applied = server.stats()["mutations_total"]
    killed_with = queue_states(db)
    assert kill_after <= applied < MUTATIONS and killed_with != DONE, (applied, killed_with)
    for _ in range(5):
        _expire_leases(db)
        rerun = _start(config_path, pg_url)
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode in (0, 1), err.decode()
        if queue_states(db) == DONE:
            break
    assert queue_states(db) == DONE, killed_with
    assert_no_duplicates(server)
    assert len(server.items(ITEMS_BOARD)) == 69 and len(server.items(SUBITEMS_BOARD)) == 317


def test_two_pushers_started_at_once_never_push_a_row_twice(db, pg_url, monday_emulator_factory, load_reference,
                                                            tmp_path):
    # a tight budget makes the push take seconds, so both pushers are still at work at the same time
    server = monday_emulator_factory(complexity_per_minute=3_000_000, budget_window_seconds=1.0)
    load_reference()
    config_path = _config_file(tmp_path, server.url)
    first, second = _start(config_path, pg_url), _start(config_path, pg_url)
    for process in (first, second):
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    assert queue_states(db) == DONE
    runs = db.fetch(f'SELECT rows_affected FROM dbo."{db.config.tables.run_log}" '
                    f"WHERE component = 'pusher' AND outcome = 'SUCCEEDED'")
    assert len(runs) == 2 and all(r["rows_affected"] > 0 for r in runs), f"one pusher did all the work: {runs}"
    mutations = server.stats()["mutations"]
    assert mutations["create_item"] == 69 and mutations["create_subitem"] == 317
    assert mutations.get("change_multiple_column_values", 0) == 0
    assert mutations["create_group"] == 1  # both needed the group; one Idempotency-Key made it once
    # per row: every order and every line holds exactly one item on the board, created once
    orders = {r["order_key"] for r in db.fetch(f'SELECT order_key FROM dbo."{db.config.tables.orders}"')}
    lines = {f"{r['order_key']}|{r['size']}"
             for r in db.fetch(f'SELECT order_key, size FROM dbo."{db.config.tables.lines}"')}
    assert server.key_counts(ITEMS_BOARD, "text_order_key") == dict.fromkeys(orders, 1)
    assert server.key_counts(SUBITEMS_BOARD, "text_line_key") == dict.fromkeys(lines, 1)
