"""Run the database pipeline (`sync.RunPipeline`) and read back what it did.

The procedure does all the work; this module only calls it, turns its outcome into a
`PipelineResult` or a `DatabaseError` carrying the procedure's own message, and reads the
run's REJECTED rows from the run log so the CLI can show them.

On PostgreSQL a failed or refused run does not raise inside the database (a function
cannot commit, and an exception would roll the run log back with the work): it returns
one row with entity ``error`` after logging. The call commits that log, and this module
raises it here, so both engines look the same to callers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from pusher.errors import ConfigError, DatabaseError, MassChangeRefused, OrdersyncError
from pusher.sql.connection import Database
from pusher.sql.deployed_config import changed_settings, fingerprint, refusal
from pusher.views import view_rows

PROCEDURE = "RunPipeline"
# The run-log step RunPipeline writes when snapshot staging equals the current copy.
UNCHANGED_STEP = "SnapshotUnchanged"
# How RunPipeline opens its refusals by the mass-change guard (error 50004) and of a caller
# whose config differs from the deployed one (50005), on both engines.
GUARD_REFUSAL = "RunPipeline refused (mass change guard)"
CONFIG_REFUSAL = "RunPipeline refused (config changed since deploy)"


@dataclass(frozen=True)
class Reject:
    """A bad staging row or line, as the pipeline logged it."""

    step: str  # MergeHeaders | MergeLines
    order_key: str | None
    message: str


@dataclass(frozen=True)
class PipelineResult:
    run_id: int
    dry_run: bool
    counts: dict[tuple[str, str], int]  # (entity, action) -> rows; entity item | subitem | reject
    rejects: list[Reject] = field(default_factory=list)
    # Snapshot staging rows found identical to the current copy (merges skipped), else None.
    unchanged_rows: int | None = None

    def count(self, entity: str, action: str) -> int:
        return self.counts.get((entity, action), 0)

    @property
    def changed(self) -> int:
        """How many item and subitem changes the run queued (or would queue, dry run)."""
        return sum(n for (entity, _), n in self.counts.items() if entity != "reject")


def run_pipeline(db: Database, dry_run: bool = False, allow_mass_archive: bool = False) -> PipelineResult:
    """Run the pipeline once; raise DatabaseError with the procedure's message on failure,
    MassChangeRefused when the mass-change guard refused it.

    The guard's thresholds travel from the config with the call, so editing them needs no
    deploy (the Agent job uses the values rendered as the procedure's defaults). The share
    goes as a Decimal: the parameter is NUMERIC, which a float does not match on PostgreSQL."""
    guard = db.config.archive_guard
    try:
        rows = db.call(PROCEDURE, DryRun=dry_run, AllowMassArchive=allow_mass_archive,
                       MaxArchiveShare=Decimal(str(guard.share)), MaxArchiveCount=guard.count,
                       ConfigFingerprint=fingerprint(db.config))
    except DatabaseError as exc:  # SQL Server: the procedure rethrows after logging
        refused = _refusal(db, str(exc))
        if refused:
            raise refused from exc
        raise
    errors = [r for r in rows if r["entity"] == "error"]
    if errors:
        run_id, outcome = errors[0]["run_id"], errors[0]["action"]
        logged = _run_log(db, "error_message", "run_log_id", run_id)
        message = logged[0]["error_message"] if logged else "no message logged"
        message = f"{db.config.environment.sync_schema}.{PROCEDURE} {outcome.lower()}: {message}"
        raise _refusal(db, message) or DatabaseError(message)
    run_id = rows[0]["run_id"] if rows else _last_run_id(db)
    counts = {(r["entity"], r["action"]): int(r["rows"]) for r in rows}
    rejects = []
    if counts.get(("reject", "REJECTED")):
        rejects = [Reject(r["step"], r["order_key"], r["error_message"])
                   for r in _run_log(db, "step, order_key, error_message", "run_id", run_id, rejected=True)]
    unchanged = None
    if not counts:
        unchanged = next((int(r["rows_affected"]) for r in _run_log(db, "step, rows_affected", "run_id", run_id)
                          if r["step"] == UNCHANGED_STEP), None)
    return PipelineResult(run_id=run_id, dry_run=dry_run, counts=counts, rejects=rejects, unchanged_rows=unchanged)


def _refusal(db: Database, message: str) -> OrdersyncError | None:
    """The error a refusal with its own exit code raises: MassChangeRefused (exit 5), or
    ConfigError naming the settings changed since deploy (exit 2); None for any other failure."""
    if GUARD_REFUSAL in message:
        return MassChangeRefused(message)
    if CONFIG_REFUSAL in message:
        return ConfigError(refusal(db.config, changed_settings(db) or [message]))
    return None


def _run_log(db: Database, columns: str, key: str, value: int, rejected: bool = False) -> list[dict]:
    """Run-log rows by id or run id (REJECTED ones only when asked), oldest first, through the
    RunHistory view: the pipeline role may read views, never the tables."""
    where = f"{key} = {db.dialect.placeholder}" + (" AND outcome = 'REJECTED'" if rejected else "")
    return view_rows(db, "RunHistory", columns=columns, where=where, params=(value,), order_by="run_log_id")


def _last_run_id(db: Database) -> int:
    """The id of the newest pipeline run (a run with nothing to report returns no rows)."""
    rows = view_rows(db, "RunHistory", columns="MAX(run_id) AS run_id",
                     where=f"component = 'pipeline' AND step = '{PROCEDURE}'")
    return int(rows[0]["run_id"]) if rows and rows[0]["run_id"] is not None else 0
