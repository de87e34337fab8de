"""Deploying is idempotent and the exemplar procedure behaves on a real PostgreSQL."""

import pytest

from pusher.errors import DatabaseError
from pusher.sql.deploy import deploy


def _objects(db):
    return db.fetch(
        "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables "
        "WHERE table_schema IN ('dbo', 'sync') UNION ALL "
        "SELECT routine_schema || '.' || routine_name FROM information_schema.routines "
        "WHERE routine_schema = 'sync' ORDER BY 1"
    )


def test_a_second_deploy_changes_nothing(db):
    before = _objects(db)
    db.fetch('INSERT INTO dbo."ORDER_LIST_GROUPS" (group_key, group_title) VALUES (%s, %s)', ("k", "t"))
    deploy(db)
    assert _objects(db) == before
    assert db.fetch('SELECT group_key FROM dbo."ORDER_LIST_GROUPS"') == [{"group_key": "k"}]


def test_save_group_names_an_unknown_key(db):
    db.fetch('INSERT INTO dbo."ORDER_LIST_GROUPS" (group_key, group_title) VALUES (%s, %s)', ("k", "t"))
    db.call("SaveGroup", GroupKey="k", MondayGroupId="g1")
    assert db.fetch('SELECT monday_group_id FROM dbo."ORDER_LIST_GROUPS"') == [{"monday_group_id": "g1"}]
    with pytest.raises(DatabaseError, match="no group with key missing"):
        db.call("SaveGroup", GroupKey="missing", MondayGroupId="g2")


def test_a_deploy_over_an_older_signature_drops_it_so_calls_by_name_stay_unambiguous(db):
    """An upgrade that adds a parameter: RunPipeline(p_dryrun) as an older version deployed it."""
    db.fetch('DROP FUNCTION sync."RunPipeline"')
    db.fetch('CREATE FUNCTION sync."RunPipeline"(p_dryrun boolean DEFAULT false) RETURNS integer '
             "LANGUAGE sql AS 'SELECT 1'")
    deploy(db)
    signatures = db.fetch("SELECT oid::regprocedure::text AS f FROM pg_proc WHERE proname = 'RunPipeline'")
    assert len(signatures) == 1 and "numeric" in signatures[0]["f"]  # the new one, with MaxArchiveShare
    assert db.call("RunPipeline", DryRun=True) == []  # not "function is not unique"
