-- generated from procedures/sync.QueueRepairs.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."QueueRepairs"(
    p_orders JSONB,
    p_lines JSONB,
    p_dryrun BOOLEAN DEFAULT FALSE
)
RETURNS TABLE (
    orders INTEGER,
    lines INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Make the next pipeline run queue the given orders (UPDATE) and lines (CREATE) again.
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_ordersmarked INTEGER := 0;
    v_linesmarked INTEGER := 0;
BEGIN
    IF p_orders IS NULL OR p_lines IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_orders and p_lines are required (JSON arrays, possibly empty)');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('QueueRepairs: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    v_ordersmarked := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_V2" AS o WHERE o.is_removed = FALSE AND o.order_key IN (SELECT w.order_key FROM (SELECT * FROM jsonb_to_recordset(p_orders) AS j (
    order_key VARCHAR(400)
)) AS w));
    v_linesmarked := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_LINES" AS l WHERE EXISTS (SELECT 1 FROM (SELECT * FROM jsonb_to_recordset(p_lines) AS j (
    order_key VARCHAR(400),
    size VARCHAR(50)
)) AS w WHERE w.order_key = l.order_key AND w.size = l.size));

        -- A hash over the key alone never equals the row's hash over its mapped columns.
        UPDATE "dbo"."ORDER_LIST_V2"
        SET row_hash = int8send(hash_record_extended(ROW(CAST("ORDER_LIST_V2"."order_key" AS TEXT)), 0)),
            hash_version = 2,  -- compared as it stands, not recomputed as an older definition's
            updated_at = v_now
        WHERE p_dryrun = FALSE
          AND is_removed = FALSE
          AND order_key IN (SELECT w.order_key FROM (SELECT * FROM jsonb_to_recordset(p_orders) AS j (
    order_key VARCHAR(400)
)) AS w);

        DELETE FROM "dbo"."ORDER_LIST_LINES"
        WHERE p_dryrun = FALSE
          AND EXISTS (SELECT 1 FROM (SELECT * FROM jsonb_to_recordset(p_lines) AS j (
    order_key VARCHAR(400),
    size VARCHAR(50)
)) AS w
                      WHERE w.order_key = "ORDER_LIST_LINES".order_key AND w.size = "ORDER_LIST_LINES".size);

        UPDATE "dbo"."ORDER_LIST_V2"
        SET size_hash = NULL,
            updated_at = v_now
        WHERE p_dryrun = FALSE
          AND order_key IN (SELECT w.order_key FROM (SELECT * FROM jsonb_to_recordset(p_lines) AS j (
    order_key VARCHAR(400),
    size VARCHAR(50)
)) AS w);

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES ('pusher', 'QueueRepairs', p_dryrun, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), v_ordersmarked + v_linesmarked, 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT v_ordersmarked AS orders, v_linesmarked AS lines;
    RETURN;
END;
$proc$;
