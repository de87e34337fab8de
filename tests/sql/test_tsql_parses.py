"""Every template renders to T-SQL that sqlfluff's `tsql` dialect parses with nothing unparsable.

No SQL Server runs here, so this is the check that the T-SQL half is valid SQL at all. The
files are rendered inside the checkout so sqlfluff reads the repo's `.sqlfluff` exactly as
`sqlfluff parse` does; that config turns the large-file skip off, and a test proves a file
over 20 KB is really parsed. Templates are found by walking the checkout, so a new one is
checked without touching this file. Files are parsed in parallel (~1-2 s each).
"""

from __future__ import annotations

import codecs
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pytest
from sqlfluff.core import FluffConfig, Linter

from pusher.config import load_config
from pusher.errors import ConfigError
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT, state_dir
from pusher.sql.catalog import read_columns_file
from pusher.sql.render import STAGING_TEMPLATE, Renderer, deploy_order, write_sql

SKIP_LIMIT = 20_000  # sqlfluff's default large_file_skip_byte_limit
BIG_FILE = "a file over 20 KB"
INSTALL_WRAPPERS = "db/install/"


def renderable_templates() -> list[str]:
    """Deploy order first, then every other template in the checkout: the staging table, the
    ops scripts (roles, SQL Agent jobs, tSQLt classes) and whatever is added later.

    Skipped: `_`-prefixed macro files and folders, and the install wrappers in db/install,
    which need the objects and are parsed through the install script below.
    """
    ordered = deploy_order()
    found = []
    for folder, dirs, files in os.walk(PROJECT_ROOT):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        here = Path(folder).relative_to(PROJECT_ROOT)
        found += [(here / f).as_posix() for f in files if f.endswith(".sql.j2") and not f.startswith("_")]
    return ordered + sorted(t for t in found if t not in ordered and not t.startswith(INSTALL_WRAPPERS))


TEMPLATES = renderable_templates()


@dataclass(frozen=True)
class Parsed:
    skipped: bool
    problems: tuple[str, ...]  # "file:line:pos: what", one per unparsable section or parse error
    whole_file: bool  # the parse tree spans every byte of the file
    tables_created: int  # CREATE TABLE statements found: proof the structure was read


def parse_file(path: str) -> Parsed:
    """Parse one file as `sqlfluff parse` would: config from the repo and the file's folders."""
    linter = Linter(config=FluffConfig.from_path(str(PROJECT_ROOT)))
    results = list(linter.parse_path(path))
    if not results:
        return Parsed(True, (), False, 0)
    result = results[0]
    name = Path(path).name
    problems = {(v.line_no, v.line_pos): f"{name}:{v.line_no}:{v.line_pos}: {v.desc()}" for v in result.violations}
    whole, tables = False, 0
    if result.tree is not None:
        for segment in result.tree.recursive_crawl("unparsable"):  # in case one is not a violation
            line, pos = segment.pos_marker.source_position()
            problems.setdefault((line, pos), f"{name}:{line}:{pos}: unparsable: {segment.raw[:120]!r}")
        whole = result.tree.raw == Path(path).read_text(encoding="utf-8-sig")  # sqlfluff drops the BOM
        tables = len(list(result.tree.recursive_crawl("create_table_statement")))
    return Parsed(False, tuple(problems.values()), whole, tables)


@pytest.fixture(scope="module")
def parse_dir() -> Iterator[Path]:
    """A scratch folder inside the checkout, so sqlfluff finds the repo's .sqlfluff."""
    state_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sqlfluff-", dir=state_dir()) as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def parsed(parse_dir: Path, fixtures_dir: Path) -> dict[str, Parsed | str]:
    """Render every template for T-SQL (sample config) plus a big install script; parse all.

    Keyed by what was rendered (RenderedObject.source: a per-queue template once per queue); a
    template that does not render maps to its error text instead of a parse result.
    """
    config = load_config(DEFAULT_CONFIG, "development")
    renderer = Renderer(config, "tsql", read_columns_file(config.columns_file))
    results: dict[str, Parsed | str] = {}
    files: dict[str, str] = {}
    for number, template in enumerate(TEMPLATES, start=1):
        try:
            objects = renderer.render_all([template])
        except ConfigError as exc:
            results[template] = f"{template} does not render: {exc}"
            continue
        for obj in objects:
            path = parse_dir / f"{number:03d}_{obj.file_name}"
            files[obj.source] = str(write_sql(path, obj.sql, renderer.dialect))  # with its BOM, as sqlcmd gets it
    big = parse_dir / "install_reference.sql"
    write_sql(big, _big_install_script(config, fixtures_dir / "order_list_columns.tsv"), renderer.dialect)
    files[BIG_FILE] = str(big)
    workers = min(len(files), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        results.update(zip(files, pool.map(parse_file, files.values()), strict=True))
    return results


def _big_install_script(config, real_columns: Path) -> str:
    """One file well over 20 KB that depends on no procedure template: the staging table of
    the real 411-column catalog, of the sample catalog and the real one again, in the T-SQL
    install wrapper (so its version check and batch separators are parsed too)."""
    sample = Renderer(config, "tsql", read_columns_file(config.columns_file)).render(STAGING_TEMPLATE)
    real = Renderer(config, "tsql", read_columns_file(real_columns))
    return real.install_script([real.render(STAGING_TEMPLATE), sample, real.render(STAGING_TEMPLATE)])


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_rendered_tsql_parses_with_nothing_unparsable(parsed, template):
    renderings = {source: result for source, result in parsed.items()
                  if source == template or source.startswith(f"{template} (")}
    assert renderings, f"{template} was not rendered"
    for source, result in renderings.items():
        assert not isinstance(result, str), result
        assert not result.skipped, f"sqlfluff skipped {source}: check large_file_skip_byte_limit in .sqlfluff"
        assert not result.problems, f"{source} rendered for T-SQL does not parse:\n" + "\n".join(result.problems)
        assert result.whole_file


def test_templates_are_found_beyond_the_deploy_order():
    assert STAGING_TEMPLATE in TEMPLATES
    assert TEMPLATES[: len(deploy_order())] == deploy_order()
    assert not any("/_" in t or t.startswith(INSTALL_WRAPPERS) for t in TEMPLATES)


def test_the_repo_sqlfluff_config_parses_tsql_and_never_skips_large_files():
    config = FluffConfig.from_path(str(PROJECT_ROOT))
    assert config.get("dialect") == "tsql"
    assert config.get("templater") == "jinja"
    assert config.get("large_file_skip_byte_limit") == 0


def test_a_file_over_20kb_is_parsed_not_skipped(parsed, parse_dir, tmp_path):
    big = parse_dir / "install_reference.sql"
    assert big.stat().st_size > SKIP_LIMIT
    assert big.read_bytes().startswith(codecs.BOM_UTF8)  # parsed as sqlcmd reads it
    result = parsed[BIG_FILE]
    assert not result.skipped and result.whole_file
    assert not result.problems, "\n".join(result.problems)
    assert result.tables_created == 3
    # Control: outside the checkout sqlfluff's default limit applies and the file is skipped,
    # which is what the repo config prevents.
    outside = tmp_path / big.name
    shutil.copy(big, outside)
    assert list(Linter(config=FluffConfig(overrides={"dialect": "tsql"})).parse_path(str(outside))) == []
