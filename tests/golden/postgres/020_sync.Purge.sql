-- generated from procedures/sync.Purge.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."Purge"(
    p_syncedolderthandays INTEGER DEFAULT 30,
    p_runlogolderthandays INTEGER DEFAULT 90,
    p_dryrun BOOLEAN DEFAULT FALSE
)
RETURNS TABLE (
    "object" VARCHAR(128),
    deleted INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Delete SYNCED deltas and run-log rows older than the given days (DryRun counts only).
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_syncedbefore TIMESTAMP(3);
    v_loggedbefore TIMESTAMP(3);
    v_itemdeleted INTEGER := 0;
    v_subitemdeleted INTEGER := 0;
    v_runlogdeleted INTEGER := 0;
BEGIN
    IF p_syncedolderthandays IS NULL OR p_syncedolderthandays < 0 THEN
        v_problems := CONCAT(v_problems, '; p_syncedolderthandays must be 0 or more days');
END IF;
    IF p_runlogolderthandays IS NULL OR p_runlogolderthandays < 0 THEN
        v_problems := CONCAT(v_problems, '; p_runlogolderthandays must be 0 or more days');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('Purge: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');
    v_syncedbefore := (v_now + make_interval(days => -p_syncedolderthandays));
    v_loggedbefore := (v_now + make_interval(days => -p_runlogolderthandays));

        v_itemdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_DELTA" WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore);
        DELETE FROM "dbo"."ORDER_LIST_DELTA"
        WHERE p_dryrun = FALSE
          AND sync_state = 'SYNCED'
          AND synced_at < v_syncedbefore;
        v_subitemdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_LINES_DELTA" WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore);
        DELETE FROM "dbo"."ORDER_LIST_LINES_DELTA"
        WHERE p_dryrun = FALSE
          AND sync_state = 'SYNCED'
          AND synced_at < v_syncedbefore;
        v_runlogdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_RUN_LOG" WHERE start_time < v_loggedbefore);
        DELETE FROM "dbo"."ORDER_LIST_RUN_LOG"
        WHERE p_dryrun = FALSE
          AND start_time < v_loggedbefore;
INSERT INTO "dbo"."ORDER_LIST_RUN_LOG"
        (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES ('pusher', 'Purge', p_dryrun, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), v_itemdeleted + v_subitemdeleted + v_runlogdeleted,
            'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT CAST('ORDER_LIST_DELTA' AS VARCHAR(128)) AS "object", v_itemdeleted AS deleted
    UNION ALL
    SELECT CAST('ORDER_LIST_LINES_DELTA' AS VARCHAR(128)), v_subitemdeleted
    UNION ALL
    SELECT CAST('ORDER_LIST_RUN_LOG' AS VARCHAR(128)), v_runlogdeleted;
    RETURN;
END;
$proc$;
