"""`ordersync render --dialect tsql` renders from the live staging table by default, so
install.sql fits the table it runs against; a render from a column list says so on the
console and in every file's header. Run against the embedded PostgreSQL: its live catalog
answers in SQL Server types, exactly what a render for SQL Server reads."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.commands.render_ops import ops_renderer, render_ops
from pusher.config import load_config
from pusher.paths import CONFIGS_DIR, DEFAULT_CONFIG
from pusher.sql.catalog import fingerprint

URL_VARIABLE = "ORDERSYNC_RENDER_TEST_URL"
NOTE = "-- staging columns from the file "
DROPPED = "Größe 40"  # a size column the sample list has and the live table will not


@pytest.fixture
def cli_config(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped config, its development environment pointed at the test database."""
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    section = "[environment.development]\n"
    path = tmp_path / "config.toml"
    path.write_text(text.replace(section, f'{section}database_url_env = "{URL_VARIABLE}"\n', 1), encoding="utf-8")
    monkeypatch.setenv(URL_VARIABLE, pg_url)
    monkeypatch.delenv("ORDERSYNC_ENV", raising=False)
    return path


def _render(config: Path, out: Path, *extra: str) -> int:
    return ordersync(["render", "--config", str(config), "--dialect", "tsql", "--out", str(out), *extra])


def test_tsql_is_rendered_from_the_live_table_by_default(db, config, cli_config, tmp_path, capsys):
    staging = f'"{config.environment.data_schema}"."{config.tables.staging}"'
    db.execute_script(f'ALTER TABLE {staging} DROP COLUMN "{DROPPED}";', "drop a size column")
    live = db.live_columns(config.environment.data_schema, config.tables.staging)

    assert _render(cli_config, tmp_path / "live") == 0
    assert NOTE.strip("- ") not in capsys.readouterr().out
    merge_lines = (tmp_path / "live" / "011_sync.MergeLines.sql").read_text(encoding="utf-8-sig")
    install = (tmp_path / "live" / "install.sql").read_text(encoding="utf-8-sig")
    assert NOTE not in install
    assert f"N'{DROPPED}'" not in merge_lines and "N'Größe 38'" in merge_lines
    # the drift fingerprint the procedures carry is the live table's
    assert fingerprint([c.name for c in live]) in install

    # control: the sample column list still has the column the live table lost
    sample = str(CONFIGS_DIR / "sample_order_list_columns.tsv")
    assert _render(cli_config, tmp_path / "file", "--columns-file", sample) == 0
    assert f"N'{DROPPED}'" in (tmp_path / "file" / "011_sync.MergeLines.sql").read_text(encoding="utf-8-sig")


def test_a_render_from_a_column_list_says_so_on_the_console_and_in_every_header(tmp_path, capsys):
    columns = CONFIGS_DIR / "sample_order_list_columns.tsv"
    assert ordersync(["render", "--dialect", "tsql", "--out", str(tmp_path), "--columns-file", str(columns)]) == 0
    out = capsys.readouterr().out
    assert "note: staging columns from the file configs/sample_order_list_columns.tsv, not from the live table" in out
    files = sorted(tmp_path.glob("*.sql"))
    assert len(files) > 20
    for path in files:
        head = path.read_text(encoding="utf-8-sig").splitlines()[:4]
        assert any(line.startswith(NOTE + "configs/sample_order_list_columns.tsv") for line in head), path.name


def test_without_a_staging_table_the_render_names_the_way_out(cli_config, pg_url, tmp_path, capsys):
    assert _render(cli_config, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert "swp_ORDER_LIST_V2 does not exist in the development database" in err and "--columns-file TSV" in err
    assert not (tmp_path / "out").exists()


def test_the_export_query_writes_the_header_the_column_reader_expects():
    script = render_ops(ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql"))["export_columns.sql"].sql
    [header] = re.findall(r"CONCAT\((N'ordinal'.*?)\) AS tsv_line", script)
    fields = re.findall(r"N'(\w+)'", header)
    with (CONFIGS_DIR / "sample_order_list_columns.tsv").open(encoding="utf-8") as fh:
        assert fields == next(csv.reader(fh, delimiter="\t"))
    assert "OBJECT_ID(N'[dbo].[swp_ORDER_LIST_V2]')" in script and "-h -1 -W" in script
