-- generated from procedures/sync.RequeueFailed.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[RequeueFailed]
    @Entity NVARCHAR(10) = NULL,
    @Customer NVARCHAR(255) = NULL,
    @DeltaId BIGINT = NULL,
    @DryRun BIT = 0
AS
-- Move FAILED rows back to PENDING with attempts = 0 (filters optional; DryRun counts only).
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @ItemRequeued INT = 0;
    DECLARE @SubitemRequeued INT = 0;
    IF @Entity NOT IN (N'item', N'subitem')
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Entity must be N''item'', N''subitem'' or NULL (both)');
END;
    IF @DeltaId IS NOT NULL AND @Entity IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @DeltaId needs @Entity: item and subitem rows are numbered apart');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'RequeueFailed: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION RequeueFailed;

IF @Entity IS NULL OR @Entity = 'item'
BEGIN
        SET @ItemRequeued = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_DELTA] WHERE sync_state = 'FAILED'
          AND (@DeltaId IS NULL OR delta_id = @DeltaId)
          AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = [ORDER_LIST_DELTA].order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    )));
        UPDATE [dbo].[ORDER_LIST_DELTA]
        SET sync_state = 'PENDING',
            attempts = 0,
            claim_token = NULL,
            lease_expires_at = NULL,
            updated_at = @Now
        WHERE @DryRun = 0
          AND sync_state = 'FAILED'
          AND (@DeltaId IS NULL OR delta_id = @DeltaId)
          AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = [ORDER_LIST_DELTA].order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    ));
END;
IF @Entity IS NULL OR @Entity = 'subitem'
BEGIN
        SET @SubitemRequeued = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES_DELTA] WHERE sync_state = 'FAILED'
          AND (@DeltaId IS NULL OR line_delta_id = @DeltaId)
          AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = [ORDER_LIST_LINES_DELTA].order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    )));
        UPDATE [dbo].[ORDER_LIST_LINES_DELTA]
        SET sync_state = 'PENDING',
            attempts = 0,
            claim_token = NULL,
            lease_expires_at = NULL,
            updated_at = @Now
        WHERE @DryRun = 0
          AND sync_state = 'FAILED'
          AND (@DeltaId IS NULL OR line_delta_id = @DeltaId)
          AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = [ORDER_LIST_LINES_DELTA].order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    ));
END;

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES (N'pusher', N'RequeueFailed', @DryRun, @Now, SYSUTCDATETIME(), @ItemRequeued + @SubitemRequeued, 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION RequeueFailed;
    THROW;
END CATCH;
    SELECT CAST(N'item' AS NVARCHAR(10)) AS entity, @ItemRequeued AS requeued
    WHERE @Entity IS NULL OR @Entity = N'item'
    UNION ALL
SELECT CAST(N'subitem' AS NVARCHAR(10)) AS entity, @SubitemRequeued AS requeued
    WHERE @Entity IS NULL OR @Entity = N'subitem'
    ;
    RETURN 0;
END;
