-- generated from procedures/sync.EndRunLog.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[EndRunLog]
    @RunLogId BIGINT,
    @Outcome NVARCHAR(20),
    @RowsAffected INT = NULL,
    @Counts NVARCHAR(MAX) = NULL,
    @ErrorMessage NVARCHAR(4000) = NULL
AS
-- Close a run-log row with its outcome.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    IF @Outcome IS NULL OR @Outcome NOT IN ('SUCCEEDED', 'FAILED', 'REFUSED')
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Outcome must be SUCCEEDED, FAILED or REFUSED');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'EndRunLog: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();

    UPDATE [dbo].[ORDER_LIST_RUN_LOG]
    SET end_time = @Now,
        outcome = @Outcome,
        rows_affected = @RowsAffected,
        counts = @Counts,
        error_message = @ErrorMessage
    WHERE run_log_id = @RunLogId;

IF @@ROWCOUNT = 0
BEGIN
        SET @ThrowMessage = CONCAT(N'EndRunLog: no run-log row with id ', @RunLogId, N'; pass the id StartRunLog returned');
THROW 50001, @ThrowMessage, 1;
END;

    RETURN 0;
END;
