"""Rendering: reproducible output, headers, config errors at render time, identifier quoting.

The awkward names come from the golden config (`'`, `]`, `"` in columns and in the staging
table's name); PostgreSQL output is also run on a real server to prove it is valid SQL.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.commands.render import rendered_drift
from pusher.commands.render_ops import tsqlt_templates
from pusher.config import Config
from pusher.errors import ConfigError
from pusher.paths import CONFIGS_DIR
from pusher.sample_data import load_snapshot
from pusher.sql.catalog import Column, read_columns_file
from pusher.sql.connection import Database
from pusher.sql.deploy import create_staging_and_deploy
from pusher.sql.dialect import DIALECTS
from pusher.sql.render import STAGING_TEMPLATE, Renderer, deploy_objects, deploy_order


def _render(out: Path, dialect: str, *extra: str) -> int:
    # T-SQL reads the live table by default; these tests render from the sample list, no server
    columns = ["--columns-file", str(CONFIGS_DIR / "sample_order_list_columns.tsv")] if dialect == "tsql" else []
    return ordersync(["render", "--dialect", dialect, "--out", str(out), "--quiet", *columns, *extra])


def _bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# -- reproducible output ------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendering_twice_gives_byte_identical_files(tmp_path, dialect):
    assert _render(tmp_path / "a", dialect) == 0
    first = _bytes(tmp_path / "a")
    assert _render(tmp_path / "a", dialect) == 0
    assert _render(tmp_path / "b", dialect) == 0
    assert _bytes(tmp_path / "a") == first == _bytes(tmp_path / "b")
    assert rendered_drift(tmp_path / "a", tmp_path / "b") == ""


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_file_names_its_template_in_deploy_order_and_install_holds_them_in_order(tmp_path, dialect):
    assert _render(tmp_path, dialect) == 0
    sources = deploy_objects()
    listed = (tmp_path / "deploy_order.txt").read_text(encoding="utf-8").split()
    assert listed == sorted(p.name for p in tmp_path.glob("[0-9][0-9][0-9]_*.sql"))
    assert len(listed) == len(sources)
    install = (tmp_path / "install.sql").read_text(encoding="utf-8-sig")
    position = 0
    for name, (template, queue) in zip(listed, sources, strict=True):
        text = (tmp_path / name).read_text(encoding="utf-8-sig")
        source = f"{template} ({queue})" if queue else template
        assert text.splitlines()[0] == f"-- generated from {source} by `ordersync render --dialect {dialect}`;"
        position = install.index(text.rstrip("\n"), position)


def test_check_reports_a_changed_a_missing_and_a_stale_file_then_render_repairs_them(tmp_path, capsys):
    out = tmp_path / "committed"
    assert _render(out, "tsql") == 0
    numbered = sorted(out.glob("0*.sql"))
    numbered[0].write_text(numbered[0].read_text(encoding="utf-8") + "-- hand edit\n", encoding="utf-8")
    numbered[1].unlink()
    (out / "099_dropped_object.sql").write_text("SELECT 1;\n", encoding="utf-8")
    capsys.readouterr()
    assert _render(out, "tsql", "--check") == 1
    report = capsys.readouterr().out
    assert "+++" in report and "-- hand edit" in report
    assert f"only in {out}: 099_dropped_object.sql" in report
    assert f": {numbered[1].name}" in report
    assert _render(out, "tsql") == 0
    assert not (out / "099_dropped_object.sql").exists()
    assert _render(out, "tsql", "--check") == 0


def test_a_crlf_copy_counts_as_drift(tmp_path):
    assert _render(tmp_path / "a", "postgres") == 0
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    install = tmp_path / "b" / "install.sql"
    install.write_bytes(install.read_bytes().replace(b"\n", b"\r\n"))
    assert "install.sql" in rendered_drift(tmp_path / "a", tmp_path / "b")


# -- bad config fails at render time -------------------------------------------------------------


def _columns(config: Config) -> list[Column]:
    return read_columns_file(config.columns_file)


def test_every_tsql_file_sets_ansi_nulls_and_quoted_identifier_in_its_first_batch(config):
    """sqlcmd connects with QUOTED_IDENTIFIER OFF: a file run on its own would fail on a filtered
    index (Msg 1934) or create procedures under the wrong setting."""
    renderer = Renderer(config, "tsql", _columns(config))
    templates = [*deploy_order(), STAGING_TEMPLATE, *tsqlt_templates()]
    for obj in renderer.render_all(templates):
        body = "".join(line for line in obj.sql.splitlines(keepends=True) if not line.startswith("--"))
        assert body.startswith("SET ANSI_NULLS ON;\nSET QUOTED_IDENTIFIER ON;\nGO\n"), obj.template


def test_an_unknown_monday_column_names_the_key_and_the_likely_fix(config):
    bad = replace(config, monday=replace(config.monday, item_columns={**config.monday.item_columns,
                                                                         "CUSTOMR SEASON": "text_x"}))
    with pytest.raises(ConfigError) as caught:
        Renderer(bad, "tsql", _columns(config))
    assert ("monday.item_columns: 'CUSTOMR SEASON' is not a column of the staging table "
            "(did you mean 'CUSTOMER SEASON'?)") in str(caught.value)


def test_a_missing_size_marker_names_the_key_and_the_likely_fix(config):
    bad = replace(config, sizes=replace(config.sizes, last_before="TOTAL QTTY"))
    with pytest.raises(ConfigError) as caught:
        Renderer(bad, "postgres", _columns(config))
    assert "sizes.last_before = 'TOTAL QTTY' is not a staging column (did you mean 'TOTAL QTY'?)" in str(caught.value)


def test_an_unknown_column_with_no_close_name_still_says_how_to_fix_it(config):
    bad = replace(config, monday=replace(config.monday, item_columns={"XYZZY": "text_x"}))
    with pytest.raises(ConfigError) as caught:
        Renderer(bad, "tsql", _columns(config))
    message = str(caught.value)
    assert "monday.item_columns" in message and "fix the spelling or remove it" in message


def test_a_size_name_longer_than_the_lines_key_allows_is_refused_with_the_alias_fix(config):
    columns = _columns(config)
    long_size = "EXTRA LONG SIZE NAME FOR A VERY PARTICULAR GARMENT FIT"  # 54 characters
    at = next(i for i, c in enumerate(columns) if c.name == "XS")
    columns = [*columns[:at], Column(long_size, "INT"), *columns[at:]]
    with pytest.raises(ConfigError, match=r"size 'EXTRA LONG.*' is 54 characters; .* \[sizes.aliases\]"):
        Renderer(config, "postgres", columns)
    aliased = replace(config, sizes=replace(config.sizes, aliases={**config.sizes.aliases, long_size: "XS"}))
    Renderer(aliased, "postgres", columns)  # folded into XS: nothing over 50 characters is stored


def test_tsql_refuses_a_dotted_column_that_reaches_monday_and_postgres_takes_it(config):
    columns = [Column("PRICE (ex. VAT)", "DECIMAL(10,4)") if c.name == "CUSTOMER PRICE" else c
               for c in _columns(config)]
    mapped = dict(config.monday.item_columns)
    mapped["PRICE (ex. VAT)"] = mapped.pop("CUSTOMER PRICE")
    dotted = replace(config, monday=replace(config.monday, item_columns=mapped))
    with pytest.raises(ConfigError, match=r"'PRICE \(ex\. VAT\)' reaches monday but has a dot"):
        Renderer(dotted, "tsql", columns)
    Renderer(dotted, "postgres", columns)  # row_to_json keeps the key as it is


def test_the_render_command_reports_a_bad_config_with_exit_2_and_writes_nothing(golden_config, tmp_path, capsys):
    text = golden_config.path.read_text(encoding="utf-8")
    broken = tmp_path / "config.toml"
    broken.write_text(text.replace('"SEASON" = "dropdown_season"', '"SEASONS" = "dropdown_season"')
                      .replace('"tests/golden/columns.tsv"', f'"{golden_config.columns_file}"'), encoding="utf-8")
    code = ordersync(["render", "--config", str(broken), "--dialect", "tsql", "--out", str(tmp_path / "out"),
                      "--columns-file", str(golden_config.columns_file)])
    assert code == 2
    assert "monday.item_columns: 'SEASONS' is not a column of the staging table" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# -- identifiers ---------------------------------------------------------------------------------


def test_brackets_quotes_and_apostrophes_are_quoted_for_tsql(golden_config):
    renderer = Renderer(golden_config, "tsql", _columns(golden_config))
    staging = renderer.render(STAGING_TEMPLATE).sql
    assert "OBJECT_ID(N'[dbo].[swp_ORDER''S [LIST]]]', N'U')" in staging
    assert "CREATE TABLE [dbo].[swp_ORDER'S [LIST]]] (" in staging
    for quoted in ("[CUSTOMER'S NAME]", "[STYLE [CODE]]]", '[COLOUR "DESC"]', "[O/S]", "[PRICE (USD)]"):
        assert f"    {quoted} " in staging


def test_brackets_quotes_and_apostrophes_survive_deploy_and_a_pipeline_run_on_postgresql(golden_config, pg_url):
    columns = _columns(golden_config)
    staging = Renderer(golden_config, "postgres", columns).render(STAGING_TEMPLATE).sql
    assert '"COLOUR ""DESC"""' in staging and "\"swp_ORDER'S [LIST]\"" in staging
    with Database(golden_config, url=pg_url) as db:
        create_staging_and_deploy(db, columns)
        assert [c.name for c in db.live_columns("dbo", "swp_ORDER'S [LIST]")] == [c.name for c in columns]
        orders = {c.name for c in db.live_columns("dbo", "ORDER_LIST_V2")}
        assert {"CUSTOMER'S NAME", "STYLE [CODE]", 'COLOUR "DESC"'} <= orders
        load_snapshot(db, [
            {"AAG ORDER NUMBER": "A-1", "CUSTOMER'S NAME": "O'Neill", "STYLE [CODE]": "S]1",
             'COLOUR "DESC"': 'Navy "x"', "SEASON": "FW26", "S": 5, "M": 3, "TOTAL QTY": 8},
            {"AAG ORDER NUMBER": "A-2", "CUSTOMER'S NAME": "Société", "STYLE [CODE]": "S2",
             'COLOUR "DESC"': "Red", "SEASON": "FW26", "ONE SIZE": 4, "O/S": 2, "TOTAL QTY": 6},
        ])
        db.call("RunPipeline")
        # group keys compare as SQL Server's default collation does: upper case, no trailing spaces
        # (docs/contracts.md, "Both engines mean the same thing"); the group's title keeps its spelling
        assert db.fetch('SELECT order_key, item_name, group_key FROM dbo."ORDER_LIST_V2" ORDER BY 1') == [
            {"order_key": "A-1", "item_name": 'S]1 - Navy "x" - A-1', "group_key": "O'NEILL FW26"},
            {"order_key": "A-2", "item_name": "S2 - Red - A-2", "group_key": "SOCIÉTÉ FW26"},
        ]
        assert db.fetch('SELECT order_key, size, qty FROM dbo."ORDER_LIST_LINES" ORDER BY 1, 2') == [
            {"order_key": "A-1", "size": "M", "qty": 3}, {"order_key": "A-1", "size": "S", "qty": 5},
            {"order_key": "A-2", "size": "ONE SIZE", "qty": 6},
        ]


