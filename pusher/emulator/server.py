"""The emulator as a threaded HTTP server: ``POST /v2`` like api.monday.com, plus local admin endpoints.

``EmulatorServer`` is also the Python handle tests use: start/stop (or ``with``), the API URL, and
inspection and fault control without HTTP. Only the standard library serves HTTP, so it runs the
same on Windows (no fork, no POSIX-only calls).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections import Counter
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from pusher.emulator.admin import handle_admin, is_local_client
from pusher.emulator.api import ApiService
from pusher.emulator.faults import FaultPlan, FaultRule
from pusher.emulator.fixtures import SAMPLE_BOARD_PATH, load_fixture_file, normalize_fixture
from pusher.emulator.idempotency import IdempotencyCache
from pusher.emulator.inspection import boards_snapshot, items_snapshot, key_counts
from pusher.emulator.limits import Limits
from pusher.emulator.options import EmulatorOptions
from pusher.emulator.state import BoardStore
from pusher.emulator.stats import Stats

log = logging.getLogger("ordersync.emulator")
API_PATH = "/v2"
MAX_BODY = 10 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API behind its proxies
    server_version = "monday-emulator/1"
    server: _HttpServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        body = self._read_body()
        if body is None:
            return
        if parts.path.startswith("/admin"):
            self._admin(method, parts.path, parts.query, body)
        elif parts.path.rstrip("/") == API_PATH and method == "POST":
            self._api(body)
        else:
            self._send_json(404, {"error": "not found; POST /v2"})

    def _read_body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._send_json(413, {"error": "request body too large"})
            return None
        return self.rfile.read(length) if length else b""

    def _api(self, body: bytes) -> None:
        reply = self.server.emulator.service.handle(self.headers, body)
        if reply.drop:
            self._drop()
            return
        self._send(reply.status, reply.headers, reply.body)

    def _admin(self, method: str, path: str, query: str, body: bytes) -> None:
        if not is_local_client(self.client_address[0]):
            self._send_json(403, {"error": "admin endpoints are local-only"})
            return
        try:
            payload = json.loads(body) if body else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:  # json.loads decodes bytes as UTF-8 first
            status, result = 400, {"error": f"body is not JSON: {exc}"}
        else:
            status, result = handle_admin(self.server.emulator, method, path, query, payload)
        self._send_json(status, result)

    def _send_json(self, status: int, payload: Any) -> None:
        self._send(status, [("Content-Type", "application/json")], json.dumps(payload).encode())

    def _send(self, status: int, headers: Iterable[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        """Close the socket without a response: the client cannot know the mutations were applied."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class EmulatorServer:
    """A running (or ready-to-run) emulator; ``start()`` returns the API URL, e.g. http://127.0.0.1:54321/v2."""

    def __init__(self, options: EmulatorOptions | None = None) -> None:
        self.options = options or EmulatorOptions()
        opts = self.options
        self.store = BoardStore(items_per_board=opts.items_per_board)
        self.stats_counter = Stats()
        self.limits = Limits(
            complexity_per_minute=opts.complexity_per_minute,
            complexity_per_request=opts.complexity_per_request,
            budget_window_seconds=opts.budget_window(),
            requests_per_minute=opts.requests_per_minute,
            rate_window_seconds=opts.rate_window(),
            daily_calls=opts.daily_calls,
            daily_window_seconds=opts.daily_window(),
            max_concurrency=opts.max_concurrency,
        )
        self.idempotency = IdempotencyCache(ttl_seconds=opts.idempotency_ttl_seconds)
        self.fault_plan = FaultPlan(opts.faults, seed=opts.seed)
        self._initial_boards = self._fixture_boards()
        self.store.load_boards(self._initial_boards)
        self.service = ApiService(opts, self.store, self.stats_counter, self.limits, self.idempotency, self.fault_plan)
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None

    def _fixture_boards(self) -> list[dict[str, Any]]:
        boards: list[dict[str, Any]] = []
        for path in self.options.boards:
            boards.extend(load_fixture_file(path))
        for fixture in self.options.board_fixtures:
            boards.extend(normalize_fixture(fixture))
        return boards or load_fixture_file(SAMPLE_BOARD_PATH)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> str:
        if self._httpd is not None:
            return self.url
        self._httpd = _HttpServer((self.options.host, self.options.port), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="monday-emulator", daemon=True
        )
        self._thread.start()
        log.debug("monday emulator listening on %s", self.url)
        return self.url

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        host = self.options.host
        host = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API endpoint, the emulator's stand-in for https://api.monday.com/v2."""
        return self.base_url + API_PATH

    @property
    def admin_url(self) -> str:
        return self.base_url + "/admin"

    # -- inspection and control ---------------------------------------------------------------
    def boards(self) -> list[dict[str, Any]]:
        return boards_snapshot(self.store)

    def items(self, board_id: str | int, include_archived: bool = True, include_deleted: bool = False) -> list[dict]:
        return items_snapshot(self.store, str(board_id), include_archived, include_deleted)

    def key_counts(self, board_id: str | int, key_column: str) -> Counter:
        return key_counts(self.store, str(board_id), key_column)

    def duplicate_keys(self, board_id: str | int, key_column: str) -> dict[str | None, int]:
        """Key values held by more than one live item of the board (none: no duplicates)."""
        return {k: n for k, n in self.key_counts(board_id, key_column).items() if n > 1}

    def stats(self) -> dict[str, Any]:
        return self.stats_counter.snapshot()

    def load_board(self, board: dict[str, Any]) -> list[str]:
        """Load one board (or a ``{"boards": [...]}`` document); returns the ids loaded."""
        return self.store.load_boards(normalize_fixture(board))

    def set_faults(
        self, rules: Iterable[FaultRule | dict], slow_seconds: float | None = None, seed: int | None = None
    ) -> None:
        parsed = [r if isinstance(r, FaultRule) else FaultRule.from_dict(r) for r in rules]
        if slow_seconds is not None:
            self.options.slow_seconds = float(slow_seconds)
        self.fault_plan.set(parsed, seed)

    def clear_faults(self) -> None:
        self.fault_plan.set([])

    def faults(self) -> dict[str, Any]:
        return {**self.fault_plan.describe(), "slow_seconds": self.options.slow_delay()}

    def reset_limits(self) -> None:
        self.limits.reset()

    def reset(self) -> None:
        """Everything back to how ``start()`` found it; ids keep growing so old ids never come back."""
        self.store.reload(self._initial_boards)
        self.limits.reset()
        self.idempotency.clear()
        self.stats_counter.reset()
        self.fault_plan.set(self.options.faults, self.options.seed)
