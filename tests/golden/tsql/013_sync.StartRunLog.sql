-- generated from procedures/sync.StartRunLog.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[StartRunLog]
    @Component NVARCHAR(20),
    @Step NVARCHAR(128),
    @DryRun BIT = 0
AS
-- Open a run-log row (STARTED) and return its run_log_id.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @RunLogId BIGINT;
    IF @Component IS NULL OR @Component NOT IN ('pipeline', 'pusher')
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Component must be ''pipeline'' or ''pusher''');
END;
    IF @Step IS NULL OR @Step = ''
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Step is required');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'StartRunLog: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, outcome, host_name)
    VALUES (@Component, @Step, COALESCE(@DryRun, 0), @Now, 'STARTED', HOST_NAME());
    SET @RunLogId = SCOPE_IDENTITY();
    UPDATE [dbo].[ORDER_LIST_RUN_LOG]
    SET run_id = run_log_id
    WHERE run_log_id = @RunLogId;

    SELECT @RunLogId AS run_log_id;
    RETURN 0;
END;
