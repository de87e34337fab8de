-- generated from procedures/sync.EndRunLog.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."EndRunLog"(
    p_runlogid BIGINT,
    p_outcome VARCHAR(20),
    p_rowsaffected INTEGER DEFAULT NULL,
    p_counts JSONB DEFAULT NULL,
    p_errormessage VARCHAR(4000) DEFAULT NULL
)
RETURNS INTEGER
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Close a run-log row with its outcome.
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
BEGIN
    IF p_outcome IS NULL OR p_outcome NOT IN ('SUCCEEDED', 'FAILED', 'REFUSED') THEN
        v_problems := CONCAT(v_problems, '; p_outcome must be SUCCEEDED, FAILED or REFUSED');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('EndRunLog: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    UPDATE "dbo"."ORDER_LIST_RUN_LOG"
    SET end_time = v_now,
        outcome = p_outcome,
        rows_affected = p_rowsaffected,
        counts = p_counts,
        error_message = p_errormessage
    WHERE run_log_id = p_runlogid;

IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('EndRunLog: no run-log row with id ', p_runlogid, '; pass the id StartRunLog returned'), ERRCODE = 'P0001', HINT = '50001';
END IF;

    RETURN 0;
END;
$proc$;
