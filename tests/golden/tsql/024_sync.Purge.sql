-- generated from procedures/sync.Purge.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[Purge]
    @SyncedOlderThanDays INT = 30,
    @RunLogOlderThanDays INT = 90,
    @DryRun BIT = 0,
    @BatchSize INT = 4000,
    @MaxBatches INT = NULL
AS
-- Delete SYNCED deltas and run-log rows older than the given days (DryRun counts only).
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @SyncedBefore DATETIME2(3);
    DECLARE @LoggedBefore DATETIME2(3);
    DECLARE @ItemDeleted INT = 0;
    DECLARE @SubitemDeleted INT = 0;
    DECLARE @RunLogDeleted INT = 0;
    DECLARE @Batch INT = 0;
    DECLARE @Batches INT = 0;
    DECLARE @OwnBatches BIT;
    IF @SyncedOlderThanDays IS NULL OR @SyncedOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @SyncedOlderThanDays must be 0 or more days');
END;
    IF @RunLogOlderThanDays IS NULL OR @RunLogOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @RunLogOlderThanDays must be 0 or more days');
END;
    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 100000
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @BatchSize must be 1 to 100000 rows');
END;
    IF @MaxBatches < 1
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @MaxBatches must be at least 1 (NULL: no limit)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'Purge: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();

    SET @SyncedBefore = DATEADD(DAY, -@SyncedOlderThanDays, @Now);
    SET @LoggedBefore = DATEADD(DAY, -@RunLogOlderThanDays, @Now);

IF @DryRun = 1
BEGIN
        SET @ItemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_DELTA]
            WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @ItemDeleted = @ItemDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;
IF @DryRun = 1
BEGIN
        SET @SubitemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_LINES_DELTA]
            WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @SubitemDeleted = @SubitemDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;
IF @DryRun = 1
BEGIN
        SET @RunLogDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_RUN_LOG] WHERE start_time < @LoggedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_RUN_LOG]
            WHERE start_time < @LoggedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @RunLogDeleted = @RunLogDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES (N'pusher', N'Purge', @DryRun, @Now, SYSUTCDATETIME(), @ItemDeleted + @SubitemDeleted + @RunLogDeleted, 'SUCCEEDED', HOST_NAME());

    SELECT CAST(N'ORDER_LIST_DELTA' AS NVARCHAR(128)) AS [object], @ItemDeleted AS deleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_LINES_DELTA' AS NVARCHAR(128)), @SubitemDeleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_RUN_LOG' AS NVARCHAR(128)), @RunLogDeleted;
    RETURN 0;
END;
