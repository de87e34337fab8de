#!/usr/bin/env python3
"""Refresh the committed monday.com API schema from monday's schema endpoint (needs the internet).

    python scripts/update_monday_schema.py                    # re-fetch the pinned version
    python scripts/update_monday_schema.py --version 2027-01  # fetch a newer one beside it

It downloads https://api.monday.com/v2/get_schema?format=sdl&version=<API-Version> (public, no
token), checks that it builds as a GraphQL schema, and writes graphql/schema/monday-<version>.graphql
with a two-line header naming the version and the source. The tests never run it; they validate
every GraphQL document against the committed file.

To move ordersync to a newer version: fetch it, set API_VERSION in pusher/monday_api.py, delete the
old file, then run tests/pusher/test_graphql_contract.py and tests/emulator/test_contract.py and
fix what they report.
"""

from __future__ import annotations

import argparse
import re
import sys

import requests

from graphql import GraphQLError, build_schema
from pusher.monday_api import API_VERSION, SCHEMA_PATH

ENDPOINT = "https://api.monday.com/v2/get_schema"


def header(version: str) -> str:
    return (f"# monday.com GraphQL API schema (SDL), API-Version {version}.\n"
            f"# Source: {ENDPOINT}?format=sdl&version={version} (refresh: scripts/update_monday_schema.py).\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=API_VERSION,
                        help=f"monday API version, YYYY-MM (default: the pinned {API_VERSION})")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for monday (default: 60)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d{4}-\d{2}", args.version):
        parser.error(f"--version {args.version!r} is not YYYY-MM (for example {API_VERSION})")
    try:
        reply = requests.get(ENDPOINT, params={"format": "sdl", "version": args.version}, timeout=args.timeout)
        reply.raise_for_status()
    except requests.RequestException as exc:
        print(f"could not fetch the schema for {args.version}: {exc}", file=sys.stderr)
        return 1
    try:
        build_schema(reply.text)
    except (GraphQLError, TypeError) as exc:
        print(f"monday's reply for {args.version} is not a GraphQL schema ({exc}); nothing written",
              file=sys.stderr)
        return 1
    target = SCHEMA_PATH.with_name(f"monday-{args.version}.graphql")
    target.write_text(header(args.version) + reply.text, encoding="utf-8", newline="\n")
    print(f"wrote {target}")
    if args.version != API_VERSION:
        print(f"ordersync is pinned to {API_VERSION}: set API_VERSION in pusher/monday_api.py, delete "
              f"{SCHEMA_PATH.name} and run the contract tests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
