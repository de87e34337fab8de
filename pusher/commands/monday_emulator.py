"""`ordersync monday-emulator`: run the local monday-compatible API until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from pusher.commands.common import command
from pusher.emulator.admin import ENDPOINTS
from pusher.emulator.faults import FAULT_KINDS, FaultRule, parse_fault_option
from pusher.emulator.fixtures import FixtureError
from pusher.emulator.options import (
    DEFAULT_MUTATION_COSTS,
    SLOW_SECONDS,
    TEST_BUDGET_WINDOW,
    TEST_DAILY_WINDOW,
    TEST_RATE_WINDOW,
    TEST_SLOW_SECONDS,
    WINDOW_SECONDS,
    EmulatorOptions,
)
from pusher.emulator.server import EmulatorServer
from pusher.errors import ConfigError

DEFAULTS = EmulatorOptions()  # the CLI's defaults are the options' own, stated once

DESCRIPTION = """\
Serve a local stand-in for https://api.monday.com/v2: the subset of monday's GraphQL API that
ordersync uses, with monday's column formats, error shapes, rate limits, Idempotency-Key replay
and injectable faults. Without --boards it starts with the sample order board (items board
5000000001 with subitems board 5000000002). It prints its URL and runs until Ctrl-C or SIGTERM.
"""

EPILOG = f"""\
fault kinds (for --fault-rate/--fault-next/--fault-every/--fault-match):
  500                 HTTP 500 with a JSON error body; nothing applied
  502                 HTTP 502 with an HTML body; nothing applied
  429                 HTTP 429 RATE_LIMIT_EXCEEDED with Retry-After: 1; nothing applied
  internal-error      HTTP 200 with errors: Internal Server Error / INTERNAL_SERVER_ERROR; nothing applied
  slow                answer after --slow-seconds (past the client's timeout); applied
  drop                apply the mutations, then close the connection without answering

admin endpoints (loopback clients only):
{chr(10).join(f"  {m:6} {p:22} {what}" for (m, p), what in ENDPOINTS.items())}

examples:
  ordersync monday-emulator
  ordersync monday-emulator --port 0 --test-mode --fault-rate 500=0.1 --fault-next drop=1 --seed 7
  ordersync monday-emulator --boards tests/fixtures/board_items_customer_master_schedule.json \\
      --boards tests/fixtures/board_subitems_customer_master_schedule.json

See docs/emulator.md for the curl walk-through.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    with command(subparsers, "monday-emulator",
                 help="run a local monday.com-compatible GraphQL API (for the demo, tests and trials)",
                 description=DESCRIPTION, epilog=EPILOG, func=run, common=False) as p:
        _serving_options(p.add_argument_group("serving"))
        _limit_options(p.add_argument_group("limits (defaults: a personal token on a Pro plan)"))
        _fault_options(p.add_argument_group("fault injection (" + ", ".join(FAULT_KINDS) + ")"))


def _serving_options(serve: argparse._ArgumentGroup) -> None:
    serve.add_argument("--host", default=DEFAULTS.host, help=f"address to listen on (default: {DEFAULTS.host})")
    serve.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free port)")
    serve.add_argument("--boards", metavar="FILE.json", action="append", default=[],
                       help="board fixture to load (repeatable; emulator format or a monday board export); "
                            "default: the built-in sample order board")
    serve.add_argument("--token", default=None, help="accept only this API token (default: any non-empty token)")
    serve.add_argument("--viewer-token", metavar="TOKEN", action="append", default=[],
                       help="token of a view-only user: its mutations get 403 (repeatable)")
    noise = serve.add_mutually_exclusive_group()
    noise.add_argument("-v", "--verbose", action="store_true", help="log every request")
    noise.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")


def _limit_options(limits: argparse._ArgumentGroup) -> None:
    def whole(flag: str, what: str) -> None:  # its default is the options' field of the same name
        default = getattr(DEFAULTS, flag.removeprefix("--").replace("-", "_"))
        limits.add_argument(flag, type=int, default=default, help=f"{what} (default: {default})")

    def window(flag: str, what: str, default: str, test: float) -> None:
        limits.add_argument(flag, type=float, metavar="SECONDS", default=None,
                            help=f"length of the {what} window (default: {default}, test mode {test:g})")

    limits.add_argument("--test-mode", action="store_true",
                        help=f"short windows (budget and rate {TEST_BUDGET_WINDOW:g} s, daily {TEST_DAILY_WINDOW:g} s, "
                             f"slow {TEST_SLOW_SECONDS:g} s) to test limits in seconds")
    whole("--complexity-per-minute", "complexity budget per window")
    whole("--complexity-per-request", "maximum complexity of one request")
    window("--budget-window", "complexity budget", f"{WINDOW_SECONDS:g}", TEST_BUDGET_WINDOW)
    whole("--requests-per-minute", "requests per rate window")
    window("--rate-window", "request-rate", f"{WINDOW_SECONDS:g}", TEST_RATE_WINDOW)
    whole("--daily-calls", "calls per day")
    window("--daily-window", "daily", "until UTC midnight", TEST_DAILY_WINDOW)
    whole("--max-concurrency", "requests in flight at once")
    whole("--items-per-board", "items a board can hold")
    limits.add_argument("--idempotency-ttl", type=float, metavar="SECONDS", default=DEFAULTS.idempotency_ttl_seconds,
                        help="how long an Idempotency-Key response is replayed "
                             f"(default: {DEFAULTS.idempotency_ttl_seconds:g})")
    limits.add_argument("--mutation-cost", metavar="MUTATION=POINTS", action="append", default=[],
                        help="complexity of one mutation kind (repeatable; defaults: "
                             + ", ".join(f"{k}={v}" for k, v in DEFAULT_MUTATION_COSTS.items()) + ")")


