-- generated from procedures/sync.MergeHeaders.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."MergeHeaders"(
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
-- Detect new, changed, reappeared and removed orders; queue them for monday.
DECLARE
    v_now TIMESTAMP(3);
BEGIN
    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    -- 1. Keys more than one staging row carries: every copy is rejected.
DROP TABLE IF EXISTS pg_temp.stg_dups;
CREATE TEMP TABLE stg_dups ON COMMIT DROP AS
    SELECT k.order_key, COUNT(*) AS copies
    FROM (SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src."AAG ORDER NUMBER" AS TEXT))), '') AS VARCHAR(400)) AS order_key FROM "dbo"."swp_ORDER'S [LIST]" AS src) AS k
    WHERE k.order_key IS NOT NULL
    GROUP BY k.order_key
    HAVING COUNT(*) > 1;    ANALYZE pg_temp.stg_dups;

    -- 2. The header delta, computed once: staging rows that are new (CREATE), changed or
    --    back after an archive (UPDATE), or bad (reject_reason), and orders no longer in
    --    staging (ARCHIVE, payload = their last values; an order whose row is there, even
    --    rejected, stays). One pass pairs staging with the current copy and keeps the news,
    --    compared by row hash before anything is composed or serialised; copies of a
    --    duplicated key that are not news are added, so that every copy is rejected.
