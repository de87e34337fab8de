"""scripts/run_tsqlt.py against a fake SQL Server that answers like tSQLt does.

tSQLt.Run empties tSQLt.TestResult on every call and raises after a run with failures;
the runner must still read the results, write JUnit XML a CI server accepts, print
`N passed, N failed` and exit with a code that matches.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from pusher.errors import DatabaseError

T0 = datetime(2026, 1, 5, 6, 0, 0)
COLUMNS = ["Class", "TestCase", "Result", "Msg", "TestStartTime", "TestEndTime"]
TSQLT_PRESENT = ("OBJECT_ID(N'tSQLt.Run'", (["id"], [(1234,)]))


def _row(test_class, case, result, msg=None, ms=20):
    return (test_class, case, result, msg, T0, T0 + timedelta(milliseconds=ms))


@pytest.fixture
def tsqlt_server(fake_sqlserver):
    """A fake server whose tSQLt.Run fills TestResult for the class named, like the real one:
    results replaced on every run, an error raised after a run with failures."""

    def make(by_class: dict[str, list[tuple]], failing=frozenset(), broken: Exception | None = None):
        current: list[tuple] = []

        def run(sql, params):
            assert db.fake.autocommit, "tSQLt must run with autocommit on"
            current[:] = [] if broken else by_class.get(params[0], [])
            if broken:
                return broken
            if params[0] in failing:
                return RuntimeError("[42000] Test Case Summary: 2 test case(s) executed, 1 failed (50000)")
            return [], []

        db = fake_sqlserver([TSQLT_PRESENT, ("tSQLt.Run @TestName", run),
                             ("FROM tSQLt.TestResult", lambda sql, params: (COLUMNS, list(current)))])
        return db

    return make


@pytest.fixture
def two_classes(run_tsqlt, monkeypatch):
    classes = {"ClaimItemsTests": "tests/tsqlt/ClaimItemsTests.class.sql.j2",
               "MarkItemsFailedTests": "tests/tsqlt/MarkItemsFailedTests.class.sql.j2"}
    monkeypatch.setattr(run_tsqlt, "class_templates", lambda: classes)
    return classes


def test_failures_and_errors_give_valid_junit_a_summary_and_exit_code_1(run_tsqlt, tsqlt_server, two_classes,
                                                                         tmp_path, capsys):
    db = tsqlt_server({
        "ClaimItemsTests": [_row("ClaimItemsTests", "test a claimed row becomes IN_FLIGHT", "Success"),
                            _row("ClaimItemsTests", "test an expired lease is reclaimed", "Success", ms=1500)],
        "MarkItemsFailedTests": [_row("MarkItemsFailedTests", "test the last attempt moves the row to FAILED",
                                      "Failure", "Expected: <FAILED> but was: <PENDING>"),
                                 _row("MarkItemsFailedTests", "test bad JSON is refused", "Error",
                                      "Conversion failed [Error: 245]")],
    }, failing={"MarkItemsFailedTests"})
    junit = tmp_path / "out" / "tsqlt.xml"

    code = run_tsqlt.run(db, [], install=False, junit=junit)

    out = capsys.readouterr().out
    assert code == 1
    assert out.strip().endswith("2 passed, 2 failed")
    assert "FAILURE: MarkItemsFailedTests.[test the last attempt moves the row to FAILED]: Expected: <FAILED>" in out
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["ClaimItemsTests", "MarkItemsFailedTests"]
    assert suites["ClaimItemsTests"].get("failures") == "0"
    assert suites["ClaimItemsTests"].get("time") == "1.520"
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["test the last attempt moves the row to FAILED"].find("failure")
    assert failure is not None and failure.get("message") == "Expected: <FAILED> but was: <PENDING>"
    error = cases["test bad JSON is refused"].find("error")
    assert error is not None and "Conversion failed" in error.text
    assert cases["test a claimed row becomes IN_FLIGHT"].find("failure") is None
    assert cases["test a claimed row becomes IN_FLIGHT"].get("classname") == "ClaimItemsTests"


def test_every_class_runs_by_name_and_all_passing_exits_0(run_tsqlt, tsqlt_server, two_classes, tmp_path, capsys):
    db = tsqlt_server({
        "ClaimItemsTests": [_row("ClaimItemsTests", "test one", "Success")],
        "MarkItemsFailedTests": [_row("MarkItemsFailedTests", "test two", "Success"),
                                 _row("MarkItemsFailedTests", "test three", "Skipped", "needs SQL Server 2022")],
    })

    code = run_tsqlt.run(db, [], install=False, junit=tmp_path / "r.xml")

    assert code == 0
    assert capsys.readouterr().out.strip() == "2 passed, 0 failed, 1 skipped"
    runs = [params for sql, params in db.fake.executed if "EXEC tSQLt.Run" in sql]
    assert runs == [["ClaimItemsTests"], ["MarkItemsFailedTests"]]
    skipped = ET.parse(tmp_path / "r.xml").getroot().find(".//testcase[@name='test three']/skipped")
    assert skipped is not None


def test_one_class_can_be_chosen_and_unknown_classes_are_named(run_tsqlt, tsqlt_server, two_classes, tmp_path):
    db = tsqlt_server({"MarkItemsFailedTests": [_row("MarkItemsFailedTests", "test two", "Success")]})
    assert run_tsqlt.run(db, ["MarkItemsFailedTests"], install=False, junit=tmp_path / "r.xml") == 0
    assert [p for s, p in db.fake.executed if "EXEC tSQLt.Run" in s] == [["MarkItemsFailedTests"]]
    with pytest.raises(Exception, match="unknown test class.*NoSuchTests.*choose from ClaimItemsTests"):
        run_tsqlt.run(db, ["NoSuchTests"], install=False, junit=tmp_path / "r.xml")


def test_a_run_where_nothing_ran_is_not_a_pass(run_tsqlt, tsqlt_server, two_classes, tmp_path, capsys):
    db = tsqlt_server({})
    assert run_tsqlt.run(db, [], install=False, junit=tmp_path / "r.xml") == 1
    assert "0 passed, 0 failed (no tests ran" in capsys.readouterr().out
    assert ET.parse(tmp_path / "r.xml").getroot().get("tests") == "0"


def test_an_error_before_any_test_ran_is_a_database_error(run_tsqlt, tsqlt_server, two_classes, tmp_path):
    db = tsqlt_server({}, broken=RuntimeError("Could not find stored procedure 'tSQLt.Private_Run'"))
    with pytest.raises(DatabaseError, match="failed before any test ran.*Private_Run"):
        run_tsqlt.run(db, ["ClaimItemsTests"], install=False, junit=tmp_path / "r.xml")


def test_a_database_without_tsqlt_is_refused_with_the_fix(run_tsqlt, fake_sqlserver, two_classes, tmp_path):
    db = fake_sqlserver([("OBJECT_ID(N'tSQLt.Run'", (["id"], [(None,)]))])
    with pytest.raises(DatabaseError, match="tSQLt is not installed.*tSQLt.class.sql"):
        run_tsqlt.run(db, [], install=False, junit=tmp_path / "r.xml")
    assert not (tmp_path / "r.xml").exists()


def test_a_postgres_environment_is_a_config_error(run_tsqlt, tmp_path, capsys):
    assert run_tsqlt.main(["--env", "development", "--junit", str(tmp_path / "r.xml")]) == 2
    assert "tSQLt runs on SQL Server" in capsys.readouterr().err
