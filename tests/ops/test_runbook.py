"""The runbook is reachable from the README, covers what the issue asks, and its commands
are real: every `ordersync ...` and the tSQLt command parse with the parsers they name, so
a renamed flag breaks this test instead of a DBA's night."""

from __future__ import annotations

import re
import shlex

import pytest

from pusher.cli import build_parser
from pusher.config import load_config
from pusher.paths import PROJECT_ROOT
from pusher.sql.dialect import odbc_connection_string

RUNBOOK = (PROJECT_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def _code() -> list[str]:
    """Inline code spans and code-block lines, whitespace folded (spans may wrap)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", RUNBOOK, re.DOTALL)
    text = re.sub(r"```[a-z]*\n.*?```", "", RUNBOOK, flags=re.DOTALL)
    spans = [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", text, re.DOTALL)]
    return spans + [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def _ordersync_commands() -> list[str]:
    found = []
    for code in _code():
        match = re.search(r"(?:^|[\\/ ])ordersync (?P<args>[a-z][a-z-]+(?: .*)?)$", code)
        if match:
            found.append(match["args"])
    return found


def test_the_readme_links_the_runbook():
    assert "(docs/runbook.md)" in README


@pytest.mark.parametrize("heading", [
    "## What was executed in CI and what was only parsed", "## Run the tSQLt suite on your server: the one command",
    "## Install on SQL Server, step by step", "## First sync of a board", "## Daily operation",
    "## What each monday error means and what to do", "## A size column added upstream", "## Moving a board",
    "## Removing the tool cleanly",
])
def test_the_runbook_has_every_section(heading):
    assert heading in RUNBOOK


def test_the_runbook_says_what_was_executed_and_what_was_only_parsed():
    section = RUNBOOK.split("## What was executed in CI")[1].split("\n## ")[0]
    assert "**executed** on a real PostgreSQL" in section and "**parsed only**" in section
    assert "the T-SQL has never been executed" in section


def test_every_ordersync_command_in_the_runbook_parses():
    commands = _ordersync_commands()
    assert len(commands) >= 15
    parser = build_parser()
    for command in commands:
        try:
            parser.parse_args(shlex.split(command, posix=False))
        except SystemExit:
            pytest.fail(f"`ordersync {command}` in docs/runbook.md does not parse")


def test_the_one_tsqlt_command_parses_and_points_at_a_sql_server(run_tsqlt):
    [line] = [c for c in _code() if c.startswith("python scripts/run_tsqlt.py")]
    args = run_tsqlt.build_parser().parse_args([a.strip('"') for a in shlex.split(line, posix=False)[2:]])
    assert load_config(args.config, args.env).environment.dialect == "tsql"
    assert odbc_connection_string(args.url).startswith("DRIVER={ODBC Driver 18 for SQL Server};SERVER=TESTSQL01;")
    assert str(args.junit) == "tsqlt-results.xml"


def test_every_sqlcmd_line_of_the_install_section_runs_a_file_the_renders_write_and_reads_it_as_utf8():
    from pusher.commands.render_ops import ops_renderer, render_ops

    section = RUNBOOK.split("## Install on SQL Server, step by step")[1].split("\n## ")[0]
    lines = [" ".join(line.split()) for line in re.findall(r"^\s*(sqlcmd .*)$", section, re.MULTILINE)]
    lines += [" ".join(span.split()) for span in re.findall(r"`(sqlcmd [^`]+)`", section)]
    scripts = {re.search(r"-i (\S+)", line)[1].replace("\\", "/") for line in lines}
    config = load_config(None, "production")
    written = {f"out/ops/{name}" for name in render_ops(ops_renderer(config, "tsql"))} | {"out/tsql/install.sql"}
    assert scripts and scripts <= written, scripts - written
    assert {"out/tsql/install.sql", "out/ops/security.sql", "out/ops/sqlagent_jobs.sql"} <= scripts
    assert all(line.startswith("sqlcmd -b -f 65001 ") for line in lines), lines
