"""One procedure skeleton and one run-log writer (procedures/_base/step.sql.j2): every procedure
that changes state is built on `step.procedure`, and no other template writes the run log."""

from __future__ import annotations

import re

import pytest

from pusher.config import Config
from pusher.paths import PROCEDURES_DIR, PROJECT_ROOT
from pusher.sql.catalog import read_columns_file
from pusher.sql.dialect import DIALECTS
from pusher.sql.render import Renderer

STEP = "procedures/_base/step.sql.j2"
# Procedures not built on the skeleton, and why.
OWN_SHAPE = {
    "RunPipeline": "its failure is logged after the rollback (try/catch), which the skeleton's one transaction "
                   "cannot do; it writes the log through step.write and step.finish",
    "CheckDrift": "reads the catalog only",
}
LOG_COLUMNS = ["run_id", "component", "step", "is_dry_run", "start_time", "end_time", "rows_affected", "counts",
               "outcome", "order_key", "error_number", "error_message", "host_name"]


def _procedure_templates() -> dict[str, str]:
    """Procedure name (``{Entity}`` kept) -> template source."""
    return {p.name.split(".")[1]: p.read_text(encoding="utf-8") for p in PROCEDURES_DIR.glob("sync.*.sql.j2")
            if not p.name.endswith(".view.sql.j2")}


def test_every_procedure_that_changes_state_is_built_on_the_one_skeleton():
    templates = _procedure_templates()
    assert set(OWN_SHAPE) <= set(templates)
    for name, source in templates.items():
        on_skeleton = "step.procedure(" in source
        assert on_skeleton != (name in OWN_SHAPE), (
            f"{name}: build it on step.procedure, or say in OWN_SHAPE why it cannot be")
        assert "d.atomic(" not in source or name in OWN_SHAPE, f"{name}: the skeleton owns the transaction"


def test_no_template_but_the_writer_inserts_into_or_updates_the_run_log():
    writes = re.compile(r"(INSERT\s+INTO|UPDATE)\s+\{\{[^}]*run_log", re.IGNORECASE)
    offenders = [str(p.relative_to(PROJECT_ROOT)) for folder in ("procedures", "db")
                 for p in (PROJECT_ROOT / folder).rglob("*.j2")
                 if p.relative_to(PROJECT_ROOT).as_posix() != STEP and writes.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_rendered_run_log_insert_has_the_writers_column_order(config: Config, dialect):
    """A hand-written INSERT (or one that bypassed the writer) would list its own columns."""
    table = {"tsql": "[dbo].[ORDER_LIST_RUN_LOG]", "postgres": '"dbo"."ORDER_LIST_RUN_LOG"'}[dialect]
    inserts = [m for obj in Renderer(config, dialect, read_columns_file(config.columns_file)).render_all()
               for m in re.findall(rf"INSERT INTO {re.escape(table)} \(([^)]*)\)", obj.sql)]
    assert len(inserts) >= 10  # pipeline start, rejects, snapshot, claims, marks, release, operator steps
    for listed in inserts:
        columns = [c.strip() for c in listed.split(",")]
        assert columns == [c for c in LOG_COLUMNS if c in columns], listed
