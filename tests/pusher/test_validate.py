"""`ordersync validate` on a config mapping the real reference board (loaded into the emulator from
tests/fixtures, copied from the reference material) reports each misuse in one line naming both sides."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pusher.config import load_config
from pusher.sql.catalog import read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sync.session import make_client
from pusher.validate import validate
from tests.ports import unused_port
from tests.pusher.conftest import TOKEN, point_at
from tests.reference_shape import TABLES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_validate_reports_a_mirror_target_a_duplicate_target_and_a_date_into_a_dropdown(
        db, config, monday_emulator_factory):
    server = monday_emulator_factory(boards=(FIXTURES / "board_items_customer_master_schedule.json",
                                             FIXTURES / "board_subitems_customer_master_schedule.json"))
    cfg = point_at(config, server)
    env = dataclasses.replace(cfg.environment, items_board_id="9609317401", subitems_board_id=None)
    monday = dataclasses.replace(
        cfg.monday,
        item_key_column="text_mkr5wya6",  # AAG ORDER NUMBER ...
        item_columns={
            "AAG ORDER NUMBER": "text_mkr5wya6",  # ... fed a second time here
            "CUSTOMER NAME": "dropdown_mkr542p2",
            "PO NUMBER": "text_mkr5ej2x",
            "TOTAL QTY": "lookup_mkrbrdr1",  # QTY ORDERED is a mirror column
            "ORDER DATE PO RECEIVED": "dropdown_mkr5w5e",  # a date into the DROP dropdown
            "CUSTOMER PRICE": "numeric_mkr5cact",
        },
        subitem_columns={"size": "dropdown_mkrak7qp", "qty": "numeric_mkra7j8e"},
        create_labels_if_missing={"dropdown_mkr542p2": True, "dropdown_mkrak7qp": True},
    )
    cfg = dataclasses.replace(cfg, environment=env, monday=monday)
    client = make_client(cfg, TOKEN)
    problems = validate(cfg, db, client)
    text = "\n".join(problems)

    mirror = [p for p in problems if "lookup_mkrbrdr1" in p]
    assert len(mirror) == 1 and "'TOTAL QTY'" in mirror[0] and "mirror" in mirror[0]
    assert "cannot be written" in mirror[0]
    duplicate = [p for p in problems if "fed by" in p]
    assert len(duplicate) == 1 and "text_mkr5wya6" in duplicate[0] and "'AAG ORDER NUMBER'" in duplicate[0]
    assert "item_key_column" in duplicate[0]
    date = [p for p in problems if "dropdown_mkr5w5e" in p]
    assert len(date) == 1 and "'ORDER DATE PO RECEIVED'" in date[0] and "DATETIME2" in date[0]
    assert "dropdown" in date[0]
    assert "line_key_column" in text and "text_line_key" in text  # the reference subitems board has no key column
    assert not any("dropdown_mkr542p2" in p or "numeric_mkr5cact" in p or "text_mkr5ej2x" in p for p in problems)
    assert server.stats()["mutations_total"] == 0  # reads only


REAL_SHAPE = """\
default_environment = "test"

[environment.test]
dialect = "postgres"
database_url = "{database_url}"
monday_api_url = "{monday_url}"
items_board_id = "9609317401"

{tables}
[staging]
columns_file = "{columns_file}"

[order]
key_columns = ["AAG ORDER NUMBER"]
customer_column = "CUSTOMER NAME"
item_name = {{ columns = ["CUSTOMER STYLE", "CUSTOMER COLOUR DESCRIPTION", "AAG ORDER NUMBER"] }}
group_name = {{ columns = ["CUSTOMER NAME", "CUSTOMER SEASON"], separator = " " }}

[sizes]
first_after = "UNIT OF MEASURE"
last_before = "TOTAL QTY"

[monday]
item_key_column = "text_mkr61hpz"
line_key_column = "text_line_key"

[monday.item_columns]
"CUSTOMER NAME" = "dropdown_mkr542p2"
"PO NUMBER" = "text_mkr5ej2x"
"CUSTOMER ALT PO" = "text_mkr5ej2x"                  # planted: a duplicate target
"DESTINATION" = "text_mkr5kbc6"
"DESTINATION WAREHOUSE" = "text_mkr5kbc6"            # planted: another duplicate target
"ORDER DATE PO RECEIVED" = "dropdown_mkr5w5e"        # planted: a date into the DROP dropdown
"TOTAL QTY" = "lookup_mkrbrdr1"                      # planted: QTY ORDERED, a mirror column
"CUSTOMER PRICE" = "numeric_mkr5cact"

