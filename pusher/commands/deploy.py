"""`ordersync deploy`: create or update ordersync's tables, procedures and views in the database."""

from __future__ import annotations

import argparse

from pusher.commands.common import command, open_database
from pusher.sql.deploy import deploy, staging_columns
from pusher.sql.render import Renderer

DESCRIPTION = """\
Render every object in db/deploy_order.txt for the environment's database and run it, in
that order. Idempotent: tables and indexes are created only when missing, procedures and
views are created or altered (never dropped, so grants survive); deploying twice changes
nothing. The size columns and drift fingerprint come from the live staging table when it
exists, else from staging.columns_file.

--dry-run connects and reads the staging columns but runs nothing: it lists the objects it
would run, in order, with their size. `ordersync render` writes the SQL itself for review.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "deploy", help="create or update ordersync's tables, procedures and views (idempotent)",
                 description=DESCRIPTION, func=run) as p:
        p.add_argument("--dry-run", action="store_true", help="list what would be run; change nothing")


def run(args: argparse.Namespace) -> int:
    with open_database(args) as db:
        cfg = db.config
        staging = staging_columns(db)
        columns, source = staging.columns, staging.source
        target = f"{db.dialect.name} database of environment {cfg.environment.name}"
        if args.dry_run:
            objects = Renderer(cfg, db.dialect, columns).render_all()
            print(f"would deploy {len(objects)} objects to the {target} (staging columns from {source}):")
            for number, obj in enumerate(objects, start=1):
                print(f"  {number:3d}  {obj.source}  ({len(obj.sql.encode('utf-8'))} bytes)")
            return 0
        done = deploy(db, columns)
    print(f"deployed {len(done)} objects to the {target} (staging columns from {source})")
    return 0
