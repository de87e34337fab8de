-- generated from procedures/sync.Claim{Entity}.sql.j2 (subitem) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[ClaimSubitems]
    @BatchSize INT,
    @LeaseSeconds INT,
    @ClaimToken UNIQUEIDENTIFIER,
    @Customer NVARCHAR(255) = NULL,
    @MaxAttempts INT = 5,
    @RunId BIGINT = NULL
AS
-- Lease up to BatchSize ready subitem rows to ClaimToken.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @Lease INT;
    DECLARE @Expired TABLE (id BIGINT NOT NULL PRIMARY KEY);
    DECLARE @Claimed TABLE (id BIGINT NOT NULL PRIMARY KEY);
    SET DEADLOCK_PRIORITY LOW;  -- the pipeline wins a deadlock; the pusher retries this call
    SET TRANSACTION ISOLATION LEVEL READ COMMITTED;  -- READPAST needs it (Msg 650 otherwise)
    SET LOCK_TIMEOUT 2000;  -- Msg 1222 past it; the pusher retries
    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 1000
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @BatchSize must be 1 to 1000');
END;
    IF @LeaseSeconds < 1
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @LeaseSeconds must be at least 1 (NULL: the configured 300)');
END;
    IF @ClaimToken IS NULL
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @ClaimToken is required');
END;
    IF @MaxAttempts IS NULL OR @MaxAttempts NOT BETWEEN 1 AND 100
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @MaxAttempts must be 1 to 100 (default: the configured 5)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'ClaimSubitems: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION ClaimSubitems;

    SET @Lease = COALESCE(@LeaseSeconds, 300);

    -- Expired leases on the last allowed attempt: dead letter, not another try.
UPDATE tgt
SET last_error_code = 'LEASE_EXPIRED',
        last_error = CONCAT('the lease expired on attempt ', tgt.attempts, ' of ', @MaxAttempts, ': the pusher holding the row stopped or hung'),
        updated_at = @Now
OUTPUT inserted.line_delta_id INTO @Expired (id)
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.lease_expires_at < @Now AND tgt.attempts >= @MaxAttempts;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = 0,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished WHERE finished.line_delta_id IN (SELECT id FROM @Expired)) AS src ON src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_LINES_DELTA]
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id IN (SELECT id FROM @Expired)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_LINES_DELTA]
    SET sync_state = 'FAILED',
        lease_expires_at = NULL
    WHERE line_delta_id IN (SELECT id FROM @Expired);

    -- The claim: oldest ready rows first.
WITH batch AS (
    SELECT TOP (@BatchSize) c.*
    FROM [dbo].[ORDER_LIST_LINES_DELTA] AS c WITH (READPAST, UPDLOCK, ROWLOCK)
    WHERE (c.sync_state = 'PENDING' OR (c.sync_state = 'IN_FLIGHT' AND c.lease_expires_at < @Now))
      AND NOT EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS earlier
        WHERE earlier.order_key = c.order_key AND earlier.size = c.size
          AND earlier.line_delta_id < c.line_delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    )
    AND EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS parent
        WHERE parent.order_key = c.order_key AND parent.monday_item_id IS NOT NULL
    )

      AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = c.order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    ))
    ORDER BY c.line_delta_id
)
UPDATE batch
SET sync_state = 'IN_FLIGHT',
        claim_token = @ClaimToken,
        claimed_at = @Now,
        lease_expires_at = DATEADD(SECOND, @Lease, @Now),
        attempts = attempts + 1,
        updated_at = @Now
OUTPUT inserted.line_delta_id INTO @Claimed (id);

IF (SELECT COUNT(*) FROM @Claimed) > 0 OR (SELECT COUNT(*) FROM @Expired) > 0
BEGIN
        INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
        VALUES (@RunId, N'queue', N'ClaimSubitems', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Claimed), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"lease_expired_dead_lettered": ', (SELECT COUNT(*) FROM @Expired), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());
END;

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION ClaimSubitems;
    THROW;
END CATCH;
    SET LOCK_TIMEOUT -1;  -- the claim is committed: its read-back must not fail on a lock
    SELECT a.line_delta_id AS delta_id,
            a.order_key,
            a.size,
            CAST(CONCAT(a.order_key, '|', a.size) AS NVARCHAR(MAX)) AS line_key,
            a.action,
            a.qty,
            o.monday_item_id AS parent_item_id,
            COALESCE(l.monday_subitem_id, a.monday_subitem_id) AS monday_subitem_id,
            a.attempts,
            a.last_error_code
        FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
        INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
        LEFT JOIN [dbo].[ORDER_LIST_LINES] AS l ON l.order_key = a.order_key AND l.size = a.size
        WHERE a.line_delta_id IN (SELECT id FROM @Claimed)
        ORDER BY a.line_delta_id;
    RETURN 0;
END;
