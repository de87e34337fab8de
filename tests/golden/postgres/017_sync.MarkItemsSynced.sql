-- generated from procedures/sync.Mark{Entity}Synced.sql.j2 (item) by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."MarkItemsSynced"(
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
-- Mark claimed item rows SYNCED with their monday ids; Results = [{"delta_id": 1, "monday_id": "123"}].
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
        RAISE EXCEPTION USING MESSAGE = CONCAT('MarkItemsSynced: ', SUBSTRING(v_problems, 3, 2000)), ERRCODE = 'P0001', HINT = '50001';
END IF;

    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    v_given := (SELECT COUNT(*) FROM (SELECT * FROM jsonb_to_recordset(p_results) AS j (
    delta_id BIGINT,
    monday_id BIGINT
)) AS given);
WITH changed AS (
UPDATE "dbo"."ORDER_LIST_DELTA" AS tgt
SET sync_state = 'SYNCED',
        monday_item_id = COALESCE(src.monday_id, tgt.monday_item_id),
        lease_expires_at = NULL,
        synced_at = v_now,
        updated_at = v_now
FROM (SELECT * FROM jsonb_to_recordset(p_results) AS j (
    delta_id BIGINT,
    monday_id BIGINT
)) AS src
WHERE src.delta_id = tgt.delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = p_claimtoken
RETURNING tgt.delta_id AS id
)
SELECT array_agg(changed.id) INTO v_synced FROM changed;
IF EXISTS (SELECT src.order_key FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                WHERE src.action <> 'ARCHIVE' AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id) THEN
        -- Re-created items (deleted or archived on the board by hand): their subitems went with
        -- the old item, so every line is queued again under the new one. The order's unfinished
        -- line rows are locked first, as MergeLines does, so that neither inserts an open row
        -- the other one just inserted.
        PERFORM pg_advisory_xact_lock(hashtext('sync.LineQueue'));
        PERFORM 1
        FROM "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
          AND EXISTS (SELECT 1 FROM (SELECT src.order_key FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                        WHERE src.action <> 'ARCHIVE' AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id) AS src WHERE src.order_key = tgt.order_key)
        ORDER BY tgt.order_key, tgt.size, tgt.line_delta_id
        FOR UPDATE OF tgt;
        -- A size gone from staging (qty 0 until its DELETE is synced) lost its subitem with the
        -- old item: nothing is left to create or delete, so its line row goes now.
        DELETE FROM "dbo"."ORDER_LIST_LINES"
        WHERE qty = 0 AND EXISTS (SELECT 1 FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
                      INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                      WHERE src.order_key = "ORDER_LIST_LINES".order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        UPDATE "dbo"."ORDER_LIST_LINES_DELTA"
        SET sync_state = 'SYNCED',
            lease_expires_at = NULL,
            last_error_code = 'PARENT_RECREATED',
            last_error = 'superseded: the parent item was re-created and all its lines queued again',
            synced_at = v_now,
            updated_at = v_now
        -- In-flight line rows too: their subitems went with the old item, and a late answer for
        -- them (under the old token) then changes nothing, so no stale subitem id comes back.
        WHERE sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
          AND EXISTS (SELECT 1 FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
                      INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                      WHERE src.order_key = "ORDER_LIST_LINES_DELTA".order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        INSERT INTO "dbo"."ORDER_LIST_LINES_DELTA" (order_key, size, action, qty, sync_state, last_error_code, last_error,
                                        created_at, updated_at)
        SELECT "ORDER_LIST_LINES".order_key, "ORDER_LIST_LINES".size, 'CREATE', "ORDER_LIST_LINES".qty,
            'PENDING', 'PARENT_RECREATED', 'queued again: the parent item was re-created on the board',
            v_now, v_now
        FROM "dbo"."ORDER_LIST_LINES"
        WHERE EXISTS (SELECT 1 FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
                      INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                      WHERE src.order_key = "ORDER_LIST_LINES".order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        UPDATE "dbo"."ORDER_LIST_LINES"
        SET monday_subitem_id = NULL,
            updated_at = v_now
        WHERE EXISTS (SELECT 1 FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
                      INNER JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = src.order_key
                      WHERE src.order_key = "ORDER_LIST_LINES".order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);
END IF;
UPDATE "dbo"."ORDER_LIST_V2" AS tgt
SET monday_item_id = CASE WHEN src.action = 'ARCHIVE' THEN NULL ELSE COALESCE(src.monday_item_id, tgt.monday_item_id) END,
        is_removed = CASE WHEN src.action = 'ARCHIVE' AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_DELTA" AS newer
                     WHERE newer.order_key = src.order_key AND newer.delta_id > src.delta_id) THEN TRUE ELSE tgt.is_removed END,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
WHERE src.order_key = tgt.order_key;
    -- monday archives an item's subitems with it: line changes still queued for an
    -- archived order have nothing left to reach, and would wait forever for a parent id.
UPDATE "dbo"."ORDER_LIST_LINES_DELTA" AS tgt
SET sync_state = 'SYNCED',
        last_error_code = 'PARENT_ARCHIVED',
        last_error = 'closed without a push: the parent item was archived, and its subitems with it',
        synced_at = v_now,
        updated_at = v_now
FROM (SELECT * FROM "dbo"."ORDER_LIST_DELTA" AS done WHERE done.delta_id = ANY (v_synced)) AS src
WHERE src.order_key = tgt.order_key AND src.action = 'ARCHIVE' AND tgt.sync_state IN ('PENDING', 'FAILED') AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_DELTA" AS newer
                     WHERE newer.order_key = src.order_key AND newer.delta_id > src.delta_id);

    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (p_runid, 'queue', 'MarkItemsSynced', FALSE, v_now, (clock_timestamp() AT TIME ZONE 'UTC'), COALESCE(cardinality(v_synced), 0), CAST(CONCAT('{"claim_token": "', LOWER(CAST(p_claimtoken AS TEXT)), '", ', '"not_held": ', v_given - COALESCE(cardinality(v_synced), 0), '}') AS JSONB), 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
    RETURN QUERY SELECT CAST(COALESCE(cardinality(v_synced), 0) AS INTEGER) AS updated;
    RETURN;
END;
$proc$;
