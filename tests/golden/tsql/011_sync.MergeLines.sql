-- generated from procedures/sync.MergeLines.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MergeLines]
    @RunId BIGINT,
    @DryRun BIT = 0
AS
-- Unpivot the sizes of changed orders; queue line creates, updates and deletes for monday.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Now DATETIME2(3);
    SET @Now = SYSUTCDATETIME();

    -- 1. Orders whose size fingerprint changed (or that are new), leaving out orders whose
    --    header MergeHeaders rejected in this run.
DROP TABLE IF EXISTS #ln_orders;
SELECT q.* INTO #ln_orders FROM (
    SELECT k.order_key, CAST(k.size_hash AS VARBINARY(32)) AS size_hash
    FROM (
        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key,
               HASHBYTES('SHA2_256', (SELECT src.[S] AS [s1], src.[M] AS [s2], src.[L] AS [s3], src.[ONE SIZE] AS [s4], src.[O/S] AS [s5] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS size_hash
        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
    ) AS k
    LEFT JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = k.order_key
    WHERE k.order_key IS NOT NULL
      AND (tgt.size_hash IS NULL OR tgt.size_hash <> k.size_hash)
      AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_RUN_LOG] AS r
                      WHERE r.run_id = @RunId AND r.step = 'MergeHeaders'
                        AND r.outcome = 'REJECTED' AND r.order_key = k.order_key)
) AS q;    

    -- 2. Their lines: one per canonical size, aliased columns summed; a negative cell
    --    marks its line bad (bad_column / bad_qty name it).
DROP TABLE IF EXISTS #ln_src;
CREATE TABLE #ln_src (
        order_key   NVARCHAR(400) COLLATE DATABASE_DEFAULT NOT NULL,
        size        NVARCHAR(100) COLLATE DATABASE_DEFAULT NOT NULL,
        qty         INT NULL,
        bad_column  NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL,
        bad_qty     INT NULL
);
    INSERT INTO #ln_src (order_key, size, qty, bad_column, bad_qty)
    SELECT o.order_key, v.size, SUM(v.qty),
           MIN(CASE WHEN v.qty < 0 THEN v.size_column END),
           MIN(CASE WHEN v.qty < 0 THEN v.qty END)
    FROM [dbo].[swp_ORDER'S [LIST]]] AS src
    INNER JOIN #ln_orders AS o ON o.order_key = CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400))
    CROSS APPLY (VALUES
        (N'S', N'S', src.[S]),
        (N'M', N'M', src.[M]),
        (N'L', N'L', src.[L]),
        (N'ONE SIZE', N'ONE SIZE', src.[ONE SIZE]),
        (N'ONE SIZE', N'O/S', src.[O/S])
    ) AS v (size, size_column, qty)
    WHERE v.qty <> 0
    GROUP BY o.order_key, v.size;
    

    -- 3. The line delta, computed once: CREATE (new size), UPDATE (quantity changed, or a
    --    size back while its DELETE waits), DELETE (size gone), or rejected.
DROP TABLE IF EXISTS #ln_delta;
CREATE TABLE #ln_delta (
        order_key       NVARCHAR(400) COLLATE DATABASE_DEFAULT NOT NULL,
        size            NVARCHAR(100) COLLATE DATABASE_DEFAULT NOT NULL,
        action          NVARCHAR(10) COLLATE DATABASE_DEFAULT NOT NULL,
        qty             INT NULL,
        reject_reason   NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL
);
    INSERT INTO #ln_delta (order_key, size, action, qty, reject_reason)
    SELECT COALESCE(src.order_key, tgt.order_key),
           COALESCE(src.size, tgt.size),
           CASE WHEN tgt.order_key IS NULL THEN 'CREATE'
                WHEN src.order_key IS NULL THEN 'DELETE'
                ELSE 'UPDATE' END,
           src.qty,
           CASE WHEN src.bad_qty < 0 THEN CONCAT('size column "', src.bad_column, '" = ', src.bad_qty,
                ' is negative: line ', src.size, ' is rejected, the other lines go through') END
    FROM #ln_src AS src
    FULL OUTER JOIN (
        SELECT l.order_key, l.size, l.qty
        FROM [dbo].[ORDER_LIST_LINES] AS l
        INNER JOIN #ln_orders AS o ON o.order_key = l.order_key
    ) AS tgt ON tgt.order_key = src.order_key AND tgt.size = src.size
    WHERE (src.order_key IS NULL AND tgt.qty <> 0)
       OR tgt.order_key IS NULL
       OR src.qty <> tgt.qty
       OR src.bad_qty < 0;
    

    -- 4. Bad lines: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT @RunId, 'pipeline', N'MergeLines', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), HOST_NAME()
    FROM #ln_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF @DryRun = 0
BEGIN
        -- 5. Queue: coalesce into the line's PENDING/FAILED row (CREATE+UPDATE stays CREATE,
        --    anything+DELETE is DELETE, DELETE+back is UPDATE); never touch an IN_FLIGHT row.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        
        DROP TABLE IF EXISTS #ln_delta_locked;
        SELECT tgt.line_delta_id, tgt.claim_token INTO #ln_delta_locked
        FROM #ln_delta AS src
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS tgt WITH (UPDLOCK, HOLDLOCK, ROWLOCK) ON src.order_key = tgt.order_key AND src.size = tgt.size AND src.reject_reason IS NULL
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
        OPTION (LOOP JOIN, FORCE ORDER);

UPDATE tgt
SET action = CASE WHEN src.action = 'DELETE' THEN 'DELETE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            qty = src.qty,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = @RunId,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN #ln_delta AS src ON tgt.order_key = src.order_key AND tgt.size = src.size AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_LINES_DELTA] (order_key, size, action, qty, run_id)
        SELECT src.order_key, src.size, src.action, src.qty, @RunId
        FROM #ln_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.size = src.size
                            AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 6. The current lines (a deleted size keeps qty 0 until its DELETE is synced).
UPDATE tgt
SET qty = COALESCE(src.qty, 0),
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_LINES] AS tgt
INNER JOIN #ln_delta AS src ON tgt.order_key = src.order_key AND tgt.size = src.size AND src.action IN ('UPDATE', 'DELETE') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_LINES] (order_key, size, qty)
        SELECT src.order_key, src.size, src.qty
        FROM #ln_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Remember the fingerprints, so the next run skips these orders unless they change;
        --    not for an order with a rejected line, which the next run must see (and report) again.
UPDATE tgt
SET size_hash = src.size_hash
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #ln_orders AS src ON tgt.order_key = src.order_key AND NOT EXISTS (SELECT 1 FROM #ln_delta AS bad WHERE bad.order_key = src.order_key AND bad.reject_reason IS NOT NULL);
END;

    SELECT @RunId AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN N'subitem' ELSE 'reject' END AS NVARCHAR(MAX)) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS NVARCHAR(MAX)) AS action,
       CAST(COUNT(*) AS INT) AS [rows]
FROM #ln_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN N'subitem' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN 0;
END;
