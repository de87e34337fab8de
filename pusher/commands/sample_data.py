"""`ordersync sample-data`: load a realistic staging snapshot for the demo and for trials."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator

from pusher.commands.common import command, count, load, open_database
from pusher.errors import ConfigError
from pusher.sample_data import (
    CHANGE_SETS,
    Row,
    SampleShape,
    apply_change_set,
    load_snapshot,
    reference_po,
    snapshot,
)
from pusher.sql.deploy import create_staging, staging_columns

DESCRIPTION = """\
Replace the content of the configured staging table (staging table in [tables]) with a
generated snapshot, creating the table from staging.columns_file if it does not exist.

  no options            the fixed case shaped like the customer's reference PO:
                        69 order rows, 317 non-zero size lines, one customer, one PO
  --orders N [--seed S] N random orders (customers, POs, styles x colours, size runs);
                        the same N and S always give the same rows
  --change-set NAME     the same snapshot (reference PO, or N/S) with NAME applied, so
                        loading without and then with it, running the pipeline after
                        each, yields exactly the deltas printed:
                          quantities  changed quantities on three lines of two orders
                          sizes       a size added to one order, one removed from another
                          cancel      one order's ORDER TYPE becomes CANCELLED
                          drop        one order left out of staging
                          demo        all four at once, each on a different order
"""

EPILOG = """\
examples:
  ordersync sample-data                          # reference-shaped PO
  ordersync sample-data --change-set demo        # the same PO, changed
  ordersync sample-data --orders 100000 --seed 7 # benchmark-sized snapshot

It writes only to the embedded PostgreSQL (an environment with no database_url / database_url_env)
unless told --i-know-this-is-not-production: in any other database, whatever its environment is
called, the staging table belongs to the upstream load. A refusal exits 2 and changes nothing.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "sample-data", help="load a generated snapshot into the staging table (demo and trials)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--orders", type=count(), metavar="N", default=None,
                       help="random snapshot of N orders instead of the reference-shaped PO")
        p.add_argument("--seed", type=int, metavar="S", default=None,
                       help="seed of the random snapshot (default 1; needs --orders)")
        p.add_argument("--change-set", choices=CHANGE_SETS, default=None, metavar="NAME",
                       help=f"apply a change set to the snapshot: {', '.join(CHANGE_SETS)}")
        p.add_argument("--i-know-this-is-not-production", dest="not_production", action="store_true",
                       help="allow replacing the staging table of a database that is not the embedded one "
                            "(a scratch SQL Server or PostgreSQL)")


def run(args: argparse.Namespace) -> int:
    if args.seed is not None and args.orders is None:
        raise ConfigError("--seed picks a random snapshot: give --orders N too (the reference PO is fixed)")
    env = load(args).environment
    if not env.embedded and not args.not_production:
        where = f"${env.database_url_env}" if env.database_url_env else f"environment.{env.name}.database_url"
        raise ConfigError(f"sample-data replaces the staging table's content; environment {env.name!r} uses the "
                          f"database named by {where}, not the embedded one, and staging there belongs to the "
                          f"upstream load: use an environment without database_url / database_url_env (the embedded "
                          f"PostgreSQL), or pass --i-know-this-is-not-production if that database is a scratch one")
    with open_database(args) as db:
        cfg = db.config
        staging = staging_columns(db)
        columns = staging.columns
        table = f"{cfg.environment.data_schema}.{cfg.tables.staging}"
        if not staging.live:
            create_staging(db, columns)
            print(f"created staging table {table} from {cfg.columns_file}")
        shape = SampleShape(cfg, columns)
        if args.orders is None:
            rows: Iterable[Row] = reference_po(shape)
            what = "reference-shaped PO"
        else:
            seed = 1 if args.seed is None else args.seed
            rows = snapshot(shape, args.orders, seed)
            what = f"{args.orders} random orders, seed {seed}"
        changes = []
        if args.change_set:
            rows, summary = apply_change_set(shape, list(rows), args.change_set)
            changes = summary.describe()
            what += f", change set {args.change_set}"
        lines = 0

        def counted(source: Iterable[Row]) -> Iterator[Row]:
            nonlocal lines
            for row in source:
                lines += len(shape.lines(row))
                yield row

        loaded = load_snapshot(db, counted(rows))
    print(f"loaded {loaded} orders with {lines} non-zero size lines into {table} ({what})")
    for change in changes:
        print(f"  {change}")
    return 0
