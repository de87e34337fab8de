-- generated from procedures/sync.Claim{Entity}.sql.j2 (subitem) by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."ClaimSubitems"(
    p_batchsize INTEGER,
    p_leaseseconds INTEGER,
    p_claimtoken UUID,
    p_customer VARCHAR(255) DEFAULT NULL,
    p_maxattempts INTEGER DEFAULT 5,
    p_runid BIGINT DEFAULT NULL
)
RETURNS TABLE (
    delta_id BIGINT,
    order_key VARCHAR(400),
    size VARCHAR(50),
    line_key TEXT,
    action VARCHAR(10),
    qty INTEGER,
    parent_item_id BIGINT,
    monday_subitem_id BIGINT,
    attempts INTEGER,
    last_error_code VARCHAR(100)
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Lease up to BatchSize ready subitem rows to ClaimToken.
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_lease INTEGER;
    v_expired BIGINT[];
    v_claimed BIGINT[];
BEGIN
    PERFORM set_config('lock_timeout', '2000ms', true);
    IF p_batchsize IS NULL OR p_batchsize NOT BETWEEN 1 AND 1000 THEN
        v_problems := CONCAT(v_problems, '; p_batchsize must be 1 to 1000');
END IF;
    IF p_leaseseconds < 1 THEN
        v_problems := CONCAT(v_problems, '; p_leaseseconds must be at least 1 (NULL: the configured 300)');
END IF;
    IF p_claimtoken IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_claimtoken is required');
END IF;
    IF p_maxattempts IS NULL OR p_maxattempts NOT BETWEEN 1 AND 100 THEN
        v_problems := CONCAT(v_problems, '; p_maxattempts must be 1 to 100 (default: the configured 5)');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('ClaimSubitems: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    v_lease := COALESCE(p_leaseseconds, 300);

    -- Expired leases on the last allowed attempt: dead letter, not another try.
WITH changed AS (
UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET last_error_code = 'LEASE_EXPIRED',
        last_error = CONCAT('the lease expired on attempt ', tgt.attempts, ' of ', p_maxattempts, ': the pusher holding the row stopped or hung'),
        updated_at = v_now
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.lease_expires_at < v_now AND tgt.attempts >= p_maxattempts
RETURNING tgt.line_delta_id AS id
)
SELECT array_agg(changed.id) INTO v_expired FROM changed;
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = 0,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished WHERE finished.line_delta_id = ANY (v_expired)) AS src
WHERE src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM "dbo"."ORDER_LIST_LINES_DELTA"
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS finished
        INNER JOIN "dbo"."ORDER_LIST_LINES_DELTA" AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id = ANY (v_expired)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA"
    SET sync_state = 'FAILED',
        lease_expires_at = NULL
    WHERE line_delta_id = ANY (v_expired);

    -- The claim: oldest ready rows first.
WITH batch AS MATERIALIZED (
    SELECT c.line_delta_id AS id
    FROM "dbo"."ORDER_LIST_LINES_DELTA" AS c
    WHERE (c.sync_state = 'PENDING' OR (c.sync_state = 'IN_FLIGHT' AND c.lease_expires_at < v_now))
      AND NOT EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_LINES_DELTA" AS earlier
        WHERE earlier.order_key = c.order_key AND earlier.size = c.size
          AND earlier.line_delta_id < c.line_delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    )
    AND EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS parent
        WHERE parent.order_key = c.order_key AND parent.monday_item_id IS NOT NULL
    )

      AND (p_customer IS NULL OR EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS customer_order
        WHERE customer_order.order_key = c.order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order."CUSTOMER'S NAME" AS TEXT))), '') = NULLIF(UPPER(RTRIM(p_customer)), '')
    ))
    ORDER BY c.line_delta_id
    LIMIT p_batchsize
    FOR UPDATE OF c SKIP LOCKED
), changed AS (
    UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS claimed
    SET sync_state = 'IN_FLIGHT',
        claim_token = p_claimtoken,
        claimed_at = v_now,
        lease_expires_at = (v_now + make_interval(secs => v_lease)),
        attempts = attempts + 1,
        updated_at = v_now
    FROM batch
    WHERE claimed.line_delta_id = batch.id
    RETURNING claimed.line_delta_id AS id
)
SELECT array_agg(changed.id) INTO v_claimed FROM changed;

IF COALESCE(cardinality(v_claimed), 0) > 0 OR COALESCE(cardinality(v_expired), 0) > 0 THEN
        INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
        VALUES (p_runid, 'queue', 'ClaimSubitems', FALSE, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), COALESCE(cardinality(v_claimed), 0), CAST(CONCAT('{"claim_token": "', LOWER(CAST(p_claimtoken AS TEXT)), '", ', '"lease_expired_dead_lettered": ', COALESCE(cardinality(v_expired), 0), '}') AS JSONB), 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
END IF;
    RETURN QUERY SELECT a.line_delta_id AS delta_id,
            a.order_key,
            a.size,
            CAST(CONCAT(a.order_key, '|', a.size) AS TEXT) AS line_key,
            a.action,
            a.qty,
            o.monday_item_id AS parent_item_id,
            COALESCE(l.monday_subitem_id, a.monday_subitem_id) AS monday_subitem_id,
            a.attempts,
            a.last_error_code
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS a
        INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = a.order_key
        LEFT JOIN "dbo"."ORDER_LIST_LINES" AS l ON l.order_key = a.order_key AND l.size = a.size
        WHERE a.line_delta_id = ANY (v_claimed)
        ORDER BY a.line_delta_id;
    RETURN;
END;
$proc$;
