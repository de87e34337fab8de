"""Every dialect is complete, on both halves: the Python class implements all of `Dialect`, and
every Jinja macro a template calls resolves, with the same parameters, for every dialect: `d.<macro>`
from the dialect's overrides or else from procedures/_dialect/default.sql.j2, other macro files
from the dialect's own file."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from pusher.commands.render_ops import OPS_TEMPLATES
from pusher.paths import PROJECT_ROOT
from pusher.sql.catalog import read_columns_file
from pusher.sql.dialect import DIALECTS, TSQL, Dialect, TSql
from pusher.sql.render import DIALECT_MACROS, Renderer

TEMPLATE_ROOTS = ("procedures", "db", "ops", "tests/tsqlt")
DIALECT_DIR = DIALECT_MACROS
DEFAULT = f"{DIALECT_DIR}/default.sql.j2"
OVERRIDES = f"{DIALECT_DIR}/{{dialect}}.sql.j2"  # what `d` finds first (pusher.sql.render), then DEFAULT
_ENV = jinja2.Environment()


def _parse(path: Path) -> nodes.Template:
    return _ENV.parse(path.read_text(encoding="utf-8"))


def _macro_nodes(relative: str) -> dict[str, nodes.Macro]:
    return {m.name: m for m in _parse(PROJECT_ROOT / relative).find_all(nodes.Macro)}


def _macros(relative: str) -> dict[str, tuple[list[str], int]]:
    """Macro name -> (parameter names, how many have defaults) in one macro file."""
    return {name: ([a.name for a in m.args], len(m.defaults)) for name, m in _macro_nodes(relative).items()}


def _override_required(macro: nodes.Macro) -> list[str]:
    """The names a default macro passes to override_required: [] for a body every engine shares."""
    return [call.args[0].value for call in macro.find_all(nodes.Call)
            if isinstance(call.node, nodes.Name) and call.node.name == "override_required"]


def _resolving(pattern: str, dialect: str) -> set[str]:
    """The macros a call through a file pattern finds for one dialect: for `d`, the dialect's
    overrides and every default it need not override; else that dialect's file."""
    own = set(_macros(pattern.format(dialect=dialect)))
    if pattern != OVERRIDES:
        return own
    return own | {name for name, m in _macro_nodes(DEFAULT).items() if not _override_required(m)}


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
            aliases = {"d": OVERRIDES}
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
    assert OVERRIDES in files and f"{DIALECT_DIR}/batches_{{dialect}}.sql.j2" in files
    assert len(_macro_calls()) > 50


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_macro_a_template_calls_resolves_in_every_dialect(dialect):
    missing = []
    for (pattern, macro), callers in sorted(_macro_calls().items()):
        if macro not in _resolving(pattern, dialect):
            missing.append(f"{pattern.format(dialect=dialect)} has no macro {macro!r} (called in "
                           f"{', '.join(sorted(callers))}), and {DEFAULT} has none for every engine")
    assert missing == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_override_overrides_a_macro_the_default_declares_with_its_parameters(dialect):
    declared = _macros(DEFAULT)
    overrides = _macros(OVERRIDES.format(dialect=dialect))
    assert {name: sig for name, sig in overrides.items() if declared.get(name) != sig} == {}
    assert len(overrides) > 50


@pytest.mark.parametrize("dialect", DIALECTS)
def test_no_override_restates_its_default(dialect):
    """The override files hold only what differs: no copy of a shared body, no empty stub."""
    defaults = _macro_nodes(DEFAULT)
    same = [name for name, m in _macro_nodes(OVERRIDES.format(dialect=dialect)).items()
            if m.body == defaults[name].body]
    assert same == []


def test_every_default_an_engine_must_override_names_itself_and_shared_ones_exist():
    """override_required's error names the macro it was given: it must be the macro's own name."""
    macros = _macro_nodes(DEFAULT)
    wrong = {name: _override_required(m) for name, m in macros.items() if _override_required(m) not in ([], [name])}
    assert wrong == {}
    shared = {name for name, m in macros.items() if not _override_required(m)}
    assert {"t_bigint", "return_", "security_definer", "row_locks_only"} <= shared


@pytest.mark.parametrize(("dialect", "own_text", "owner_rights"),
                         [("tsql", "NVARCHAR(5)", ""), ("postgres", "VARCHAR(5)", "SECURITY DEFINER")])
def test_d_finds_a_macro_in_the_dialect_file_first_then_in_the_default(config, dialect, own_text, owner_rights):
    d = Renderer(config, dialect, read_columns_file(config.columns_file)).env.globals["d"]
    assert str(d.t_text(5)) == own_text and str(d.t_bigint()) == "BIGINT"
    assert str(d.security_definer()).partition("\n")[0] == owner_rights  # tsql: the default's empty one


def test_a_default_reached_without_its_override_names_the_file_to_write_it_in(config):
    renderer = Renderer(config, "tsql", read_columns_file(config.columns_file))
    default = renderer.env.get_template(DEFAULT).make_module()
    with pytest.raises(jinja2.TemplateRuntimeError, match=r"_dialect/tsql\.sql\.j2 has no macro 't_text'"):
        default.t_text(5)


def test_batches_macro_files_define_the_same_macros_with_the_same_parameters():
    by_dialect = {name: _macros(f"{DIALECT_DIR}/batches_{name}.sql.j2") for name in DIALECTS}
    first, *others = by_dialect.items()
    for name, macros in others:
        assert macros == first[1], f"batches_{name}.sql.j2 and batches_{first[0]}.sql.j2 differ"


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
