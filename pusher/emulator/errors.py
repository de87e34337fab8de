"""Errors the emulator raises, shaped the way monday reports them (API 2025-01 and later).

An ``ApiError`` raised inside a resolver becomes one entry of ``errors[]`` with ``path`` naming the
alias, ``extensions.code`` and ``extensions.error_data``; the HTTP status stays 200, like the real
API. ``MalformedJsonError`` is different on purpose: monday answers a column-value string that is not
JSON with HTTP 500, so the whole response turns into a 500.
"""

from __future__ import annotations

from typing import Any

# The exact spellings monday puts in extensions.code.
COLUMN_VALUE = "ColumnValueException"
INVALID_COLUMN_ID = "InvalidColumnIdException"
INVALID_BOARD_ID = "InvalidBoardIdException"
INVALID_ITEM_ID = "InvalidItemIdException"
INVALID_GROUP_ID = "InvalidGroupIdException"
INVALID_ARGUMENT = "InvalidArgumentException"
INVALID_VERSION = "InvalidVersionException"
ITEM_NAME_TOO_LONG = "ItemNameTooLongException"
ITEMS_LIMITATION = "ItemsLimitationException"
CURSOR = "CursorException"
MAX_COMPLEXITY = "maxComplexityExceeded"
COMPLEXITY_BUDGET = "COMPLEXITY_BUDGET_EXHAUSTED"
RATE_LIMIT = "RATE_LIMIT_EXCEEDED"
DAILY_LIMIT = "DAILY_LIMIT_EXCEEDED"
MAX_CONCURRENCY = "maxConcurrencyExceeded"
IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
UNAUTHORIZED = "Unauthorized"
USER_UNAUTHORIZED = "UserUnauthorizedException"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
JSON_PARSE = "JsonParseException"
BAD_REQUEST = "BadRequest"


class ApiError(Exception):
    """An application error for one alias: HTTP 200, ``data[alias] = null``, one ``errors[]`` entry."""

    def __init__(self, code: str, message: str, error_data: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.error_data = error_data or {}

    def extensions(self) -> dict[str, Any]:
        return {"code": self.code, "status_code": 200, "error_data": self.error_data}


class MalformedJsonError(Exception):
    """A column_values / value argument that is not JSON: monday answers the request with HTTP 500."""


def error_entry(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """One ``errors[]`` entry for errors raised outside resolvers (limits, auth, faults)."""
    return {"message": message, "extensions": {"code": code, **extensions}}