[monday.subitem_columns]
size = "dropdown_mkrak7qp"
qty = "numeric_mkra7j8e"

[monday.create_labels_if_missing]
dropdown_mkr542p2 = true
dropdown_mkrak7qp = true
"""


def test_validate_names_every_problem_of_the_real_shape_in_one_run_as_json(
        pg_url, monday_emulator_factory, tmp_path, monkeypatch, capsys):
    """The real 411 columns mapped to the real board with four planted problems: one run names all four
    (the loader used to refuse the duplicates first, printing nothing on stdout)."""
    from pusher.cli import main

    server = monday_emulator_factory(boards=(FIXTURES / "board_items_customer_master_schedule.json",
                                             FIXTURES / "board_subitems_customer_master_schedule.json"))
    path = tmp_path / "real_shape.toml"
    path.write_text(REAL_SHAPE.format(tables=TABLES, database_url=pg_url, monday_url=server.url,
                                      columns_file=(FIXTURES / "order_list_columns.tsv").as_posix()),
                    encoding="utf-8")
    config = load_config(path)
    with Database(config) as db:
        columns = read_columns_file(config.columns_file)
        assert len(columns) == 411
        create_staging_and_deploy(db, columns)
    monkeypatch.setenv("MONDAY_API_TOKEN", TOKEN)

    assert main(["validate", "--config", str(path), "--output-json"]) == 2
    out = json.loads(capsys.readouterr().out)
    problems = out["problems"]
    assert out["exit_code"] == 2
    duplicates = [p for p in problems if "fed by" in p]
    assert len(duplicates) == 2
    assert any("text_mkr5ej2x" in p and "'PO NUMBER' and 'CUSTOMER ALT PO'" in p for p in duplicates)
    assert any("text_mkr5kbc6" in p and "'DESTINATION' and 'DESTINATION WAREHOUSE'" in p for p in duplicates)
    (date,) = [p for p in problems if "dropdown_mkr5w5e" in p]
    assert "'ORDER DATE PO RECEIVED' is DATETIME2" in date
    (mirror,) = [p for p in problems if "lookup_mkrbrdr1" in p]
    assert "'TOTAL QTY'" in mirror and "mirror" in mirror
    # the fifth: the real subitems board has no text column for the line key
    assert len(problems) == 5 and any("monday.line_key_column" in p for p in problems)
    assert server.stats()["mutations_total"] == 0


def test_validate_prints_json_also_when_the_config_file_itself_is_wrong(tmp_path, capsys):
    from pusher.cli import main

    path = tmp_path / "broken.toml"
    path.write_text('default_environment = "nowhere"\n[monday]\nbatch_size = 0\n', encoding="utf-8")
    assert main(["validate", "--config", str(path), "--output-json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == 2
    assert any(p.startswith("environment 'nowhere' is not defined") for p in out["problems"])
    assert "monday.batch_size = 0 is out of range: use 1..100" in out["problems"]


def test_validate_still_names_the_staging_problems_when_monday_cannot_be_reached(
        db, tmp_path, monkeypatch, capsys):
    from pusher.cli import main
    from pusher.paths import DEFAULT_CONFIG

    closed = f"http://127.0.0.1:{unused_port()}/v2"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8").replace('"PO NUMBER" = "text_po"', '"PO NUMBR" = "text_po"')
    text = text.replace('monday_api_url = "http://127.0.0.1:8765/v2"', f'monday_api_url = "{closed}"')
    text = text.replace("retry_backoff_seconds = 0.5", "retry_backoff_seconds = 0.001")  # the real retries, quickly
    text = text.replace("[environment.development]\n", '[environment.development]\ndatabase_url_env = "VALIDATE_DB"\n')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("VALIDATE_DB", db.url)
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)

    assert main(["validate", "--config", str(path), "--output-json", "--env", "development"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert out["exit_code"] == 3
    unreachable, misspelt = out["problems"]
    assert closed in unreachable and "8 tries over" in unreachable
    assert "'PO NUMBR' is not a column of the staging table (did you mean 'PO NUMBER'?)" in misspelt
