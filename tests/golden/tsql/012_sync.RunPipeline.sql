-- generated from procedures/sync.RunPipeline.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[RunPipeline]
    @DryRun BIT = 0,
    @AllowMassArchive BIT = 0,
    @MaxArchiveShare NUMERIC(9, 4) = 0.05,
    @MaxArchiveCount BIGINT = 100,
    @ConfigFingerprint NVARCHAR(64) = NULL
AS
-- Run the pipeline once: drift check, single-flight lock, mass-change guard, MergeHeaders + MergeLines, run log.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @RunId BIGINT;
    DECLARE @UnchangedRows BIGINT;
    DECLARE @LockResult INT;
    DECLARE @TranCount INT;
    DECLARE @Drift NVARCHAR(MAX);
    DECLARE @Counts NVARCHAR(MAX);
    DECLARE @FailMessage NVARCHAR(4000);
    DECLARE @FailNumber INT;
    DECLARE @FailHint NVARCHAR(MAX);
    DECLARE @LiveOrders BIGINT = 0;
    DECLARE @LiveLines BIGINT = 0;
    DECLARE @Archives BIGINT = 0;
    DECLARE @Deletes BIGINT = 0;
    -- 1. The run's log row; its id is the run id every row of this run carries.
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, outcome, host_name)
    VALUES ('pipeline', 'RunPipeline', @DryRun, SYSUTCDATETIME(), 'STARTED', HOST_NAME());
    SET @RunId = SCOPE_IDENTITY();
    UPDATE [dbo].[ORDER_LIST_RUN_LOG]
    SET run_id = run_log_id
    WHERE run_log_id = @RunId;

DROP TABLE IF EXISTS #run_drift;
CREATE TABLE #run_drift (
        change          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        column_name     NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL
);
DROP TABLE IF EXISTS #run_counts;
CREATE TABLE #run_counts (
        run_id          BIGINT NOT NULL,
        entity          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        action          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        [rows]  INT NOT NULL
);

    SET @TranCount = @@TRANCOUNT;
    BEGIN TRY
        IF @TranCount = 0 BEGIN TRANSACTION;
        ELSE SAVE TRANSACTION RunPipeline;
        -- 2. Refuse a caller whose config differs from the one these procedures were rendered
        --    from (sync.DeployedConfig lists those settings), and a staging table they were not
        --    rendered for.
IF @ConfigFingerprint IS NOT NULL AND @ConfigFingerprint <> N'875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca'
BEGIN
            SET @ThrowMessage = CONCAT(N'RunPipeline refused (config changed since deploy): the caller''s config fingerprint ', @ConfigFingerprint, N' differs from 875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca, the one these procedures were rendered from; sync.DeployedConfig lists their settings. Fix: run `ordersync deploy` (SQL Server: `ordersync render`, then install.sql), or put the config back.');
            THROW 50005, @ThrowMessage, 1;
