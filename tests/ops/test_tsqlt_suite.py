"""The tSQLt suite's shape, checked here because it can only run on a SQL Server.

One class per procedure and view, tests named as sentences, Arrange/Act/Assert on fakes,
NoTransaction exactly where a procedure's error would end tSQLt's transaction, those tests
faking the real tables only inside a transaction of their own that they roll back before
asserting, and the runner installing the classes batch by batch with each annotation kept on
its procedure.
sqlfluff tsql parses every class in tests/sql/test_tsql_parses.py. One more check stands in
for a compiler: no procedure declares a variable its parameters already name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pusher.commands.render_ops import ops_renderer, render_ops, tsqlt_templates
from pusher.config import load_config
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT

TEST_PROC = re.compile(r"^CREATE PROCEDURE \[(?P<cls>[^\]]+)\]\.\[(?P<name>[^\]]+)\]\s*$", re.MULTILINE)
NO_TRANSACTION = re.compile(r"^--\[@tSQLt:NoTransaction\]\('\[(?P<cls>[^\]]+)\]\.\[(?P<proc>[^\]]+)\]'\)$")
# In a test's code, in order: its transactions, its test doubles, its asserts and a procedure
# called where an error is caught (BEGIN TRY ... EXEC [sync].[Name]).
STEP = re.compile(r"\b(?P<begin>BEGIN TRAN(?:SACTION)?)\b|\b(?P<rollback>ROLLBACK TRAN(?:SACTION)?)\b"
                  r"|\b(?P<commit>COMMIT(?: TRAN(?:SACTION)?)?)\b|tSQLt\.(?P<double>FakeTable|SpyProcedure)\b"
                  r"|tSQLt\.(?P<assert>Assert\w+|ExpectException|ExpectNoException|Fail)\b")
CAUGHT_CALL = re.compile(r"\bBEGIN TRY\s+(?:INSERT INTO #\w+\s+)?EXEC \[sync\]\.\[(\w+)\]")
# A CATCH that rolls back the whole transaction it was called in once an error doomed it,
# whether or not it opened that transaction (then writes its run-log row after the rollback).
ROLLS_BACK_CALLERS = re.compile(r"\bIF XACT_STATE\(\) = -1\b[^\n;]*\bROLLBACK TRANSACTION;")


@pytest.fixture(scope="module")
def classes() -> dict[str, str]:
    """Class name -> rendered T-SQL, rendered as `ordersync render-ops` does."""
    rendered = render_ops(ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql"))
    return {Path(name).name.removesuffix(".class.sql"): obj.sql
            for name, obj in rendered.items() if name.startswith("tsqlt/")}


def _batches(sql: str) -> list[str]:
    return [b.strip() for b in re.split(r"^GO$", sql, flags=re.MULTILINE) if b.strip()]


def _tests(sql: str) -> list[tuple[str, str]]:
    """(test name, batch) for every test procedure of a class."""
    found = []
    for batch in _batches(sql):
        match = TEST_PROC.search(batch)
        if match and match["name"].startswith("test "):
            found.append((match["name"], batch))
    return found


def test_every_procedure_and_view_has_its_own_test_class(classes):
    """Named by what is deployed, not by the template: a per-queue template (sync.Claim{Entity})
    is two procedures (ClaimItems, ClaimSubitems), each with its own class."""
    rendered = [obj for obj in ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql").render_all()
                if obj.template.startswith("procedures/")]
    objects = {obj.file_name.split(".")[1] for obj in rendered}
    assert objects, "no procedures in the deploy order"
    assert {"ClaimItems", "ClaimSubitems", "MarkItemsFailed", "MarkSubitemsSynced"} <= objects
    assert set(classes) == {f"{name}Tests" for name in objects}
    assert len(tsqlt_templates()) == len(classes)
    assert all((PROJECT_ROOT / obj.template).exists() for obj in rendered)


def test_each_class_is_created_fresh_and_holds_only_its_own_tests(classes):
    for name, sql in classes.items():
        batches = _batches(sql)
        assert batches[0].endswith("SET ANSI_NULLS ON;\nSET QUOTED_IDENTIFIER ON;"), name  # run alone by sqlcmd
        assert batches[1].endswith(f"EXEC tSQLt.NewTestClass N'{name}';"), name
        owners = {m["cls"] for m in TEST_PROC.finditer(sql)}
        assert owners == {name}, f"{name} creates procedures in {owners}"
        assert _tests(sql), f"{name} has no tests"


def test_tests_are_sentences_in_arrange_act_assert_form(classes):
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            words = test.split()
            assert len(words) >= 5 and words[1].islower(), f"{name}.[{test}] is not a sentence"
            assert "tSQLt.FakeTable" in batch, f"{name}.[{test}] does not isolate itself with FakeTable"
            assert re.search(r"tSQLt\.(AssertEqualsTable|AssertEmptyTable|AssertEquals|AssertEqualsString|"
                             r"AssertLike|ExpectException)", batch), f"{name}.[{test}] asserts nothing"
        assert "tSQLt.AssertEqualsTable" in sql, f"{name} never compares tables"


def test_every_test_that_expects_an_error_runs_outside_tsqlt_transaction(classes):
    """A THROW under XACT_ABORT dooms the caller's transaction, so such a test cannot run in
    tSQLt's; NoTransaction tests name their class's UndoDoubles, which puts back any double
    they left (only RunPipeline's error tests leave any: see below)."""
    expecting = 0
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            first = batch.splitlines()[0]
            wants_error = "ExpectException" in batch or "BEGIN CATCH" in batch
            annotated = NO_TRANSACTION.match(first)
            assert bool(annotated) == wants_error, f"{name}.[{test}]: NoTransaction {bool(annotated)}, " \
                                                   f"expects an error {wants_error}"
            if annotated:
                expecting += 1
                assert (annotated["cls"], annotated["proc"]) == (name, "UndoDoubles")
                assert f"CREATE PROCEDURE [{name}].[UndoDoubles]" in sql
    assert expecting >= 5


def _code(batch: str) -> str:
    """The batch without its `--` comments (a `--` inside a string literal is kept)."""
    lines = []
    for line in batch.splitlines():
        cut = line.find("--")
        while cut >= 0 and line[:cut].count("'") % 2:
            cut = line.find("--", cut + 2)
        lines.append(line if cut < 0 else line[:cut])
    return "\n".join(lines)


def _transaction_problems(code: str) -> list[str]:
    """What breaks the rule for a NoTransaction test: every FakeTable and SpyProcedure inside a
    transaction the test opened, every assert after its ROLLBACK, nothing committed, nothing
    left open."""
    problems, open_ = [], False
    for step in STEP.finditer(code):
        kind = step.lastgroup
        if kind == "begin":
            problems += ["BEGIN TRANSACTION while one is open"] if open_ else []
            open_ = True
        elif kind == "rollback":
            open_ = False
        elif kind == "commit":
            problems.append("a COMMIT would commit the fakes' renames")
        elif kind == "double" and not open_:
            problems.append(f"{step[0]} outside the test's own transaction (a committed rename of a real object)")
        elif kind == "assert" and open_:
            problems.append(f"{step[0]} before the ROLLBACK")
    return problems + (["the test's transaction is left open"] if open_ else [])


@pytest.fixture(scope="module")
def procedures_rolling_back_callers() -> set[str]:
    """Deployed procedures whose CATCH rolls back a caller's doomed transaction itself."""
    rendered = ops_renderer(load_config(DEFAULT_CONFIG, "production"), "tsql").render_all()
    return {obj.file_name.split(".")[1] for obj in rendered
            if obj.template.startswith("procedures/") and ROLLS_BACK_CALLERS.search(obj.sql)}


def test_error_tests_fake_inside_their_own_transaction_and_assert_after_rolling_it_back(
        classes, procedures_rolling_back_callers):
    """Outside a transaction FakeTable's sp_rename of a real table is committed: until the
    clean-up a pipeline, a pusher or the staging load meanwhile writes into the fake (lost at
    clean-up), and a killed run leaves the real tables renamed. So a NoTransaction test opens
    a transaction of its own before its first fake (or spy), keeps the error in variables,
    rolls back before its first assert, and commits nothing; a test tSQLt runs in its own
    transaction opens none."""
    own = 0
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            code = _code(batch)
            where = f"{name}.[{test}]"
            if not NO_TRANSACTION.match(batch.splitlines()[0]):
                assert not re.search(r"\b(BEGIN TRAN|ROLLBACK|COMMIT)\b", code), \
                    f"{where} runs in tSQLt's transaction and must not open, end or commit one"
                continue
            if set(CAUGHT_CALL.findall(code)) & procedures_rolling_back_callers:
                continue  # the next test
            assert _transaction_problems(code) == [], where
            own += 1
    assert own >= 8


def test_error_tests_of_a_procedure_that_rolls_back_its_callers_transaction_open_none(
        classes, procedures_rolling_back_callers):
    """RunPipeline's CATCH rolls back whatever transaction it runs in once its error doomed it,
    then writes its REFUSED/FAILED run-log row. In a test's own transaction that rollback would
    put the real tables back first, and the row would go to the real run log (overwriting the
    real row with the fake's run id, or adding one). So its error tests cannot fake inside a
    transaction of their own: they fake with committed renames, undone by the class's
    UndoDoubles, and the runbook says to run the suite on a test copy. Should RunPipeline stop
    rolling back a caller's transaction, this fails: convert those tests then."""
    assert procedures_rolling_back_callers == {"RunPipeline"}
    exempt = 0
    for name, sql in classes.items():
        for test, batch in _tests(sql):
            code = _code(batch)
            if NO_TRANSACTION.match(batch.splitlines()[0]) and \
                    set(CAUGHT_CALL.findall(code)) & procedures_rolling_back_callers:
                exempt += 1
                assert not re.search(r"\b(BEGIN TRAN|ROLLBACK|COMMIT)\b", code), \
                    f"{name}.[{test}]: RunPipeline would roll back this transaction and log into the real run log"
    assert exempt >= 1


def test_the_transaction_rule_catches_a_committed_fake_and_an_assert_before_the_rollback():
    committed = "BEGIN\n    EXEC tSQLt.FakeTable @TableName = N'x';\n    EXEC tSQLt.AssertEquals 1, 1;\nEND;"
    assert _transaction_problems(_code(committed)) == [
        "tSQLt.FakeTable outside the test's own transaction (a committed rename of a real object)"]
    early = ("BEGIN TRANSACTION;\n    EXEC tSQLt.FakeTable @TableName = N'x';\n"
             "    EXEC tSQLt.AssertEquals 1, 1;\n    IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;")
    assert _transaction_problems(_code(early)) == ["tSQLt.AssertEquals before the ROLLBACK"]
    commented = "-- BEGIN TRANSACTION\n    EXEC tSQLt.FakeTable @TableName = N'--x';"
    assert _transaction_problems(_code(commented)) == [
        "tSQLt.FakeTable outside the test's own transaction (a committed rename of a real object)"]


# Each PostgreSQL test of a procedure's or view's behaviour (tests/db) -> its tSQLt twin,
# "Class.test name", matched by the exact name. A PostgreSQL test is listed in exactly one of
# TWINS or NO_TWIN (it cannot have one: the reason), so a new PostgreSQL test cannot slip in
# without its twin or a written reason.
TWINS = {
    "test_claim.py::test_a_claim_sets_in_flight_token_lease_and_attempts":
        "ClaimItemsTests.test a claim leases the oldest pending rows to the token",
    "test_claim.py::test_claims_come_oldest_first_up_to_the_batch_size":
        "ClaimItemsTests.test a claim leases the oldest pending rows to the token",
    "test_claim.py::test_bad_arguments_are_reported_together":
        "ClaimSubitemsTests.test bad arguments are refused together in one message",
    "test_claim.py::test_an_expired_lease_is_reclaimed_and_the_old_token_changes_nothing":
        "ClaimItemsTests.test an expired lease is claimed again under the new token",
    "test_claim.py::test_a_later_change_waits_while_an_earlier_one_is_in_flight":
        "ClaimItemsTests.test a change waiting behind an in-flight change of its order is not claimed",
    "test_claim.py::test_subitems_wait_for_their_parent_item_id":
        "ClaimSubitemsTests.test a subitem is claimed only once its parent item exists on monday",
    "test_claim.py::test_an_expired_lease_on_the_last_attempt_is_dead_lettered":
        "ClaimItemsTests.test an expired lease on the last attempt becomes FAILED with LEASE_EXPIRED",
    "test_claim.py::test_a_dead_lettered_flight_folds_into_the_newer_change_of_its_order":
        "ClaimItemsTests.test a dead-lettered flight folds into the newer change of its order",
    "test_deploy.py::test_save_group_names_an_unknown_key":
        "SaveGroupTests.test an unknown key is refused naming the key",
    "test_drift.py::test_no_drift_on_the_table_the_procedures_were_rendered_for":
        "CheckDriftTests.test the staging table as rendered shows no drift",
    "test_drift.py::test_drift_names_added_and_removed_columns_and_the_pipeline_refuses":
        "RunPipelineTests.test a drifted staging table is refused and the refusal is logged",
    "test_merge_headers.py::test_null_changes_are_detected":
        "MergeHeadersTests.test a NULL becoming an empty string is a change",
    "test_merge_headers.py::test_a_change_while_pending_updates_the_open_row_in_place":
        "MergeHeadersTests.test a change before the push coalesces into the pending CREATE with the latest values",
    "test_merge_headers.py::test_a_change_while_in_flight_gets_its_own_row_with_the_latest_values":
        "MergeHeadersTests.test a change while the order is in flight waits in a new pending row",
    "test_merge_lines.py::test_only_orders_whose_sizes_changed_are_unpivoted":
        "MergeLinesTests.test an unchanged order is skipped by its size fingerprint",
    "test_bad_rows.py::test_bad_rows_are_rejected_one_by_one_and_the_good_rows_are_merged":
        "MergeLinesTests.test a negative quantity rejects that line and the others go through",
    "test_pipeline.py::test_a_new_order_yields_an_item_create_and_a_line_create_per_size":
        "RunPipelineTests.test a new order queues its item and its lines and the run is logged as SUCCEEDED",
    "test_pipeline.py::test_a_changed_header_yields_an_update_and_a_vanished_order_an_archive":
        "MergeHeadersTests.test a changed column queues one UPDATE with the new value",
    "test_pipeline.py::test_size_changes_yield_line_update_create_and_delete":
        "MergeLinesTests.test a changed quantity yields one UPDATE line delta",
    "test_pipeline.py::test_aliased_size_columns_fold_into_one_line_with_the_summed_quantity":
        "MergeLinesTests.test aliased size columns fold into one line with the summed quantity",
    "test_pipeline.py::test_a_rerun_with_nothing_changed_queues_nothing_and_touches_no_row":
        "MergeHeadersTests.test an unchanged order queues nothing on the next run",
    "test_pipeline.py::test_a_dry_run_counts_and_logs_but_changes_nothing":
        "RunPipelineTests.test a dry run queues nothing and is logged as a dry run",
    "test_queue.py::test_mark_synced_stores_the_item_id_on_the_delta_and_the_order":
        "MarkItemsSyncedTests.test a synced item keeps its monday id on the delta and on the order",
    "test_queue.py::test_a_synced_archive_clears_the_item_id_and_marks_the_order_removed":
        "MarkItemsSyncedTests.test a synced ARCHIVE forgets the item id and marks the order removed",
    "test_queue.py::test_a_synced_delete_removes_the_line":
        "MarkSubitemsSyncedTests.test a synced DELETE removes the line",
    "test_queue.py::test_mark_failed_retryable_goes_back_to_pending_with_the_error_kept":
        "MarkItemsFailedTests.test retryable failures wait for another attempt until the last one fails for good",
    "test_queue.py::test_mark_failed_permanent_goes_to_failed":
        "MarkSubitemsFailedTests.test a permanent failure of a line goes to FAILED at once with its error kept",
    "test_queue.py::test_mark_failed_on_the_last_attempt_goes_to_failed_even_if_retryable":
        "MarkItemsFailedTests.test retryable failures wait for another attempt until the last one fails for good",
    "test_queue.py::test_a_failed_flight_folds_into_the_newer_change_waiting_behind_it":
        "MarkItemsFailedTests.test a failed flight folds into the newer change waiting behind it",
    "test_queue.py::test_release_claim_gives_the_attempt_back":
        "ReleaseClaimTests.test the token's rows return to PENDING with the attempt given back",
    "test_queue.py::test_requeue_failed_moves_every_failed_row_back_with_attempts_zero":
        "RequeueFailedTests.test failed rows return to PENDING with attempts reset",
    "test_queue.py::test_requeue_failed_dry_run_counts_changes_nothing_and_is_logged":
        "RequeueFailedTests.test a dry run counts the rows and changes none",
    "test_queue.py::test_purge_deletes_old_synced_rows_and_old_run_log_rows_only":
        "PurgeTests.test old synced rows are deleted and recent or unfinished rows are kept",
    "test_queue.py::test_run_log_start_and_end":
        "EndRunLogTests.test a finished step records its outcome rows and counts",
    "test_snapshot_check.py::test_an_unchanged_snapshot_skips_the_merges_and_says_so":
        "RunPipelineTests.test a rerun of an unchanged snapshot skips both merges and logs it",
    "test_snapshot_check.py::test_every_change_the_merges_act_on_defeats_the_skip":
        "RunPipelineTests.test a changed size in a snapshot of as many rows runs both merges",
    "test_views.py::test_pending_views_show_only_rows_claim_batch_would_hand_out":
        "PendingItemsTests.test only pending rows not waiting behind an in-flight change are listed",
    "test_views.py::test_failures_shows_dead_letters_and_the_latest_runs_rejects":
        "FailuresTests.test failed items and lines and the latest run's rejects are listed",
    "test_views.py::test_status_counts_group_by_entity_state_and_action":
        "StatusCountsTests.test rows are counted by entity state and action",
    "test_views.py::test_run_history_is_the_run_log_newest_first_with_durations":
        "RunHistoryTests.test every run-log row is listed with its duration in seconds",
    "test_key_semantics.py::test_a1_a1_lower_and_a1_space_are_one_order_so_every_copy_is_rejected":
        "MergeHeadersTests.test keys differing only in case or trailing spaces are one duplicate key",
    "test_key_semantics.py::test_group_names_differing_in_case_or_trailing_spaces_are_one_group":
        "MergeHeadersTests.test group names differing in case or trailing spaces are one group",
    "test_hash_definition.py::test_a_new_hash_definition_rewrites_the_stored_hashes_and_queues_nothing":
        "MergeHeadersTests.test a hash stored under an older definition is rewritten and queues nothing",
    "test_hash_definition.py::test_a_type_change_with_the_same_values_queues_nothing":
        "MergeHeadersTests.test a decimal scale change alone queues nothing",
    "test_mass_change_guard.py::test_empty_staging_is_refused_and_changes_nothing":
        "RunPipelineTests.test empty staging is refused and changes nothing",
    "test_mass_change_guard.py::test_half_loaded_staging_is_refused_with_the_numbers":
        "RunPipelineTests.test half loaded staging is refused with the numbers and the merges rolled back",
    "test_mass_change_guard.py::test_a_change_below_the_threshold_goes_through":
        "RunPipelineTests.test a change below the threshold goes through",
    "test_mass_change_guard.py::test_the_override_lets_one_run_through_and_the_next_is_guarded_again":
        "RunPipelineTests.test the override lets a mass archive through",
    "test_deployed_config.py::test_a_setting_changed_after_deploy_is_refused_by_pipeline_and_sync_naming_it":
        "RunPipelineTests.test a caller whose config differs from the deployed one is refused and logged",
    "test_deployed_config.py::test_an_unchanged_config_runs":
        "RunPipelineTests.test the deployed fingerprint is accepted",
    "test_call_time_settings.py::test_an_edited_max_attempts_dead_letters_a_retryable_failure_without_a_redeploy":
        "MarkItemsFailedTests.test a max attempts sent with the call replaces the rendered one",
    "test_purge.py::test_a_batch_size_smaller_than_the_rows_purges_them_all_and_logs_the_total":
        "PurgeTests.test a batch size smaller than the rows purges them all and logs the total",
    "test_purge.py::test_a_dry_run_counts_every_row_and_deletes_none": "PurgeTests.test a dry run deletes nothing",
    "test_purge.py::test_max_batches_stops_after_that_many_batches_of_the_batch_size":
        "PurgeTests.test max batches stops after that many batches of the batch size",
    "test_claim.py::test_an_unexpired_lease_is_not_reclaimed":
        "ClaimItemsTests.test a lease that has not expired is not claimed again",
    "test_claim.py::test_a_later_change_waits_behind_an_expired_flight_which_is_reclaimed_first":
        "ClaimItemsTests.test a later change waits behind an expired flight which is claimed again first",
    "test_claim.py::test_a_line_waits_only_behind_its_own_size":
        "ClaimSubitemsTests.test a line waits only behind an in-flight change of its own size",
    "test_claim.py::test_customer_filters_on_the_configured_customer_column":
        "ClaimItemsTests.test a customer filter claims only the orders whose customer column holds it",
    "test_key_semantics.py::test_the_customer_filter_ignores_case_and_trailing_spaces":
        "ClaimItemsTests.test the customer filter ignores case and trailing spaces",
    "test_queue.py::test_a_synced_archive_of_an_order_that_came_back_leaves_it_live":
        "MarkItemsSyncedTests.test a synced ARCHIVE of an order that came back leaves it live",
    "test_queue.py::test_a_synced_archive_closes_the_line_changes_still_queued_for_that_order":
        "MarkItemsSyncedTests.test a synced ARCHIVE closes the line changes still queued for that order",
    "test_queue.py::test_mark_synced_stores_the_subitem_id_on_the_delta_and_the_line":
        "MarkSubitemsSyncedTests.test a synced subitem keeps its monday id on the delta and on the line",
    "test_queue.py::test_requeue_failed_by_customer":
        "RequeueFailedTests.test a customer requeues only the failed rows of the orders of that customer",
    "test_queue.py::test_requeue_failed_by_delta_id":
        "RequeueFailedTests.test a delta id requeues that one row and is refused without an entity",
    "test_call_time_settings.py::test_an_edited_max_attempts_dead_letters_an_expired_lease_without_a_redeploy":
        "ClaimItemsTests.test a max attempts sent with the call dead-letters an expired lease sooner",
    "test_call_time_settings.py::test_a_dba_call_without_max_attempts_uses_the_rendered_default":
        "MarkItemsFailedTests.test a call without max attempts retries up to the rendered default",
    "test_call_time_settings.py::test_max_attempts_out_of_range_is_refused_naming_the_parameter":
        "ClaimItemsTests.test a max attempts out of range is refused naming the parameter",
    "test_purge.py::test_a_bad_batch_setting_is_refused_naming_the_parameter":
        "PurgeTests.test a bad batch setting is refused naming the parameter",
    "test_bad_rows.py::test_a_rejected_order_in_a_snapshot_is_not_archived_nor_changed":
        "MergeHeadersTests.test a rejected order in a snapshot is neither archived nor changed",
    "test_bad_rows.py::test_a_fixed_row_goes_through_on_the_next_run":
        "MergeHeadersTests.test a negative size fixed in staging goes through on the next run",
    "test_bad_rows.py::test_a_key_duplicated_beside_an_unchanged_row_rejects_every_copy":
        "MergeHeadersTests.test a key duplicated beside an unchanged copy rejects every copy",
    "test_merge_headers.py::test_a_change_to_a_failed_order_revives_it_with_attempts_reset":
        "MergeHeadersTests.test a change to a failed order revives it with attempts reset",
    "test_merge_headers.py::test_a_change_outside_the_monday_columns_queues_nothing":
        "MergeHeadersTests.test a change outside the monday columns queues nothing",
    "test_merge_headers.py::test_an_order_back_after_its_archive_was_synced_gets_its_lines_again":
        "MergeHeadersTests.test an order back after its archive was synced gets its lines again",
    "test_key_semantics.py::test_a_group_name_of_spaces_only_is_no_group_not_a_blank_one":
        "MergeHeadersTests.test a group name of spaces only is no group rather than a blank one",
    "test_key_semantics.py::test_an_order_key_of_spaces_only_is_rejected_as_null":
        "MergeHeadersTests.test an order key of spaces only is rejected as NULL",
    "test_key_semantics.py::test_a_key_that_changes_only_case_or_trailing_spaces_is_the_same_order":
        "MergeHeadersTests.test a key that changes only case or trailing spaces is the same order",
    "test_one_column_names.py::test_name_length_counts_an_emoji_as_one_character":
        "MergeHeadersTests.test name length counts an emoji as one character",
    "test_hash_definition.py::test_a_real_change_in_an_altered_column_still_queues":
        "MergeHeadersTests.test a real change in a column whose type changed still queues",
    "test_hash_definition.py::test_a_new_hash_definition_with_a_real_change_queues_that_change":
        "MergeHeadersTests.test a hash stored under an older definition with a real change queues that change",
    "test_hash_definition.py::test_an_archived_order_with_an_old_hash_is_rewritten_not_queued":
        "MergeHeadersTests.test an archived order with a hash under an older definition is rewritten not queued",
    "test_bad_rows.py::test_an_order_with_a_rejected_line_is_looked_at_again_by_the_next_run":
        "MergeLinesTests.test an order with a rejected line is looked at again by the next run",
    "test_merge_lines.py::test_create_then_update_while_pending_stays_one_create_with_the_latest_qty":
        "MergeLinesTests.test a create then an update while pending stays one CREATE with the latest quantity",
    "test_merge_lines.py::test_create_then_delete_while_pending_becomes_delete_and_back_becomes_update":
        "MergeLinesTests.test a create then a delete while pending becomes a DELETE and back becomes an UPDATE",
    "test_merge_lines.py::test_a_line_change_while_in_flight_gets_its_own_row":
        "MergeLinesTests.test a line change while in flight gets its own row",
    "test_merge_lines.py::test_a_deleted_size_is_not_queued_again_while_its_delete_waits":
        "MergeLinesTests.test a deleted size is not queued again while its delete waits",
    "test_pipeline.py::test_the_payload_is_the_canonical_json_of_the_monday_columns":
        "RunPipelineTests.test the payload is the canonical JSON of the monday columns",
    "test_pipeline.py::test_every_staging_change_ends_as_a_delta":
        "RunPipelineTests.test every staging change ends as a delta",
    "test_pipeline.py::test_a_failing_run_rolls_back_its_work_and_logs_the_error_durably":
        "RunPipelineTests.test a failing run rolls back its work and logs the error durably",
    "test_snapshot_check.py::test_a_change_outside_the_monday_columns_is_still_a_skip":
        "RunPipelineTests.test a change outside the monday columns is still a skip",
    "test_snapshot_check.py::test_an_archived_order_back_in_staging_defeats_the_skip":
        "RunPipelineTests.test an archived order back in staging defeats the skip",
    "test_snapshot_check.py::test_rejected_rows_are_reported_again_on_every_run":
        "RunPipelineTests.test rejected rows are reported again on every run",
    "test_mass_change_guard.py::test_staging_with_its_size_columns_unloaded_is_refused_for_the_line_deletes":
        "RunPipelineTests.test staging with its size columns unloaded is refused for the line deletes",
    "test_mass_change_guard.py::test_a_dry_run_shows_the_refusal_too":
        "RunPipelineTests.test a dry run shows the refusal too",
    "test_mass_change_guard.py::test_the_shipped_thresholds_let_a_small_board_lose_three_of_ten_orders":
        "RunPipelineTests.test the shipped thresholds let a small board lose three of ten orders",
    "test_mass_change_guard.py::test_the_thresholds_travel_with_the_call_without_a_redeploy":
        "RunPipelineTests.test the thresholds travel with the call without a redeploy",
    "test_deployed_config.py::test_a_dba_call_without_a_fingerprint_is_not_checked":
        "RunPipelineTests.test a DBA call without a fingerprint is not checked",
    "test_claim.py::test_each_queue_has_its_own_claim_with_its_own_row_shape":
        "ClaimSubitemsTests.test a claimed line comes back in the subitem row shape with its parent item id",
    "test_batch_log.py::test_a_claim_writes_one_queue_row_with_the_rows_claimed_and_the_token":
        "ClaimItemsTests.test a claim writes one queue row with the rows claimed and the token",
    "test_batch_log.py::test_a_claim_that_takes_and_dead_letters_nothing_writes_no_row":
        "ClaimItemsTests.test a claim that takes nothing and dead-letters nothing writes no run-log row",
    "test_batch_log.py::test_a_claim_that_only_dead_letters_still_writes_its_row_with_the_count":
        "ClaimItemsTests.test a claim that only dead-letters still writes its row with the count",
    "test_batch_log.py::test_mark_synced_writes_one_row_with_the_rows_marked_and_those_no_longer_held":
        "MarkItemsSyncedTests.test a mark writes one queue row with the rows marked and those no longer held",
    "test_batch_log.py::test_mark_failed_writes_one_row_with_the_rows_sent_to_pending_and_to_failed":
        "MarkItemsFailedTests.test a mark writes one queue row with the rows sent back to pending and to failed",
    "test_batch_log.py::test_a_release_writes_one_row_counting_the_rows_of_both_queues":
        "ReleaseClaimTests.test a release writes one queue row counting the rows of both queues",
    "test_batch_log.py::test_a_release_that_released_nothing_writes_no_row":
        "ReleaseClaimTests.test a release that holds nothing writes no run-log row",
    "test_batch_log.py::test_a_batch_row_carries_the_run_id_it_was_sent_and_a_dba_call_none":
        "ClaimItemsTests.test a batch row carries the run id it was sent and a DBA call none",
}
_TWO_SESSIONS = "needs two concurrent sessions; a tSQLt test runs in one"
_ONE_MODE = "the tSQLt classes are rendered for the configured staging mode only"
NO_TWIN = {
    "test_claim.py::test_two_concurrent_claimers_never_get_the_same_row": _TWO_SESSIONS,
    "test_pipeline.py::test_a_second_concurrent_run_is_refused_and_logged": _TWO_SESSIONS,
    "test_pipeline.py::test_the_pipeline_command_prints_counts_and_rejects": "tests the Python command, not SQL",
    "test_deploy.py::test_a_second_deploy_changes_nothing": "tests the deploy, not a procedure",
    "test_merge_headers.py::test_incremental_staging_never_archives_absent_orders": _ONE_MODE,
    "test_snapshot_check.py::test_incremental_staging_is_always_merged": _ONE_MODE,
    "test_real_shape.py::test_the_reference_catalog_fits_postgresql_identifiers": "a PostgreSQL identifier limit",
    "test_real_shape.py::test_staging_has_exactly_the_reference_columns": "needs the real 411-column table deployed",
    "test_real_shape.py::test_the_pipeline_unpivots_the_reference_shape_into_the_expected_lines":
        "needs the real 411-column table deployed",
    "test_merge_race.py::test_a_retry_committed_while_the_merge_runs_is_coalesced_with_the_new_change": _TWO_SESSIONS,
    "test_merge_race.py::test_a_retry_during_an_uncommitted_merge_folds_into_the_new_change": _TWO_SESSIONS,
    "test_merge_race.py::test_pipeline_and_pushers_at_once_lose_no_change_and_end_synced": _TWO_SESSIONS,
    "test_one_column_names.py::test_the_tsql_rendering_never_calls_concat_ws_with_fewer_than_three_arguments":
        "a render test",
    "test_hash_definition.py::test_the_tsql_row_hash_compares_fixed_types": "a render test",
    "test_hash_definition.py::test_each_catalog_type_has_its_hash_family": "tests Python",
    "test_mass_change_guard.py::test_the_pipeline_command_exits_5_and_says_how_to_let_the_run_through":
        "tests the Python command, not SQL",
    "test_mass_change_guard.py::test_incremental_staging_is_never_guarded": _ONE_MODE,
    "test_deployed_config.py::test_a_redeploy_after_the_change_lets_the_pipeline_run_again":
        "tests the deploy, not a procedure",
    "test_deployed_config.py::test_settings_that_travel_with_the_call_need_no_redeploy":
        "tests the Python command, not SQL",
    "test_deploy.py::test_a_deploy_over_an_older_signature_drops_it_so_calls_by_name_stay_unambiguous":
        "PostgreSQL function overloading; SQL Server procedures have one signature",
    "test_lock_conflicts.py::test_a_claim_blocked_by_a_lock_times_out_and_succeeds_when_retried_after_the_lock_is_released":
        _TWO_SESSIONS,
    "test_lock_conflicts.py::test_a_lock_that_stays_fails_the_claim_after_the_last_try_and_leaves_the_row_pending":
        _TWO_SESSIONS,
    "test_lock_conflicts.py::test_an_error_that_is_not_a_lock_conflict_is_not_retried":
        "tests the Python retry, not SQL",
    "test_one_column_names.py::test_a_one_column_item_and_group_name_is_that_column":
        "needs a one-column item and group name; the tSQLt classes render from the shipped config",
    "test_one_column_names.py::test_a_one_column_name_with_a_null_is_no_name":
        "needs a one-column item and group name; the tSQLt classes render from the shipped config",
    "test_deployed_config.py::test_objects_deployed_without_the_fingerprint_are_refused_with_the_fix":
        "tests the Python check (pusher.sql.deployed_config); dropping the view is a redeploy",
}


def postgres_behaviour_tests() -> list[str]:
    """Every test function in tests/db, as "file::name"."""
    found = []
    for path in sorted((PROJECT_ROOT / "tests" / "db").glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}::{name}" for name in re.findall(r"^def (test_\w+)\(", text, re.MULTILINE)]
    return found


def tsqlt_test_names(classes: dict[str, str]) -> set[str]:
    """Every tSQLt test as "Class.test name", exactly as rendered."""
    return {f"{name}.{test}" for name, sql in classes.items() for test, _ in _tests(sql)}


def test_every_postgres_behaviour_test_is_listed_once():
    listed = [*TWINS, *NO_TWIN]
    assert sorted(listed) == sorted(set(listed)), "a test is listed twice"
    assert set(postgres_behaviour_tests()) == set(listed), (
        "tests/db changed: give each new test a tSQLt twin in TWINS, or a reason in NO_TWIN")


@pytest.mark.parametrize("pg_test", sorted(TWINS))
def test_each_postgres_behaviour_test_has_its_tsqlt_twin_by_exact_name(classes, pg_test):
    assert TWINS[pg_test] in tsqlt_test_names(classes), f"{pg_test}: no tSQLt test named [{TWINS[pg_test]}]"


def test_a_twin_must_match_the_whole_name_not_a_substring(classes):
    names = tsqlt_test_names(classes)
    whole = "MergeHeadersTests.test a NULL becoming an empty string is a change"
    assert whole in names
    assert whole[:-10] not in names  # the old check passed on a substring like this


def test_the_dry_run_rejects_test_really_creates_a_reject(classes):
    [(_, batch)] = [t for t in _tests(classes["MergeHeadersTests"]) if t[0].startswith("test a dry run logs rejects")]
    staged = re.findall(r"INSERT INTO \[dbo\]\.\[swp_ORDER_LIST_V2\] .*?VALUES \(N'(\d+)'", batch, re.DOTALL)
    assert len(staged) > len(set(staged)), "no key is staged twice, so nothing is rejected"
    assert "(N'reject', N'REJECTED', 2)" in batch and "WHERE run_id = 1 AND error_message LIKE" in batch


def test_tests_that_need_one_open_row_per_order_keep_the_filtered_unique_indexes(classes):
    for name, test in (("ClaimItemsTests", "test a dead-lettered flight folds into the newer change of its order"),
                       ("ClaimSubitemsTests", "test a dead-lettered line folds into the newer change of its size"),
                       ("MarkItemsFailedTests", "test a failed flight folds into the newer change waiting behind it"),
                       ("MarkSubitemsFailedTests",
                        "test a failed line folds into the newer change of its size waiting behind it")):
        [batch] = [b for t, b in _tests(classes[name]) if t == test]
        fake = batch.rindex("tSQLt.FakeTable")
        applied = re.findall(r"^    CREATE UNIQUE INDEX \[(UX_\w+)\] ON .* WHERE sync_state IN \(.*\);$",
                             batch[fake:], re.MULTILINE)
        assert applied == ["UX_ORDER_LIST_DELTA_open_order", "UX_ORDER_LIST_LINES_DELTA_open_line"], f"{name}.[{test}]"
        assert batch.index("@Expected = 2, @Actual = @AppliedIndexes") > fake


def test_the_runner_installs_every_class_batch_by_batch_with_annotations_kept(run_tsqlt, fake_sqlserver,
                                                                              classes):
    db = fake_sqlserver([("SELECT c.name AS column_name", (["column_name", "sql_type"], []))])
    renderer = ops_renderer(db.config, "tsql")
    run_tsqlt.install_classes(db, renderer, list(run_tsqlt.class_templates().values()))
    executed = [sql for sql, _ in db.fake.executed]
    assert len(executed) == sum(len(_batches(sql)) for sql in classes.values())
    annotated = [b for b in executed if "@tSQLt:NoTransaction" in b]
    assert annotated and all(re.match(r"\s*--\[@tSQLt:NoTransaction\]\(.*\)\nCREATE PROCEDURE ", b)
                             for b in annotated)
    assert db.fake.commits == len(classes)


def _redeclared(sql: str) -> list[tuple[str, str]]:
    """(procedure, variable) for each variable a procedure DECLAREs though a parameter has its name
    (SQL Server refuses to create such a procedure: Msg 134)."""
    found = []
    procedures = list(re.finditer(r"CREATE OR ALTER PROCEDURE (\S+)\n(?:(.*?)\n)?AS\n(.*?)\nEND;", sql, re.DOTALL))
    assert procedures, "no procedure found: the check would pass on anything"
    for match in procedures:
        params = {p.lower() for p in re.findall(r"^\s*(@\w+)\s", match[2] or "", re.MULTILINE)}
        declared = re.findall(r"DECLARE\s+(@\w+)\s", match[3])
        found += [(match[1], v) for v in declared if v.lower() in params]
    return found


def _procedure_params():
    config = load_config(DEFAULT_CONFIG, "production")
    renderer = ops_renderer(config, "tsql")
    return [pytest.param(obj, id=obj.file_name)
            for obj in renderer.render_all()
            if obj.template.startswith("procedures/") and not obj.template.endswith(".view.sql.j2")]


@pytest.mark.parametrize("obj", _procedure_params())
def test_no_procedure_redeclares_a_parameter(obj):
    assert _redeclared(obj.sql) == []