def _with_long_column(config: Config) -> tuple[list[Column], str]:
    """The sample catalog with NOTES renamed to 60 characters that take 64 bytes in UTF-8."""
    long_name = "NOTES ÄÖÜß " + "X" * 49
    assert (len(long_name), len(long_name.encode("utf-8"))) == (60, 64)
    columns = [Column(long_name, c.sql_type) if c.name == "NOTES" else c for c in _columns(config)]
    return columns, long_name


def test_the_postgresql_63_byte_identifier_limit_is_reported_with_the_name_and_the_fix(config):
    columns, long_name = _with_long_column(config)
    with pytest.raises(ConfigError) as caught:
        Renderer(config, "postgres", columns).render(STAGING_TEMPLATE)
    message = str(caught.value)
    assert repr(long_name) in message and "64 bytes" in message and "PostgreSQL keeps 63" in message
    assert "rename the column" in message


def test_sql_server_takes_the_same_long_name(config):
    columns, long_name = _with_long_column(config)
    assert f"[{long_name}] NVARCHAR(1000) NULL" in Renderer(config, "tsql", columns).render(STAGING_TEMPLATE).sql


def test_renderers_of_both_dialects_in_one_process_keep_their_own_quoting(config):
    """Compiled templates are shared between Renderers, and Jinja folds `'rows' | q` into the
    compiled code: each dialect must get its own, whatever rendered first."""
    columns = read_columns_file(config.columns_file)
    template = "procedures/sync.MergeHeaders.sql.j2"
    first = Renderer(config, "tsql", columns).render(template).sql
    postgres = Renderer(config, "postgres", columns).render(template).sql
    assert "[rows]" in first and '"rows"' not in first
    assert '"rows"' in postgres and "[rows]" not in postgres
    assert Renderer(config, "tsql", columns).render(template).sql == first