END;
        INSERT INTO #run_drift
        EXEC [sync].[CheckDrift];
        SET @Drift = CONCAT_WS('; ', (SELECT CONCAT(src.change, ' ', STRING_AGG(CAST(CONCAT('"', src.column_name, '"') AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.column_name, '"')))
         FROM #run_drift AS src WHERE src.change = 'added' GROUP BY src.change), (SELECT CONCAT(src.change, ' ', STRING_AGG(CAST(CONCAT('"', src.column_name, '"') AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.column_name, '"')))
         FROM #run_drift AS src WHERE src.change = 'removed' GROUP BY src.change));
IF @Drift <> ''
BEGIN
            SET @ThrowMessage = CONCAT(N'RunPipeline refused: staging table dbo.swp_ORDER''S [LIST] differs from the columns the procedures were rendered for: ', @Drift, N'. Fix: run `ordersync render` and `ordersync deploy` (deploy renders from the live table), then run the pipeline again.');
            THROW 50002, @ThrowMessage, 1;
END;

        -- 3. Single flight: one pipeline at a time; a second one is refused, not queued.
        EXEC @LockResult = sp_getapplock @Resource = N'sync.RunPipeline', @LockMode = 'Exclusive',
            @LockOwner = 'Transaction', @LockTimeout = 0;
IF @LockResult < 0
BEGIN
            SET @ThrowMessage = N'RunPipeline refused: another pipeline run holds the lock sync.RunPipeline; run again when it has finished.';
            THROW 50003, @ThrowMessage, 1;
END;

        
        -- 4. Staging that holds exactly the current copy (as many rows, with the same row and
        --    size hashes as the live orders) changes nothing: its row count, or -1.
DROP TABLE IF EXISTS #run_snapshot;
SELECT q.* INTO #run_snapshot FROM (
        SELECT CASE WHEN stg.n = cur.n AND stg.total = cur.total THEN stg.n ELSE -1 END AS unchanged_rows
        FROM (SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CAST(SUBSTRING(HASHBYTES('SHA2_256', ISNULL(0x01 + CAST(k.row_hash AS VARBINARY(MAX)), 0x00) + ISNULL(0x01 + CAST(k.size_hash AS VARBINARY(MAX)), 0x00)), 1, 8) AS BIGINT) AS DECIMAL(38, 0))), 0) AS total
              FROM (SELECT HASHBYTES('SHA2_256', (SELECT CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(src.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(src.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(src.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(src.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(src.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(src.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(src.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS row_hash,
                           HASHBYTES('SHA2_256', (SELECT src.[S] AS [s1], src.[M] AS [s2], src.[L] AS [s3], src.[ONE SIZE] AS [s4], src.[O/S] AS [s5] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS size_hash
                    FROM [dbo].[swp_ORDER'S [LIST]]] AS src) AS k) AS stg
        CROSS JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CAST(SUBSTRING(HASHBYTES('SHA2_256', ISNULL(0x01 + CAST(tgt.row_hash AS VARBINARY(MAX)), 0x00) + ISNULL(0x01 + CAST(tgt.size_hash AS VARBINARY(MAX)), 0x00)), 1, 8) AS BIGINT) AS DECIMAL(38, 0))), 0) AS total
                    FROM [dbo].[ORDER_LIST_V2] AS tgt
                    WHERE tgt.is_removed = 0) AS cur
) AS q;        SET @UnchangedRows = (SELECT src.unchanged_rows FROM #run_snapshot AS src);
IF @UnchangedRows >= 0
BEGIN
            INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
            VALUES (@RunId, 'pipeline', 'SnapshotUnchanged', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), @UnchangedRows, 'SUCCEEDED', HOST_NAME());
END;
        -- 5. Mass-change guard, first half: empty staging while live orders exist would
        --    archive the board. The live counts are the guard's denominators.
IF @UnchangedRows < 0 AND @AllowMassArchive = 0
BEGIN
            SET @LiveOrders = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_V2] AS tgt WHERE tgt.is_removed = 0);
            SET @LiveLines = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES] AS tgt WHERE tgt.qty <> 0);
IF @LiveOrders > 0 AND NOT EXISTS (SELECT 1 FROM [dbo].[swp_ORDER'S [LIST]]])
BEGIN
                SET @ThrowMessage = CONCAT(N'RunPipeline refused (mass change guard): staging table dbo.swp_ORDER''S [LIST] is empty: this run would archive all ', @LiveOrders, N' live orders. Nothing was merged or queued. Check the upstream load. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with @AllowMassArchive = 1.');
                THROW 50004, @ThrowMessage, 1;
END;
END;
        -- 6. Otherwise both merges, one transaction.
IF @UnchangedRows < 0
BEGIN
            INSERT INTO #run_counts
            EXEC [sync].[MergeHeaders] @RunId = @RunId, @DryRun = @DryRun;
            INSERT INTO #run_counts
            EXEC [sync].[MergeLines] @RunId = @RunId, @DryRun = @DryRun;
END;
        -- 7. Mass-change guard, second half: the archives and size-line deletes the merges
        --    queued (or would queue, dry run). Refused when either exceeds both thresholds;
        --    the refusal rolls the merges back.
IF @UnchangedRows < 0 AND @AllowMassArchive = 0
BEGIN
            SET @Archives = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity = 'item' AND src.action = 'ARCHIVE');
            SET @Deletes = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity = 'subitem' AND src.action = 'DELETE');
IF (@Archives > @MaxArchiveCount AND @Archives > @MaxArchiveShare * @LiveOrders) OR (@Deletes > @MaxArchiveCount AND @Deletes > @MaxArchiveShare * @LiveLines)
BEGIN
                SET @ThrowMessage = CONCAT(N'RunPipeline refused (mass change guard): this run would archive ', @Archives, N' of ', @LiveOrders, N' live orders and delete ', @Deletes, N' of ', @LiveLines, N' size lines; the limit for each is ', @MaxArchiveCount, N' rows or ', CAST(100 * @MaxArchiveShare AS NUMERIC(9, 2)), N' %, whichever is larger (staging.max_archive_count, staging.max_archive_share). Nothing was merged or queued: check the upstream load of dbo.swp_ORDER''S [LIST]. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with @AllowMassArchive = 1.');
                THROW 50004, @ThrowMessage, 1;
END;
END;
        -- 8. Log the end with the counts, e.g. {"item": {"CREATE": 3}, "subitem": {"CREATE": 12}}.
        SET @Counts = (SELECT CONCAT('{', STRING_AGG(CAST(e.obj AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY e.obj), '}')
         FROM (SELECT CONCAT('"', src.entity, '": {', STRING_AGG(CAST(CONCAT('"', src.action, '": ', src.[rows]) AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.action, '": ', src.[rows])), '}') AS obj
               FROM #run_counts AS src
               GROUP BY src.entity) AS e);
        UPDATE [dbo].[ORDER_LIST_RUN_LOG]
        SET end_time = SYSUTCDATETIME(),
            outcome = 'SUCCEEDED',
            rows_affected = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity <> 'reject'),
            counts = CAST(@Counts AS NVARCHAR(MAX))
        WHERE run_log_id = @RunId;
        IF @TranCount = 0 COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF XACT_STATE() = -1 OR (XACT_STATE() = 1 AND @TranCount = 0) ROLLBACK TRANSACTION;
        ELSE IF XACT_STATE() = 1 ROLLBACK TRANSACTION RunPipeline;
        SET @FailMessage = ERROR_MESSAGE();
        SET @FailNumber = ERROR_NUMBER();
        -- The failure, logged after the rollback (REFUSED for drift or a busy lock).
        UPDATE [dbo].[ORDER_LIST_RUN_LOG]
        SET end_time = SYSUTCDATETIME(),
            outcome = CASE WHEN @FailNumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END,
            error_number = @FailNumber,
            error_message = @FailMessage
        WHERE run_log_id = @RunId;
IF @@ROWCOUNT = 0
BEGIN
            -- The start row went with a caller's rolled-back transaction: log the run again.
            INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, error_number, error_message, host_name)
            VALUES (@RunId, 'pipeline', 'RunPipeline', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), CASE WHEN @FailNumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END, @FailNumber, @FailMessage, HOST_NAME());
END;
        THROW;
    END CATCH;

    -- 9. The counts by entity and action (zero rows omitted).
    SELECT @RunId AS run_id, src.entity, src.action,
           CAST(SUM(src.[rows]) AS INT) AS [rows]
    FROM #run_counts AS src
    GROUP BY src.entity, src.action
    ORDER BY src.entity, src.action;
    RETURN 0;
END;
