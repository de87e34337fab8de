-- generated from procedures/sync.MergeLines.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."MergeLines"(
    p_runid BIGINT,
    p_dryrun BOOLEAN DEFAULT FALSE
)
RETURNS TABLE (
    run_id BIGINT,
    entity TEXT,
    action TEXT,
    "rows" INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Unpivot the sizes of changed orders; queue line creates, updates and deletes for monday.
DECLARE
    v_now TIMESTAMP(3);
BEGIN
    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    -- 1. Orders whose size fingerprint changed (or that are new), leaving out orders whose
    --    header MergeHeaders rejected in this run.
DROP TABLE IF EXISTS pg_temp.ln_orders;
CREATE TEMP TABLE ln_orders ON COMMIT DROP AS
    SELECT k.order_key, CAST(k.size_hash AS BYTEA) AS size_hash
    FROM (
        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src."AAG ORDER NUMBER" AS TEXT))), '') AS VARCHAR(400)) AS order_key,
               int8send(hash_array_extended(ARRAY[src."S", src."M", src."L", src."ONE SIZE", src."O/S"], 0)) AS size_hash
        FROM "dbo"."swp_ORDER'S [LIST]" AS src
    ) AS k
    LEFT JOIN "dbo"."ORDER_LIST_V2" AS tgt ON tgt.order_key = k.order_key
    WHERE k.order_key IS NOT NULL
      AND (tgt.size_hash IS NULL OR tgt.size_hash <> k.size_hash)
      AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_RUN_LOG" AS r
                      WHERE r.run_id = p_runid AND r.step = 'MergeHeaders'
                        AND r.outcome = 'REJECTED' AND r.order_key = k.order_key);    ANALYZE pg_temp.ln_orders;

    -- 2. Their lines: one per canonical size, aliased columns summed; a negative cell
    --    marks its line bad (bad_column / bad_qty name it).
DROP TABLE IF EXISTS pg_temp.ln_src;
CREATE TEMP TABLE ln_src (
        order_key   VARCHAR(400) NOT NULL,
        size        VARCHAR(100) NOT NULL,
        qty         INTEGER NULL,
        bad_column  TEXT NULL,
        bad_qty     INTEGER NULL
) ON COMMIT DROP;
    INSERT INTO ln_src (order_key, size, qty, bad_column, bad_qty)
    SELECT o.order_key, v.size, SUM(v.qty),
           MIN(CASE WHEN v.qty < 0 THEN v.size_column END),
           MIN(CASE WHEN v.qty < 0 THEN v.qty END)
    FROM "dbo"."swp_ORDER'S [LIST]" AS src
    INNER JOIN ln_orders AS o ON o.order_key = CAST(NULLIF(UPPER(RTRIM(CAST(src."AAG ORDER NUMBER" AS TEXT))), '') AS VARCHAR(400))
    CROSS JOIN LATERAL (VALUES
        ('S', 'S', src."S"),
        ('M', 'M', src."M"),
        ('L', 'L', src."L"),
        ('ONE SIZE', 'ONE SIZE', src."ONE SIZE"),
        ('ONE SIZE', 'O/S', src."O/S")
    ) AS v (size, size_column, qty)
    WHERE v.qty <> 0
    GROUP BY o.order_key, v.size;
    ANALYZE pg_temp.ln_src;

    -- 3. The line delta, computed once: CREATE (new size), UPDATE (quantity changed, or a
    --    size back while its DELETE waits), DELETE (size gone), or rejected.
