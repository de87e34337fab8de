-- generated from procedures/sync.Mark{Entity}Failed.sql.j2 (subitem) by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."MarkSubitemsFailed"(
    p_claimtoken UUID,
    p_failures JSONB,
    p_maxattempts INTEGER DEFAULT 5,
    p_runid BIGINT DEFAULT NULL
)
RETURNS TABLE (
    to_pending INTEGER,
    to_failed INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Mark claimed subitem rows failed; Failures = [{"delta_id": 1, "code": "...", "message": "...", "retryable": false}].
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_failed BIGINT[];
    v_retry BIGINT[];
BEGIN
    IF p_claimtoken IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_claimtoken is required');
END IF;
    IF p_failures IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_failures is required (a JSON array)');
END IF;
    IF p_maxattempts IS NULL OR p_maxattempts NOT BETWEEN 1 AND 100 THEN
        v_problems := CONCAT(v_problems, '; p_maxattempts must be 1 to 100 (default: the configured 5)');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('MarkSubitemsFailed: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    -- Keep the error on each row (this also locks them for the rest of the call).
WITH changed AS (
UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET last_error_code = COALESCE(src.code, 'UNKNOWN'),
        last_error = LEFT(src.message, 2000),
        updated_at = v_now
FROM (SELECT * FROM jsonb_to_recordset(p_failures) AS j (
    delta_id BIGINT,
    code VARCHAR(100),
    message TEXT,
    retryable BOOLEAN
)) AS src
WHERE src.delta_id = tgt.line_delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = p_claimtoken
RETURNING tgt.line_delta_id AS id
)
SELECT array_agg(changed.id) INTO v_failed FROM changed;
SELECT array_agg(picked.id) INTO v_retry
FROM (
    SELECT row_failed.line_delta_id
    FROM "dbo"."ORDER_LIST_LINES_DELTA" AS row_failed
    INNER JOIN (SELECT * FROM jsonb_to_recordset(p_failures) AS j (
    delta_id BIGINT,
    code VARCHAR(100),
    message TEXT,
    retryable BOOLEAN
)) AS src ON src.delta_id = row_failed.line_delta_id
    WHERE row_failed.line_delta_id = ANY (v_failed)
      AND src.retryable = TRUE
      AND row_failed.attempts < p_maxattempts
) AS picked (id);
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = CASE WHEN src.line_delta_id = ANY (v_retry) THEN src.attempts ELSE 0 END,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished WHERE finished.line_delta_id = ANY (v_failed)) AS src
WHERE src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM "dbo"."ORDER_LIST_LINES_DELTA"
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished
        INNER JOIN "dbo"."ORDER_LIST_LINES_DELTA" AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id = ANY (v_failed)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA"
    SET sync_state = CASE WHEN line_delta_id = ANY (v_retry) THEN 'PENDING' ELSE 'FAILED' END,
        lease_expires_at = NULL
    WHERE line_delta_id = ANY (v_failed);

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (p_runid, 'queue', 'MarkSubitemsFailed', FALSE, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), COALESCE(cardinality(v_failed), 0), CAST(CONCAT('{"claim_token": "', LOWER(CAST(p_claimtoken AS TEXT)), '", ', '"to_pending": ', COALESCE(cardinality(v_retry), 0), ', "to_failed": ', COALESCE(cardinality(v_failed), 0) - COALESCE(cardinality(v_retry), 0), '}') AS JSONB), 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT CAST(COALESCE(cardinality(v_retry), 0) AS INTEGER) AS to_pending,
        CAST(COALESCE(cardinality(v_failed), 0) - COALESCE(cardinality(v_retry), 0) AS INTEGER) AS to_failed;
    RETURN;
END;
$proc$;
