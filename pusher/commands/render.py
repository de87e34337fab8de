"""`ordersync render`: write the SQL for one dialect as reviewable, diffable build output.

A DBA deploys these files by hand (`sqlcmd -b -f 65001 -i install.sql`), CI checks committed copies
with `--check`, and the golden tests compare the same way, so the writing and the drift
report live here once.
"""

from __future__ import annotations

import argparse
import difflib
import re
import tempfile
from pathlib import Path

from pusher.commands.common import command, load, open_database
from pusher.config import Config
from pusher.errors import ConfigError
from pusher.paths import PROJECT_ROOT
from pusher.sql.catalog import Column, read_columns_file
from pusher.sql.dialect import DIALECTS, Dialect, get_dialect
from pusher.sql.render import Renderer, columns_file_note

DESCRIPTION = """\
Render every object in db/deploy_order.txt for one dialect into DIR: one file per object
numbered in deploy order (NNN_name.sql), deploy_order.txt, and install.sql with all of them
(`sqlcmd -b -f 65001 -i install.sql` on SQL Server, `psql -v ON_ERROR_STOP=1 -f install.sql` on
PostgreSQL). Output carries "generated from" headers and no timestamps: rendering twice
gives byte-identical files. Numbered files that a new render no longer produces are removed.

The staging columns decide the size columns and the drift fingerprint. For T-SQL they come
from the live staging table of the environment's database by default, so install.sql fits
the table it will run against. --columns-file TSV renders from a column list instead (for
PostgreSQL that is the default, staging.columns_file); such a render says so on the console
and in every file's header. --from-database reads the live table for PostgreSQL too.
"""

EPILOG = """\
exit codes: 0 rendered (or --check found no drift); 1 --check found drift; 2 bad config.

examples:
  ordersync render --dialect tsql --env production --out out/tsql   # from the live table
  ordersync render --dialect tsql --columns-file columns.tsv --out out/tsql   # from a column list
  ordersync render --dialect tsql --columns-file columns.tsv --out rendered/tsql --check   # CI
  sqlfluff parse out/tsql                                       # uses the checkout's .sqlfluff

sqlfluff reads .sqlfluff from the parsed file's directory upwards: render inside the
checkout, or pass `sqlfluff parse --config PATH/.sqlfluff` for output elsewhere.
"""

_NUMBERED = re.compile(r"^\d{3}_.+\.sql$")


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "render", help="write the rendered SQL for a dialect (files in deploy order, install.sql)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("--dialect", choices=tuple(DIALECTS), default=None,
                       help="SQL dialect (default: the environment's)")
        p.add_argument("--out", type=Path, required=True, metavar="DIR", help="directory to write (or to check)")
        source = p.add_mutually_exclusive_group()
        source.add_argument("--columns-file", type=Path, metavar="TSV",
                            help="render from a staging column list (ordinal, name, type, group), not the live "
                                 "table (default for PostgreSQL: staging.columns_file)")
        source.add_argument("--from-database", action="store_true",
                            help="read the staging columns from the live table of the environment's database "
                                 "(the default for T-SQL)")
        p.add_argument("--check", action="store_true",
                       help="write nothing; re-render and fail (exit 1) with a diff if DIR differs")


def run(args: argparse.Namespace) -> int:
    config = load(args)
    dialect = get_dialect(args.dialect or config.environment.dialect)
    columns, columns_file = _columns(args, config, dialect)
    if columns_file:
        print(f"note: {columns_file_note(columns_file)}")
    renderer = Renderer(config, dialect, columns, columns_file)
    if args.check:
        with tempfile.TemporaryDirectory() as fresh:
            write_rendered(renderer, Path(fresh))
            diff = rendered_drift(args.out, Path(fresh))
        if diff:
            print(diff, end="")
            print(f"{args.out} differs from a fresh render: run `ordersync render` without --check "
                  f"and commit the result")
            return 1
        print(f"{args.out} matches a fresh render")
        return 0
    written, removed = write_rendered(renderer, args.out)
    for path in removed:
        print(f"removed stale {path}")
    print(f"wrote {len(written)} files for {renderer.dialect.name} to {args.out}")
    return 0


def _columns(args: argparse.Namespace, config: Config, dialect: Dialect) -> tuple[list[Column], str | None]:
    """The staging columns, and the column list they came from (None: the live table)."""
    if args.from_database or (dialect.columns_from_database and args.columns_file is None):
        with open_database(args) as db:
            env, staging = db.config.environment, db.config.tables.staging
            columns = db.live_columns(env.data_schema, staging)
        if not columns:
            raise ConfigError(f"{env.data_schema}.{staging} does not exist in the {env.name} database, so its "
                              f"columns cannot be read: create it, or render from a column list with "
                              f"--columns-file TSV (the runbook gives the query that exports one)")
        return columns, None
    path = args.columns_file or config.columns_file
    if path is None:
        raise ConfigError("staging.columns_file is not set: set it, or pass --columns-file TSV or --from-database")
    return read_columns_file(path), _shown(path)


def _shown(path: Path) -> str:
    """The path as headers show it: relative to the checkout when inside it, so output is reproducible."""
    path = Path(path).resolve()
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else str(path)


def write_rendered(renderer: Renderer, out_dir: Path) -> tuple[list[Path], list[Path]]:
    """Write the render into out_dir; remove numbered files it no longer produces.

    Returns (written, removed). Only `NNN_*.sql` files are ever removed, so a directory
    shared with other files is safe.
    """
    written = renderer.write(out_dir)
    stale = [p for p in sorted(out_dir.iterdir()) if _NUMBERED.match(p.name) and p not in written]
    for path in stale:
        path.unlink()
    return written, stale


def rendered_drift(expected: Path, actual: Path) -> str:
    """A unified diff of every file that differs, byte for byte, between two render
    directories ('' if none); a file present on one side only is named as such."""
    names = sorted({p.name for d in (expected, actual) if d.is_dir() for p in d.iterdir() if p.is_file()})
    out = []
    for name in names:
        old, new = expected / name, actual / name
        if not old.is_file() or not new.is_file():
            out.append(f"only in {old.parent if old.is_file() else new.parent}: {name}\n")
        elif old.read_bytes() != new.read_bytes():
            diff = difflib.unified_diff(_lines(old), _lines(new), str(old), str(new))
            out += [line if line.endswith("\n") else line + "\n" for line in diff]
    return "".join(out)


def _lines(path: Path) -> list[str]:
    """Lines with their own endings kept, so a CRLF or encoding change shows up as drift."""
    return path.read_bytes().decode("utf-8", errors="backslashreplace").splitlines(keepends=True)
