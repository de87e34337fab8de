"""Options and set-up every `ordersync` command shares.

Each command spells `--config/--env/--verbose/--quiet` the same way and opens its database
the same way, so these live here once instead of in every command module.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pusher.config import Config, load_config
from pusher.sql.connection import Database

if TYPE_CHECKING:
    from pusher.sync.client import MondayClient


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


@contextmanager
def command(subparsers: argparse._SubParsersAction, name: str, *, help: str, description: str,
            epilog: str | None = None, func: Callable[[argparse.Namespace], int],
            common: bool = True) -> Iterator[argparse.ArgumentParser]:
    """Add the sub-command ``name``; the caller adds its own arguments inside the ``with``.

    On leaving the block the shared options are added after the command's own (so ``--help``
    lists them last) unless ``common`` is false, and ``func`` becomes what `pusher.cli.main` calls.
    Description and epilog are printed as written (RawDescriptionHelpFormatter).
    """
    parser = subparsers.add_parser(name, help=help, description=description, epilog=epilog,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    yield parser
    if common:
        add_common_options(parser)
    parser.set_defaults(func=func)


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Add `--config`, `--env`, `--verbose` and `--quiet` (read by `pusher.cli.main`)."""
    parser.add_argument("--config", metavar="PATH", default=None,
                        help="config file (default: $ORDERSYNC_CONFIG or configs/sync_order_list.toml)")
    parser.add_argument("--env", metavar="NAME", default=None,
                        help="environment in the config (default: $ORDERSYNC_ENV or default_environment)")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    noise.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")


def add_mode(parser: argparse.ArgumentParser, *, dry_run: str, execute: str) -> None:
    """The required choice between `--dry-run` and `--execute`: a command that changes things never guesses."""
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help=dry_run)
    mode.add_argument("--execute", action="store_true", help=execute)


def add_customer_option(parser: argparse.ArgumentParser) -> None:
    """`--customer NAME`: only the orders of one customer (the column named by order.customer_column)."""
    parser.add_argument("--customer", metavar="NAME", help="only orders of this customer (order.customer_column)")


def load(args: argparse.Namespace) -> Config:
    """The config named by the command line (raises ConfigError listing every problem)."""
    return load_config(args.config, args.env)


def open_database(args: argparse.Namespace) -> Database:
    """A Database for the configured environment; connects lazily on first use.

    Use it as a context manager so the connection is closed when the command ends.
    """
    return Database(load(args))


def monday_client(config: Config) -> MondayClient:
    """A client for the environment's monday, its token resolved and masked in every log line."""
    from pusher.sync.session import make_client  # the sync stack, only for commands that talk to monday
    from pusher.sync.token import install_token_mask, resolve_token

    token = resolve_token(config.environment)
    install_token_mask(token)
    return make_client(config, token)
