-- generated from procedures/sync.Mark{Entity}Failed.sql.j2 (item) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MarkItemsFailed]
    @ClaimToken UNIQUEIDENTIFIER,
    @Failures NVARCHAR(MAX),
    @MaxAttempts INT = 5,
    @RunId BIGINT = NULL
AS
-- Mark claimed item rows failed; Failures = [{"delta_id": 1, "code": "...", "message": "...", "retryable": false}].
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @Failed TABLE (id BIGINT NOT NULL PRIMARY KEY);
    DECLARE @Retry TABLE (id BIGINT NOT NULL PRIMARY KEY);
    SET DEADLOCK_PRIORITY LOW;  -- the pipeline wins a deadlock; the pusher retries this call
    IF @ClaimToken IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @ClaimToken is required');
END;
    IF @Failures IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @Failures is required (a JSON array)');
END;
    IF @MaxAttempts IS NULL OR @MaxAttempts NOT BETWEEN 1 AND 100
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @MaxAttempts must be 1 to 100 (default: the configured 5)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'MarkItemsFailed: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION MarkItemsFailed;

    -- Keep the error on each row (this also locks them for the rest of the call).
UPDATE tgt
SET last_error_code = COALESCE(src.code, 'UNKNOWN'),
        last_error = LEFT(src.message, 2000),
        updated_at = @Now
OUTPUT inserted.delta_id INTO @Failed (id)
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN (SELECT * FROM OPENJSON(@Failures) WITH (
    delta_id BIGINT '$.delta_id',
    code NVARCHAR(100) '$.code',
    message NVARCHAR(MAX) '$.message',
    retryable BIT '$.retryable'
) AS j) AS src ON src.delta_id = tgt.delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
INSERT INTO @Retry (id)
    SELECT row_failed.delta_id
    FROM [dbo].[ORDER_LIST_DELTA] AS row_failed
    INNER JOIN (SELECT * FROM OPENJSON(@Failures) WITH (
    delta_id BIGINT '$.delta_id',
    code NVARCHAR(100) '$.code',
    message NVARCHAR(MAX) '$.message',
    retryable BIT '$.retryable'
) AS j) AS src ON src.delta_id = row_failed.delta_id
    WHERE row_failed.delta_id IN (SELECT id FROM @Failed)
      AND src.retryable = 1
      AND row_failed.attempts < @MaxAttempts;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'ARCHIVE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = CASE WHEN src.delta_id IN (SELECT id FROM @Retry) THEN src.attempts ELSE 0 END,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_item_id = COALESCE(tgt.monday_item_id, src.monday_item_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS finished WHERE finished.delta_id IN (SELECT id FROM @Failed)) AS src ON src.order_key = tgt.order_key AND tgt.delta_id > src.delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_DELTA]
    WHERE delta_id IN (
        SELECT finished.delta_id
        FROM [dbo].[ORDER_LIST_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.delta_id > finished.delta_id
        WHERE finished.delta_id IN (SELECT id FROM @Failed)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_DELTA]
    SET sync_state = CASE WHEN delta_id IN (SELECT id FROM @Retry) THEN 'PENDING' ELSE 'FAILED' END,
        lease_expires_at = NULL
    WHERE delta_id IN (SELECT id FROM @Failed);

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (@RunId, N'queue', N'MarkItemsFailed', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Failed), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"to_pending": ', (SELECT COUNT(*) FROM @Retry), ', "to_failed": ', (SELECT COUNT(*) FROM @Failed) - (SELECT COUNT(*) FROM @Retry), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION MarkItemsFailed;
    THROW;
END CATCH;
    SELECT CAST((SELECT COUNT(*) FROM @Retry) AS INT) AS to_pending,
        CAST((SELECT COUNT(*) FROM @Failed) - (SELECT COUNT(*) FROM @Retry) AS INT) AS to_failed;
    RETURN 0;
END;
