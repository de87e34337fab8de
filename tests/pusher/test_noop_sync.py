"""Invariant 6 on the pusher's side: with nothing pending, a sync sends no mutation at all."""

from __future__ import annotations

from tests.pusher.conftest import point_at, push


def test_a_sync_with_an_empty_queue_sends_no_mutation_and_almost_no_request(db, config, monday_emulator,
                                                                              load_reference):
    config = point_at(config, monday_emulator)
    load_reference()
    first, code = push(config, db)
    assert code == 0 and first.synced == 69 + 317
    before = monday_emulator.stats()

    again, code = push(config, db)

    after = monday_emulator.stats()
    assert code == 0 and (again.synced, again.failed) == (0, 0)
    assert after["mutations_total"] == before["mutations_total"]
    # Only the board read that checks the mapping is left: cost follows the change, not the table.
    assert again.requests == after["requests"] - before["requests"] <= 2
