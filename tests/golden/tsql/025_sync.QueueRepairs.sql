-- generated from procedures/sync.QueueRepairs.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[QueueRepairs]
    @Orders NVARCHAR(MAX),
    @Lines NVARCHAR(MAX),
    @DryRun BIT = 0
AS
-- Make the next pipeline run queue the given orders (UPDATE) and lines (CREATE) again.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @OrdersMarked INT = 0;
    DECLARE @LinesMarked INT = 0;
    IF @Orders IS NULL OR @Lines IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Orders and @Lines are required (JSON arrays, possibly empty)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'QueueRepairs: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();

DECLARE @OwnTransaction BIT = 0;
BEGIN TRY
    IF @@TRANCOUNT = 0
    BEGIN
        BEGIN TRANSACTION;
        SET @OwnTransaction = 1;
    END
    ELSE
        SAVE TRANSACTION QueueRepairs;

    SET @OrdersMarked = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_V2] AS o WHERE o.is_removed = 0 AND o.order_key IN (SELECT w.order_key FROM (SELECT * FROM OPENJSON(@Orders) WITH (
    order_key NVARCHAR(400) '$.order_key'
) AS j) AS w));
    SET @LinesMarked = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES] AS l WHERE EXISTS (SELECT 1 FROM (SELECT * FROM OPENJSON(@Lines) WITH (
    order_key NVARCHAR(400) '$.order_key',
    size NVARCHAR(50) '$.size'
) AS j) AS w WHERE w.order_key = l.order_key AND w.size = l.size));

        -- A hash over the key alone never equals the row's hash over its mapped columns.
        UPDATE [dbo].[ORDER_LIST_V2]
        SET row_hash = HASHBYTES('SHA2_256', (SELECT CAST([ORDER_LIST_V2].[order_key] AS NVARCHAR(MAX)) AS [h1] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)),
            hash_version = 2,  -- compared as it stands, not recomputed as an older definition's
            updated_at = @Now
        WHERE @DryRun = 0
          AND is_removed = 0
          AND order_key IN (SELECT w.order_key FROM (SELECT * FROM OPENJSON(@Orders) WITH (
    order_key NVARCHAR(400) '$.order_key'
) AS j) AS w);

        DELETE FROM [dbo].[ORDER_LIST_LINES]
        WHERE @DryRun = 0
          AND EXISTS (SELECT 1 FROM (SELECT * FROM OPENJSON(@Lines) WITH (
    order_key NVARCHAR(400) '$.order_key',
    size NVARCHAR(50) '$.size'
) AS j) AS w
                      WHERE w.order_key = [ORDER_LIST_LINES].order_key AND w.size = [ORDER_LIST_LINES].size);

        UPDATE [dbo].[ORDER_LIST_V2]
        SET size_hash = NULL,
            updated_at = @Now
        WHERE @DryRun = 0
          AND order_key IN (SELECT w.order_key FROM (SELECT * FROM OPENJSON(@Lines) WITH (
    order_key NVARCHAR(400) '$.order_key',
    size NVARCHAR(50) '$.size'
) AS j) AS w);

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES (N'pusher', N'QueueRepairs', @DryRun, @Now, SYSUTCDATETIME(), @OrdersMarked + @LinesMarked, 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION QueueRepairs;
    THROW;
END CATCH;
    SELECT @OrdersMarked AS orders, @LinesMarked AS lines;
    RETURN 0;
END;
