"""Options and set-up every `ordersync` command shares.

Each command spells `--config/--env/--verbose/--quiet` the same way and opens its database
the same way, so these live here once instead of in every command module.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from pusher.config import Config, load_config
from pusher.sql.connection import Database


def count(minimum: int = 1) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number of at least ``minimum``, refusing others in plain words.

    argparse reports ``argument --limit: expected a whole number, 1 or more (got 'abc')`` and exits 2.
    """

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, {minimum} or more (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number, {minimum} or more (got {text!r})")
        return value

    return parse


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add `--config`, `--env`, `--verbose` and `--quiet` (read by `pusher.cli.main`)."""
    parser.add_argument("--config", metavar="PATH", default=None,
                        help="config file (default: $ORDERSYNC_CONFIG or configs/sync_order_list.toml)")
    parser.add_argument("--env", metavar="NAME", default=None,
                        help="environment in the config (default: $ORDERSYNC_ENV or default_environment)")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    noise.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")


def load(args: argparse.Namespace) -> Config:
    """The config named by the command line (raises ConfigError listing every problem)."""
    return load_config(args.config, args.env)


def open_database(args: argparse.Namespace) -> Database:
    """A Database for the configured environment; connects lazily on first use.

    Use it as a context manager so the connection is closed when the command ends.
    """
    return Database(load(args))
