"""The `ordersync` command: one sub-command per module under ``pusher.commands``.

Each command module exposes ``register(subparsers)``, which adds its parser and sets
``func(args) -> int``. Errors derived from ``OrdersyncError`` become one line on stderr
and their documented exit code; see ``pusher.errors.ExitCode``. A reader that closes stdout early
(`ordersync status --output-json | head`) ends the command quietly with exit 0.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path

from pusher import __version__
from pusher.errors import ExitCode, OrdersyncError
from pusher.paths import STATE_DIR_VARIABLE, state_dir

# Order here is the order `ordersync --help` lists them.
COMMAND_MODULES = (
    "demo",
    "sample_data",
    "render",
    "deploy",
    "pipeline",
    "validate",
    "doctor",
    "sync",
    "status",
    "retry_failed",
    "reconcile",
    "report",
    "secrets",
    "render_ops",
    "monday_emulator",
    "local",
)

EPILOG = """\
exit codes:
  0    everything asked for was done
  1    the run finished but some rows failed (see `ordersync status`)
  2    configuration or command-line error (sync: also found by its preflight); nothing was changed
  3    monday refused the whole run (token, board, daily limit) or stayed unreachable; rows stay PENDING
  4    database error
  5    pipeline refused by the mass-change guard (empty or half-loaded staging); nothing
       was merged; `ordersync pipeline --allow-mass-archive` lets one run through
  130  interrupted
A closed stdout pipe (`... | head`) ends a command quietly with exit 0.

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
    parser.add_argument("--state-dir", type=Path, metavar="DIR",
                        help=f"folder for local state (the embedded PostgreSQL's data); default ${STATE_DIR_VARIABLE} "
                             f"if set, else .ordersync/ in a checkout or a per-user folder once installed "
                             f"(now: {state_dir()}); see `ordersync local --help`")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"pusher.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.state_dir:  # through the environment, so child processes and every module see the same place
        os.environ[STATE_DIR_VARIABLE] = str(args.state_dir.resolve())
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "quiet", False):
        level = logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not in Python's flush at exit
        return code
    except OrdersyncError as exc:
        print(f"ordersync {args.command}: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print(f"ordersync {args.command}: interrupted", file=sys.stderr)
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return _reader_left()


def _reader_left() -> int:
    """stdout's reader closed the pipe (`... | head`): stop quietly, as a pipeline expects.

    The rest of the output has nowhere to go; pointing stdout at the null device keeps Python's
    final flush from raising again at exit. Works the same on Windows.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
