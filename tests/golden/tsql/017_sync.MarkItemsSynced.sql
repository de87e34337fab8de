-- generated from procedures/sync.Mark{Entity}Synced.sql.j2 (item) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MarkItemsSynced]
    @ClaimToken UNIQUEIDENTIFIER,
    @Results NVARCHAR(MAX),
    @RunId BIGINT = NULL
AS
-- Mark claimed item rows SYNCED with their monday ids; Results = [{"delta_id": 1, "monday_id": "123"}].
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
        SET @ThrowMessage = CONCAT(N'MarkItemsSynced: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION MarkItemsSynced;

    SET @Given = (SELECT COUNT(*) FROM (SELECT * FROM OPENJSON(@Results) WITH (
    delta_id BIGINT '$.delta_id',
    monday_id BIGINT '$.monday_id'
) AS j) AS given);
UPDATE tgt
SET sync_state = 'SYNCED',
        monday_item_id = COALESCE(src.monday_id, tgt.monday_item_id),
        lease_expires_at = NULL,
        synced_at = @Now,
        updated_at = @Now
OUTPUT inserted.delta_id INTO @Synced (id)
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN (SELECT * FROM OPENJSON(@Results) WITH (
    delta_id BIGINT '$.delta_id',
    monday_id BIGINT '$.monday_id'
) AS j) AS src ON src.delta_id = tgt.delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
IF EXISTS (SELECT src.order_key FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                WHERE src.action <> 'ARCHIVE' AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id)
BEGIN
        -- Re-created items (deleted or archived on the board by hand): their subitems went with
        -- the old item, so every line is queued again under the new one. The order's unfinished
        -- line rows are locked first, as MergeLines does, so that neither inserts an open row
        -- the other one just inserted.
        
        DROP TABLE IF EXISTS #recreated_lines;
        SELECT tgt.line_delta_id, tgt.claim_token INTO #recreated_lines
        FROM (SELECT src.order_key FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                        WHERE src.action <> 'ARCHIVE' AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id) AS src
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS tgt WITH (UPDLOCK, HOLDLOCK, ROWLOCK) ON src.order_key = tgt.order_key
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
        OPTION (LOOP JOIN, FORCE ORDER);
        -- A size gone from staging (qty 0 until its DELETE is synced) lost its subitem with the
        -- old item: nothing is left to create or delete, so its line row goes now.
        DELETE FROM [dbo].[ORDER_LIST_LINES]
        WHERE qty = 0 AND EXISTS (SELECT 1 FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src
                      INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                      WHERE src.order_key = [ORDER_LIST_LINES].order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        UPDATE [dbo].[ORDER_LIST_LINES_DELTA]
        SET sync_state = 'SYNCED',
            lease_expires_at = NULL,
            last_error_code = 'PARENT_RECREATED',
            last_error = 'superseded: the parent item was re-created and all its lines queued again',
            synced_at = @Now,
            updated_at = @Now
        -- In-flight line rows too: their subitems went with the old item, and a late answer for
        -- them (under the old token) then changes nothing, so no stale subitem id comes back.
        WHERE sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
          AND EXISTS (SELECT 1 FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src
                      INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                      WHERE src.order_key = [ORDER_LIST_LINES_DELTA].order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        INSERT INTO [dbo].[ORDER_LIST_LINES_DELTA] (order_key, size, action, qty, sync_state, last_error_code, last_error,
                                        created_at, updated_at)
        SELECT [ORDER_LIST_LINES].order_key, [ORDER_LIST_LINES].size, 'CREATE', [ORDER_LIST_LINES].qty,
            'PENDING', 'PARENT_RECREATED', 'queued again: the parent item was re-created on the board',
            @Now, @Now
        FROM [dbo].[ORDER_LIST_LINES]
        WHERE EXISTS (SELECT 1 FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src
                      INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                      WHERE src.order_key = [ORDER_LIST_LINES].order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);

        UPDATE [dbo].[ORDER_LIST_LINES]
        SET monday_subitem_id = NULL,
            updated_at = @Now
        WHERE EXISTS (SELECT 1 FROM (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src
                      INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = src.order_key
                      WHERE src.order_key = [ORDER_LIST_LINES].order_key AND src.action <> 'ARCHIVE'
                        AND o.monday_item_id IS NOT NULL AND src.monday_item_id <> o.monday_item_id);
END;
UPDATE tgt
SET monday_item_id = CASE WHEN src.action = 'ARCHIVE' THEN NULL ELSE COALESCE(src.monday_item_id, tgt.monday_item_id) END,
        is_removed = CASE WHEN src.action = 'ARCHIVE' AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS newer
                     WHERE newer.order_key = src.order_key AND newer.delta_id > src.delta_id) THEN 1 ELSE tgt.is_removed END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src ON src.order_key = tgt.order_key;
    -- monday archives an item's subitems with it: line changes still queued for an
    -- archived order have nothing left to reach, and would wait forever for a parent id.
UPDATE tgt
SET sync_state = 'SYNCED',
        last_error_code = 'PARENT_ARCHIVED',
        last_error = 'closed without a push: the parent item was archived, and its subitems with it',
        synced_at = @Now,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS done WHERE done.delta_id IN (SELECT id FROM @Synced)) AS src ON src.order_key = tgt.order_key AND src.action = 'ARCHIVE' AND tgt.sync_state IN ('PENDING', 'FAILED') AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS newer
                     WHERE newer.order_key = src.order_key AND newer.delta_id > src.delta_id);

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (@RunId, N'queue', N'MarkItemsSynced', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Synced), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"not_held": ', @Given - (SELECT COUNT(*) FROM @Synced), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION MarkItemsSynced;
    THROW;
END CATCH;
    SELECT CAST((SELECT COUNT(*) FROM @Synced) AS INT) AS updated;
    RETURN 0;
END;
