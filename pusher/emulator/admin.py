"""Local-only admin endpoints: read the boards and statistics, load boards, set faults, reset limits.

They exist so a test in another process (or a person with curl) can inspect and steer a running
emulator. They answer loopback clients only: an emulator bound to 0.0.0.0 for a colleague still
keeps its control surface to the machine it runs on.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pusher.emulator.errors import ApiError
from pusher.emulator.fixtures import normalize_fixture

if TYPE_CHECKING:
    from pusher.emulator.server import EmulatorServer

ENDPOINTS = {
    ("GET", "/admin/health"): "is it up, and its API URL",
    ("GET", "/admin/state"): "every board with its items (?include_deleted=1 adds deleted ones)",
    ("GET", "/admin/boards"): "boards, columns, groups and item counts",
    ("GET", "/admin/items"): "items of ?board_id=ID (&include_archived=0, &include_deleted=1)",
    ("GET", "/admin/stats"): "requests, mutations, complexity spent, errors by code, HTTP statuses",
    ("GET", "/admin/faults"): "the fault rules in force",
    ("POST", "/admin/faults"): 'set faults: {"rules": [{"kind": "500", "rate": 0.1}], "slow_seconds": 2, "seed": 1}',
    ("DELETE", "/admin/faults"): "clear all faults",
    ("POST", "/admin/boards"): "load boards from a fixture document (same format as --boards)",
    ("POST", "/admin/reset-limits"): "forget the complexity, rate and daily windows",
    ("POST", "/admin/reset"): "back to the start: boards reloaded, limits, idempotency cache, stats, faults",
}


def is_local_client(address: str) -> bool:
    """True for loopback peers (127.0.0.0/8, ::1, and IPv4-mapped loopback)."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _flag(query: dict[str, list[str]], name: str, default: bool) -> bool:
    values = query.get(name)
    return default if not values else values[0].lower() in ("1", "true", "yes")


def handle_admin(emulator: EmulatorServer, method: str, path: str, query_text: str, body: Any) -> tuple[int, Any]:
    """Route one admin request; returns (HTTP status, JSON payload)."""
    query = parse_qs(query_text)
    route = (method, path.rstrip("/"))
    try:
        if route == ("GET", "/admin/health"):
            return 200, {"ok": True, "url": emulator.url}
        if route == ("GET", "/admin/boards"):
            return 200, {"boards": emulator.boards()}
        if route == ("GET", "/admin/state"):
            include_deleted = _flag(query, "include_deleted", False)
            return 200, {
                "boards": [
                    {**b, "items": emulator.items(b["id"], include_archived=True, include_deleted=include_deleted)}
                    for b in emulator.boards()
                ]
            }
        if route == ("GET", "/admin/items"):
            board_id = (query.get("board_id") or [""])[0]
            items = emulator.items(
                board_id,
                include_archived=_flag(query, "include_archived", True),
                include_deleted=_flag(query, "include_deleted", False),
            )
            return 200, {"board_id": board_id, "items": items}
        if route == ("GET", "/admin/stats"):
            return 200, emulator.stats()
        if route == ("GET", "/admin/faults"):
            return 200, emulator.faults()
        if route == ("POST", "/admin/faults"):
            body = body or {}
            emulator.set_faults(body.get("rules", []), slow_seconds=body.get("slow_seconds"), seed=body.get("seed"))
            return 200, emulator.faults()
        if route == ("DELETE", "/admin/faults"):
            emulator.clear_faults()
            return 200, emulator.faults()
        if route == ("POST", "/admin/boards"):
            ids = []
            for board in normalize_fixture(body, source="POST /admin/boards"):
                ids.extend(emulator.load_board(board))
            return 200, {"loaded": ids}
        if route == ("POST", "/admin/reset-limits"):
            emulator.reset_limits()
            return 200, {"ok": True}
        if route == ("POST", "/admin/reset"):
            emulator.reset()
            return 200, {"ok": True}
    except (ValueError, TypeError) as exc:  # FixtureError is a ValueError
        return 400, {"error": str(exc)}
    except ApiError as exc:
        return 404, {"error": exc.message, "code": exc.code}
    return 404, {"error": f"no admin endpoint {method} {path}", "endpoints": [f"{m} {p}" for m, p in ENDPOINTS]}
