"""`ordersync secrets set|check|delete NAME`: the monday token and the database URL, kept for one
Windows account with DPAPI (see `pusher.secret_store`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from pusher import secret_store
from pusher.commands.common import command
from pusher.errors import ConfigError

DESCRIPTION = """\
Keep a secret for the Windows account that runs this command, encrypted with DPAPI in
%LOCALAPPDATA%\\ordersync\\secrets: only that account can read it back. NAME is the
environment variable the config names (monday_token_env, database_url_env, e.g.
MONDAY_API_TOKEN, ORDERSYNC_DATABASE_URL); ordersync reads the variable first, then this
store, then the OS keyring. Run it as the service account (a gMSA included) once, e.g. from
a one-shot scheduled task with --from-file (docs/runbook.md, "Secrets on Windows").

  set NAME      read the value from --from-file, else from the terminal (hidden) or stdin
  check NAME    say whether this account has NAME and can decrypt it (never prints it;
                exit 1 when nothing is stored)
  delete NAME   remove it
"""

EPILOG = """\
examples:
  ordersync secrets set MONDAY_API_TOKEN                       # asks for the token
  ordersync secrets set ORDERSYNC_DATABASE_URL --from-file C:\\ordersync\\handoff\\db.txt --delete-source
  ordersync secrets check MONDAY_API_TOKEN
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "secrets", help="keep the monday token / database URL for this Windows account (DPAPI)",
                 description=DESCRIPTION, epilog=EPILOG, func=run) as p:
        p.add_argument("action", choices=("set", "check", "delete"))
        p.add_argument("name", metavar="NAME", help="the environment variable name, e.g. MONDAY_API_TOKEN")
        p.add_argument("--from-file", type=Path, metavar="PATH", help="set: read the value from this file (first line)")
        p.add_argument("--delete-source", action="store_true", help="set: delete --from-file once the value is stored")


def _value(args: argparse.Namespace) -> str:
    if args.from_file is not None:
        try:
            lines = args.from_file.read_text(encoding="utf-8-sig").splitlines()
        except OSError as exc:
            raise ConfigError(f"--from-file {args.from_file} cannot be read as {secret_store.account()}: "
                              f"{exc.strerror}") from None
        return lines[0] if lines else ""
    if sys.stdin.isatty():
        return getpass.getpass(f"{args.name} for {secret_store.account()}: ")
    return sys.stdin.readline()


def run(args: argparse.Namespace) -> int:
    if args.delete_source and args.from_file is None:
        raise ConfigError("--delete-source needs --from-file")
    name = args.name
    if args.action == "set":
        path = secret_store.save(name, _value(args))
        if args.delete_source:
            args.from_file.unlink()
        print(f"stored {name} for {secret_store.account()} in {path} (DPAPI: only this account can read it)"
              + (f"; deleted {args.from_file}" if args.delete_source else ""))
    elif args.action == "check":
        value = secret_store.load(name)
        if value is None:
            print(f"{name}: nothing stored for {secret_store.account()} ({secret_store.path_of(name)})")
            return 1
        print(f"{name}: stored for {secret_store.account()}, decrypts, {len(value)} characters")
    else:
        gone = secret_store.delete(name)
        print(f"{name}: {'deleted' if gone else 'nothing stored'} for {secret_store.account()}")
    return 0
