"""Least privilege on PostgreSQL: the roles of security.sql, used by real logins.

A login in `ordersync_pusher` must not read or write any ordersync table, yet run a whole
sync (claim -> monday -> mark) through the procedures and views alone; a login in
`ordersync_pipeline` runs the pipeline the same way; a login in neither can run nothing.
The security script is the one `ordersync render-ops --dialect postgres` writes.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pusher import queue, views
from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import Config
from pusher.errors import DatabaseError
from pusher.sample_data import SampleShape, load_snapshot, reference_po
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database

DENIED = r"permission denied for (table|relation|view|function|schema)"


@dataclasses.dataclass
class Logins:
    owner: Database
    pusher: Database
    pipeline: Database
    nobody: Database


@pytest.fixture
def logins(db: Database, config: Config, pg_url: str, pg_admin_url: str) -> Iterator[Logins]:
    """security.sql applied by the owner, and one login per role (plus one with no role)."""
    security = render_ops(ops_renderer(config, "postgres"))["security.sql"].sql
    db.execute_script(security, "security.sql")
    suffix = uuid.uuid4().hex[:8]
    names = {"pusher": f"t_pusher_{suffix}", "pipeline": f"t_pipeline_{suffix}", "nobody": f"t_nobody_{suffix}"}
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        for role, login in names.items():
            member = "" if role == "nobody" else f" IN ROLE ordersync_{role}"
            admin.execute(f"CREATE ROLE {login} LOGIN{member}")
    sessions = {role: Database(config, url=make_conninfo(pg_url, user=login)) for role, login in names.items()}
    yield Logins(owner=db, **sessions)
    for session in sessions.values():
        session.close()
    with psycopg.connect(pg_admin_url, autocommit=True) as admin:
        for login in names.values():
            admin.execute(f"DROP ROLE {login}")


def _tables(config: Config) -> list[str]:
    schema = config.environment.data_schema
    return [f'"{schema}"."{name}"' for name in vars(config.tables).values()]


def _load_reference_po(logins: Logins, config: Config) -> int:
    """Staging loaded by the owner (upstream's job), the pipeline run by the pipeline login."""
    load_snapshot(logins.owner, reference_po(SampleShape(config, read_columns_file(config.columns_file))))
    counts = {(r["entity"], r["action"]): r["rows"] for r in logins.pipeline.call("RunPipeline", DryRun=False)}
    assert "error" not in {entity for entity, _ in counts}, counts
    return counts[("item", "CREATE")]


@pytest.mark.parametrize("statement", ["SELECT * FROM {t}", "DELETE FROM {t}", "UPDATE {t} SET created_at = NULL",
                                       "INSERT INTO {t} DEFAULT VALUES"])
@pytest.mark.parametrize("role", ["pusher", "pipeline"])
def test_neither_role_can_touch_a_table_directly(logins, config, role, statement):
    session = getattr(logins, role)
    for table in _tables(config):
        if "created_at" in statement and table.endswith('"swp_ORDER_LIST_V2"'):
            continue  # staging has no created_at; SELECT/DELETE/INSERT cover it
        with pytest.raises(DatabaseError, match=DENIED):
            session.fetch(statement.format(t=table))


def test_the_pusher_role_runs_a_whole_sync_through_procedures_and_views(logins, config, monday_emulator):
    from pusher.sync.session import run_sync

    items = _load_reference_po(logins, config)
    pusher_config = config.with_api_url(monday_emulator.url)

    report, code = run_sync(pusher_config, logins.pusher, "test-token", dry_run=False)

    assert code == 0 and report.failed == 0
    schema = config.environment.data_schema
    for table, rows in ((config.tables.order_delta, items), (config.tables.line_delta, 317)):
        states = logins.owner.fetch(f'SELECT sync_state, count(*) AS n FROM "{schema}"."{table}" GROUP BY sync_state')
        assert states == [{"sync_state": "SYNCED", "n": rows}], table
    assert len(monday_emulator.items(config.environment.items_board_id)) == items
    # the operator's views are open to the pusher role too
    assert {r["sync_state"] for r in views.status_counts(logins.pusher)} == {"SYNCED"}
    assert views.failures(logins.pusher) == []
    assert [r["outcome"] for r in views.run_history(logins.pusher, limit=1)] == ["SUCCEEDED"]
    assert queue.ready_counts(logins.pusher) == {"item": 0, "subitem": 0}


def test_the_pusher_role_claims_marks_releases_and_requeues(logins, config):
    _load_reference_po(logins, config)
    token = uuid.uuid4()
    first, second, third = queue.claim_batch(logins.pusher, "item", 3, 60, token)
    assert queue.mark_synced(logins.pusher, token, "item", [queue.SyncResult(first.delta_id, 4242)]) == 1
    failed = queue.mark_failed(logins.pusher, token, "item",
                               [queue.Failure(second.delta_id, "ColumnValueException", "bad date", False)])
    assert (failed.to_pending, failed.to_failed) == (0, 1)
    assert queue.release_claim(logins.pusher, token) == 1
    assert queue.requeue_failed(logins.pusher, entity="item") == {"item": 1}
    run = queue.start_run_log(logins.pusher, "least-privilege test")
    queue.end_run_log(logins.pusher, run, "SUCCEEDED", 3)

    # what each call did, read by the owner: the pusher role itself cannot read the table
    table = f'"{config.environment.data_schema}"."{config.tables.order_delta}"'
    rows = {r["delta_id"]: (r["sync_state"], r["attempts"], r["monday_item_id"]) for r in logins.owner.fetch(
        f"SELECT delta_id, sync_state, attempts, monday_item_id FROM {table} WHERE delta_id IN (%s, %s, %s)",
        (first.delta_id, second.delta_id, third.delta_id))}
    assert rows == {first.delta_id: ("SYNCED", 1, 4242),  # marked synced
                    second.delta_id: ("PENDING", 0, None),  # failed for good, then requeued
                    third.delta_id: ("PENDING", 0, None)}  # released: attempt given back
    logged = views.run_history(logins.pusher, limit=1)[0]
    assert (logged["run_log_id"], logged["step"], logged["outcome"], logged["rows_affected"]) == (
        run, "least-privilege test", "SUCCEEDED", 3)


def test_the_pusher_role_cannot_run_the_pipeline_or_purge(logins):
    for procedure, params in (("RunPipeline", {"DryRun": True}), ("CheckDrift", {}),
                              ("Purge", {"DryRun": True})):
        with pytest.raises(DatabaseError, match=DENIED):
            logins.pusher.call(procedure, **params)


def test_the_pipeline_role_cannot_claim(logins):
    with pytest.raises(DatabaseError, match=DENIED):
        queue.claim_batch(logins.pipeline, "item", 1, 60, uuid.uuid4())


def test_a_login_in_neither_role_can_run_nothing(logins):
    """Functions are executable by PUBLIC by default; security.sql takes that away."""
    for procedure, params in (("SaveGroup", {"GroupKey": "k", "MondayGroupId": "g"}),
                              ("ReleaseClaim", {"ClaimToken": str(uuid.uuid4())}),
                              ("RunPipeline", {"DryRun": True})):
        with pytest.raises(DatabaseError, match=DENIED):
            logins.nobody.call(procedure, **params)
    with pytest.raises(DatabaseError, match=DENIED):
        views.status_counts(logins.nobody)


def test_the_security_script_can_run_again(logins, config):
    security = render_ops(ops_renderer(config, "postgres"))["security.sql"].sql
    logins.owner.execute_script(security, "security.sql")
    assert views.status_counts(logins.pusher) == []


def test_ordersync_pipeline_works_as_the_pipeline_role(logins, config):
    from pusher.pipeline import run_pipeline

    _load_reference_po(logins, config)
    unchanged = run_pipeline(logins.pipeline)  # nothing changed: no rows back, the run id is read from RunHistory
    assert unchanged.changed == 0 and unchanged.run_id > 0

    rows = reference_po(SampleShape(config, read_columns_file(config.columns_file)))
    rows[0][config.key_columns[0]] = None
    load_snapshot(logins.owner, rows)
    rejected = run_pipeline(logins.pipeline)  # the reject's message is read back through RunHistory too
    assert [r.order_key for r in rejected.rejects] == [None]
    assert config.key_columns[0] in rejected.rejects[0].message
