"""A DBA reads one table: a real sync run's claims and marks are run-log rows (component 'queue')
that carry the pusher run's id as run_id, beside the run's own row, so `WHERE run_id = <id>` shows
the run and every batch it took, against the emulator and a real PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter

from pusher import views
from tests.pusher.conftest import point_at, push


def test_every_batch_of_a_sync_run_is_logged_under_the_runs_id(db, config, monday_emulator, load_reference):
    config = point_at(config, monday_emulator, batch_size=50)
    load_reference()
    report, code = push(config, db)
    assert code == 0 and report.synced == 69 + 317

    (run,) = views.view_rows(db, "RunHistory", where="component = 'pusher' AND step = 'sync'")
    assert run["run_id"] == run["run_log_id"] and run["outcome"] == "SUCCEEDED"
    batches = views.view_rows(db, "RunHistory", where="component = 'queue'", order_by="run_log_id")
    assert {b["run_id"] for b in batches} == {run["run_id"]}
    def token(b):
        counts = json.loads(b["counts"]) if isinstance(b["counts"], str) else b["counts"]
        return counts["claim_token"]

    claims = [b for b in batches if b["step"].startswith("Claim")]
    marks = [b for b in batches if b["step"].startswith("Mark")]
    # 69 orders and 317 lines in batches of 50; the last, empty claim of each queue logs nothing
    assert Counter(b["step"] for b in claims) == {"ClaimItems": 2, "ClaimSubitems": 7}
    assert {b["step"] for b in marks} == {"MarkItemsSynced", "MarkSubitemsSynced"}  # a batch may mark in parts
    assert sum(b["rows_affected"] for b in claims) == sum(b["rows_affected"] for b in marks) == 69 + 317
    tokens = {token(b) for b in claims}
    assert len(tokens) == 9 and {token(b) for b in marks} == tokens
    assert all(t == t.lower() for t in tokens)
    # status and report list runs, not batches
    assert all(r["component"] != "queue" for r in views.run_history(db, limit=100))
