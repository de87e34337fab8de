"""One error taxonomy for everything monday can answer, so every caller decides the same way.

* **retryable**: the request may succeed if sent again (429, 5xx, timeouts, dropped connections,
  complexity budget exhausted, IDEMPOTENCY_CONFLICT). The client retries these itself with the same
  Idempotency-Key; when its retries run out the rows go back to PENDING with the reason kept.
* **row**: this one row can never succeed as it is (a value monday refuses, an item name over 255
  characters, a value the pusher cannot format). The row goes to FAILED; its batch goes on.
* **fatal**: nothing else in this run can succeed (bad token, unknown board or column, daily call
  limit, a document monday rejects). The run stops and releases its claim, so rows stay PENDING
  without spending attempts.

Codes not listed are treated as retryable for the row: the attempt is spent and the row ends
FAILED after ``monday.max_attempts`` with monday's own message, never silently. Three readers, one
owner: ``classify`` (a code), ``classify_http`` (an answer that is not a 200 with JSON) and
``classify_row`` (one alias's error, which for a missing item depends on what the row was doing).
How often and how long the client retries is configuration (``monday.retry_*``), not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pusher.errors import RemoteFatalError


class Disposition(StrEnum):
    RETRYABLE = "retryable"
    ROW = "row"
    FATAL = "fatal"


# Codes the pusher raises itself (never sent by monday).
VALUE_FORMAT = "ValueFormatError"  # a database value that does not fit the monday column
LABEL_MISSING = "LabelMissing"  # a status/dropdown label monday lacks and the policy forbids creating
ITEM_MISSING = "ItemMissingOnBoard"  # the known item id is gone from the board; next attempt re-adopts
ITEM_GONE = "ItemGoneFromBoard"  # the same with monday.on_missing_item = "fail": the row is FAILED
PARENT_MISSING = "ParentMissingOnBoard"  # a subitem create whose parent was deleted by hand: FAILED until re-created
ITEM_ARCHIVED = "ItemArchivedOnBoard"  # a change reached an item archived by hand; it stays archived: FAILED
TIMEOUT = "Timeout"
CONNECTION = "ConnectionError"
NO_RESULT = "NoResult"  # an alias that came back without data and without an error
FAILED_ALONE = "FailedAlone"  # a row whose request failed on every try once it was sent alone (poison)
# monday codes the pusher acts on beyond their disposition.
INVALID_ITEM = "InvalidItemIdException"  # the item id is unknown, deleted, or on another board
ITEMS_LIMIT = "ItemsLimitationException"  # the board holds its maximum number of items
DAILY_LIMIT = "DAILY_LIMIT_EXCEEDED"
BUDGET_EXHAUSTED = "COMPLEXITY_BUDGET_EXHAUSTED"

ROW_CODES = frozenset({
    "ColumnValueException", "ItemNameTooLongException", "InvalidArgumentException", "CorrectedValueException",
    VALUE_FORMAT, LABEL_MISSING, FAILED_ALONE, ITEM_GONE, ITEM_ARCHIVED, PARENT_MISSING,
})
FATAL_CODES = frozenset({
    "Unauthorized", "UserUnauthorizedException", "InvalidBoardIdException", "InvalidColumnIdException",
    DAILY_LIMIT, "InvalidVersionException", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED",
    "maxComplexityExceeded", ITEMS_LIMIT, "JsonParseException", "BadRequest",
})


def classify(code: str | None) -> Disposition:
    """The disposition of one monday (or pusher) error code."""
    if code in FATAL_CODES:
        return Disposition.FATAL
    if code in ROW_CODES:
        return Disposition.ROW
    return Disposition.RETRYABLE


def classify_http(status: int, code: str | None) -> Disposition:
    """The disposition of an answer other than a 200 with a JSON body (``code``: its first error's, if any).

    401/403 and the daily limit stop the run; other 429s, 409 (an idempotency key in use), 5xx and a
    200 whose body is not JSON (a proxy's page) are retried; any other status is a request monday
    will never take, so the run stops.
    """
    if status in (401, 403):
        return Disposition.FATAL
    if status == 429:
        return Disposition.FATAL if code == DAILY_LIMIT else Disposition.RETRYABLE
    if status in (200, 409) or status >= 500:
        return Disposition.RETRYABLE
    return Disposition.FATAL


class Gone(StrEnum):
    """A row whose monday item is not on the board (``InvalidItemIdException``), by what the row did."""

    REMOVED = "removed"  # an archive or delete: the item is gone already, so the removal holds
    ITEM = "item"  # an update: the item was deleted by hand (monday.on_missing_item decides)
    PARENT = "parent"  # a subitem create: its parent item was deleted by hand


def classify_row(code: str | None, verb: str, under_parent: bool) -> Disposition | Gone:
    """How one alias's error is handled: a ``Gone`` case for a missing item, else the code's disposition.

    ``verb`` is the runner's (create, recreate, update, archive, delete); ``under_parent``: the row is
    created under a parent item (a subitem: ``Entity.top_level`` is false), which may be what is missing.
    """
    if code == INVALID_ITEM:
        if verb in ("archive", "delete"):
            return Gone.REMOVED
        if verb == "update":
            return Gone.ITEM
        if under_parent and verb in ("create", "recreate"):
            return Gone.PARENT
    return classify(code)


@dataclass(frozen=True)
class RowFailure:
    """Why one row did not sync, as MarkItemsFailed / MarkSubitemsFailed store it."""

    code: str
    message: str

    @property
    def retryable(self) -> bool:
        return classify(self.code) is Disposition.RETRYABLE


class TransientError(Exception):
    """A request-level failure worth retrying; ``retry_after`` is the server's own wait, if it gave one.

    ``applied_nothing`` is true when monday refused before running (a 429) or no connection was
    made: the client sets it on the error it finally raises only if every try was so, so the rows
    may be released unspent.
    """

    def __init__(self, code: str, message: str, retry_after: float | None = None, applied_nothing: bool = False):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.applied_nothing = applied_nothing
        self.tries = 1  # set by the client when its retries ran out, with the seconds they took
        self.seconds = 0.0


class RunFatalError(RemoteFatalError):
    """monday refused the whole run; the message names the code and what to fix."""

    def __init__(self, code: str, message: str):
        super().__init__(f"monday refused the run ({code}): {message}")
        self.code = code
        self.after_retry = False  # set by the client: an earlier try of the same request may have applied
