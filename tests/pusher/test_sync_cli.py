"""`ordersync sync` from the command line: a dry run sends no mutation, spends no attempt and prints
the counts and the first payload; --output-json is machine-readable; exit codes are the documented ones."""

from __future__ import annotations

import json

from pusher.graphql_contract import load_official_schema, validate_document
from tests.pusher.conftest import ITEMS_BOARD, point_at, push, queue_states


def test_a_dry_run_sends_no_mutation_spends_no_attempt_and_shows_the_first_payload(
        db, config, monday_emulator, load_reference):
    load_reference()
    report, code = push(point_at(config, monday_emulator), db, dry_run=True)
    assert code == 0, report.as_dict()
    assert monday_emulator.stats()["mutations_total"] == 0
    assert report.counts["item"]["create:planned"] == 69
    assert report.counts["item"]["create_group:planned"] == 1
    assert queue_states(db)["item"] == {"PENDING": 69}
    attempts = db.fetch(f'SELECT DISTINCT attempts FROM dbo."{config.tables.order_delta}"')
    assert attempts == [{"attempts": 0}]
    first = report.payloads[0]
    assert first["entity"] == "item" and "create_item(" in first["query"]
    assert json.loads(first["variables"]["column_values_0"])["text_order_key"]
    runs = db.fetch(f'SELECT outcome, is_dry_run FROM dbo."{config.tables.run_log}" WHERE component = %s',
                    ("pusher",))
    assert runs == [{"outcome": "SUCCEEDED", "is_dry_run": True}]


def test_the_sync_command_prints_json_and_returns_the_documented_exit_code(
        db, config, monday_emulator, load_reference, monkeypatch, capsys):
    """The command path itself (argument parsing, token, JSON output), on the test database."""
    from pusher.commands import sync as sync_command
    from pusher.sql.connection import Database

    load_reference()
    cfg = point_at(config, monday_emulator)
    monkeypatch.setattr(sync_command, "load", lambda args: cfg)
    monkeypatch.setattr(sync_command, "open_database", lambda args: Database(cfg, url=db.url))
    monkeypatch.setenv("MONDAY_API_TOKEN", "test-token")
    from pusher.cli import main

    code = main(["sync", "--execute", "--output-json", "--limit", "5", "--quiet"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["exit_code"] == 0 and out["synced"] == 10  # 5 items, then 5 of their subitems
    assert len(monday_emulator.items(ITEMS_BOARD)) == 5


def test_the_dry_run_summary_shows_counts_and_the_first_mutation_as_it_would_be_sent(
        db, config, monday_emulator, load_reference):
    from pusher.commands.sync import summary

    load_reference()
    report, code = push(point_at(config, monday_emulator), db, dry_run=True)
    text = summary(report, code)

    assert "item: create planned 69, create_group planned 1" in text
    assert "first item request as it would be sent: 50 mutation(s)" in text
    assert "m0: create_item(" in text and "m1:" not in text  # one mutation shown, the rest counted
    first = report.payloads[0]["variables"]
    assert json.dumps(first["item_name_0"], ensure_ascii=False) in text
    assert json.dumps(first["column_values_0"], ensure_ascii=False) in text  # exactly as it would be sent
    assert "item_name_1" not in text
    shown = report.previews[0]  # built from the ops, so the first mutation shown is itself a sendable document
    assert shown.mutations == 50 and validate_document(load_official_schema(), shown.document) == []
    assert shown.variables == {k: v for k, v in first.items() if k.endswith("_0")}
