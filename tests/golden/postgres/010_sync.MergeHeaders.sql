-- generated from procedures/sync.MergeHeaders.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
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
BEGIN
    -- 1. Keys more than one staging row carries: every copy is rejected.
DROP TABLE IF EXISTS pg_temp.stg_dups;
CREATE TEMP TABLE stg_dups (
        order_key   VARCHAR(400) NOT NULL PRIMARY KEY,
        copies      INTEGER NOT NULL
) ON COMMIT DROP;
    INSERT INTO stg_dups (order_key, copies)
    SELECT k.order_key, COUNT(*)
    FROM (SELECT CAST(src."AAG ORDER NUMBER" AS VARCHAR(400)) AS order_key FROM "dbo"."swp_ORDER'S [LIST]" AS src) AS k
    WHERE k.order_key IS NOT NULL
    GROUP BY k.order_key
    HAVING COUNT(*) > 1;

    -- 2. The header delta, computed once: staging rows that are new (CREATE), changed or
    --    back after an archive (UPDATE), or bad (reject_reason); unchanged rows are skipped
    --    by comparing row hashes set-wise.
DROP TABLE IF EXISTS pg_temp.hdr_delta;
CREATE TEMP TABLE hdr_delta (
        order_key       VARCHAR(400) NULL,
        action          VARCHAR(10) NULL,
        "AAG ORDER NUMBER" varchar(100) NULL,
        "CUSTOMER'S NAME" varchar(100) NULL,
        "STYLE [CODE]" varchar(100) NULL,
        "COLOUR ""DESC""" varchar(100) NULL,
        "SEASON" varchar(20) NULL,
        "EX FACTORY DATE" timestamp NULL,
        "PRICE (USD)" numeric(10,4) NULL,
        "TOTAL QTY" integer NULL,
        item_name       TEXT NULL,
        group_key       TEXT NULL,
        payload         TEXT NULL,
        row_hash        BYTEA NULL,
        reject_reason   TEXT NULL
) ON COMMIT DROP;
    INSERT INTO hdr_delta (order_key, action,
        "AAG ORDER NUMBER",
        "CUSTOMER'S NAME",
        "STYLE [CODE]",
        "COLOUR ""DESC""",
        "SEASON",
        "EX FACTORY DATE",
        "PRICE (USD)",
        "TOTAL QTY",
        item_name, group_key, payload, row_hash, reject_reason)
    SELECT chg.*
    FROM (
        SELECT k.order_key,
               CASE WHEN k.tgt_key IS NULL THEN 'CREATE'
                    WHEN k.tgt_removed = TRUE OR k.tgt_hash <> k.row_hash THEN 'UPDATE'
               END AS action,
               k."AAG ORDER NUMBER",
               k."CUSTOMER'S NAME",
               k."STYLE [CODE]",
               k."COLOUR ""DESC""",
               k."SEASON",
               k."EX FACTORY DATE",
               k."PRICE (USD)",
               k."TOTAL QTY",
               k.item_name, k.group_key, k.payload, k.row_hash,
               NULLIF(CONCAT_WS('; ',
                   CASE WHEN k.order_key IS NULL THEN CONCAT('order key is NULL in',
                       CASE WHEN k."AAG ORDER NUMBER" IS NULL THEN ' "AAG ORDER NUMBER"' END,
                       ' (item name: ', COALESCE(k.item_name, 'none'), ')') END,
                   CASE WHEN k.copies > 1 THEN CONCAT('duplicate order key: ', k.copies,
                       ' staging rows have it; every copy is rejected') END,
                   CASE WHEN char_length(k.item_name) > 255 THEN CONCAT('item name is ',
                       char_length(k.item_name), ' characters, over monday''s 255: ', CONCAT_WS(', ',
                       CONCAT('"STYLE [CODE]" = ', char_length(CAST(k."STYLE [CODE]" AS TEXT)), ' characters ''',
                              LEFT(CAST(k."STYLE [CODE]" AS TEXT), 40), ''''),
                       CONCAT('"COLOUR "DESC"" = ', char_length(CAST(k."COLOUR ""DESC""" AS TEXT)), ' characters ''',
                              LEFT(CAST(k."COLOUR ""DESC""" AS TEXT), 40), ''''),
                       CONCAT('"AAG ORDER NUMBER" = ', char_length(CAST(k."AAG ORDER NUMBER" AS TEXT)), ' characters ''',
                              LEFT(CAST(k."AAG ORDER NUMBER" AS TEXT), 40), '''')
                       )) END,
                   CASE WHEN char_length(k.group_key) > 255 THEN CONCAT('group name is ',
                       char_length(k.group_key), ' characters, over monday''s 255: ''', LEFT(k.group_key, 60), '''') END
                   , CASE WHEN k."EX FACTORY DATE" < CAST('1900-01-01' AS DATE) THEN CONCAT('"EX FACTORY DATE" = ',
                       CAST(k."EX FACTORY DATE" AS TEXT), ' is before 1900') END
               ), '') AS reject_reason
        FROM (
            SELECT src.*, sha256(convert_to(src.payload, 'UTF8')) AS row_hash
            FROM (
                -- Candidates only: new, back, duplicated, or different from the current copy.
                SELECT CAST(src."AAG ORDER NUMBER" AS VARCHAR(400)) AS order_key,
                       src."AAG ORDER NUMBER",
                       src."CUSTOMER'S NAME",
                       src."STYLE [CODE]",
                       src."COLOUR ""DESC""",
                       src."SEASON",
                       src."EX FACTORY DATE",
                       src."PRICE (USD)",
                       src."TOTAL QTY",
                       NULLIF(CONCAT_WS(' - ', CAST(src."STYLE [CODE]" AS TEXT), CAST(src."COLOUR ""DESC""" AS TEXT), CAST(src."AAG ORDER NUMBER" AS TEXT)), '') AS item_name,
                       NULLIF(CONCAT_WS(' ', CAST(src."CUSTOMER'S NAME" AS TEXT), CAST(src."SEASON" AS TEXT)), '') AS group_key,
                       (SELECT row_to_json(j)::text FROM (SELECT src."AAG ORDER NUMBER", src."CUSTOMER'S NAME", src."STYLE [CODE]", src."COLOUR ""DESC""", src."SEASON", src."EX FACTORY DATE", src."PRICE (USD)", src."TOTAL QTY") AS j) AS payload,
                       tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed, tgt.row_hash AS tgt_hash, sk.copies
                FROM "dbo"."swp_ORDER'S [LIST]" AS src
                LEFT JOIN "dbo"."ORDER_LIST_V2" AS tgt ON tgt.order_key = CAST(src."AAG ORDER NUMBER" AS VARCHAR(400))
                LEFT JOIN stg_dups AS sk ON sk.order_key = CAST(src."AAG ORDER NUMBER" AS VARCHAR(400))
                WHERE tgt.order_key IS NULL OR tgt.is_removed = TRUE OR sk.copies > 1
                   OR ROW(src."AAG ORDER NUMBER", src."CUSTOMER'S NAME", src."STYLE [CODE]", src."COLOUR ""DESC""", src."SEASON", src."EX FACTORY DATE", src."PRICE (USD)", src."TOTAL QTY")
    IS DISTINCT FROM ROW(tgt."AAG ORDER NUMBER", tgt."CUSTOMER'S NAME", tgt."STYLE [CODE]", tgt."COLOUR ""DESC""", tgt."SEASON", tgt."EX FACTORY DATE", tgt."PRICE (USD)", tgt."TOTAL QTY")
            ) AS src
        ) AS k
    ) AS chg
    WHERE chg.action IS NOT NULL OR chg.reject_reason IS NOT NULL;

    -- 3. Snapshot staging: orders no longer in it are archived (payload = their last values);
    --    an order whose row is there, even rejected, stays.
    INSERT INTO hdr_delta (order_key, action, item_name, group_key, payload, row_hash)
    SELECT tgt.order_key, 'ARCHIVE', tgt.item_name, tgt.group_key, (SELECT row_to_json(j)::text FROM (SELECT tgt."AAG ORDER NUMBER", tgt."CUSTOMER'S NAME", tgt."STYLE [CODE]", tgt."COLOUR ""DESC""", tgt."SEASON", tgt."EX FACTORY DATE", tgt."PRICE (USD)", tgt."TOTAL QTY") AS j), tgt.row_hash
    FROM "dbo"."ORDER_LIST_V2" AS tgt
    WHERE tgt.is_removed = FALSE
      AND NOT EXISTS (SELECT 1 FROM "dbo"."swp_ORDER'S [LIST]" AS src WHERE CAST(src."AAG ORDER NUMBER" AS VARCHAR(400)) = tgt.order_key);
    ANALYZE pg_temp.hdr_delta;

    -- 4. Bad rows: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG"
        (run_id, component, step, is_dry_run, end_time, outcome, order_key, error_message)
    SELECT p_runid, 'pipeline', 'MergeHeaders', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), 'REJECTED',
           src.order_key, LEFT(src.reject_reason, 4000)
    FROM hdr_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF p_dryrun = FALSE THEN
        -- 5. Queue: a change updates the order's PENDING/FAILED row in place (CREATE+UPDATE
        --    stays CREATE, anything+ARCHIVE is ARCHIVE, ARCHIVE+back is UPDATE; FAILED is
        --    revived with attempts 0); an IN_FLIGHT row is never touched: the change gets a
        --    new PENDING row that waits behind it.
UPDATE "dbo"."ORDER_LIST_DELTA" AS tgt
SET action = CASE WHEN src.action = 'ARCHIVE' THEN 'ARCHIVE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            payload = CAST(src.payload AS JSONB),
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = p_runid,
            updated_at = (clock_timestamp() AT TIME ZONE 'UTC')
FROM hdr_delta AS src
WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO "dbo"."ORDER_LIST_DELTA" (order_key, action, payload, item_name, group_key, row_hash, run_id)
        SELECT src.order_key, src.action, CAST(src.payload AS JSONB), src.item_name, src.group_key,
               src.row_hash, p_runid
        FROM hdr_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_DELTA" AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 6. An order back after its archive reached monday gets a new item: its old lines
        --    went with the archived one, so they are forgotten and MergeLines creates them.
        DELETE FROM "dbo"."ORDER_LIST_LINES"
        WHERE order_key IN (SELECT tgt.order_key
                            FROM "dbo"."ORDER_LIST_V2" AS tgt
                            INNER JOIN hdr_delta AS src ON src.order_key = tgt.order_key
                            WHERE src.action = 'UPDATE' AND src.reject_reason IS NULL
                              AND tgt.is_removed = TRUE AND tgt.monday_item_id IS NULL);

        -- 7. The current copy.
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
            item_name, group_key, row_hash)
        SELECT src.order_key,
               src."AAG ORDER NUMBER",
               src."CUSTOMER'S NAME",
               src."STYLE [CODE]",
               src."COLOUR ""DESC""",
               src."SEASON",
               src."EX FACTORY DATE",
               src."PRICE (USD)",
               src."TOTAL QTY",
               src.item_name, src.group_key, src.row_hash
        FROM hdr_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 8. Board groups the pusher has not seen yet (title = key).
        INSERT INTO "dbo"."ORDER_LIST_GROUPS" (group_key, group_title)
        SELECT DISTINCT src.group_key, src.group_key
        FROM hdr_delta AS src
        WHERE src.action IN ('CREATE', 'UPDATE') AND src.reject_reason IS NULL AND src.group_key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM "dbo"."ORDER_LIST_GROUPS" AS tgt WHERE tgt.group_key = src.group_key);
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
