"""`ordersync pipeline`: run the database pipeline once and print what it queued."""

from __future__ import annotations

import argparse

from pusher import queue
from pusher.commands.common import command, open_database
from pusher.pipeline import PipelineResult, run_pipeline

DESCRIPTION = """\
Run sync.RunPipeline once. It refuses when the config differs from the one the deployed
procedures were rendered from (a key, a mapped column, the name or size settings, a table
name ... changed since the last deploy): exit 2, naming each change (sync.DeployedConfig
holds the deployed settings); fix: ordersync deploy. It also refuses when the staging table
has drifted from the columns the procedures were rendered for (fix: ordersync render,
ordersync deploy) or when another pipeline run is in progress; otherwise it merges headers
and lines in one transaction and queues the changes for monday. Bad staging rows are
rejected one by one (listed below the counts); the rest of the batch goes through. When
snapshot staging holds exactly the current copy (compared by checksum, one pass over each
table), the merges are skipped and the run says so.

Mass-change guard (snapshot staging): the run is refused, nothing merged or queued, when
staging is empty while live orders exist, or when the orders it would archive (or the size
lines it would delete) exceed both [staging] max_archive_count and max_archive_share of the
live ones. The run log (REFUSED, error 50004) and the message give the numbers. When staging
is complete and the change is meant, --allow-mass-archive lets this one run through (in SQL,
by hand: EXEC sync.RunPipeline @AllowMassArchive = 1; leave the Agent job step as it is).

--dry-run computes and prints the same counts and rejects, logs the run, and changes no data
(the guard refuses a dry run too, so it previews the refusal).

exit codes: 0 done, 2 configuration error, 4 database error (including a refused run: drift,
another run in progress), 5 refused by the mass-change guard.
"""

ROW_ORDER = (*queue.ENTITIES, "reject")  # the counts table: the queues in their order, then the rejects


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "pipeline", help="merge staging into the current copy and queue the changes for monday",
                 description=DESCRIPTION, func=run) as p:
        p.add_argument("--dry-run", action="store_true", help="compute and print the counts; change no data")
        p.add_argument("--allow-mass-archive", action="store_true",
                       help="let this one run archive or delete beyond the mass-change guard's threshold "
                            "(only when staging is known to be complete)")


def run(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        result = run_pipeline(db, dry_run=args.dry_run, allow_mass_archive=args.allow_mass_archive)
    print(format_result(result))
    return 0


def format_result(result: PipelineResult) -> str:
    """The counts as a table by entity and action, then one line per reject."""
    mode = "dry run (nothing changed)" if result.dry_run else "run"
    lines = [f"pipeline {mode} {result.run_id}: {result.changed} change(s) queued"
             + (" (would be)" if result.dry_run else "")]
    if result.unchanged_rows is not None:
        lines.append(f"  staging ({result.unchanged_rows} rows) equals the current copy: merges skipped")
    if result.counts:
        order = {e: i for i, e in enumerate(ROW_ORDER)}
        lines.append(f"  {'entity':<8} {'action':<9} {'rows':>8}")
        for (entity, action), rows in sorted(result.counts.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0])):
            lines.append(f"  {entity:<8} {action:<9} {rows:>8}")
    for reject in result.rejects:
        where = f"order {reject.order_key}" if reject.order_key is not None else "row without key"
        lines.append(f"  rejected ({reject.step}) {where}: {reject.message}")
    return "\n".join(lines)
