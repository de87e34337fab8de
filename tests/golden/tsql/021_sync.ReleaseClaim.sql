-- generated from procedures/sync.ReleaseClaim.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[ReleaseClaim]
    @ClaimToken UNIQUEIDENTIFIER,
    @RunId BIGINT = NULL
AS
-- Return the rows IN_FLIGHT under ClaimToken to PENDING, attempt given back.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @ItemReleased TABLE (id BIGINT NOT NULL PRIMARY KEY);
    DECLARE @SubitemReleased TABLE (id BIGINT NOT NULL PRIMARY KEY);
    SET DEADLOCK_PRIORITY LOW;  -- the pipeline wins a deadlock; the pusher retries this call
    IF @ClaimToken IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @ClaimToken is required');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'ReleaseClaim: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION ReleaseClaim;

UPDATE tgt
SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
        updated_at = @Now
OUTPUT inserted.delta_id INTO @ItemReleased (id)
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'ARCHIVE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = src.attempts,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_item_id = COALESCE(tgt.monday_item_id, src.monday_item_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS finished WHERE finished.delta_id IN (SELECT id FROM @ItemReleased)) AS src ON src.order_key = tgt.order_key AND tgt.delta_id > src.delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_DELTA]
    WHERE delta_id IN (
        SELECT finished.delta_id
        FROM [dbo].[ORDER_LIST_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.delta_id > finished.delta_id
        WHERE finished.delta_id IN (SELECT id FROM @ItemReleased)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_DELTA]
    SET sync_state = 'PENDING',
        lease_expires_at = NULL
    WHERE delta_id IN (SELECT id FROM @ItemReleased);

UPDATE tgt
SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END,
        updated_at = @Now
OUTPUT inserted.line_delta_id INTO @SubitemReleased (id)
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = src.attempts,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished WHERE finished.line_delta_id IN (SELECT id FROM @SubitemReleased)) AS src ON src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_LINES_DELTA]
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id IN (SELECT id FROM @SubitemReleased)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_LINES_DELTA]
    SET sync_state = 'PENDING',
        lease_expires_at = NULL
    WHERE line_delta_id IN (SELECT id FROM @SubitemReleased);

IF (SELECT COUNT(*) FROM @ItemReleased) + (SELECT COUNT(*) FROM @SubitemReleased) > 0
BEGIN
        INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
        VALUES (@RunId, N'queue', N'ReleaseClaim', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @ItemReleased) + (SELECT COUNT(*) FROM @SubitemReleased), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '"', '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());
END;

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION ReleaseClaim;
    THROW;
END CATCH;
    SELECT CAST((SELECT COUNT(*) FROM @ItemReleased) + (SELECT COUNT(*) FROM @SubitemReleased) AS INT) AS released;
    RETURN 0;
END;
