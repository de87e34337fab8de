"""CheckDrift and RunPipeline's refusal when the staging table no longer fits the procedures."""

from __future__ import annotations

import pytest
from pipeline_support import order, rows, run, stage

from pusher.errors import DatabaseError


def test_no_drift_on_the_table_the_procedures_were_rendered_for(db):
    assert db.call("CheckDrift") == []


def test_drift_names_added_and_removed_columns_and_the_pipeline_refuses(db):
    stage(db, order("A1", {"XS": 1}))
    db.fetch('ALTER TABLE dbo."swp_ORDER_LIST_V2" ADD COLUMN "XXS Tall" INTEGER')
    db.fetch('ALTER TABLE dbo."swp_ORDER_LIST_V2" DROP COLUMN "3T"')
    assert db.call("CheckDrift") == [{"change": "added", "column_name": "XXS Tall"},
                                     {"change": "removed", "column_name": "3T"}]
    with pytest.raises(DatabaseError) as caught:
        run(db)
    message = str(caught.value)
    assert 'added "XXS Tall"' in message and 'removed "3T"' in message
    assert "ordersync render" in message and "ordersync deploy" in message
    log = rows(db, "ORDER_LIST_RUN_LOG", "outcome, error_message")
    assert [r["outcome"] for r in log] == ["REFUSED"] and 'added "XXS Tall"' in log[0]["error_message"]
    assert rows(db, "ORDER_LIST_DELTA") == [] and rows(db, "ORDER_LIST_V2") == []
