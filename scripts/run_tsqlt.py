#!/usr/bin/env python3
"""Install ordersync's tSQLt test classes on a SQL Server, run them, report like CI does.

    python scripts/run_tsqlt.py --env production --junit tsqlt-results.xml
    python scripts/run_tsqlt.py --env production --class ClaimItemsTests --no-install

The classes are the Jinja templates `tests/tsqlt/*.class.sql.j2`, rendered from the same
config (and the live staging catalog) as the procedures they test, so a DBA tests exactly
what `ordersync deploy` installed. The database needs tSQLt itself (tsqlt.org) and the
ordersync objects (`ordersync deploy`) first.

Each class runs through `tSQLt.Run`, which empties `tSQLt.TestResult` every time, so the
results are read after each class. Prints `N passed, N failed` and exits 0 when every test
passed, 1 when any failed or errored (or none ran), 2 on a configuration error, 4 when the
database could not be reached or tSQLt is missing.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pusher.commands.render_ops import tsqlt_templates
from pusher.config import load_config
from pusher.errors import ConfigError, DatabaseError, ExitCode, OrdersyncError
from pusher.sql.connection import Database
from pusher.sql.deploy import staging_columns
from pusher.sql.dialect import get_dialect
from pusher.sql.render import Renderer

CLASS_SUFFIX = ".class.sql.j2"
RESULT_QUERY = (
    "SELECT Class, TestCase, Result, Msg, TestStartTime, TestEndTime FROM tSQLt.TestResult ORDER BY Id"
)
PASSED = "Success"
SKIPPED = "Skipped"


@dataclass(frozen=True)
class TestOutcome:
    """One row of `tSQLt.TestResult`: Result is Success, Failure, Error or Skipped."""

    test_class: str
    test_case: str
    result: str
    message: str
    seconds: float

    @property
    def failed(self) -> bool:
        return self.result not in (PASSED, SKIPPED)


def class_templates() -> dict[str, str]:
    """Test class name -> template (the files `ordersync render-ops` renders), in name order."""
    return {Path(t).name.removesuffix(CLASS_SUFFIX): t for t in tsqlt_templates()}


def install_classes(db: Database, renderer: Renderer, templates: list[str]) -> None:
    """Render and install each class (`tSQLt.NewTestClass` drops an earlier copy first)."""
    for template in templates:
        obj = renderer.render(template)
        db.execute_script(obj.sql, obj.template)


def require_tsqlt(conn) -> None:
    """Refuse early, with the fix, when the database has no tSQLt framework installed."""
    cur = conn.cursor()
    cur.execute("SELECT OBJECT_ID(N'tSQLt.Run', N'P')")
    row = cur.fetchone()
    if row is None or row[0] is None:
        raise DatabaseError(
            "tSQLt is not installed in this database: download it from https://tsqlt.org, run "
            "PrepareServer.sql once per server and tSQLt.class.sql in this database, then run again"
        )


def run_class(conn, test_class: str) -> list[TestOutcome]:
    """Run one test class and read its results.

    tSQLt.Run raises an error after the run when a test failed; that error is expected and
    the results table says what happened. An error with no results (class missing, tSQLt
    broken) is re-raised so it is not mistaken for an empty pass.
    """
    cur = conn.cursor()
    run_error: Exception | None = None
    try:
        cur.execute("EXEC tSQLt.Run @TestName = ?", [test_class])
        while cur.nextset():  # drain the formatter's result sets and messages
            pass
    except Exception as exc:  # pyodbc.Error; the driver is imported only on the server side
        run_error = exc
    cur = conn.cursor()
    cur.execute(RESULT_QUERY)
    rows = cur.fetchall()
    if not rows and run_error is not None:
        raise DatabaseError(f"tSQLt.Run {test_class} failed before any test ran: {run_error}")
    return [_outcome(row) for row in rows]


def _outcome(row) -> TestOutcome:
    test_class, test_case, result, message, start, end = row
    seconds = (end - start).total_seconds() if isinstance(start, datetime) and isinstance(end, datetime) else 0.0
    return TestOutcome(test_class, test_case, result or "Error", message or "", max(seconds, 0.0))


def junit_xml(outcomes: list[TestOutcome]) -> ET.ElementTree:
    """JUnit XML as CI servers read it: one testsuite per tSQLt class."""
    root = ET.Element("testsuites", name="ordersync tSQLt")
    suites: dict[str, ET.Element] = {}
    for outcome in outcomes:
        suite = suites.get(outcome.test_class)
        if suite is None:
            suite = suites[outcome.test_class] = ET.SubElement(root, "testsuite", name=outcome.test_class)
        case = ET.SubElement(suite, "testcase", classname=outcome.test_class, name=outcome.test_case,
                             time=f"{outcome.seconds:.3f}")
        if outcome.result == SKIPPED:
            ET.SubElement(case, "skipped", message=outcome.message)
        elif outcome.failed:
            kind = "failure" if outcome.result == "Failure" else "error"
            ET.SubElement(case, kind, message=outcome.message, type=outcome.result).text = outcome.message
    _count(root, outcomes)
    for name, suite in suites.items():
        _count(suite, [o for o in outcomes if o.test_class == name])
    ET.indent(root)
    return ET.ElementTree(root)


def _count(element: ET.Element, members: list[TestOutcome]) -> None:
    element.set("tests", str(len(members)))
    element.set("failures", str(sum(o.result == "Failure" for o in members)))
    element.set("errors", str(sum(o.failed and o.result != "Failure" for o in members)))
    element.set("skipped", str(sum(o.result == SKIPPED for o in members)))
    element.set("time", f"{sum(o.seconds for o in members):.3f}")


def summary(outcomes: list[TestOutcome]) -> str:
    """`N passed, N failed` (errors count as failed), plus skipped when there are any."""
    passed = sum(o.result == PASSED for o in outcomes)
    failed = sum(o.failed for o in outcomes)
    skipped = sum(o.result == SKIPPED for o in outcomes)
    return f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else "")


def exit_code(outcomes: list[TestOutcome]) -> int:
    """0 only when something ran and nothing failed: an empty run proves nothing."""
    if not outcomes or any(o.failed for o in outcomes):
        return int(ExitCode.ROWS_FAILED)
    return int(ExitCode.OK)


def run(db: Database, classes: list[str], install: bool, junit: Path) -> int:
    """Install (optionally) and run the classes on `db`; write JUnit XML; return the exit code."""
    available = class_templates()
    unknown = [c for c in classes if c not in available]
    if unknown:
        raise ConfigError(f"unknown test class(es) {', '.join(unknown)}: choose from {', '.join(available)}")
    chosen = classes or list(available)
    conn = db.connection()
    require_tsqlt(conn)
    if install:
        renderer = Renderer(db.config, db.dialect, staging_columns(db).columns)
        install_classes(db, renderer, [available[c] for c in chosen])
    conn.autocommit = True  # tSQLt manages its own transactions and NoTransaction tests need none open
    outcomes: list[TestOutcome] = []
    for test_class in chosen:
        outcomes += run_class(conn, test_class)
    for outcome in outcomes:
        if outcome.failed:
            print(f"{outcome.result.upper()}: {outcome.test_class}.[{outcome.test_case}]: {outcome.message}")
    junit.parent.mkdir(parents=True, exist_ok=True)
    junit_xml(outcomes).write(junit, encoding="utf-8", xml_declaration=True)
    print(summary(outcomes) + ("" if outcomes else " (no tests ran: are the classes installed?)"))
    return exit_code(outcomes)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", metavar="PATH", default=None, help="config file (default: the shipped one)")
    parser.add_argument("--env", metavar="NAME", default=None, help="environment whose SQL Server to test")
    parser.add_argument("--url", metavar="ODBC", default=None,
                        help="ODBC string or mssql+pyodbc:// URL instead of the environment's database_url_env")
    parser.add_argument("--class", dest="classes", metavar="NAME", action="append", default=[],
                        help="run only this test class (repeatable); default: every ordersync class")
    parser.add_argument("--no-install", dest="install", action="store_false",
                        help="run the classes already installed instead of rendering them again")
    parser.add_argument("--junit", metavar="FILE", type=Path, default=Path("tsqlt-results.xml"),
                        help="JUnit XML output (default: tsqlt-results.xml)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config(args.config, args.env)
        if not get_dialect(config.environment.dialect).has_tsqlt:
            raise ConfigError(f"environment {config.environment.name!r} is {config.environment.dialect}: "
                              f"tSQLt runs on SQL Server; pass --env with a tsql environment")
        with Database(config, url=args.url) as db:
            return run(db, args.classes, args.install, args.junit)
    except OrdersyncError as exc:
        print(f"run_tsqlt: {exc}", file=sys.stderr)
        return int(exc.exit_code)


if __name__ == "__main__":
    sys.exit(main())
