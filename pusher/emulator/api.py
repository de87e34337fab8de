"""One ``POST /v2`` request from headers and body to status, headers and body, as monday answers it.

Order of checks (each refusal leaves the store untouched): token (401) -> API-Version -> injected
fault that fails before running -> Idempotency-Key replay or conflict (409) -> concurrency, daily
calls, requests per minute (429) -> JSON body (400) -> GraphQL parse and validation -> view-only
token (403) -> per-request complexity cap -> complexity budget (429) -> run. Faults that act after
running (slow, dropped connection) wrap the run itself.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql.language import FragmentDefinitionNode

from graphql import GraphQLError, execute, get_operation_ast, parse, validate
from pusher.emulator import errors
from pusher.emulator.complexity import CostModel
from pusher.emulator.errors import error_entry
from pusher.emulator.faults import FaultPlan
from pusher.emulator.idempotency import IdempotencyCache, StoredResponse
from pusher.emulator.limits import Limits, retry_seconds
from pusher.emulator.options import EmulatorOptions
from pusher.emulator.resolvers import RequestContext, emulator_schema, error_from
from pusher.emulator.state import BoardStore
from pusher.emulator.stats import Stats

JSON_TYPE = ("Content-Type", "application/json; charset=utf-8")
BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"
)
VERSION_PATTERN = re.compile(r"^\d{4}-\d{2}$")
log = logging.getLogger("ordersync.emulator")


@dataclass
class ApiReply:
    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=lambda: [JSON_TYPE])
    codes: list[str] = field(default_factory=list)
    drop: bool = False  # close the connection without answering (fault drop_after_apply)


def json_reply(status: int, payload: dict[str, Any], retry_after: int | None = None) -> ApiReply:
    headers = [JSON_TYPE]
    if retry_after is not None:
        headers.append(("Retry-After", str(retry_after)))
    codes = [e.get("extensions", {}).get("code", "") for e in payload.get("errors", [])]
    return ApiReply(status, json.dumps(payload).encode(), headers, [c for c in codes if c])


def error_reply(status: int, message: str, code: str, retry_in: float | None = None, **extensions: Any) -> ApiReply:
    """A request-level error; rate errors carry ``retry_in_seconds`` and a ``Retry-After`` header."""
    retry = retry_seconds(retry_in) if retry_in is not None else None
    if retry is not None:
        extensions["retry_in_seconds"] = retry
    return json_reply(status, {"errors": [error_entry(message, code, status_code=status, **extensions)]}, retry)


class ApiService:
    """Answers API requests against one store, with the limits, cache and faults of one emulator."""

    def __init__(
        self,
        options: EmulatorOptions,
        store: BoardStore,
        stats: Stats,
        limits: Limits,
        idempotency: IdempotencyCache,
        faults: FaultPlan,
    ) -> None:
        self.options = options
        self.store = store
        self.stats = stats
        self.limits = limits
        self.idempotency = idempotency
        self.faults = faults
        self.cost_model = CostModel(options.mutation_costs)
        self.schema = emulator_schema()

    def handle(self, headers: Mapping[str, str], body: bytes) -> ApiReply:
        self.stats.request()
        try:
            reply = self._handle(headers, body)
        except Exception:  # a bug here must look like monday's 500, not a dropped connection
            log.exception("emulator failed on a request")
            reply = error_reply(500, "Internal Server Error", errors.INTERNAL_SERVER_ERROR)
        self.stats.response("dropped" if reply.drop else reply.status, reply.codes)
        return reply

    def _handle(self, headers: Mapping[str, str], body: bytes) -> ApiReply:
        token = _token(headers.get("Authorization", ""))
        if not token or (self.options.token is not None and token != self.options.token):
            return error_reply(401, "Not Authenticated", errors.UNAUTHORIZED)
        version = headers.get("API-Version")
        if version is not None and not VERSION_PATTERN.match(version.strip()):
            return error_reply(200, f"Invalid API version {version!r}; use YYYY-MM", errors.INVALID_VERSION)
        fault = self.faults.draw(body)
        if fault is not None:
            self.stats.fault(fault)
        early = _early_fault(fault)
        if early is not None:
            return early
        key = headers.get("Idempotency-Key")
        if not key:
            return self._run(token, body, fault)[0]
        claim = self.idempotency.begin(token, key)
        if claim.outcome == "replay":
            self.stats.replay()
            stored = claim.response
            return ApiReply(stored.status, stored.body, [*stored.headers, ("Idempotency-Replayed", "true")])
        if claim.outcome == "conflict":
            return error_reply(
                409,
                "A request with this idempotency key is currently being processed",
                errors.IDEMPOTENCY_CONFLICT,
                retry_in=self.options.conflict_retry_seconds,
            )
        ran = False
        try:
            reply, ran = self._run(token, body, fault)
        finally:
            if ran:
                self.idempotency.complete(token, key, StoredResponse(reply.status, tuple(reply.headers), reply.body))
            else:
                self.idempotency.abandon(token, key)
        return reply

    def _run(self, token: str, body: bytes, fault: str | None) -> tuple[ApiReply, bool]:
        """Limits, parsing and execution; the flag tells whether the request ran (and was charged)."""
        if not self.limits.concurrency.try_enter():
            return error_reply(429, "Max concurrency exceeded", errors.MAX_CONCURRENCY, retry_in=1), False
        try:
            refusal = self._take_call(token)
            if refusal is not None:
                return refusal, False
            return self._execute(token, body, fault)
        finally:
            self.limits.concurrency.leave()

    def _take_call(self, token: str) -> ApiReply | None:
        """Count the call against the daily and per-minute limits; a refused call counts against neither."""
        remaining, reset_in = self.limits.daily.peek(token)
        if remaining < 1:
            return error_reply(429, "Daily limit exceeded", errors.DAILY_LIMIT, retry_in=reset_in)
        ok, _, reset_in = self.limits.rate.try_take(token)
        if not ok:
            return error_reply(429, "Rate Limit Exceeded", errors.RATE_LIMIT, retry_in=reset_in)
        self.limits.daily.try_take(token)
        return None

    def _execute(self, token: str, body: bytes, fault: str | None) -> tuple[ApiReply, bool]:
        try:
            request = json.loads(body or b"null")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return error_reply(400, f"Request body is not valid JSON: {exc}", errors.JSON_PARSE), False
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            return error_reply(400, "Send a JSON body with a 'query' string", errors.BAD_REQUEST), False
        variables = request.get("variables") or {}
        try:
            document = parse(request["query"])
        except GraphQLError as exc:
            return json_reply(200, _graphql_errors([exc], errors.PARSE_FAILED)), False
        problems = validate(self.schema, document)
        if problems:
            return json_reply(200, _graphql_errors(problems, errors.VALIDATION_FAILED)), False
        operation_name = request.get("operationName")
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return error_reply(
                200, "Cannot pick the operation to run; name it in operationName", errors.VALIDATION_FAILED
            ), False
        is_mutation = operation.operation.value == "mutation"
        if is_mutation and token in self.options.viewer_tokens:
            return error_reply(403, "User unauthorized to perform action", errors.USER_UNAUTHORIZED), False
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        cost = self.cost_model.cost(operation, fragments, variables)
        cap = self.limits.complexity_per_request
        if cost > cap:
            return error_reply(
                200,
                f"Query has complexity of {cost}, which exceeds max complexity of {cap}",
                errors.MAX_COMPLEXITY,
                complexity=cost,
                max_complexity=cap,
            ), False
        ok, before, reset_in = self.limits.budget.try_take(token, cost)
        if not ok:
            return error_reply(429, "Complexity budget exhausted", errors.COMPLEXITY_BUDGET, retry_in=reset_in), False
        self.stats.spent(cost)
        context = RequestContext(
            self.store,
            self.stats,
            {
                "before": before,
                "after": before - cost,
                "query": cost,
                "reset_in_x_seconds": retry_seconds(reset_in),
            },
        )
        if fault == "slow":
            time.sleep(self.options.slow_delay())
        result = execute(
            self.schema, document, variable_values=variables, operation_name=operation_name, context_value=context
        )
        if context.aborted:
            return error_reply(500, "Internal Server Error", errors.INTERNAL_SERVER_ERROR), True
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error_from(e) for e in result.errors]
        payload["account_id"] = self.options.account_id
        payload["extensions"] = {"request_id": str(uuid.uuid4())}
        reply = json_reply(200, payload)
        reply.drop = fault == "drop_after_apply"
        return reply, True


def _token(header: str) -> str:
    token = header.strip()
    return token[7:].strip() if token.lower().startswith("bearer ") else token


def _graphql_errors(problems: list[GraphQLError], code: str) -> dict[str, Any]:
    entries = []
    for problem in problems:
        entry = problem.formatted
        entry["extensions"] = {"code": code, "status_code": 200}
        entries.append(entry)
    return {"errors": entries}


def _early_fault(fault: str | None) -> ApiReply | None:
    """Faults that answer instead of running the request."""
    if fault == "http_500":
        return error_reply(500, "Internal server error", errors.INTERNAL_SERVER_ERROR)
    if fault == "http_502":
        return ApiReply(502, BAD_GATEWAY_HTML, [("Content-Type", "text/html")])
    if fault == "http_429":
        return error_reply(429, "Rate Limit Exceeded", errors.RATE_LIMIT, retry_in=1)
    if fault == "internal_error_200":
        return json_reply(200, {"errors": [error_entry("Internal Server Error", errors.INTERNAL_SERVER_ERROR)]})
    return None