DROP TABLE IF EXISTS pg_temp.ln_delta;
CREATE TEMP TABLE ln_delta (
        order_key       VARCHAR(400) NOT NULL,
        size            VARCHAR(100) NOT NULL,
        action          VARCHAR(10) NOT NULL,
        qty             INTEGER NULL,
        reject_reason   TEXT NULL
) ON COMMIT DROP;
    INSERT INTO ln_delta (order_key, size, action, qty, reject_reason)
    SELECT COALESCE(src.order_key, tgt.order_key),
           COALESCE(src.size, tgt.size),
           CASE WHEN tgt.order_key IS NULL THEN 'CREATE'
                WHEN src.order_key IS NULL THEN 'DELETE'
                ELSE 'UPDATE' END,
           src.qty,
           CASE WHEN src.bad_qty < 0 THEN CONCAT('size column "', src.bad_column, '" = ', src.bad_qty,
                ' is negative: line ', src.size, ' is rejected, the other lines go through') END
    FROM ln_src AS src
    FULL OUTER JOIN (
        SELECT l.order_key, l.size, l.qty
        FROM "dbo"."ORDER_LIST_LINES" AS l
        INNER JOIN ln_orders AS o ON o.order_key = l.order_key
    ) AS tgt ON tgt.order_key = src.order_key AND tgt.size = src.size
    WHERE (src.order_key IS NULL AND tgt.qty <> 0)
       OR tgt.order_key IS NULL
       OR src.qty <> tgt.qty
       OR src.bad_qty < 0;
    ANALYZE pg_temp.ln_delta;

    -- 4. Bad lines: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT p_runid, 'pipeline', 'MergeLines', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), (clock_timestamp() AT TIME ZONE 'UTC'), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), COALESCE(host(inet_client_addr()), 'local')
    FROM ln_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF p_dryrun = FALSE THEN
        -- 5. Queue: coalesce into the line's PENDING/FAILED row (CREATE+UPDATE stays CREATE,
        --    anything+DELETE is DELETE, DELETE+back is UPDATE); never touch an IN_FLIGHT row.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        PERFORM pg_advisory_xact_lock(hashtext('sync.LineQueue'));
        PERFORM 1
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
          AND EXISTS (SELECT 1 FROM ln_delta AS src WHERE src.order_key = tgt.order_key AND src.size = tgt.size AND src.reject_reason IS NULL)
        ORDER BY tgt.order_key, tgt.size, tgt.line_delta_id
        FOR UPDATE OF tgt;

UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET action = CASE WHEN src.action = 'DELETE' THEN 'DELETE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            qty = src.qty,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = p_runid,
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM ln_delta AS src
WHERE tgt.order_key = src.order_key AND tgt.size = src.size AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO "dbo"."ORDER_LIST_LINES_DELTA" (order_key, size, action, qty, run_id)
        SELECT src.order_key, src.size, src.action, src.qty, p_runid
        FROM ln_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.size = src.size
                            AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 6. The current lines (a deleted size keeps qty 0 until its DELETE is synced).
UPDATE "dbo"."ORDER_LIST_LINES" AS tgt
SET qty = COALESCE(src.qty, 0),
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM ln_delta AS src
WHERE tgt.order_key = src.order_key AND tgt.size = src.size AND src.action IN ('UPDATE', 'DELETE') AND src.reject_reason IS NULL;
        INSERT INTO "dbo"."ORDER_LIST_LINES" (order_key, size, qty)
        SELECT src.order_key, src.size, src.qty
        FROM ln_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Remember the fingerprints, so the next run skips these orders unless they change;
        --    not for an order with a rejected line, which the next run must see (and report) again.
UPDATE "dbo"."ORDER_LIST_V2" AS tgt
SET size_hash = src.size_hash
FROM ln_orders AS src
WHERE tgt.order_key = src.order_key AND NOT EXISTS (SELECT 1 FROM ln_delta AS bad WHERE bad.order_key = src.order_key AND bad.reject_reason IS NOT NULL);
END IF;

    RETURN QUERY SELECT p_runid AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN 'subitem' ELSE 'reject' END AS TEXT) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS TEXT) AS action,
       CAST(COUNT(*) AS INTEGER) AS "rows"
FROM ln_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN 'subitem' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN;
END;
$proc$;
