-- generated from procedures/sync.StartRunLog.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."StartRunLog"(
    p_component VARCHAR(20),
    p_step VARCHAR(128),
    p_dryrun BOOLEAN DEFAULT FALSE
)
RETURNS TABLE (
    run_log_id BIGINT
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Open a run-log row (STARTED) and return its run_log_id.
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_runlogid BIGINT;
BEGIN
    IF p_component IS NULL OR p_component NOT IN ('pipeline', 'pusher') THEN
        v_problems := CONCAT(v_problems, '; p_component must be ''pipeline'' or ''pusher''');
END IF;
    IF p_step IS NULL OR p_step = '' THEN
        v_problems := CONCAT(v_problems, '; p_step is required');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('StartRunLog: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (component, step, is_dry_run, start_time, outcome, host_name)
    VALUES (p_component, p_step, COALESCE(p_dryrun, FALSE), v_now, 'STARTED', COALESCE(host(inet_client_addr()), 'local'))
    RETURNING run_log_id INTO v_runlogid;
    UPDATE "dbo"."ORDER_LIST_RUN_LOG"
    SET run_id = run_log_id
    WHERE run_log_id = v_runlogid;

    RETURN QUERY SELECT v_runlogid AS run_log_id;
    RETURN;
END;
$proc$;
