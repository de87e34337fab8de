"""`ordersync local status|stop|reset`: the embedded PostgreSQL servers in the state folder.

Each server keeps running between commands so the next one starts at once; nothing stops them
otherwise. This command lists them, stops them and wipes their data. It only touches folders that
hold a PostgreSQL data directory, so a mistaken `--state-dir` cannot make it delete anything else.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
from pathlib import Path

from pusher.commands.common import command
from pusher.errors import ExitCode
from pusher.paths import STATE_DIR_VARIABLE, state_dir

DESCRIPTION = f"""\
The embedded PostgreSQL servers ordersync started live in the state folder, one data folder
each: pgdata (the CLI and `ordersync demo`), test-pg (the test suite), bench-pg (benchmarks).
The state folder is .ordersync/ in a checkout, a per-user folder once installed
(%LOCALAPPDATA%\\ordersync on Windows, ~/.local/state/ordersync on Linux), or what
`ordersync --state-dir DIR` / ${STATE_DIR_VARIABLE} say.

  status   list the servers: running (pid) or stopped, and the disk each one uses
  stop     stop the running ones (their data stays; the next command starts them again)
  reset    stop them and delete their data folders; only with --yes, else it lists what it
           would delete and changes nothing
"""

EPILOG = """\
exit codes: 0 done; 2 reset without --yes (nothing deleted); 4 a server would not stop.

examples:
  ordersync local status
  ordersync local stop
  ordersync local reset --yes      # then `ordersync demo` starts from nothing
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "local", help="list, stop or wipe the embedded PostgreSQL servers and their data",
                 description=DESCRIPTION, epilog=EPILOG, func=run, common=False) as p:
        actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
        actions.add_parser("status", help="list the embedded servers, running or stopped, with their size")
        actions.add_parser("stop", help="stop the running embedded servers (data is kept)")
        reset = actions.add_parser("reset", help="stop the servers and delete their data folders (needs --yes)")
        reset.add_argument("--yes", action="store_true", help="really delete; without it, only list what would go")


def run(args: argparse.Namespace) -> int:
    from pusher.sql import embedded  # the local extra: imported only when it runs

    root = state_dir()
    servers = [(folder, embedded.running_pid(folder)) for folder in embedded.data_folders(root)]
    if not servers:
        print(f"no embedded PostgreSQL data in {root}")
        return ExitCode.OK
    if args.action == "status":
        print(f"state folder {root}:")
        for folder, pid in servers:
            state = f"running (pid {pid})" if pid else "stopped"
            print(f"  {folder.name:<12} {state:<22} {_megabytes(folder):>9.1f} MB")
        return ExitCode.OK
    if args.action == "reset" and not args.yes:
        total = sum(_megabytes(folder) for folder, _ in servers)
        for folder, _ in servers:
            print(f"would delete {folder} ({_megabytes(folder):.1f} MB)")
        print(f"nothing deleted: `ordersync local reset --yes` stops {len(servers)} server(s) and deletes "
              f"their {total:.1f} MB of data")
        return ExitCode.CONFIG_ERROR
    if not any(pid for _, pid in servers):
        print(f"none of the {len(servers)} embedded server(s) in {root} is running")
    for folder, pid in servers:
        if pid:
            embedded.stop_server(folder)
            print(f"stopped {folder.name} (pid {pid})")
    if args.action == "reset":
        for folder, _ in servers:
            size = _megabytes(folder)
            shutil.rmtree(folder)
            print(f"deleted {folder} ({size:.1f} MB)")
    return ExitCode.OK


def _megabytes(folder: Path) -> float:
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):  # a running server removes temporary files as we count
            total += path.stat().st_size if path.is_file() else 0
    return total / 1e6
