-- generated from procedures/sync.MergeHeaders.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MergeHeaders]
    @RunId BIGINT,
    @DryRun BIT = 0
AS
-- Detect new, changed, reappeared and removed orders; queue them for monday.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Now DATETIME2(3);
    SET @Now = SYSUTCDATETIME();

    -- 1. Keys more than one staging row carries: every copy is rejected.
DROP TABLE IF EXISTS #stg_dups;
SELECT q.* INTO #stg_dups FROM (
    SELECT k.order_key, COUNT(*) AS copies
    FROM (SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key FROM [dbo].[swp_ORDER'S [LIST]]] AS src) AS k
    WHERE k.order_key IS NOT NULL
    GROUP BY k.order_key
    HAVING COUNT(*) > 1
) AS q;    

    -- 2. The header delta, computed once: staging rows that are new (CREATE), changed or
    --    back after an archive (UPDATE), or bad (reject_reason), and orders no longer in
    --    staging (ARCHIVE, payload = their last values; an order whose row is there, even
    --    rejected, stays). One pass pairs staging with the current copy and keeps the news,
    --    compared by row hash before anything is composed or serialised; copies of a
    --    duplicated key that are not news are added, so that every copy is rejected.
DROP TABLE IF EXISTS #hdr_delta;
SELECT q.* INTO #hdr_delta FROM (
    SELECT chg.*
    FROM (
        SELECT k.order_key,
               CAST(CASE WHEN k.in_staging IS NULL THEN 'ARCHIVE'
                         WHEN k.tgt_key IS NULL THEN 'CREATE'
                         WHEN k.tgt_removed = 1 OR k.tgt_hash <> k.row_hash THEN 'UPDATE'
                    END AS NVARCHAR(10)) AS action,
               k.[AAG ORDER NUMBER],
               k.[CUSTOMER'S NAME],
               k.[STYLE [CODE]]],
               k.[COLOUR "DESC"],
               k.[SEASON],
               k.[EX FACTORY DATE],
               k.[PRICE (USD)],
               k.[TOTAL QTY],
               k.item_name, k.group_key, k.group_title, k.payload, k.row_hash,
               CAST(CASE WHEN k.in_staging = 1 THEN NULLIF(CONCAT_WS('; ',
                   CASE WHEN k.order_key IS NULL THEN CONCAT('order key is NULL in',
                       CASE WHEN k.[AAG ORDER NUMBER] IS NULL THEN N' "AAG ORDER NUMBER"' END,
                       ' (item name: ', COALESCE(k.item_name, 'none'), ')') END,
                   CASE WHEN k.copies > 1 THEN CONCAT('duplicate order key: ', k.copies,
                       ' staging rows have it; every copy is rejected') END,
                   CASE WHEN (LEN(CAST(k.item_name AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1) > 255 THEN CONCAT('item name is ',
                       (LEN(CAST(k.item_name AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters, over monday''s 255: ',
                       CONCAT_WS(', ', CONCAT(N'"STYLE [CODE]" = ', (LEN(CAST(CAST(k.[STYLE [CODE]]] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[STYLE [CODE]]] AS NVARCHAR(4000)), 40), ''''),
                       CONCAT(N'"COLOUR "DESC"" = ', (LEN(CAST(CAST(k.[COLOUR "DESC"] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[COLOUR "DESC"] AS NVARCHAR(4000)), 40), ''''),
                       CONCAT(N'"AAG ORDER NUMBER" = ', (LEN(CAST(CAST(k.[AAG ORDER NUMBER] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[AAG ORDER NUMBER] AS NVARCHAR(4000)), 40), ''''))) END,
                   CASE WHEN (LEN(CAST(k.group_key AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1) > 255 THEN CONCAT('group name is ',
                       (LEN(CAST(k.group_key AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters, over monday''s 255: ''', LEFT(k.group_key, 60), '''') END
                   , CASE WHEN k.[EX FACTORY DATE] < CAST('1900-01-01' AS DATE) THEN CONCAT(N'"EX FACTORY DATE" = ',
                       CAST(k.[EX FACTORY DATE] AS NVARCHAR(4000)), ' is before 1900') END
               ), '') END AS NVARCHAR(MAX)) AS reject_reason
        FROM (
            SELECT src.*,
                   CAST(CASE WHEN src.in_staging IS NULL THEN src.tgt_hash
                             ELSE HASHBYTES('SHA2_256', (SELECT CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(src.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(src.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(src.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(src.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(src.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(src.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(src.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS VARBINARY(32)) AS row_hash
            FROM (
                SELECT COALESCE(p.order_key, p.tgt_key) AS order_key, p.in_staging,
                       p.[AAG ORDER NUMBER],
                       p.[CUSTOMER'S NAME],
                       p.[STYLE [CODE]]],
                       p.[COLOUR "DESC"],
                       p.[SEASON],
                       p.[EX FACTORY DATE],
                       p.[PRICE (USD)],
                       p.[TOTAL QTY],
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.item_name
                                 ELSE NULLIF(CONCAT_WS(N' - ', CAST(p.[STYLE [CODE]]] AS NVARCHAR(4000)), CAST(p.[COLOUR "DESC"] AS NVARCHAR(4000)), CAST(p.[AAG ORDER NUMBER] AS NVARCHAR(4000))), '') END AS NVARCHAR(MAX)) AS item_name,
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.group_key
                                 ELSE NULLIF(UPPER(RTRIM(NULLIF(CONCAT_WS(N' ', CAST(p.[CUSTOMER'S NAME] AS NVARCHAR(4000)), CAST(p.[SEASON] AS NVARCHAR(4000))), ''))), '') COLLATE DATABASE_DEFAULT END AS NVARCHAR(MAX)) AS group_key,
                       CAST(CASE WHEN p.in_staging IS NOT NULL
                                 THEN NULLIF(CONCAT_WS(N' ', CAST(p.[CUSTOMER'S NAME] AS NVARCHAR(4000)), CAST(p.[SEASON] AS NVARCHAR(4000))), '') END AS NVARCHAR(MAX)) AS group_title,
                       CAST(CASE WHEN p.in_staging IS NULL THEN (SELECT gone.[AAG ORDER NUMBER] AS [AAG ORDER NUMBER], gone.[CUSTOMER'S NAME] AS [CUSTOMER'S NAME], gone.[STYLE [CODE]]] AS [STYLE [CODE]]], gone.[COLOUR "DESC"] AS [COLOUR "DESC"], gone.[SEASON] AS [SEASON], gone.[EX FACTORY DATE] AS [EX FACTORY DATE], gone.[PRICE (USD)] AS [PRICE (USD)], gone.[TOTAL QTY] AS [TOTAL QTY] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)
                                 ELSE (SELECT p.[AAG ORDER NUMBER] AS [AAG ORDER NUMBER], p.[CUSTOMER'S NAME] AS [CUSTOMER'S NAME], p.[STYLE [CODE]]] AS [STYLE [CODE]]], p.[COLOUR "DESC"] AS [COLOUR "DESC"], p.[SEASON] AS [SEASON], p.[EX FACTORY DATE] AS [EX FACTORY DATE], p.[PRICE (USD)] AS [PRICE (USD)], p.[TOTAL QTY] AS [TOTAL QTY] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES) END AS NVARCHAR(MAX)) AS payload,
                       p.tgt_key, p.tgt_removed, p.tgt_hash, dup.copies
                FROM (
                    SELECT stg.order_key, stg.in_staging,
                           stg.[AAG ORDER NUMBER],
                           stg.[CUSTOMER'S NAME],
                           stg.[STYLE [CODE]]],
                           stg.[COLOUR "DESC"],
                           stg.[SEASON],
                           stg.[EX FACTORY DATE],
                           stg.[PRICE (USD)],
                           stg.[TOTAL QTY],
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key, 1 AS in_staging,
                               src.[AAG ORDER NUMBER],
                               src.[CUSTOMER'S NAME],
                               src.[STYLE [CODE]]],
                               src.[COLOUR "DESC"],
                               src.[SEASON],
                               src.[EX FACTORY DATE],
                               src.[PRICE (USD)],
                               src.[TOTAL QTY]
                        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
                    ) AS stg
                    FULL JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = stg.order_key
                    WHERE (stg.in_staging IS NOT NULL
                           AND (tgt.order_key IS NULL OR tgt.is_removed = 1
                                OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                        ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END <> HASHBYTES('SHA2_256', (SELECT CAST(stg.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(stg.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(stg.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(stg.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(stg.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(stg.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(stg.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(stg.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES))))
                          OR (stg.in_staging IS NULL AND tgt.is_removed = 0)
                    UNION ALL
                    SELECT stg.order_key, stg.in_staging,
                           stg.[AAG ORDER NUMBER],
                           stg.[CUSTOMER'S NAME],
                           stg.[STYLE [CODE]]],
                           stg.[COLOUR "DESC"],
                           stg.[SEASON],
                           stg.[EX FACTORY DATE],
                           stg.[PRICE (USD)],
                           stg.[TOTAL QTY],
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key, 1 AS in_staging,
                               src.[AAG ORDER NUMBER],
                               src.[CUSTOMER'S NAME],
                               src.[STYLE [CODE]]],
                               src.[COLOUR "DESC"],
                               src.[SEASON],
                               src.[EX FACTORY DATE],
                               src.[PRICE (USD)],
                               src.[TOTAL QTY]
                        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
                    ) AS stg
                    FULL JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = stg.order_key
                    WHERE stg.order_key IN (SELECT dup.order_key FROM #stg_dups AS dup)
                      AND NOT ((stg.in_staging IS NOT NULL
                               AND (tgt.order_key IS NULL OR tgt.is_removed = 1
                                    OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                            ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END <> HASHBYTES('SHA2_256', (SELECT CAST(stg.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(stg.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(stg.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(stg.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(stg.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(stg.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(stg.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(stg.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES))))
                              OR (stg.in_staging IS NULL AND tgt.is_removed = 0))
                ) AS p
                LEFT JOIN #stg_dups AS dup ON dup.order_key = p.order_key
                LEFT JOIN [dbo].[ORDER_LIST_V2] AS gone ON gone.order_key = p.tgt_key AND p.in_staging IS NULL
            ) AS src
        ) AS k
    ) AS chg
    WHERE chg.action IS NOT NULL OR chg.reject_reason IS NOT NULL
) AS q;    

    -- 3. Bad rows: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT @RunId, 'pipeline', N'MergeHeaders', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), HOST_NAME()
    FROM #hdr_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF @DryRun = 0
BEGIN
        -- 4. Queue: a change updates the order's PENDING/FAILED row in place (CREATE+UPDATE
        --    stays CREATE, anything+ARCHIVE is ARCHIVE, ARCHIVE+back is UPDATE; FAILED is
        --    revived with attempts 0); an IN_FLIGHT row is never touched: the change gets a
        --    new PENDING row that waits behind it.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        DROP TABLE IF EXISTS #hdr_delta_locked;
        SELECT tgt.delta_id, tgt.claim_token INTO #hdr_delta_locked
        FROM #hdr_delta AS src
        INNER JOIN [dbo].[ORDER_LIST_DELTA] AS tgt WITH (UPDLOCK, HOLDLOCK, ROWLOCK) ON src.order_key = tgt.order_key AND src.reject_reason IS NULL
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
        OPTION (LOOP JOIN, FORCE ORDER);

UPDATE tgt
SET action = CASE WHEN src.action = 'ARCHIVE' THEN 'ARCHIVE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            payload = CAST(src.payload AS NVARCHAR(MAX)),
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = @RunId,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_DELTA] (order_key, action, payload, item_name, group_key, row_hash, hash_version, run_id)
        SELECT src.order_key, src.action, CAST(src.payload AS NVARCHAR(MAX)), src.item_name, src.group_key,
               src.row_hash, 2, @RunId
        FROM #hdr_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 5. An order back after its archive reached monday gets a new item: its old lines
        --    went with the archived one, so they are forgotten and MergeLines creates them.
        DELETE FROM [dbo].[ORDER_LIST_LINES]
        WHERE order_key IN (SELECT tgt.order_key
                            FROM [dbo].[ORDER_LIST_V2] AS tgt
                            INNER JOIN #hdr_delta AS src ON src.order_key = tgt.order_key
                            WHERE src.action = 'UPDATE' AND src.reject_reason IS NULL
                              AND tgt.is_removed = 1 AND tgt.monday_item_id IS NULL);

        -- 6. The current copy.
UPDATE tgt
SET [AAG ORDER NUMBER] = src.[AAG ORDER NUMBER],
            [CUSTOMER'S NAME] = src.[CUSTOMER'S NAME],
            [STYLE [CODE]]] = src.[STYLE [CODE]]],
            [COLOUR "DESC"] = src.[COLOUR "DESC"],
            [SEASON] = src.[SEASON],
            [EX FACTORY DATE] = src.[EX FACTORY DATE],
            [PRICE (USD)] = src.[PRICE (USD)],
            [TOTAL QTY] = src.[TOTAL QTY],
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            size_hash = CASE WHEN tgt.is_removed = 1 AND tgt.monday_item_id IS NULL
                             THEN NULL ELSE tgt.size_hash END,
            is_removed = 0,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND src.action = 'UPDATE' AND src.reject_reason IS NULL;
UPDATE tgt
SET is_removed = 1,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND src.action = 'ARCHIVE';
        INSERT INTO [dbo].[ORDER_LIST_V2] (order_key,
            [AAG ORDER NUMBER],
            [CUSTOMER'S NAME],
            [STYLE [CODE]]],
            [COLOUR "DESC"],
            [SEASON],
            [EX FACTORY DATE],
            [PRICE (USD)],
            [TOTAL QTY],
            item_name, group_key, row_hash, hash_version)
        SELECT src.order_key,
               src.[AAG ORDER NUMBER],
               src.[CUSTOMER'S NAME],
               src.[STYLE [CODE]]],
               src.[COLOUR "DESC"],
               src.[SEASON],
               src.[EX FACTORY DATE],
               src.[PRICE (USD)],
               src.[TOTAL QTY],
               src.item_name, src.group_key, src.row_hash, 2
        FROM #hdr_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Hashes stored under an older definition (ARCHIVE, unchanged and rejected orders):
        --    rewritten from the current copy; nothing is queued for them.
UPDATE tgt
SET row_hash = HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)),
            hash_version = 2
FROM [dbo].[ORDER_LIST_V2] AS tgt
WHERE tgt.hash_version IS NULL OR tgt.hash_version <> 2;
        -- 8. Board groups the pusher has not seen yet: key = the title compared like a key
        --    (upper-cased, trailing spaces dropped); of several spellings, the first in
        --    sort order is the title.
        INSERT INTO [dbo].[ORDER_LIST_GROUPS] (group_key, group_title)
        SELECT src.group_key, MIN(src.group_title)
        FROM #hdr_delta AS src
        WHERE src.action IN ('CREATE', 'UPDATE') AND src.reject_reason IS NULL AND src.group_key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_GROUPS] AS tgt WHERE tgt.group_key = src.group_key)
        GROUP BY src.group_key;
END;

    SELECT @RunId AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN N'item' ELSE 'reject' END AS NVARCHAR(MAX)) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS NVARCHAR(MAX)) AS action,
       CAST(COUNT(*) AS INT) AS [rows]
FROM #hdr_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN N'item' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN 0;
END;
