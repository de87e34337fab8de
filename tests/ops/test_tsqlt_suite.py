"""The tSQLt suite's shape, checked here because it can only run on a SQL Server.

One class per procedure and view, tests named as sentences, Arrange/Act/Assert on fakes,
NoTransaction exactly where a procedure's error would end tSQLt's transaction, and the
runner installing the classes batch by batch with each annotation kept on its procedure.
sqlfluff tsql parses every class in tests/sql/test_tsql_parses.py. One more check stands in
for a compiler: no procedure declares a variable its parameters already name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pusher.commands.render_ops import ops_renderer, render_ops, tsqlt_templates
from pusher.config import load_config
from pusher.paths import DEFAULT_CONFIG, PROCEDURES_DIR
from pusher.sql.render import deploy_order

TEST_PROC = re.compile(r"^CREATE PROCEDURE \[(?P<cls>[^\]]+)\]\.\[(?P<name>[^\]]+)\]\s*$", re.MULTILINE)
NO_TRANSACTION = re.compile(r"^--\[@tSQLt:NoTransaction\]\('\[(?P<cls>[^\]]+)\]\.\[(?P<proc>[^\]]+)\]'\)$")


@pytest.fixture(scope="module")
def classes() -> dict[str, str]:
    """Class name -> rendered T-SQL, rendered as `ordersync render-ops` does."""
    rendered = render_ops(ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql"))
    return {Path(name).name.removesuffix(".class.sql"): obj.sql
            for name, obj in rendered.items() if name.startswith("tsqlt/")}


def _batches(sql: str) -> list[str]:
    return [b.strip() for b in re.split(r"^GO$", sql, flags=re.MULTILINE) if b.strip()]


def _tests(sql: str) -> list[tuple[str, str]]:
    """(test name, batch) for every test procedure of a class."""
    found = []
    for batch in _batches(sql):
        match = TEST_PROC.search(batch)
        if match and match["name"].startswith("test "):
            found.append((match["name"], batch))
    return found


def test_every_procedure_and_view_has_its_own_test_class(classes):
    objects = {Path(t).name.split(".")[1] for t in deploy_order() if t.startswith("procedures/")}
    assert objects, "no procedures in the deploy order"
    assert set(classes) == {f"{name}Tests" for name in objects}
    assert len(tsqlt_templates()) == len(classes)
    assert all((PROCEDURES_DIR / f"sync.{name}.sql.j2").exists() or
               (PROCEDURES_DIR / f"sync.{name}.view.sql.j2").exists() for name in objects)


def test_each_class_is_created_fresh_and_holds_only_its_own_tests(classes):
    for name, sql in classes.items():
        batches = _batches(sql)
        assert batches[0].endswith(f"EXEC tSQLt.NewTestClass N'{name}';"), name
        owners = {m["cls"] for m in TEST_PROC.finditer(sql)}
        assert owners == {name}, f"{name} creates procedures in {owners}"
        assert _tests(sql), f"{name} has no tests"


def test_tests_are_sentences_in_arrange_act_assert_form(classes):
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            words = test.split()
            assert len(words) >= 5 and words[1].islower(), f"{name}.[{test}] is not a sentence"
            assert "tSQLt.FakeTable" in batch, f"{name}.[{test}] does not isolate itself with FakeTable"
            assert re.search(r"tSQLt\.(AssertEqualsTable|AssertEmptyTable|AssertEquals|AssertEqualsString|"
                             r"AssertLike|ExpectException)", batch), f"{name}.[{test}] asserts nothing"
        assert "tSQLt.AssertEqualsTable" in sql, f"{name} never compares tables"


def test_every_test_that_expects_an_error_runs_outside_tsqlt_transaction(classes):
    """A THROW under XACT_ABORT dooms the caller's transaction, so such a test cannot run in
    tSQLt's; NoTransaction tests name their class's UndoDoubles to put the fakes back."""
    expecting = 0
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            first = batch.splitlines()[0]
            wants_error = "ExpectException" in batch or "BEGIN CATCH" in batch
            annotated = NO_TRANSACTION.match(first)
            assert bool(annotated) == wants_error, f"{name}.[{test}]: NoTransaction {bool(annotated)}, " \
                                                   f"expects an error {wants_error}"
            if annotated:
                expecting += 1
                assert (annotated["cls"], annotated["proc"]) == (name, "UndoDoubles")
                assert f"CREATE PROCEDURE [{name}].[UndoDoubles]" in sql
    assert expecting >= 5


def test_the_behaviours_of_the_postgres_tests_are_covered(classes):
    everything = "\n".join(test for sql in classes.values() for test, _ in _tests(sql))
    for behaviour in ("new order", "changed column", "missing from the snapshot", "size set to zero",
                      "changed quantity", "aliased size columns", "NULL", "coalesces", "in flight",
                      "expired lease", "last attempt", "synced", "FAILED", "return to PENDING",
                      "drifted staging table", "duplicate key", "negative quantity", "dry run"):
        assert behaviour in everything, f"no tSQLt test covers {behaviour!r}"


def test_the_runner_installs_every_class_batch_by_batch_with_annotations_kept(run_tsqlt, fake_sqlserver,
                                                                              classes):
    db = fake_sqlserver([("SELECT c.name AS column_name", (["column_name", "sql_type"], []))])
    renderer = ops_renderer(db.config, "tsql")
    run_tsqlt.install_classes(db, renderer, list(run_tsqlt.class_templates().values()))
    executed = [sql for sql, _ in db.fake.executed]
    assert len(executed) == sum(len(_batches(sql)) for sql in classes.values())
    annotated = [b for b in executed if "@tSQLt:NoTransaction" in b]
    assert annotated and all(re.match(r"\s*--\[@tSQLt:NoTransaction\]\(.*\)\nCREATE PROCEDURE ", b)
                             for b in annotated)
    assert db.fake.commits == len(classes)


def _redeclared(sql: str) -> list[tuple[str, str]]:
    """(procedure, variable) for each variable a procedure DECLAREs though a parameter has its name
    (SQL Server refuses to create such a procedure: Msg 134)."""
    found = []
    procedures = list(re.finditer(r"CREATE OR ALTER PROCEDURE (\S+)\n(?:(.*?)\n)?AS\n(.*?)\nEND;", sql, re.DOTALL))
    assert procedures, "no procedure found: the check would pass on anything"
    for match in procedures:
        params = {p.lower() for p in re.findall(r"^\s*(@\w+)\s", match[2] or "", re.MULTILINE)}
        declared = re.findall(r"DECLARE\s+(@\w+)\s", match[3])
        found += [(match[1], v) for v in declared if v.lower() in params]
    return found


def _procedure_params():
    config = load_config(DEFAULT_CONFIG, "production")
    renderer = ops_renderer(config, "tsql")
    return [pytest.param(obj, id=obj.file_name)
            for obj in renderer.render_all()
            if obj.template.startswith("procedures/") and not obj.template.endswith(".view.sql.j2")]


@pytest.mark.parametrize("obj", _procedure_params())
def test_no_procedure_redeclares_a_parameter(obj):
    assert _redeclared(obj.sql) == []
