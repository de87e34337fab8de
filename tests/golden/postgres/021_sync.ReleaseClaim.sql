-- generated from procedures/sync.ReleaseClaim.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."ReleaseClaim"(
    p_claimtoken UUID,
    p_runid BIGINT DEFAULT NULL
)
RETURNS TABLE (
    released INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Return the rows IN_FLIGHT under ClaimToken to PENDING, attempt given back.
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_itemreleased BIGINT[];
    v_subitemreleased BIGINT[];
BEGIN
    IF p_claimtoken IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_claimtoken is required');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('ReleaseClaim: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

WITH changed AS (
UPDATE "dbo"."ORDER_LIST_DELTA" AS tgt
SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
        updated_at = v_now
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = p_claimtoken
RETURNING tgt.delta_id AS id
)
SELECT array_agg(changed.id) INTO v_itemreleased FROM changed;
    UPDATE "dbo"."ORDER_LIST_DELTA" AS tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'ARCHIVE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = src.attempts,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_item_id = COALESCE(tgt.monday_item_id, src.monday_item_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS finished WHERE finished.delta_id = ANY (v_itemreleased)) AS src
WHERE src.order_key = tgt.order_key AND tgt.delta_id > src.delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM "dbo"."ORDER_LIST_DELTA"
    WHERE delta_id IN (
        SELECT finished.delta_id
        FROM "dbo"."ORDER_LIST_DELTA" AS finished
        INNER JOIN "dbo"."ORDER_LIST_DELTA" AS newer
            ON newer.order_key = finished.order_key AND newer.delta_id > finished.delta_id
        WHERE finished.delta_id = ANY (v_itemreleased)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE "dbo"."ORDER_LIST_DELTA"
    SET sync_state = 'PENDING',
        lease_expires_at = NULL
    WHERE delta_id = ANY (v_itemreleased);

WITH changed AS (
UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
        updated_at = v_now
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = p_claimtoken
RETURNING tgt.line_delta_id AS id
)
SELECT array_agg(changed.id) INTO v_subitemreleased FROM changed;
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = src.attempts,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished WHERE finished.line_delta_id = ANY (v_subitemreleased)) AS src
WHERE src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM "dbo"."ORDER_LIST_LINES_DELTA"
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished
        INNER JOIN "dbo"."ORDER_LIST_LINES_DELTA" AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id = ANY (v_subitemreleased)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA"
    SET sync_state = 'PENDING',
        lease_expires_at = NULL
    WHERE line_delta_id = ANY (v_subitemreleased);

IF COALESCE(cardinality(v_itemreleased), 0) + COALESCE(cardinality(v_subitemreleased), 0) > 0 THEN
        INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
        VALUES (p_runid, 'queue', 'ReleaseClaim', FALSE, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), COALESCE(cardinality(v_itemreleased), 0) + COALESCE(cardinality(v_subitemreleased), 0), CAST(CONCAT('{"claim_token": "', LOWER(CAST(p_claimtoken AS TEXT)), '"', '}') AS JSONB), 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
END IF;
    RETURN QUERY SELECT CAST(COALESCE(cardinality(v_itemreleased), 0) + COALESCE(cardinality(v_subitemreleased), 0) AS INTEGER) AS released;
    RETURN;
END;
$proc$;
