"""Guards of issue 12 on the pusher side: nothing is sent that the config did not mean, an
unreachable or refusing monday is a loud FAILED run with exit 3, every run leaves a start and a
summary line in its log file, and a bad --customer is named with the closest real ones."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pusher.pipeline import run_pipeline
from pusher.sql.connection import Database
from pusher.sql.deploy import deploy
from pusher.sync.client import RetryPolicy
from tests.ports import unused_port
from tests.pusher.conftest import ITEMS_BOARD, board_items, point_at, push, queue_states


def _remap(cfg, old: str, new: str):
    """``cfg`` with the staging column ``old`` of [monday.item_columns] renamed ``new`` (same target)."""
    columns = {(new if source == old else source): target for source, target in cfg.monday.item_columns.items()}
    return dataclasses.replace(cfg, monday=dataclasses.replace(cfg.monday, item_columns=columns))


def _untouched(db) -> None:
    """Every claimed row given back: PENDING, attempts 0."""
    assert queue_states(db)["item"] == {"PENDING": 69}
    rows = db.fetch(f'SELECT DISTINCT attempts FROM dbo."{db.config.tables.order_delta}"')
    assert rows == [{"attempts": 0}]


def _last_run(db) -> dict:
    return db.fetch(f'SELECT outcome, error_message FROM dbo."{db.config.tables.run_log}" '
                    f"WHERE component = 'pusher' ORDER BY run_log_id DESC")[0]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "execute"])
def test_a_misspelt_staging_column_stops_the_run_with_exit_2_naming_the_key_and_sends_nothing(
        db, config, monday_emulator, load_reference, dry_run):
    load_reference()
    cfg = _remap(point_at(config, monday_emulator), "DESTINATION", "DESTINATON")
    report, code = push(cfg, db, dry_run=dry_run)
    assert code == 2, report.as_dict()
    (problem,) = [p for p in report.problems if "DESTINATON" in p]
    assert "monday.item_columns" in problem and "did you mean 'DESTINATION'?" in problem
    assert monday_emulator.stats()["mutations_total"] == 0
    _untouched(db)
    run = _last_run(db)
    assert run["outcome"] == "FAILED" and "DESTINATON" in run["error_message"]


def test_a_mapping_the_deployed_procedures_do_not_carry_is_absent_not_empty(
        db, config, monday_emulator, load_reference):
    """PLANNER is a real staging column, but the procedures were rendered with DESTINATION mapped:
    the claimed payloads lack PLANNER. Sending "" would blank Destination; the run stops instead."""
    load_reference()
    cfg = _remap(point_at(config, monday_emulator), "DESTINATION", "PLANNER")
    for dry_run in (True, False):
        report, code = push(cfg, db, dry_run=dry_run)
        assert code == 2, report.as_dict()
        (problem,) = report.problems
        assert "'PLANNER'" in problem and "absent, not NULL" in problem and "ordersync deploy" in problem
    assert monday_emulator.stats()["mutations_total"] == 0
    _untouched(db)
    assert _last_run(db)["outcome"] == "FAILED"


def test_after_mapping_a_new_column_deploy_and_one_pipeline_run_let_the_sync_through(
        db, config, monday_emulator, load_reference):
    """The way out of the refusal above, as its message says: deploy the new mapping, run the
    pipeline. The new column changes every order's hash, so the pipeline folds the current values,
    the new column included, into the rows already queued; the sync then sends PLANNER, not ""."""
    rows = load_reference()
    cfg = _remap(point_at(config, monday_emulator), "DESTINATION", "PLANNER")
    assert push(cfg, db)[1] == 2
    with Database(cfg, url=db.url) as remapped:
        deploy(remapped)
        run_pipeline(remapped)
        report, code = push(cfg, remapped)
    assert code == 0, report.as_dict()
    item = next(i for i in board_items(monday_emulator) if i["name"].endswith(rows[0]["AAG ORDER NUMBER"]))
    assert item["column_values"]["text_destination"]["text"] == rows[0]["PLANNER"] != rows[0]["DESTINATION"]


def test_a_claimed_row_without_a_mapped_field_stops_the_run_before_its_first_mutation(
        db, config, monday_emulator, load_reference):
    """The preflight samples the oldest pending change; a later row whose payload lacks a mapped field
    (queued by older procedures) is caught when claimed, before anything of its batch is sent."""
    load_reference()
    table = f'dbo."{config.tables.order_delta}"'
    second = db.fetch(f"SELECT delta_id FROM {table} ORDER BY delta_id OFFSET 1 LIMIT 1")[0]["delta_id"]
    db.fetch(f"UPDATE {table} SET payload = payload - 'DESTINATION' WHERE delta_id = %s", (second,))
    report, code = push(point_at(config, monday_emulator), db)
    assert code == 2, report.as_dict()
    (problem,) = report.problems
    assert "'DESTINATION'" in problem and "absent, not NULL" in problem
    assert monday_emulator.stats()["mutations_total"] == 0  # not even the group
    _untouched(db)
    assert _last_run(db)["outcome"] == "FAILED"


def test_a_null_in_staging_still_clears_the_monday_value(db, config, monday_emulator, load_reference):
    cfg = point_at(config, monday_emulator)
    rows = load_reference()
    assert push(cfg, db)[1] == 0
    key = rows[0]["AAG ORDER NUMBER"]
    assert rows[0]["DESTINATION"]
    rows[0]["DESTINATION"] = None
    load_reference(rows)
    assert push(cfg, db)[1] == 0
    item = {i["column_values"]["text_order_key"]["text"]: i for i in monday_emulator.items(ITEMS_BOARD)}[key]
    assert not item["column_values"]["text_destination"]["text"]


QUICK_RETRIES = RetryPolicy(tries=8, backoff_seconds=0.001, backoff_cap_seconds=30.0)


@pytest.fixture
def config(config):
    """The shipped config with the real retry policy, its backoff shortened so eight tries take well under a second."""
    return dataclasses.replace(config, monday=dataclasses.replace(
        config.monday, retry_backoff_seconds=QUICK_RETRIES.backoff_seconds))


def test_an_unreachable_monday_fails_the_run_loudly_with_exit_3_and_spends_nothing(
        db, config, monday_emulator, load_reference, caplog):
    load_reference()
    url = f"http://127.0.0.1:{unused_port()}/v2"
    cfg = dataclasses.replace(point_at(config, monday_emulator), environment=dataclasses.replace(
        config.environment, monday_api_url=url))
    report, code = push(cfg, db)
    assert code == 3
    assert url in report.fatal and "8 tries over" in report.fatal and "ConnectionError" in report.fatal
    _untouched(db)
    run = _last_run(db)
    assert run["outcome"] == "FAILED" and url in run["error_message"]
    assert any(r.levelname == "ERROR" and url in r.getMessage() for r in caplog.records)


def test_the_number_of_tries_is_the_configured_monday_retry_tries(db, config, monday_emulator, load_reference):
    load_reference()
    monday_emulator.set_faults([{"kind": "500", "rate": 1.0}], seed=1)
    report, code = push(point_at(config, monday_emulator, retry_tries=3), db)
    assert code == 3 and "3 tries over" in report.fatal
    assert monday_emulator.stats()["errors_by_code"]["INTERNAL_SERVER_ERROR"] == 3  # the board read, three times
    _untouched(db)


def test_a_5xx_storm_fails_the_run_with_exit_3_and_the_rows_wait(
        db, config, monday_emulator, load_reference):
    load_reference()
    cfg = point_at(config, monday_emulator)
    monday_emulator.set_faults([{"kind": "500", "rate": 1.0}], seed=1)
    report, code = push(cfg, db)
    assert code == 3 and "INTERNAL_SERVER_ERROR" in report.fatal and monday_emulator.url in report.fatal
    assert "8 tries" in report.fatal
    _untouched(db)
    assert _last_run(db)["outcome"] == "FAILED"
    monday_emulator.clear_faults()
    assert push(cfg, db)[1] == 0
    assert queue_states(db)["item"] == {"SYNCED": 69}


def _run_command(argv, cfg, db, monkeypatch):
    """`ordersync sync ...` through the CLI, with the config and database of the test."""
    from pusher.cli import main
    from pusher.commands import sync as sync_command
    from pusher.sql.connection import Database

    monkeypatch.setattr(sync_command, "load", lambda args: cfg)
    monkeypatch.setattr(sync_command, "open_database", lambda args: Database(cfg, url=db.url))
    monkeypatch.setenv("MONDAY_API_TOKEN", "test-token")
    return main(argv)


@pytest.fixture
def root_logging():
    """Give the root logger back as it was: the command adds its log file handler to it."""
    import logging

    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    yield
    for handler in root.handlers[len(saved[1]):]:
        handler.close()
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


def test_every_sync_writes_a_start_and_a_summary_line_to_its_log_file_even_with_nothing_pending(
        db, config, monday_emulator, monkeypatch, tmp_path, root_logging, capsys):
    log_file = tmp_path / "logs" / "sync.log"
    code = _run_command(["sync", "--execute", "--quiet", "--log-file", str(log_file)],
                        point_at(config, monday_emulator), db, monkeypatch)
    assert code == 0
    text = log_file.read_text(encoding="utf-8")
    assert "sync --execute started: environment development" in text
    assert "sync --execute finished: SUCCEEDED, 0 synced, 0 failed" in text and "exit 0" in text


def test_an_unreachable_monday_is_one_line_in_the_log_file_and_exit_3_from_the_command(
        db, config, monday_emulator, load_reference, monkeypatch, tmp_path, root_logging, capsys):
    load_reference()
    url = f"http://127.0.0.1:{unused_port()}/v2"
    cfg = dataclasses.replace(config, environment=dataclasses.replace(config.environment, monday_api_url=url))
    log_file = tmp_path / "sync.log"
    code = _run_command(["sync", "--execute", "--quiet", "--output-json", "--log-file", str(log_file)], cfg, db,
                        monkeypatch)
    assert code == 3
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == 3 and url in out["fatal"]
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" not in text
    finished = [line for line in text.splitlines() if "finished: FAILED" in line]
    assert len(finished) == 1 and url in finished[0] and "exit 3" in finished[0]


def test_an_unknown_customer_is_refused_with_exit_2_naming_the_closest_ones(
        db, config, monday_emulator, load_reference):
    rows = load_reference()
    customer = rows[0]["CUSTOMER NAME"]
    cfg = point_at(config, monday_emulator)
    report, code = push(cfg, db, dry_run=True, customer=customer[:-2])
    assert code == 2
    (problem,) = report.problems
    assert f"--customer {customer[:-2]!r}" in problem and f"closest: {customer!r}" in problem
    _untouched(db)
    report, code = push(cfg, db, dry_run=True, customer=customer.upper())
    assert code == 2 and f"closest: {customer!r}" in report.problems[0]  # the exact spelling is named
    report, code = push(cfg, db, dry_run=True, customer=customer)
    assert code == 0 and report.counts["item"]["create:planned"] == 69


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "execute"])
def test_an_unknown_monday_column_exits_2_before_anything_is_claimed(
        db, config, monday_emulator, load_reference, dry_run):
    load_reference()
    cfg = point_at(config, monday_emulator)
    columns = {**cfg.monday.item_columns, "PO NUMBER": "text_no_such_column"}
    cfg = dataclasses.replace(cfg, monday=dataclasses.replace(cfg.monday, item_columns=columns))
    report, code = push(cfg, db, dry_run=dry_run)
    assert code == 2 and any("text_no_such_column" in p and "no such column" in p for p in report.problems)
    assert monday_emulator.stats()["mutations_total"] == 0
    _untouched(db)


def test_a_request_that_never_connected_is_known_not_applied_and_its_rows_are_released(
        monday_emulator):
    """Refused or unresolvable: no byte left, so the runner releases that request's rows with the
    never-sent ones (after_retry False). A 5xx answer may follow an applied try: those rows keep
    their attempt, so the next attempt looks their keys up before creating again."""
    from pusher.sync.client import MondayClient
    from pusher.sync.errors import TransientError

    for url, reached in ((f"http://127.0.0.1:{unused_port()}/v2", False), (monday_emulator.url, True)):
        monday_emulator.set_faults([{"kind": "500", "rate": 1.0}], seed=1)
        client = MondayClient(url, "test-token", "2026-07", 5.0, QUICK_RETRIES)
        with pytest.raises(TransientError) as info:
            client.request("query { me { id } }")
        client.close()
        assert info.value.applied_nothing is (not reached) and info.value.tries == 8
        fatal = client.gave_up(info.value)
        assert fatal.after_retry is reached and url in str(fatal)
        assert ("Connection refused" in str(fatal)) is not reached


def test_a_database_error_mid_run_leaves_the_run_log_failed_with_the_reason(
        db, config, monday_emulator, load_reference):
    from pusher.errors import DatabaseError

    load_reference()
    db.fetch('DROP ROUTINE sync."MarkItemsSynced"')  # the first write-back after monday answered fails
    with pytest.raises(DatabaseError):
        push(point_at(config, monday_emulator), db)
    run = _last_run(db)
    assert run["outcome"] == "FAILED" and "MarkItemsSynced" in run["error_message"]
