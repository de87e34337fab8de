"""HTTP to monday: one session, the headers monday wants, and the one retry policy of the pusher.

Every request carries ``Authorization``, ``API-Version`` and, for mutations, an ``Idempotency-Key``
that the caller derives from its claim; the same key goes out on every retry of that request, so a
retry after a timeout or a dropped connection gets monday's cached answer instead of a second
item. Answers are sorted by ``pusher.sync.errors``: retryable ones are retried here (tenacity,
honouring ``Retry-After`` / ``retry_in_seconds``, else exponential backoff with jitter), fatal ones
raise ``RunFatalError``, and per-alias errors come back in ``Reply.errors`` for the runner to map
to rows. How many tries and how long the backoff are ``monday.retry_*`` settings (``make_client``).
The token never appears in a message this module produces.
"""

from __future__ import annotations

import json
import logging
import random
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from urllib3.exceptions import NewConnectionError

from pusher.sync import errors
from pusher.sync.errors import Disposition, RunFatalError, TransientError, classify, classify_http
from pusher.sync.pacing import Pacer

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0


@dataclass
class Reply:
    """A 200 answer: ``data`` per alias, ``errors`` that name an alias in ``path``."""

    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    complexity: dict[str, int] | None = None
    replayed: bool = False

    def error_for(self, alias: str) -> dict[str, Any] | None:
        for error in self.errors:
            path = error.get("path") or []
            if path and path[0] == alias:
                return error
        return None


@dataclass
class ClientStats:
    requests: int = 0  # HTTP requests sent, retries included
    replays: int = 0
    complexity: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    """``monday.retry_tries`` (first try included), then exponential backoff from ``backoff_seconds``
    doubling up to ``backoff_cap_seconds``, with full jitter; monday's own wait when it gives one."""

    tries: int
    backoff_seconds: float
    backoff_cap_seconds: float

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return exc.retry_after + random.uniform(0.0, 0.25)
        backoff = self.backoff_seconds * 2 ** (state.attempt_number - 1)
        return random.uniform(0.0, min(self.backoff_cap_seconds, backoff))


