"""The `ordersync` command: one sub-command per module under ``pusher.commands``.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func(args) -> int``. Errors derived from ``OrdersyncError`` become one line on stderr
and their documented exit code; see ``pusher.errors.ExitCode``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from pusher import __version__
from pusher.errors import ExitCode, OrdersyncError

# Order here is the order `ordersync --help` lists them.
COMMAND_MODULES = (
    "demo",
    "sample_data",
    "render",
    "deploy",
    "pipeline",
    "validate",
    "sync",
    "status",
    "retry_failed",
    "reconcile",
    "report",
    "render_ops",
    "monday_emulator",
)

EPILOG = """\
exit codes:
  0    everything asked for was done
  1    the run finished but some rows failed (see `ordersync status`)
  2    configuration or command-line error; nothing was changed
  3    monday refused the whole run (token, board, daily limit); rows stay PENDING
  4    database error
  130  interrupted

Start with `ordersync demo`; `ordersync COMMAND --help` explains each command.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ordersync",
        description="Keep monday.com boards in step with ORDER_LIST: SQL procedures compute "
        "what changed, a small pusher sends it to monday exactly once.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ordersync {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"pusher.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "quiet", False):
        level = logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except OrdersyncError as exc:
        print(f"ordersync {args.command}: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print(f"ordersync {args.command}: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
