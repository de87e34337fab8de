"""The one classifier: every answer monday can give is sorted in pusher.sync.errors, nowhere else."""

from __future__ import annotations

import pytest

from pusher.sync.errors import Disposition, Gone, classify, classify_http, classify_row

R, F = Disposition.RETRYABLE, Disposition.FATAL


@pytest.mark.parametrize("status, code, expected", [
    (401, None, F), (403, "UserUnauthorizedException", F),
    (429, None, R), (429, "COMPLEXITY_BUDGET_EXHAUSTED", R), (429, "DAILY_LIMIT_EXCEEDED", F),
    (409, "IDEMPOTENCY_CONFLICT", R), (500, None, R), (502, None, R), (503, "INTERNAL_SERVER_ERROR", R),
    (200, None, R),  # a 200 whose body is not JSON (a proxy's page)
    (400, "JsonParseException", F), (404, None, F),
])
def test_an_http_answer_is_retried_or_stops_the_run_by_its_status_and_code(status, code, expected):
    assert classify_http(status, code) is expected


@pytest.mark.parametrize("verb, under_parent, expected", [
    ("archive", False, Gone.REMOVED), ("delete", True, Gone.REMOVED),
    ("update", False, Gone.ITEM), ("update", True, Gone.ITEM),
    ("create", True, Gone.PARENT), ("recreate", True, Gone.PARENT),
    ("create", False, R),  # no parent to miss: monday's code decides, and it is not a known one
])
def test_a_missing_item_is_handled_by_what_the_row_was_doing(verb, under_parent, expected):
    assert classify_row("InvalidItemIdException", verb, under_parent) is expected


@pytest.mark.parametrize("code, expected", [
    ("ColumnValueException", Disposition.ROW), ("ItemsLimitationException", F), ("InvalidBoardIdException", F),
    ("RATE_LIMIT_EXCEEDED", R), ("SomethingNew", R), (None, R),
])
def test_any_other_row_error_takes_its_codes_disposition(code, expected):
    assert classify_row(code, "update", False) is expected is classify(code)
