"""Fakes for the SQL Server side, which cannot run here: a DB-API connection that answers
queries from rules, so the runner and the version check are tested on the exact rows and
errors pyodbc would hand them."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType

import pytest

from pusher.config import Config, load_config
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT
from pusher.sql.connection import Database

# (substring of the SQL, answer): answer is an exception to raise, (column names, rows), or a
# callable(sql, params) returning one of those (for servers whose answers depend on earlier calls).
Rule = tuple[str, object]


class FakeCursor:
    def __init__(self, conn: FakeConnection):
        self.conn = conn
        self.description: list[tuple] | None = None
        self._rows: list[tuple] = []

    def execute(self, sql: str, params=()) -> FakeCursor:
        self.conn.executed.append((sql, list(params)))
        for needle, answer in self.conn.rules:
            if needle in sql:
                if callable(answer):
                    answer = answer(sql, list(params))
                if isinstance(answer, Exception):
                    raise answer
                columns, rows = answer
                self.description = [(c, None, None, None, None, None, None) for c in columns]
                self._rows = list(rows)
                return self
        self.description, self._rows = None, []
        return self

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def nextset(self) -> bool:
        return False


class FakeConnection:
    """Records every statement; answers from `rules`, first match wins."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.executed: list[tuple[str, list]] = []
        self.autocommit = False
        self.commits = self.rollbacks = 0

    def cursor(self) -> FakeCursor:
        return FakeCursor(self)

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        self.rollbacks += 1

    def close(self) -> None:
        pass

    def statements(self, needle: str) -> list[str]:
        return [sql for sql, _ in self.executed if needle in sql]


class FakeSqlServer(Database):
    """A Database whose connection is the fake, so real ordersync code paths run against it."""

    def __init__(self, config: Config, conn: FakeConnection):
        super().__init__(config, url="DRIVER={fake};SERVER=nowhere")
        self.fake = conn

    def _open(self) -> FakeConnection:
        return self.fake


@pytest.fixture
def tsql_config() -> Config:
    """The shipped config's production (SQL Server) environment."""
    return load_config(DEFAULT_CONFIG, "production")


@pytest.fixture
def fake_sqlserver(tsql_config: Config) -> Callable[[list[Rule]], FakeSqlServer]:
    return lambda rules: FakeSqlServer(tsql_config, FakeConnection(rules))


@pytest.fixture(scope="session")
def run_tsqlt() -> ModuleType:
    """scripts/run_tsqlt.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("run_tsqlt", PROJECT_ROOT / "scripts" / "run_tsqlt.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module

