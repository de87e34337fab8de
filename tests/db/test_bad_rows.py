"""Invariant 7: bad staging rows fail alone, each with a run-log row naming it; good rows go through."""

from __future__ import annotations

import pytest
from pipeline_support import item_deltas, line_deltas, order, rejects, rows, run, set_state, stage

LONG = "LONG-" + "K" * 89


def test_bad_rows_are_rejected_one_by_one_and_the_good_rows_are_merged(db):
    stage(db,
          order("GOOD", {"XS": 1}),
          order("DUP", {"XS": 1}), order("DUP", {"XS": 2}),
          order(None, {"XS": 1}, CUSTOMER_STYLE="NOKEY"),
          order("NEG", {"XS": 4, "S": -3}),
          # item name = style - colour - key: 100 + 3 + 100 + 3 + 94 = 300 characters
          order(LONG, {"XS": 1}, CUSTOMER_STYLE="S" * 100, CUSTOMER_COLOUR_DESCRIPTION="C" * 100),
          order("OLD", {"XS": 1}, **{"ORDER DATE PO RECEIVED": "1850-01-01"}))
    result = run(db)
    assert result.counts == {("item", "CREATE"): 2, ("subitem", "CREATE"): 2, ("reject", "REJECTED"): 6}
    assert sorted(item_deltas(db)) == [("GOOD", "CREATE", "PENDING"), ("NEG", "CREATE", "PENDING")]
    assert sorted(line_deltas(db)) == [("GOOD", "XS", "CREATE", 1, "PENDING"), ("NEG", "XS", "CREATE", 4, "PENDING")]
    found = {(step, key): message for step, key, message in rejects(db)}
    assert len(rejects(db)) == 6  # both copies of the duplicate
    assert "duplicate order key: 2 staging rows" in found[("MergeHeaders", "DUP")]
    assert 'order key is NULL in "AAG ORDER NUMBER"' in found[("MergeHeaders", None)]
    assert "NOKEY" in found[("MergeHeaders", None)]
    assert 'size column "S" = -3 is negative' in found[("MergeLines", "NEG")]
    assert "item name is 300 characters, over monday's 255" in found[("MergeHeaders", LONG)]
    assert '"CUSTOMER STYLE" = 100 characters' in found[("MergeHeaders", LONG)]
    assert '"ORDER DATE PO RECEIVED" = 1850-01-01' in found[("MergeHeaders", "OLD")]
    assert "before 1900" in found[("MergeHeaders", "OLD")]
    assert [r["outcome"] for r in rows(db, "ORDER_LIST_RUN_LOG", "outcome, step") if r["step"] == "RunPipeline"] \
        == ["SUCCEEDED"]


def test_a_rejected_order_in_a_snapshot_is_not_archived_nor_changed(db):
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    stage(db, order("A1", {"XS": 9}, DESTINATION="DE"), order("A1", {"XS": 9}, DESTINATION="FR"))
    result = run(db)
    assert result.counts == {("reject", "REJECTED"): 2}
    assert item_deltas(db) == [("A1", "CREATE", "SYNCED")]
    current = rows(db, "ORDER_LIST_V2", 'is_removed, "DESTINATION"')
    assert current == [{"is_removed": False, "DESTINATION": "UK"}]
    assert line_deltas(db) == [("A1", "XS", "CREATE", 1, "PENDING")]


def test_a_fixed_row_goes_through_on_the_next_run(db):
    stage(db, order("A1", {"XS": 4, "S": -3}))
    run(db)
    stage(db, order("A1", {"XS": 4, "S": 3}))
    assert run(db).counts == {("subitem", "CREATE"): 1}
    assert sorted(line_deltas(db)) == [("A1", "S", "CREATE", 3, "PENDING"), ("A1", "XS", "CREATE", 4, "PENDING")]


@pytest.mark.parametrize("second_copy", [
    pytest.param({}, id="an exact copy of the current order"),
    pytest.param({"sizes": {"XS": 5}}, id="a copy with other sizes only"),
    pytest.param({"DESTINATION": "FR"}, id="a copy with another header value"),
])
def test_a_key_duplicated_beside_an_unchanged_row_rejects_every_copy(db, second_copy):
    """The unchanged copy is no news by itself, yet it is rejected with the other: otherwise
    MergeLines would take one copy's sizes as the truth."""
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"))
    run(db)
    set_state(db, "ORDER_LIST_DELTA", "SYNCED")
    set_state(db, "ORDER_LIST_LINES_DELTA", "SYNCED")
    other = dict(second_copy)
    stage(db, order("A1", {"XS": 1}, DESTINATION="UK"),
          order("A1", other.pop("sizes", {"XS": 1}), **{"DESTINATION": "UK", **other}))
    result = run(db)
    assert result.counts == {("reject", "REJECTED"): 2}
    assert [(step, key) for step, key, message in rejects(db)] == [("MergeHeaders", "A1")] * 2
    assert all("duplicate order key: 2 staging rows" in message for _, _, message in rejects(db))
    assert item_deltas(db) == [("A1", "CREATE", "SYNCED")]
    assert line_deltas(db) == [("A1", "XS", "CREATE", 1, "SYNCED")]


def test_an_order_with_a_rejected_line_is_looked_at_again_by_the_next_run(db):
    stage(db, order("NEG", {"XS": 4, "S": -3}))
    run(db)
    assert rows(db, "ORDER_LIST_V2", "order_key, size_hash") == [{"order_key": "NEG", "size_hash": None}]
    run(db)
    assert [(step, key) for step, key, _ in rejects(db)] == [("MergeLines", "NEG")] * 2
    stage(db, order("NEG", {"XS": 4, "S": 3}))
    run(db)
    assert sorted(line_deltas(db)) == [("NEG", "S", "CREATE", 3, "PENDING"), ("NEG", "XS", "CREATE", 4, "PENDING")]
    assert rows(db, "ORDER_LIST_V2", "size_hash IS NOT NULL AS stored") == [{"stored": True}]
