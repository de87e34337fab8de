-- generated from procedures/sync.Mark{Entity}Synced.sql.j2 (subitem) by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."MarkSubitemsSynced"(
    p_claimtoken UUID,
    p_results JSONB,
    p_runid BIGINT DEFAULT NULL
)
RETURNS TABLE (
    updated INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Mark claimed subitem rows SYNCED with their monday ids; Results = [{"delta_id": 1, "monday_id": "123"}].
DECLARE
    v_problems VARCHAR(2000) := '';
    v_now TIMESTAMP(3);
    v_given INTEGER;
    v_synced BIGINT[];
BEGIN
    IF p_claimtoken IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_claimtoken is required');
END IF;
    IF p_results IS NULL THEN
        v_problems := CONCAT(v_problems, '; p_results is required (a JSON array)');
END IF;
    IF v_problems <> '' THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('MarkSubitemsSynced: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    v_given := (SELECT COUNT(*) FROM (SELECT * FROM jsonb_to_recordset(p_results) AS j (
    delta_id BIGINT,
    monday_id BIGINT
)) AS given);
WITH changed AS (
UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET sync_state = 'SYNCED',
        monday_subitem_id = COALESCE(src.monday_id, tgt.monday_subitem_id),
        lease_expires_at = NULL,
        synced_at = v_now,
        updated_at = v_now
FROM (SELECT * FROM jsonb_to_recordset(p_results) AS j (
    delta_id BIGINT,
    monday_id BIGINT
)) AS src
WHERE src.delta_id = tgt.line_delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = p_claimtoken
RETURNING tgt.line_delta_id AS id
)
SELECT array_agg(changed.id) INTO v_synced FROM changed;
UPDATE "dbo"."ORDER_LIST_LINES" AS tgt
SET monday_subitem_id = CASE WHEN src.action = 'DELETE' THEN NULL ELSE COALESCE(src.monday_subitem_id, tgt.monday_subitem_id) END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_LINES_DELTA" AS done WHERE done.line_delta_id = ANY (v_synced)) AS src
WHERE src.order_key = tgt.order_key AND src.size = tgt.size;
    DELETE FROM "dbo"."ORDER_LIST_LINES"
    WHERE EXISTS (
        SELECT 1 FROM (SELECT * FROM "dbo"."ORDER_LIST_LINES_DELTA" AS done WHERE done.line_delta_id = ANY (v_synced)) AS src
        WHERE src.action = 'DELETE'
          AND src.order_key = "ORDER_LIST_LINES".order_key
          AND src.size = "ORDER_LIST_LINES".size
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_LINES_DELTA" AS newer
                     WHERE newer.order_key = src.order_key AND newer.size = src.size AND newer.line_delta_id > src.line_delta_id)
    );

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (p_runid, 'queue', 'MarkSubitemsSynced', FALSE, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), COALESCE(cardinality(v_synced), 0), CAST(CONCAT('{"claim_token": "', LOWER(CAST(p_claimtoken AS TEXT)), '", ', '"not_held": ', v_given - COALESCE(cardinality(v_synced), 0), '}') AS JSONB), 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT CAST(COALESCE(cardinality(v_synced), 0) AS INTEGER) AS updated;
    RETURN;
END;
$proc$;