DROP TABLE IF EXISTS pg_temp.hdr_delta;
CREATE TEMP TABLE hdr_delta ON COMMIT DROP AS
    SELECT chg.*
    FROM (
        SELECT k.order_key,
               CAST(CASE WHEN k.in_staging IS NULL THEN 'ARCHIVE'
                         WHEN k.tgt_key IS NULL THEN 'CREATE'
                         WHEN k.tgt_removed = TRUE OR k.tgt_hash <> k.row_hash THEN 'UPDATE'
                    END AS VARCHAR(10)) AS action,
               k."AAG ORDER NUMBER",
               k."CUSTOMER'S NAME",
               k."STYLE [CODE]",
               k."COLOUR ""DESC""",
               k."SEASON",
               k."EX FACTORY DATE",
               k."PRICE (USD)",
               k."TOTAL QTY",
               k.item_name, k.group_key, k.group_title, k.payload, k.row_hash,
               CAST(CASE WHEN k.in_staging = 1 THEN NULLIF(CONCAT_WS('; ',
                   CASE WHEN k.order_key IS NULL THEN CONCAT('order key is NULL in',
                       CASE WHEN k."AAG ORDER NUMBER" IS NULL THEN ' "AAG ORDER NUMBER"' END,
                       ' (item name: ', COALESCE(k.item_name, 'none'), ')') END,
                   CASE WHEN k.copies > 1 THEN CONCAT('duplicate order key: ', k.copies,
                       ' staging rows have it; every copy is rejected') END,
                   CASE WHEN char_length(k.item_name) > 255 THEN CONCAT('item name is ',
                       char_length(k.item_name), ' characters, over monday''s 255: ',
                       CONCAT_WS(', ', CONCAT('"STYLE [CODE]" = ', char_length(CAST(k."STYLE [CODE]" AS TEXT)), ' characters ''', LEFT(CAST(k."STYLE [CODE]" AS TEXT), 40), ''''),
                       CONCAT('"COLOUR "DESC"" = ', char_length(CAST(k."COLOUR ""DESC""" AS TEXT)), ' characters ''', LEFT(CAST(k."COLOUR ""DESC""" AS TEXT), 40), ''''),
                       CONCAT('"AAG ORDER NUMBER" = ', char_length(CAST(k."AAG ORDER NUMBER" AS TEXT)), ' characters ''', LEFT(CAST(k."AAG ORDER NUMBER" AS TEXT), 40), ''''))) END,
                   CASE WHEN char_length(k.group_key) > 255 THEN CONCAT('group name is ',
                       char_length(k.group_key), ' characters, over monday''s 255: ''', LEFT(k.group_key, 60), '''') END
                   , CASE WHEN k."EX FACTORY DATE" < CAST('1900-01-01' AS DATE) THEN CONCAT('"EX FACTORY DATE" = ',
                       CAST(k."EX FACTORY DATE" AS TEXT), ' is before 1900') END
               ), '') END AS TEXT) AS reject_reason
        FROM (
            SELECT src.*,
                   CAST(CASE WHEN src.in_staging IS NULL THEN src.tgt_hash
                             ELSE int8send(hash_record_extended(ROW(CAST(src."AAG ORDER NUMBER" AS TEXT), CAST(src."CUSTOMER'S NAME" AS TEXT), CAST(src."STYLE [CODE]" AS TEXT), CAST(src."COLOUR ""DESC""" AS TEXT), CAST(src."SEASON" AS TEXT), CAST(src."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(src."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(src."TOTAL QTY" AS NUMERIC), 10)), 0)) END AS BYTEA) AS row_hash
            FROM (
                SELECT COALESCE(p.order_key, p.tgt_key) AS order_key, p.in_staging,
                       p."AAG ORDER NUMBER",
                       p."CUSTOMER'S NAME",
                       p."STYLE [CODE]",
                       p."COLOUR ""DESC""",
                       p."SEASON",
                       p."EX FACTORY DATE",
                       p."PRICE (USD)",
                       p."TOTAL QTY",
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.item_name
                                 ELSE NULLIF(CONCAT_WS(' - ', CAST(p."STYLE [CODE]" AS TEXT), CAST(p."COLOUR ""DESC""" AS TEXT), CAST(p."AAG ORDER NUMBER" AS TEXT)), '') END AS TEXT) AS item_name,
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.group_key
                                 ELSE NULLIF(UPPER(RTRIM(NULLIF(CONCAT_WS(' ', CAST(p."CUSTOMER'S NAME" AS TEXT), CAST(p."SEASON" AS TEXT)), ''))), '') END AS TEXT) AS group_key,
                       CAST(CASE WHEN p.in_staging IS NOT NULL
                                 THEN NULLIF(CONCAT_WS(' ', CAST(p."CUSTOMER'S NAME" AS TEXT), CAST(p."SEASON" AS TEXT)), '') END AS TEXT) AS group_title,
                       CAST(CASE WHEN p.in_staging IS NULL THEN (SELECT row_to_json(j)::text FROM (SELECT gone."AAG ORDER NUMBER", gone."CUSTOMER'S NAME", gone."STYLE [CODE]", gone."COLOUR ""DESC""", gone."SEASON", gone."EX FACTORY DATE", gone."PRICE (USD)", gone."TOTAL QTY") AS j)
                                 ELSE (SELECT row_to_json(j)::text FROM (SELECT p."AAG ORDER NUMBER", p."CUSTOMER'S NAME", p."STYLE [CODE]", p."COLOUR ""DESC""", p."SEASON", p."EX FACTORY DATE", p."PRICE (USD)", p."TOTAL QTY") AS j) END AS TEXT) AS payload,
                       p.tgt_key, p.tgt_removed, p.tgt_hash, dup.copies
                FROM (
                    SELECT stg.order_key, stg.in_staging,
                           stg."AAG ORDER NUMBER",
                           stg."CUSTOMER'S NAME",
                           stg."STYLE [CODE]",
                           stg."COLOUR ""DESC""",
                           stg."SEASON",
                           stg."EX FACTORY DATE",
                           stg."PRICE (USD)",
                           stg."TOTAL QTY",
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE int8send(hash_record_extended(ROW(CAST(tgt."AAG ORDER NUMBER" AS TEXT), CAST(tgt."CUSTOMER'S NAME" AS TEXT), CAST(tgt."STYLE [CODE]" AS TEXT), CAST(tgt."COLOUR ""DESC""" AS TEXT), CAST(tgt."SEASON" AS TEXT), CAST(tgt."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(tgt."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(tgt."TOTAL QTY" AS NUMERIC), 10)), 0)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src."AAG ORDER NUMBER" AS TEXT))), '') AS VARCHAR(400)) AS order_key, 1 AS in_staging,
                               src."AAG ORDER NUMBER",
                               src."CUSTOMER'S NAME",
                               src."STYLE [CODE]",
                               src."COLOUR ""DESC""",
                               src."SEASON",
                               src."EX FACTORY DATE",
                               src."PRICE (USD)",
                               src."TOTAL QTY"
                        FROM "dbo"."swp_ORDER'S [LIST]" AS src
                    ) AS stg
                    FULL JOIN "dbo"."ORDER_LIST_V2" AS tgt ON tgt.order_key = stg.order_key
                    WHERE (stg.in_staging IS NOT NULL
                           AND (tgt.order_key IS NULL OR tgt.is_removed = TRUE
                                OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                        ELSE int8send(hash_record_extended(ROW(CAST(tgt."AAG ORDER NUMBER" AS TEXT), CAST(tgt."CUSTOMER'S NAME" AS TEXT), CAST(tgt."STYLE [CODE]" AS TEXT), CAST(tgt."COLOUR ""DESC""" AS TEXT), CAST(tgt."SEASON" AS TEXT), CAST(tgt."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(tgt."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(tgt."TOTAL QTY" AS NUMERIC), 10)), 0)) END <> int8send(hash_record_extended(ROW(CAST(stg."AAG ORDER NUMBER" AS TEXT), CAST(stg."CUSTOMER'S NAME" AS TEXT), CAST(stg."STYLE [CODE]" AS TEXT), CAST(stg."COLOUR ""DESC""" AS TEXT), CAST(stg."SEASON" AS TEXT), CAST(stg."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(stg."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(stg."TOTAL QTY" AS NUMERIC), 10)), 0))))
                          OR (stg.in_staging IS NULL AND tgt.is_removed = FALSE)
                    UNION ALL
                    SELECT stg.order_key, stg.in_staging,
                           stg."AAG ORDER NUMBER",
                           stg."CUSTOMER'S NAME",
                           stg."STYLE [CODE]",
                           stg."COLOUR ""DESC""",
                           stg."SEASON",
                           stg."EX FACTORY DATE",
                           stg."PRICE (USD)",
                           stg."TOTAL QTY",
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE int8send(hash_record_extended(ROW(CAST(tgt."AAG ORDER NUMBER" AS TEXT), CAST(tgt."CUSTOMER'S NAME" AS TEXT), CAST(tgt."STYLE [CODE]" AS TEXT), CAST(tgt."COLOUR ""DESC""" AS TEXT), CAST(tgt."SEASON" AS TEXT), CAST(tgt."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(tgt."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(tgt."TOTAL QTY" AS NUMERIC), 10)), 0)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src."AAG ORDER NUMBER" AS TEXT))), '') AS VARCHAR(400)) AS order_key, 1 AS in_staging,
                               src."AAG ORDER NUMBER",
                               src."CUSTOMER'S NAME",
                               src."STYLE [CODE]",
                               src."COLOUR ""DESC""",
                               src."SEASON",
                               src."EX FACTORY DATE",
                               src."PRICE (USD)",
                               src."TOTAL QTY"
                        FROM "dbo"."swp_ORDER'S [LIST]" AS src
                    ) AS stg
                    FULL JOIN "dbo"."ORDER_LIST_V2" AS tgt ON tgt.order_key = stg.order_key
                    WHERE stg.order_key IN (SELECT dup.order_key FROM stg_dups AS dup)
                      AND NOT ((stg.in_staging IS NOT NULL
                               AND (tgt.order_key IS NULL OR tgt.is_removed = TRUE
                                    OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                            ELSE int8send(hash_record_extended(ROW(CAST(tgt."AAG ORDER NUMBER" AS TEXT), CAST(tgt."CUSTOMER'S NAME" AS TEXT), CAST(tgt."STYLE [CODE]" AS TEXT), CAST(tgt."COLOUR ""DESC""" AS TEXT), CAST(tgt."SEASON" AS TEXT), CAST(tgt."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(tgt."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(tgt."TOTAL QTY" AS NUMERIC), 10)), 0)) END <> int8send(hash_record_extended(ROW(CAST(stg."AAG ORDER NUMBER" AS TEXT), CAST(stg."CUSTOMER'S NAME" AS TEXT), CAST(stg."STYLE [CODE]" AS TEXT), CAST(stg."COLOUR ""DESC""" AS TEXT), CAST(stg."SEASON" AS TEXT), CAST(stg."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(stg."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(stg."TOTAL QTY" AS NUMERIC), 10)), 0))))
                              OR (stg.in_staging IS NULL AND tgt.is_removed = FALSE))
                ) AS p
                LEFT JOIN stg_dups AS dup ON dup.order_key = p.order_key
                LEFT JOIN "dbo"."ORDER_LIST_V2" AS gone ON gone.order_key = p.tgt_key AND p.in_staging IS NULL
            ) AS src
        ) AS k
    ) AS chg
    WHERE chg.action IS NOT NULL OR chg.reject_reason IS NOT NULL;    ANALYZE pg_temp.hdr_delta;

    -- 3. Bad rows: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT p_runid, 'pipeline', 'MergeHeaders', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), (clock_timestamp() AT TIME ZONE 'UTC'), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), COALESCE(host(inet_client_addr()), 'local')
    FROM hdr_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF p_dryrun = FALSE THEN
        -- 4. Queue: a change updates the order's PENDING/FAILED row in place (CREATE+UPDATE
        --    stays CREATE, anything+ARCHIVE is ARCHIVE, ARCHIVE+back is UPDATE; FAILED is
        --    revived with attempts 0); an IN_FLIGHT row is never touched: the change gets a
        --    new PENDING row that waits behind it.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        PERFORM 1
        FROM "dbo"."ORDER_LIST_DELTA" AS tgt
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
          AND EXISTS (SELECT 1 FROM hdr_delta AS src WHERE src.order_key = tgt.order_key AND src.reject_reason IS NULL)
        ORDER BY tgt.order_key, tgt.delta_id
        FOR UPDATE OF tgt;

UPDATE "dbo"."ORDER_LIST_DELTA" AS tgt
SET action = CASE WHEN src.action = 'ARCHIVE' THEN 'ARCHIVE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            payload = CAST(src.payload AS JSONB),
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = p_runid,
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM hdr_delta AS src
WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO "dbo"."ORDER_LIST_DELTA" (order_key, action, payload, item_name, group_key, row_hash, hash_version, run_id)
        SELECT src.order_key, src.action, CAST(src.payload AS JSONB), src.item_name, src.group_key,
               src.row_hash, 2, p_runid
        FROM hdr_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_DELTA" AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 5. An order back after its archive reached monday gets a new item: its old lines
        --    went with the archived one, so they are forgotten and MergeLines creates them.
        DELETE FROM "dbo"."ORDER_LIST_LINES"
        WHERE order_key IN (SELECT tgt.order_key
                            FROM "dbo"."ORDER_LIST_V2" AS tgt
                            INNER JOIN hdr_delta AS src ON src.order_key = tgt.order_key
                            WHERE src.action = 'UPDATE' AND src.reject_reason IS NULL
                              AND tgt.is_removed = TRUE AND tgt.monday_item_id IS NULL);

        -- 6. The current copy.
UPDATE "dbo"."ORDER_LIST_V2" AS tgt
SET "AAG ORDER NUMBER" = src."AAG ORDER NUMBER",
            "CUSTOMER'S NAME" = src."CUSTOMER'S NAME",
            "STYLE [CODE]" = src."STYLE [CODE]",
            "COLOUR ""DESC""" = src."COLOUR ""DESC""",
            "SEASON" = src."SEASON",
            "EX FACTORY DATE" = src."EX FACTORY DATE",
            "PRICE (USD)" = src."PRICE (USD)",
            "TOTAL QTY" = src."TOTAL QTY",
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            size_hash = CASE WHEN tgt.is_removed = TRUE AND tgt.monday_item_id IS NULL
                             THEN NULL ELSE tgt.size_hash END,
            is_removed = FALSE,
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM hdr_delta AS src
WHERE tgt.order_key = src.order_key AND src.action = 'UPDATE' AND src.reject_reason IS NULL;
UPDATE "dbo"."ORDER_LIST_V2" AS tgt
SET is_removed = TRUE,
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM hdr_delta AS src
WHERE tgt.order_key = src.order_key AND src.action = 'ARCHIVE';
        INSERT INTO "dbo"."ORDER_LIST_V2" (order_key,
            "AAG ORDER NUMBER",
            "CUSTOMER'S NAME",
            "STYLE [CODE]",
            "COLOUR ""DESC""",
            "SEASON",
            "EX FACTORY DATE",
            "PRICE (USD)",
            "TOTAL QTY",
            item_name, group_key, row_hash, hash_version)
        SELECT src.order_key,
               src."AAG ORDER NUMBER",
               src."CUSTOMER'S NAME",
               src."STYLE [CODE]",
               src."COLOUR ""DESC""",
               src."SEASON",
               src."EX FACTORY DATE",
               src."PRICE (USD)",
               src."TOTAL QTY",
               src.item_name, src.group_key, src.row_hash, 2
        FROM hdr_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Hashes stored under an older definition (ARCHIVE, unchanged and rejected orders):
        --    rewritten from the current copy; nothing is queued for them.
UPDATE "dbo"."ORDER_LIST_V2" AS tgt
SET row_hash = int8send(hash_record_extended(ROW(CAST(tgt."AAG ORDER NUMBER" AS TEXT), CAST(tgt."CUSTOMER'S NAME" AS TEXT), CAST(tgt."STYLE [CODE]" AS TEXT), CAST(tgt."COLOUR ""DESC""" AS TEXT), CAST(tgt."SEASON" AS TEXT), CAST(tgt."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(tgt."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(tgt."TOTAL QTY" AS NUMERIC), 10)), 0)),
            hash_version = 2
WHERE tgt.hash_version IS NULL OR tgt.hash_version <> 2;
        -- 8. Board groups the pusher has not seen yet: key = the title compared like a key
        --    (upper-cased, trailing spaces dropped); of several spellings, the first in
        --    sort order is the title.
        INSERT INTO "dbo"."ORDER_LIST_GROUPS" (group_key, group_title)
        SELECT src.group_key, MIN(src.group_title)
        FROM hdr_delta AS src
        WHERE src.action IN ('CREATE', 'UPDATE') AND src.reject_reason IS NULL AND src.group_key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_GROUPS" AS tgt WHERE tgt.group_key = src.group_key)
        GROUP BY src.group_key;
END IF;

    RETURN QUERY SELECT p_runid AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN 'item' ELSE 'reject' END AS TEXT) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS TEXT) AS action,
       CAST(COUNT(*) AS INTEGER) AS "rows"
FROM hdr_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN 'item' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN;
END;
$proc$;
