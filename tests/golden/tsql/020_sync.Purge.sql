-- generated from procedures/sync.Purge.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR ALTER PROCEDURE [sync].[Purge]
    @SyncedOlderThanDays INT = 30,
    @RunLogOlderThanDays INT = 90,
    @DryRun BIT = 0
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
    IF @SyncedOlderThanDays IS NULL OR @SyncedOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @SyncedOlderThanDays must be 0 or more days');
END;
    IF @RunLogOlderThanDays IS NULL OR @RunLogOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @RunLogOlderThanDays must be 0 or more days');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'Purge: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();
    SET @SyncedBefore = DATEADD(DAY, -@SyncedOlderThanDays, @Now);
    SET @LoggedBefore = DATEADD(DAY, -@RunLogOlderThanDays, @Now);

DECLARE @OwnTransaction BIT = 0;
BEGIN TRY
    IF @@TRANCOUNT = 0
    BEGIN
        BEGIN TRANSACTION;
        SET @OwnTransaction = 1;
    END
    ELSE
        SAVE TRANSACTION Purge;

        SET @ItemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
        DELETE FROM [dbo].[ORDER_LIST_DELTA]
        WHERE @DryRun = 0
          AND sync_state = 'SYNCED'
          AND synced_at < @SyncedBefore;
        SET @SubitemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
        DELETE FROM [dbo].[ORDER_LIST_LINES_DELTA]
        WHERE @DryRun = 0
          AND sync_state = 'SYNCED'
          AND synced_at < @SyncedBefore;
        SET @RunLogDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_RUN_LOG] WHERE start_time < @LoggedBefore);
        DELETE FROM [dbo].[ORDER_LIST_RUN_LOG]
        WHERE @DryRun = 0
          AND start_time < @LoggedBefore;
INSERT INTO [dbo].[ORDER_LIST_RUN_LOG]
        (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES ('pusher', N'Purge', @DryRun, @Now, SYSUTCDATETIME(), @ItemDeleted + @SubitemDeleted + @RunLogDeleted,
            'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION Purge;
    THROW;
END CATCH;
    SELECT CAST(N'ORDER_LIST_DELTA' AS NVARCHAR(128)) AS [object], @ItemDeleted AS deleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_LINES_DELTA' AS NVARCHAR(128)), @SubitemDeleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_RUN_LOG' AS NVARCHAR(128)), @RunLogDeleted;
    RETURN 0;
END;
