-- generated from procedures/sync.Mark{Entity}Synced.sql.j2 (subitem) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MarkSubitemsSynced]
    @ClaimToken UNIQUEIDENTIFIER,
    @Results NVARCHAR(MAX),
    @RunId BIGINT = NULL
AS
-- Mark claimed subitem rows SYNCED with their monday ids; Results = [{"delta_id": 1, "monday_id": "123"}].
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @Given INT;
    DECLARE @Synced TABLE (id BIGINT NOT NULL PRIMARY KEY);
    SET DEADLOCK_PRIORITY LOW;  -- the pipeline wins a deadlock; the pusher retries this call
    IF @ClaimToken IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @ClaimToken is required');
END;
    IF @Results IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Results is required (a JSON array)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'MarkSubitemsSynced: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION MarkSubitemsSynced;

    SET @Given = (SELECT COUNT(*) FROM (SELECT * FROM OPENJSON(@Results) WITH (
    delta_id BIGINT '$.delta_id',
    monday_id BIGINT '$.monday_id'
) AS j) AS given);
UPDATE tgt
SET sync_state = 'SYNCED',
        monday_subitem_id = COALESCE(src.monday_id, tgt.monday_subitem_id),
        lease_expires_at = NULL,
        synced_at = @Now,
        updated_at = @Now
OUTPUT inserted.line_delta_id INTO @Synced (id)
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM OPENJSON(@Results) WITH (
    delta_id BIGINT '$.delta_id',
    monday_id BIGINT '$.monday_id'
) AS j) AS src ON src.delta_id = tgt.line_delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
UPDATE tgt
SET monday_subitem_id = CASE WHEN src.action = 'DELETE' THEN NULL ELSE COALESCE(src.monday_subitem_id, tgt.monday_subitem_id) END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_LINES] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_LINES_DELTA] AS done WHERE done.line_delta_id IN (SELECT id FROM @Synced)) AS src ON src.order_key = tgt.order_key AND src.size = tgt.size;
    DELETE FROM [dbo].[ORDER_LIST_LINES]
    WHERE EXISTS (
        SELECT 1 FROM (SELECT * FROM [dbo].[ORDER_LIST_LINES_DELTA] AS done WHERE done.line_delta_id IN (SELECT id FROM @Synced)) AS src
        WHERE src.action = 'DELETE'
          AND src.order_key = [ORDER_LIST_LINES].order_key
          AND src.size = [ORDER_LIST_LINES].size
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS newer
                     WHERE newer.order_key = src.order_key AND newer.size = src.size AND newer.line_delta_id > src.line_delta_id)
    );

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (@RunId, N'queue', N'MarkSubitemsSynced', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Synced), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"not_held": ', @Given - (SELECT COUNT(*) FROM @Synced), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION MarkSubitemsSynced;
    THROW;
END CATCH;
    SELECT CAST((SELECT COUNT(*) FROM @Synced) AS INT) AS updated;
    RETURN 0;
END;
