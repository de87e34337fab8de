"""Every dialect is complete, on both halves: the Python class implements all of `Dialect`, and
every Jinja macro a template calls resolves, with the same parameters, in every dialect's file."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from pusher.commands.render_ops import OPS_TEMPLATES
from pusher.paths import PROJECT_ROOT
from pusher.sql.dialect import DIALECTS, TSQL, Dialect, TSql

TEMPLATE_ROOTS = ("procedures", "db", "ops", "tests/tsqlt")
DIALECT_DIR = "procedures/_dialect"
_ENV = jinja2.Environment()


def _parse(path: Path) -> nodes.Template:
    return _ENV.parse(path.read_text(encoding="utf-8"))


def _macros(relative: str) -> dict[str, tuple[list[str], int]]:
    """Macro name -> (parameter names, how many have defaults) in one macro file."""
    tree = _parse(PROJECT_ROOT / relative)
    return {m.name: ([a.name for a in m.args], len(m.defaults)) for m in tree.find_all(nodes.Macro)}


def _dialect_file(template: nodes.Expr, dialect: str) -> str:
    """The macro file an import names, for one dialect: a constant, or 'prefix' ~ dialect ~ 'suffix'."""
    parts = template.nodes if isinstance(template, nodes.Concat) else [template]
    text = ""
    for part in parts:
        if isinstance(part, nodes.Const):
            text += part.value
        elif isinstance(part, nodes.Name) and part.name == "dialect":
            text += dialect
        else:
            raise AssertionError(f"an import names its file by {part!r}: teach this test to read it")
    return text


def _macro_calls() -> dict[tuple[str, str], set[str]]:
    """(file name pattern with {dialect}, macro) -> the templates calling it: `d.<macro>` (the
    renderer's global, procedures/_dialect/<dialect>.sql.j2) and `<alias>.<macro>` for an alias
    imported from a per-dialect file."""
    calls: dict[tuple[str, str], set[str]] = {}
    for root in TEMPLATE_ROOTS:
        for path in sorted((PROJECT_ROOT / root).rglob("*.j2")):
            tree = _parse(path)
            aliases = {"d": f"{DIALECT_DIR}/{{dialect}}.sql.j2"}
            for imp in tree.find_all(nodes.Import):
                pattern = _dialect_file(imp.template, "{dialect}")
                if "{dialect}" in pattern:
                    aliases[imp.target] = pattern
            for attr in tree.find_all(nodes.Getattr):
                if isinstance(attr.node, nodes.Name) and attr.node.name in aliases:
                    where = path.relative_to(PROJECT_ROOT).as_posix()
                    calls.setdefault((aliases[attr.node.name], attr.attr), set()).add(where)
    return calls


def test_templates_call_dialect_macros_at_all():
    """Guards the scan itself: were it to find nothing, the next test would prove nothing."""
    files = {pattern for pattern, _ in _macro_calls()}
    assert f"{DIALECT_DIR}/{{dialect}}.sql.j2" in files and f"{DIALECT_DIR}/batches_{{dialect}}.sql.j2" in files
    assert len(_macro_calls()) > 50


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_macro_a_template_calls_resolves_in_every_dialect(dialect):
    missing = []
    for (pattern, macro), callers in sorted(_macro_calls().items()):
        file = pattern.format(dialect=dialect)
        if macro not in _macros(file):
            missing.append(f"{file} has no macro {macro!r} (called in {', '.join(sorted(callers))})")
    assert missing == []


def test_dialect_macro_files_define_the_same_macros_with_the_same_parameters():
    for prefix in ("", "batches_"):
        by_dialect = {name: _macros(f"{DIALECT_DIR}/{prefix}{name}.sql.j2") for name in DIALECTS}
        first, *others = by_dialect.items()
        for name, macros in others:
            assert macros == first[1], f"{prefix}{name}.sql.j2 and {prefix}{first[0]}.sql.j2 differ"


def test_every_template_written_for_one_dialect_exists_for_every_dialect():
    named = re.compile(rf"(?<=[/_])({'|'.join(DIALECTS)})(?=\.)")
    missing = []
    for root in TEMPLATE_ROOTS:
        for path in sorted((PROJECT_ROOT / root).rglob("*.j2")):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            for dialect in DIALECTS if named.search(relative) else ():
                counterpart = named.sub(dialect, relative)
                if not (PROJECT_ROOT / counterpart).is_file():
                    missing.append(f"{relative} has no {counterpart}")
    assert missing == []
    assert named.search("db/install/postgres.sql.j2") and not named.search("tests/tsqlt/_tsqlt.sql.j2")


@pytest.mark.parametrize("name", DIALECTS)
def test_every_dialect_implements_the_whole_base_class(name):
    dialect = DIALECTS[name]
    assert isinstance(dialect, Dialect) and dialect.name == name
    assert Dialect.__abstractmethods__ and not type(dialect).__abstractmethods__
    unset = [attr for attr in Dialect.__annotations__ if not hasattr(dialect, attr)]
    assert unset == []
    assert set(dialect.ops_scripts) <= set(OPS_TEMPLATES)


@pytest.mark.parametrize("method", sorted(Dialect.__abstractmethods__))
def test_a_dialect_missing_one_method_cannot_be_created(method):
    partial = type("Partial", (Dialect,), {m: getattr(TSql, m) for m in Dialect.__abstractmethods__ if m != method})
    with pytest.raises(TypeError, match=method):
        partial()


def test_tsql_scripts_split_on_go_and_postgres_scripts_run_whole():
    script = "CREATE TABLE a (x INT);\nGO\nSELECT 1;\n  go ;\n"
    assert TSQL.split_script(script) == ["CREATE TABLE a (x INT);\n", "\nSELECT 1;\n"]
    assert DIALECTS["postgres"].split_script(script) == [script]


def test_no_code_outside_the_dialect_classes_branches_on_a_dialect_name():
    branch = re.compile(r"""dialect(\.name)?\s*[!=]=|[!=]=\s*["'](tsql|postgres)["']""")
    hits = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
            for root in ("pusher", "scripts") for path in sorted((PROJECT_ROOT / root).rglob("*.py"))
            if path != PROJECT_ROOT / "pusher/sql/dialect.py"
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
            if branch.search(line)]
    assert hits == []