class MondayClient:
    """Sends GraphQL documents to one monday endpoint with one token."""

    def __init__(self, url: str, token: str, api_version: str, timeout: float, retry: RetryPolicy,
                 pacer: Pacer | None = None):
        self.url = url
        self.timeout = (min(CONNECT_TIMEOUT, timeout), timeout)
        self.pacer = pacer or Pacer()
        self.retry = retry
        self.stats = ClientStats()
        self.session = requests.Session()
        self.session.headers.update({
            "Authorization": token,
            "API-Version": api_version,
            "Content-Type": "application/json",
            "User-Agent": "ordersync-pusher",
        })

    def close(self) -> None:
        self.session.close()

    def request(self, document: str, variables: dict[str, Any] | None = None, *,
                idempotency_key: str | None = None, estimate: int = 0, tries: int | None = None) -> Reply:
        """Send one document, retrying retryable failures with the same key; return the 200 answer.

        Raises ``TransientError`` when ``tries`` (default ``max_tries``) run out, at once when the
        budget refuses a request costlier than a whole budget window (waiting cannot help: the caller
        must split it), and ``RunFatalError`` when monday refuses the run.
        """
        body = json.dumps({"query": document, "variables": variables or {}}).encode("utf-8")
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        refused_unrun: list[bool] = []  # per try: did monday refuse it before running?

        def once() -> Reply:
            try:
                return self._send_once(body, headers)
            except TransientError as exc:
                refused_unrun.append(exc.applied_nothing)
                exc.applied_nothing = all(refused_unrun)
                raise

        def worth_retrying(exc: BaseException) -> bool:
            return isinstance(exc, TransientError) and not (
                exc.code == errors.BUDGET_EXHAUSTED and self.pacer.never_fits(estimate))

        retrying = Retrying(
            retry=retry_if_exception(worth_retrying),
            stop=stop_after_attempt(tries or self.retry.tries),
            wait=self.retry.wait,
            reraise=True,
            before_sleep=self._before_sleep,
        )
        started = time.monotonic()
        try:
            reply = retrying(once)
        except TransientError as exc:
            exc.tries = retrying.statistics.get("attempt_number") or self.retry.tries
            exc.seconds = time.monotonic() - started
            raise
        except RunFatalError as exc:
            # A refusal after a failed try may follow a try that monday applied (a timeout, a dropped
            # connection): the caller must then treat the request's outcome as unknown.
            exc.after_retry = (retrying.statistics.get("attempt_number") or 1) > 1
            raise
        if estimate and reply.complexity and not reply.replayed:
            self.pacer.learn(estimate, int(reply.complexity.get("query") or 0))
        return reply

    def gave_up(self, exc: TransientError) -> RunFatalError:
        """The run-fatal error for a request whose retries ran out: names the URL, the tries and the time.

        Its ``after_retry`` says whether a try may have been applied; when none even connected, the
        request's rows are known not applied and are released like the never-sent ones.
        """
        fatal = RunFatalError(exc.code, f"{self.url} failed every try: {exc.tries} tries over {exc.seconds:.1f} s, "
                                        f"the last one {exc}; nothing more was sent, and rows not sent stay "
                                        f"PENDING without spending an attempt")
        fatal.after_retry = not exc.applied_nothing
        return fatal

    def _before_sleep(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("monday request failed (%s); retry %d of %d in %.1f s", exc, state.attempt_number,
                    self.retry.tries - 1, state.upcoming_sleep)

    def _send_once(self, body: bytes, headers: dict[str, str]) -> Reply:
        self.stats.requests += 1
        try:
            response = self.session.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.ConnectTimeout as exc:
            raise TransientError(errors.CONNECTION, f"no connection within {self.timeout[0]:g} s",
                                 applied_nothing=True) from exc
        except requests.Timeout as exc:
            raise TransientError(errors.TIMEOUT, f"no answer within {self.timeout[1]:g} s") from exc
        except requests.ConnectionError as exc:
            if _never_connected(exc):
                raise TransientError(errors.CONNECTION, f"cannot connect: {_reason(exc)}",
                                     applied_nothing=True) from exc
            raise TransientError(errors.CONNECTION, f"connection failed or dropped: {type(exc).__name__}") from exc
        self.pacer.observe_headers(response.headers)
        return self._read(response)

    def _read(self, response: requests.Response) -> Reply:
        status = response.status_code
        payload = _json(response)
        first = (payload or {}).get("errors") or [{}]
        code = (first[0].get("extensions") or {}).get("code") if isinstance(first[0], dict) else None
        message = first[0].get("message") if isinstance(first[0], dict) else None
        retry_after = _retry_after(response, first[0] if isinstance(first[0], dict) else {})
        if status == 200 and payload is not None:
            return self._read_200(payload, response)
        what = code or f"HTTP {status}"
        if classify_http(status, code) is Disposition.FATAL:
            raise RunFatalError(what, _refusal(status, code, message, retry_after) or response.text[:200])
        if status == 429 and code in (errors.BUDGET_EXHAUSTED, None):
            self.pacer.exhausted(retry_after)
        default = "too many requests" if status == 429 else (
            f"HTTP {status} " + ("with a non-JSON body" if payload is None else "")).strip()
        raise TransientError(what, message or default, retry_after, applied_nothing=status == 429)

    def _read_200(self, payload: dict[str, Any], response: requests.Response) -> Reply:
        data = payload.get("data") or {}
        complexity = data.get("complexity") if isinstance(data, dict) else None
        reply = Reply(data=data, errors=list(payload.get("errors") or []), complexity=complexity,
                      replayed=response.headers.get("Idempotency-Replayed", "").lower() == "true")
        if reply.replayed:
            self.stats.replays += 1
        else:
            self.pacer.observe(complexity)
            if complexity:
                self.stats.complexity += int(complexity.get("query") or 0)
        for error in reply.errors:
            if error.get("path"):
                continue  # one alias's error: the runner maps it to its row
            code = (error.get("extensions") or {}).get("code") or "UNKNOWN"
            message = error.get("message") or "no message"
            if classify(code) is Disposition.FATAL:
                raise RunFatalError(code, message)
            raise TransientError(code, message, _retry_after(response, error))
        return reply


def _refusal(status: int, code: str | None, message: str | None, retry_after: float | None) -> str | None:
    """The sentence for a refused run, with what to do where the status or code says it."""
    if status in (401, 403):
        return (message or "not authorised") + ": check the token (and that its user may write to the board)"
    if code == errors.DAILY_LIMIT:
        return (f"{message or 'daily call limit reached'}; it resets in about {retry_after or 0:.0f} s "
                f"(midnight UTC on monday)")
    return message


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Refused, or the host name did not resolve: no byte of the request left this machine."""
    return isinstance(getattr(exc.args[0] if exc.args else None, "reason", None), NewConnectionError)


def _reason(exc: requests.ConnectionError) -> str:
    """urllib3's reason, e.g. `HTTPConnection(host='127.0.0.1', port=1): ... Connection refused`."""
    return str(getattr(exc.args[0] if exc.args else None, "reason", None) or type(exc).__name__)


def _json(response: requests.Response) -> dict[str, Any] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _retry_after(response: requests.Response, error: dict[str, Any]) -> float | None:
    seconds = (error.get("extensions") or {}).get("retry_in_seconds")
    if seconds is None:
        seconds = response.headers.get("Retry-After")
    try:
        return float(seconds) if seconds is not None else None
    except ValueError:
        return None
