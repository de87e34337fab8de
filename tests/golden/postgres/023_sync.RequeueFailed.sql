-- generated from procedures/sync.RequeueFailed.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."RequeueFailed"(
    p_entity VARCHAR(10) DEFAULT NULL,
    p_customer VARCHAR(255) DEFAULT NULL,
    p_deltaid BIGINT DEFAULT NULL,
    p_dryrun BOOLEAN DEFAULT FALSE
)
RETURNS TABLE (
    entity VARCHAR(10),
    requeued INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Move FAILED rows back to PENDING with attempts = 0 (filters optional; DryRun counts only).
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_itemrequeued INTEGER := 0;
    v_subitemrequeued INTEGER := 0;
BEGIN
    IF p_entity NOT IN ('item', 'subitem') THEN
        v_problems := CONCAT(v_problems, '; p_entity must be ''item'', ''subitem'' or NULL (both)');
END IF;
    IF p_deltaid IS NOT NULL AND p_entity IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_deltaid needs p_entity: item and subitem rows are numbered apart');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('RequeueFailed: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

IF p_entity IS NULL OR p_entity = 'item' THEN
        v_itemrequeued := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_DELTA" WHERE sync_state = 'FAILED'
          AND (p_deltaid IS NULL OR delta_id = p_deltaid)
          AND (p_customer IS NULL OR EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS customer_order
        WHERE customer_order.order_key = "ORDER_LIST_DELTA".order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order."CUSTOMER'S NAME" AS TEXT))), '') = NULLIF(UPPER(RTRIM(p_customer)), '')
    )));
        UPDATE "dbo"."ORDER_LIST_DELTA"
        SET sync_state = 'PENDING',
            attempts = 0,
            claim_token = NULL,
            lease_expires_at = NULL,
            updated_at = v_now
        WHERE p_dryrun = FALSE
          AND sync_state = 'FAILED'
          AND (p_deltaid IS NULL OR delta_id = p_deltaid)
          AND (p_customer IS NULL OR EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS customer_order
        WHERE customer_order.order_key = "ORDER_LIST_DELTA".order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order."CUSTOMER'S NAME" AS TEXT))), '') = NULLIF(UPPER(RTRIM(p_customer)), '')
    ));
END IF;
IF p_entity IS NULL OR p_entity = 'subitem' THEN
        v_subitemrequeued := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_LINES_DELTA" WHERE sync_state = 'FAILED'
          AND (p_deltaid IS NULL OR line_delta_id = p_deltaid)
          AND (p_customer IS NULL OR EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS customer_order
        WHERE customer_order.order_key = "ORDER_LIST_LINES_DELTA".order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order."CUSTOMER'S NAME" AS TEXT))), '') = NULLIF(UPPER(RTRIM(p_customer)), '')
    )));
        UPDATE "dbo"."ORDER_LIST_LINES_DELTA"
        SET sync_state = 'PENDING',
            attempts = 0,
            claim_token = NULL,
            lease_expires_at = NULL,
            updated_at = v_now
        WHERE p_dryrun = FALSE
          AND sync_state = 'FAILED'
          AND (p_deltaid IS NULL OR line_delta_id = p_deltaid)
          AND (p_customer IS NULL OR EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_V2" AS customer_order
        WHERE customer_order.order_key = "ORDER_LIST_LINES_DELTA".order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order."CUSTOMER'S NAME" AS TEXT))), '') = NULLIF(UPPER(RTRIM(p_customer)), '')
    ));
END IF;

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES ('pusher', 'RequeueFailed', p_dryrun, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), v_itemrequeued + v_subitemrequeued, 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT CAST('item' AS VARCHAR(10)) AS entity, v_itemrequeued AS requeued
    WHERE p_entity IS NULL OR p_entity = 'item'
    UNION ALL
SELECT CAST('subitem' AS VARCHAR(10)) AS entity, v_subitemrequeued AS requeued
    WHERE p_entity IS NULL OR p_entity = 'subitem'
    ;
    RETURN;
END;
$proc$;
