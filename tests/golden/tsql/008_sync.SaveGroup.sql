-- generated from procedures/sync.SaveGroup.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[SaveGroup]
    @GroupKey NVARCHAR(400),
    @MondayGroupId NVARCHAR(100)
AS
-- Store the monday group id for one board group.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Now DATETIME2(3);
    SET @Now = SYSUTCDATETIME();

    UPDATE [dbo].[ORDER_LIST_GROUPS]
    SET monday_group_id = @MondayGroupId,
        updated_at = @Now
    WHERE group_key = @GroupKey;

IF @@ROWCOUNT = 0
BEGIN
        SET @ThrowMessage = CONCAT(N'SaveGroup: no group with key ', @GroupKey, N'; run the pipeline first');
THROW 50001, @ThrowMessage, 1;
END;

    RETURN 0;
END;
