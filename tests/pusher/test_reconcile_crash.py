"""A reconcile-driven repair is an ordinary queued push: a pusher SIGKILLed in the middle of it and run
again still leaves no duplicate on the board, and the boards equal the database afterwards."""

from __future__ import annotations

import random
import signal

import pytest

from pusher.reconcile import queue_repairs
from tests.pusher.conftest import ITEMS_BOARD, assert_no_duplicates, point_at, push, queue_states
from tests.pusher.test_crash_safety import _config_file, _expire_leases, _start
from tests.pusher.test_reconcile import by_hand, reconcile
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL does not exist on Windows")


def _open(db):
    return {e: {s: n for s, n in c.items() if s in ("PENDING", "IN_FLIGHT")} for e, c in queue_states(db).items()}


def test_a_pusher_killed_during_a_reconcile_repair_and_run_again_leaves_no_duplicate(
        db, config, pg_url, monday_emulator_factory, load_reference, tmp_path):
    server = monday_emulator_factory(complexity_per_minute=3_000_000, budget_window_seconds=1.0)
    cfg = point_at(config, server)
    load_reference()
    assert push(cfg, db)[1] == 0
    gone = sorted(server.items(ITEMS_BOARD, include_archived=False), key=lambda i: int(i["id"]))[:20]
    for item in gone:
        by_hand(server, f"mutation {{ delete_item(item_id: {item['id']}) {{ id }} }}")
    repair = 20 + sum(len(i["subitem_ids"]) for i in gone)  # the items and their subitems, created again
    assert reconcile(cfg, db).counts()["missing_item"] == 20
    queue_repairs(db, reconcile(cfg, db))

    config_path = _config_file(tmp_path, server.url)
    before = server.stats()["mutations_total"]
    kill_after = before + random.Random(5).randint(3, repair - 20)
    process = _start(config_path, pg_url)
    wait_until(lambda: server.stats()["mutations_total"] >= kill_after or process.poll() is not None,
               "monday has applied part of the repair", timeout=60)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL, "the pusher ended before the kill: it proves nothing"
    assert server.stats()["mutations_total"] < before + repair
    for _ in range(5):
        _expire_leases(db)
        rerun = _start(config_path, pg_url)
        _, err = rerun.communicate(timeout=120)
        assert rerun.returncode in (0, 1), err.decode()
        if not any(_open(db).values()):
            break
    assert not any(_open(db).values()), _open(db)
    assert_no_duplicates(server)
    assert reconcile(cfg, db).differences == []