def _fault_options(faults: argparse._ArgumentGroup) -> None:
    for flag, metavar, what in (
        ("--fault-rate", "KIND=SHARE", "fail this share (0..1) of requests with KIND, e.g. 500=0.1"),
        ("--fault-next", "KIND=N", "fail the next N requests with KIND, e.g. drop=1"),
        ("--fault-every", "KIND=K", "fail every K-th request with KIND, e.g. 502=5"),
        ("--fault-match", "KIND=TEXT", "fail every request whose body holds TEXT with KIND, e.g. 500=PO-1|RED: "
                                       "one poisoned row"),
    ):
        faults.add_argument(flag, metavar=metavar, action="append", default=[], help=f"{what} (repeatable)")
    faults.add_argument("--slow-seconds", type=float, default=None,
                        help=f"delay of a 'slow' fault (default: {SLOW_SECONDS:g}, test mode {TEST_SLOW_SECONDS:g})")
    faults.add_argument("--seed", type=int, default=DEFAULTS.seed,
                        help=f"seed for --fault-rate draws (default: {DEFAULTS.seed})")


def options_from_args(args: argparse.Namespace) -> EmulatorOptions:
    """Turn the command line into options; every mistake becomes a ConfigError naming the option."""
    rules: list[FaultRule] = []
    for flag, mode in (("fault_rate", "rate"), ("fault_next", "next"), ("fault_every", "every"),
                       ("fault_match", "match")):
        for text in getattr(args, flag):
            try:
                rules.append(parse_fault_option(text, mode))
            except ValueError as exc:
                raise ConfigError(f"--{flag.replace('_', '-')} {text}: {exc}") from None
    costs = dict(DEFAULT_MUTATION_COSTS)
    for text in args.mutation_cost:
        name, sep, points = text.partition("=")
        if not sep or name not in costs or not points.isdigit():
            raise ConfigError(f"--mutation-cost {text}: use MUTATION=POINTS with one of {', '.join(costs)}")
        costs[name] = int(points)
    try:
        return _options(args, rules, costs)
    except ValueError as exc:
        raise ConfigError(f"{exc} (each name is its --flag with underscores)") from None


def _options(args: argparse.Namespace, rules: list[FaultRule], costs: dict[str, int]) -> EmulatorOptions:
    return EmulatorOptions(
        host=args.host,
        port=args.port,
        token=args.token,
        viewer_tokens=tuple(args.viewer_token),
        boards=tuple(args.boards),
        test_mode=args.test_mode,
        complexity_per_minute=args.complexity_per_minute,
        complexity_per_request=args.complexity_per_request,
        budget_window_seconds=args.budget_window,
        requests_per_minute=args.requests_per_minute,
        rate_window_seconds=args.rate_window,
        daily_calls=args.daily_calls,
        daily_window_seconds=args.daily_window,
        max_concurrency=args.max_concurrency,
        items_per_board=args.items_per_board,
        idempotency_ttl_seconds=args.idempotency_ttl,
        mutation_costs=costs,
        faults=tuple(rules),
        slow_seconds=args.slow_seconds,
        seed=args.seed,
    )


def _install_stop_handlers(stop: threading.Event) -> None:
    """Ctrl-C and SIGTERM end the wait; SIGTERM does not exist on every platform, so it is guarded."""
    for name in ("SIGINT", "SIGTERM", "SIGBREAK"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        with contextlib.suppress(ValueError, OSError):  # not the main thread, or not allowed here
            signal.signal(signum, lambda *_: stop.set())


def run(args: argparse.Namespace) -> int:
    try:
        server = EmulatorServer(options_from_args(args))
        server.start()
    except FixtureError as exc:
        raise ConfigError(str(exc)) from None
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    stop = threading.Event()
    _install_stop_handlers(stop)
    boards = ", ".join(f"{b['id']} ({b['name']})" for b in server.boards())
    print(f"monday emulator listening on {server.url}", flush=True)
    print(f"port: {server.port}", flush=True)
    print(f"boards: {boards}", flush=True)
    print(f"admin: {server.admin_url}/state (local only)", flush=True)
    print("token: " + ("as given by --token" if args.token else "any non-empty Authorization header"), flush=True)
    print("stop with Ctrl-C", flush=True)
    try:
        while not stop.wait(0.5):  # a timed wait lets Ctrl-C through on Windows too
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("monday emulator stopped", file=sys.stderr, flush=True)
    return 0
