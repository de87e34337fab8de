"""Rendered T-SQL reaches classic sqlcmd intact: every .sql file carries a UTF-8 BOM and
every documented sqlcmd line says `-f 65001`, so `Größe 36` and `∆` are not read in the
console's OEM code page (where they become `GrÃ¶ÃŸe 36` and fail as Msg 207 or drift)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from pusher.cli import build_parser
from pusher.cli import main as ordersync
from pusher.paths import CONFIGS_DIR, PROJECT_ROOT

NON_ASCII = ("Größe 36", "Größe 38", "Größe 40", "∆")
# Everywhere a DBA or a job reads a sqlcmd command line: docs, help texts, templates, scripts.
DOCUMENTED = ["README.md", "docs/*.md", "pusher/**/*.py", "ops/**/*.*", "db/**/*.j2", "procedures/**/*.j2",
              "scripts/*.py"]
SQLCMD_LINE = re.compile(r"\bsqlcmd((?: +-\w+(?: +[^\s`)'\"-][^\s`)'\"]*)?)+)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    for dialect in ("tsql", "postgres"):
        assert ordersync(["render", "--dialect", dialect, "--out", str(out / dialect), "--quiet",
                          "--columns-file", str(CONFIGS_DIR / "sample_order_list_columns.tsv")]) == 0
        assert ordersync(["render-ops", "--dialect", dialect, "--out", str(out / f"ops-{dialect}"), "--quiet"]) == 0
    return {d: out / d for d in ("tsql", "postgres", "ops-tsql", "ops-postgres")}


def test_every_rendered_tsql_file_starts_with_a_utf8_bom(rendered):
    files = [*rendered["tsql"].glob("*.sql"), *rendered["ops-tsql"].rglob("*.sql")]
    assert len(files) > 30  # objects, install.sql, security, jobs, uninstall, tSQLt classes
    assert [f.name for f in files if not f.read_bytes().startswith(codecs.BOM_UTF8)] == []


def test_non_ascii_identifiers_survive_the_round_trip_through_the_file(rendered):
    raw = (rendered["tsql"] / "install.sql").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    text = raw[len(codecs.BOM_UTF8):].decode("utf-8")  # what sqlcmd reads once it has seen the BOM
    for name in NON_ASCII:
        assert f"N'{name}'" in text or f"[{name}]" in text, name
    # Control: the same bytes in an OEM code page (no BOM, no -f 65001) are a different identifier.
    assert "Größe 36" not in raw.decode("cp850")


def test_postgresql_files_have_no_bom_because_psql_would_send_it_as_text(rendered):
    files = [*rendered["postgres"].glob("*.sql"), *rendered["ops-postgres"].rglob("*.sql")]
    assert files and not [f.name for f in files if f.read_bytes().startswith(codecs.BOM_UTF8)]
    assert "Größe 36" in (rendered["postgres"] / "install.sql").read_text(encoding="utf-8")


def _documented_sqlcmd_lines() -> list[tuple[str, str]]:
    found = []
    for pattern in DOCUMENTED:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            found += [(path.relative_to(PROJECT_ROOT).as_posix(), m[0]) for m in SQLCMD_LINE.finditer(text)]
    parser = build_parser()
    for command in ("render", "render-ops"):
        with pytest.raises(SystemExit):
            parser.parse_args([command, "--help"])
    return found


def test_every_documented_sqlcmd_line_reads_the_file_as_utf8(capsys):
    lines = _documented_sqlcmd_lines()
    helps = capsys.readouterr().out
    lines += [("--help", m[0]) for m in SQLCMD_LINE.finditer(helps)]
    assert len(lines) >= 10 and any(where == "--help" for where, _ in lines)
    assert any(where == "docs/runbook.md" for where, _ in lines)
    assert [(where, line) for where, line in lines if "-f 65001" not in line] == []


def test_the_sqlcmd_pattern_catches_a_line_without_the_code_page():
    assert [m[0] for m in SQLCMD_LINE.finditer("run `sqlcmd -b -S SQL01 -E -i install.sql` now")] == [
        "sqlcmd -b -S SQL01 -E -i install.sql"]
