-- generated from procedures/sync.Purge.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."Purge"(
    p_syncedolderthandays INTEGER DEFAULT 30,
    p_runlogolderthandays INTEGER DEFAULT 90,
    p_dryrun BOOLEAN DEFAULT FALSE,
    p_batchsize INTEGER DEFAULT 4000,
    p_maxbatches INTEGER DEFAULT NULL
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
    v_batch INTEGER := 0;
    v_batches INTEGER := 0;
    v_ownbatches BOOLEAN;
BEGIN
    IF p_syncedolderthandays IS NULL OR p_syncedolderthandays < 0 THEN
        v_problems := CONCAT(v_problems, '; p_syncedolderthandays must be 0 or more days');
END IF;
    IF p_runlogolderthandays IS NULL OR p_runlogolderthandays < 0 THEN
        v_problems := CONCAT(v_problems, '; p_runlogolderthandays must be 0 or more days');
END IF;
    IF p_batchsize IS NULL OR p_batchsize NOT BETWEEN 1 AND 100000 THEN
        v_problems := CONCAT(v_problems, '; p_batchsize must be 1 to 100000 rows');
END IF;
    IF p_maxbatches < 1 THEN
        v_problems := CONCAT(v_problems, '; p_maxbatches must be at least 1 (NULL: no limit)');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('Purge: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    v_syncedbefore := (v_now + make_interval(days => -p_syncedolderthandays));
    v_loggedbefore := (v_now + make_interval(days => -p_runlogolderthandays));

IF p_dryrun = TRUE THEN
        v_itemdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_DELTA" WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore);
END IF;
IF p_dryrun = FALSE THEN
        v_batch := p_batchsize;
        v_batches := 0;
        WHILE v_batch = p_batchsize AND (p_maxbatches IS NULL OR v_batches < p_maxbatches) LOOP
            DELETE FROM "dbo"."ORDER_LIST_DELTA"
            WHERE ctid IN (SELECT ctid FROM "dbo"."ORDER_LIST_DELTA"
                           WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore
                           LIMIT p_batchsize);
            GET DIAGNOSTICS v_batch = ROW_COUNT;
            v_itemdeleted := v_itemdeleted + v_batch;
            v_batches := v_batches + 1;
        END LOOP;
END IF;
IF p_dryrun = TRUE THEN
        v_subitemdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_LINES_DELTA" WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore);
END IF;
IF p_dryrun = FALSE THEN
        v_batch := p_batchsize;
        v_batches := 0;
        WHILE v_batch = p_batchsize AND (p_maxbatches IS NULL OR v_batches < p_maxbatches) LOOP
            DELETE FROM "dbo"."ORDER_LIST_LINES_DELTA"
            WHERE ctid IN (SELECT ctid FROM "dbo"."ORDER_LIST_LINES_DELTA"
                           WHERE sync_state = 'SYNCED' AND synced_at < v_syncedbefore
                           LIMIT p_batchsize);
            GET DIAGNOSTICS v_batch = ROW_COUNT;
            v_subitemdeleted := v_subitemdeleted + v_batch;
            v_batches := v_batches + 1;
        END LOOP;
END IF;
IF p_dryrun = TRUE THEN
        v_runlogdeleted := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_RUN_LOG" WHERE start_time < v_loggedbefore);
END IF;
IF p_dryrun = FALSE THEN
        v_batch := p_batchsize;
        v_batches := 0;
        WHILE v_batch = p_batchsize AND (p_maxbatches IS NULL OR v_batches < p_maxbatches) LOOP
            DELETE FROM "dbo"."ORDER_LIST_RUN_LOG"
            WHERE ctid IN (SELECT ctid FROM "dbo"."ORDER_LIST_RUN_LOG"
                           WHERE start_time < v_loggedbefore
                           LIMIT p_batchsize);
            GET DIAGNOSTICS v_batch = ROW_COUNT;
            v_runlogdeleted := v_runlogdeleted + v_batch;
            v_batches := v_batches + 1;
        END LOOP;
END IF;

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES ('pusher', 'Purge', p_dryrun, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), v_itemdeleted + v_subitemdeleted + v_runlogdeleted, 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));

    RETURN QUERY SELECT CAST('ORDER_LIST_DELTA' AS VARCHAR(128)) AS "object", v_itemdeleted AS deleted
    UNION ALL
    SELECT CAST('ORDER_LIST_LINES_DELTA' AS VARCHAR(128)), v_subitemdeleted
    UNION ALL
    SELECT CAST('ORDER_LIST_RUN_LOG' AS VARCHAR(128)), v_runlogdeleted;
    RETURN;
END;
$proc$;
