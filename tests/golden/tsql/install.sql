-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
-- ordersync install script (tsql); objects in deploy order.
-- Run in the ordersync database: sqlcmd -b -f 65001 -S <server> -d <database> -E -i install.sql
-- Idempotent: tables and indexes are created if missing, code objects are created or altered
-- (never dropped, so grants survive); running it twice changes nothing.
SET NOCOUNT ON;
SET XACT_ABORT ON;
-- The settings procedures are created under, and that filtered indexes require.
SET ANSI_NULLS ON;
SET ANSI_PADDING ON;
SET ANSI_WARNINGS ON;
SET ARITHABORT ON;
SET CONCAT_NULL_YIELDS_NULL ON;
SET NUMERIC_ROUNDABORT OFF;
SET QUOTED_IDENTIFIER ON;
GO

-- SQL Server 2017 (14.x) or newer; Azure SQL Database and Managed Instance report 12.x and pass.
DECLARE @ProductVersion NVARCHAR(128) = CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128));
IF CAST(SERVERPROPERTY('EngineEdition') AS INT) NOT IN (5, 8)
    AND CAST(PARSENAME(@ProductVersion, 4) AS INT) < 14
BEGIN
    RAISERROR (
        N'ordersync needs SQL Server 2017 (14.x) or newer, or Azure SQL; this server is %s. Nothing was installed.',
        16, 1, @ProductVersion
    );
    SET NOEXEC ON;
END;
-- OPENJSON (the Mark...Synced and Mark...Failed procedures) needs compatibility level 130 or higher, whatever the
-- server's version: a database restored from an older server keeps its old level, and the
-- procedures would then fail at their first call, not here.
DECLARE @DatabaseName NVARCHAR(128) = DB_NAME();
DECLARE @CompatibilityLevel INT = (SELECT compatibility_level FROM sys.databases WHERE database_id = DB_ID());
IF @CompatibilityLevel < 130
BEGIN
    RAISERROR (
        N'ordersync needs database compatibility level 130 or higher; %s is at %d (ALTER DATABASE ... SET COMPATIBILITY_LEVEL = 140). Nothing was installed.',
        16, 1, @DatabaseName, @CompatibilityLevel
    );
    SET NOEXEC ON;
END;
GO

-- generated from db/schemas.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF SCHEMA_ID(N'dbo') IS NULL
    EXEC (N'CREATE SCHEMA [dbo] AUTHORIZATION [dbo]');

GO
IF SCHEMA_ID(N'sync') IS NULL
    EXEC (N'CREATE SCHEMA [sync] AUTHORIZATION [dbo]');
GO

-- generated from db/tables/ORDER_LIST_V2.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_V2]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_V2] (
    order_key           NVARCHAR(400) NOT NULL,
    [AAG ORDER NUMBER] NVARCHAR(100) NULL,
    [CUSTOMER'S NAME] NVARCHAR(100) NULL,
    [STYLE [CODE]]] NVARCHAR(100) NULL,
    [COLOUR "DESC"] NVARCHAR(100) NULL,
    [SEASON] NVARCHAR(20) NULL,
    [EX FACTORY DATE] DATETIME2 NULL,
    [PRICE (USD)] DECIMAL(10,4) NULL,
    [TOTAL QTY] INT NULL,
    item_name           NVARCHAR(MAX) NULL,
    group_key           NVARCHAR(400) NULL,
    row_hash            VARBINARY(32) NOT NULL,
    size_hash           VARBINARY(32) NULL,
    record_uuid         UNIQUEIDENTIFIER NOT NULL DEFAULT NEWID(),
    monday_item_id      BIGINT NULL,
    is_removed          BIT NOT NULL DEFAULT 0,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    CONSTRAINT [PK_ORDER_LIST_V2] PRIMARY KEY (order_key)
    );
END;
GO
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'hash_version') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [hash_version] INT NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'AAG ORDER NUMBER') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [AAG ORDER NUMBER] NVARCHAR(100) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'CUSTOMER''S NAME') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [CUSTOMER'S NAME] NVARCHAR(100) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'STYLE [CODE]') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [STYLE [CODE]]] NVARCHAR(100) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'COLOUR "DESC"') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [COLOUR "DESC"] NVARCHAR(100) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'SEASON') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [SEASON] NVARCHAR(20) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'EX FACTORY DATE') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [EX FACTORY DATE] DATETIME2 NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'PRICE (USD)') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [PRICE (USD)] DECIMAL(10,4) NULL;
IF COL_LENGTH(N'[dbo].[ORDER_LIST_V2]', N'TOTAL QTY') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_V2] ADD [TOTAL QTY] INT NULL;
IF EXISTS (
    SELECT 1 FROM sys.tables
    WHERE object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_V2]') AND lock_escalation_desc <> N'DISABLE'
)
    EXEC (N'ALTER TABLE [dbo].[ORDER_LIST_V2] SET (LOCK_ESCALATION = DISABLE);');
GO

-- generated from db/tables/ORDER_LIST_LINES.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_LINES]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_LINES] (
    order_key           NVARCHAR(400) NOT NULL,
    size                NVARCHAR(50) NOT NULL,
    qty                 INT NOT NULL,
    record_uuid         UNIQUEIDENTIFIER NOT NULL DEFAULT NEWID(),
    monday_subitem_id   BIGINT NULL,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    CONSTRAINT [PK_ORDER_LIST_LINES] PRIMARY KEY (order_key, size)
    );
END;IF EXISTS (
    SELECT 1 FROM sys.tables
    WHERE object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES]') AND lock_escalation_desc <> N'DISABLE'
)
    EXEC (N'ALTER TABLE [dbo].[ORDER_LIST_LINES] SET (LOCK_ESCALATION = DISABLE);');
GO

-- generated from db/tables/ORDER_LIST_DELTA.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_DELTA] (
    delta_id            BIGINT IDENTITY(1, 1) NOT NULL,
    order_key           NVARCHAR(400) NOT NULL,
    action              NVARCHAR(10) NOT NULL,
    payload             NVARCHAR(MAX) NULL,
    item_name           NVARCHAR(MAX) NULL,
    group_key           NVARCHAR(400) NULL,
    row_hash            VARBINARY(32) NULL,
    sync_state          NVARCHAR(12) NOT NULL DEFAULT 'PENDING',
    attempts            INT NOT NULL DEFAULT 0,
    claim_token         UNIQUEIDENTIFIER NULL,
    claimed_at          DATETIME2(3) NULL,
    lease_expires_at    DATETIME2(3) NULL,
    last_error_code     NVARCHAR(100) NULL,
    last_error          NVARCHAR(2000) NULL,
    monday_item_id      BIGINT NULL,
    run_id              BIGINT NULL,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    synced_at           DATETIME2(3) NULL,
    CONSTRAINT [PK_ORDER_LIST_DELTA] PRIMARY KEY (delta_id),
    CONSTRAINT [CK_ORDER_LIST_DELTA_action] CHECK (action IN ('CREATE', 'UPDATE', 'ARCHIVE')),
    CONSTRAINT [CK_ORDER_LIST_DELTA_state] CHECK (sync_state IN ('PENDING', 'IN_FLIGHT', 'SYNCED', 'FAILED'))
    );
END;
GO
IF COL_LENGTH(N'[dbo].[ORDER_LIST_DELTA]', N'hash_version') IS NULL
    ALTER TABLE [dbo].[ORDER_LIST_DELTA] ADD [hash_version] INT NULL;

GO
IF EXISTS (
    SELECT 1 FROM sys.tables
    WHERE object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]') AND lock_escalation_desc <> N'DISABLE'
)
    EXEC (N'ALTER TABLE [dbo].[ORDER_LIST_DELTA] SET (LOCK_ESCALATION = DISABLE);');

GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_DELTA_queue' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_DELTA_queue] ON [dbo].[ORDER_LIST_DELTA] (sync_state, delta_id);
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'UX_ORDER_LIST_DELTA_open_order' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]')
)
    CREATE UNIQUE INDEX [UX_ORDER_LIST_DELTA_open_order] ON [dbo].[ORDER_LIST_DELTA] (order_key) WHERE sync_state IN ('PENDING', 'FAILED');
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_DELTA_order' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_DELTA_order] ON [dbo].[ORDER_LIST_DELTA] (order_key, sync_state);
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_DELTA_claim' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_DELTA_claim] ON [dbo].[ORDER_LIST_DELTA] (claim_token) WHERE claim_token IS NOT NULL;
GO

-- generated from db/tables/ORDER_LIST_LINES_DELTA.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_LINES_DELTA] (
    line_delta_id       BIGINT IDENTITY(1, 1) NOT NULL,
    order_key           NVARCHAR(400) NOT NULL,
    size                NVARCHAR(50) NOT NULL,
    action              NVARCHAR(10) NOT NULL,
    qty                 INT NULL,
    sync_state          NVARCHAR(12) NOT NULL DEFAULT 'PENDING',
    attempts            INT NOT NULL DEFAULT 0,
    claim_token         UNIQUEIDENTIFIER NULL,
    claimed_at          DATETIME2(3) NULL,
    lease_expires_at    DATETIME2(3) NULL,
    last_error_code     NVARCHAR(100) NULL,
    last_error          NVARCHAR(2000) NULL,
    monday_subitem_id   BIGINT NULL,
    run_id              BIGINT NULL,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    synced_at           DATETIME2(3) NULL,
    CONSTRAINT [PK_ORDER_LIST_LINES_DELTA] PRIMARY KEY (line_delta_id),
    CONSTRAINT [CK_ORDER_LIST_LINES_DELTA_action] CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
    CONSTRAINT [CK_ORDER_LIST_LINES_DELTA_state] CHECK (sync_state IN ('PENDING', 'IN_FLIGHT', 'SYNCED', 'FAILED'))
    );
END;
GO
IF EXISTS (
    SELECT 1 FROM sys.tables
    WHERE object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]') AND lock_escalation_desc <> N'DISABLE'
)
    EXEC (N'ALTER TABLE [dbo].[ORDER_LIST_LINES_DELTA] SET (LOCK_ESCALATION = DISABLE);');

GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_LINES_DELTA_queue' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_LINES_DELTA_queue] ON [dbo].[ORDER_LIST_LINES_DELTA] (sync_state, line_delta_id);
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'UX_ORDER_LIST_LINES_DELTA_open_line' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]')
)
    CREATE UNIQUE INDEX [UX_ORDER_LIST_LINES_DELTA_open_line] ON [dbo].[ORDER_LIST_LINES_DELTA] (order_key, size) WHERE sync_state IN ('PENDING', 'FAILED');
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_LINES_DELTA_line' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_LINES_DELTA_line] ON [dbo].[ORDER_LIST_LINES_DELTA] (order_key, size, sync_state);
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_LINES_DELTA_claim' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]')
)
    CREATE INDEX [IX_ORDER_LIST_LINES_DELTA_claim] ON [dbo].[ORDER_LIST_LINES_DELTA] (claim_token) WHERE claim_token IS NOT NULL;
GO

-- generated from db/tables/ORDER_LIST_GROUPS.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_GROUPS]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_GROUPS] (
    group_key           NVARCHAR(400) NOT NULL,
    group_title         NVARCHAR(255) NOT NULL,
    monday_group_id     NVARCHAR(100) NULL,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    CONSTRAINT [PK_ORDER_LIST_GROUPS] PRIMARY KEY (group_key)
    );
END;
GO

-- generated from db/tables/ORDER_LIST_RUN_LOG.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
IF OBJECT_ID(N'[dbo].[ORDER_LIST_RUN_LOG]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_RUN_LOG] (
    run_log_id          BIGINT IDENTITY(1, 1) NOT NULL,
    run_id              BIGINT NULL,
    component           NVARCHAR(20) NOT NULL,
    step                NVARCHAR(128) NOT NULL,
    is_dry_run          BIT NOT NULL DEFAULT 0,
    start_time          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    end_time            DATETIME2(3) NULL,
    rows_affected       INT NULL,
    counts              NVARCHAR(MAX) NULL,
    outcome             NVARCHAR(20) NOT NULL DEFAULT 'STARTED',
    order_key           NVARCHAR(400) NULL,
    error_number        INT NULL,
    error_message       NVARCHAR(4000) NULL,
    host_name           NVARCHAR(128) NULL,
    CONSTRAINT [PK_ORDER_LIST_RUN_LOG] PRIMARY KEY (run_log_id),
    CONSTRAINT [CK_ORDER_LIST_RUN_LOG_outcome] CHECK (outcome IN ('STARTED', 'SUCCEEDED', 'FAILED', 'REJECTED', 'REFUSED'))
    );
END;
GOIF EXISTS (
    SELECT 1 FROM sys.tables
    WHERE object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_RUN_LOG]') AND lock_escalation_desc <> N'DISABLE'
)
    EXEC (N'ALTER TABLE [dbo].[ORDER_LIST_RUN_LOG] SET (LOCK_ESCALATION = DISABLE);');

GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_RUN_LOG_run' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_RUN_LOG]')
)
    CREATE INDEX [IX_ORDER_LIST_RUN_LOG_run] ON [dbo].[ORDER_LIST_RUN_LOG] (run_id, run_log_id);
GO
IF NOT EXISTS (
    SELECT 1 FROM sys.indexes
    WHERE name = N'IX_ORDER_LIST_RUN_LOG_start' AND object_id = OBJECT_ID(N'[dbo].[ORDER_LIST_RUN_LOG]')
)
    CREATE INDEX [IX_ORDER_LIST_RUN_LOG_start] ON [dbo].[ORDER_LIST_RUN_LOG] (start_time);
GO

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
GO

-- generated from procedures/sync.CheckDrift.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[CheckDrift]
AS
-- Columns added to or removed from the staging table since the procedures were rendered.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    -- Rendered for 14 staging columns (fingerprint 986f58b2a19193f0),
    -- 5 of them sizes (fingerprint 2e23269c2622663c).
    SELECT CAST(CASE WHEN tgt.column_name IS NULL THEN 'added' ELSE 'removed' END AS NVARCHAR(MAX)) AS change,
           CAST(COALESCE(src.column_name, tgt.column_name) AS NVARCHAR(MAX)) AS column_name
    FROM (SELECT c.name AS column_name FROM sys.columns AS c
WHERE c.object_id = OBJECT_ID(N'[dbo].[swp_ORDER''S [LIST]]]')) AS src
    FULL OUTER JOIN (VALUES
        (N'AAG ORDER NUMBER'),
        (N'CUSTOMER''S NAME'),
        (N'STYLE [CODE]'),
        (N'COLOUR "DESC"'),
        (N'SEASON'),
        (N'UNIT OF MEASURE'),
        (N'S'),
        (N'M'),
        (N'L'),
        (N'ONE SIZE'),
        (N'O/S'),
        (N'TOTAL QTY'),
        (N'EX FACTORY DATE'),
        (N'PRICE (USD)')
    ) AS tgt (column_name) ON tgt.column_name = src.column_name
    WHERE src.column_name IS NULL OR tgt.column_name IS NULL
    ORDER BY 1, 2;
    RETURN 0;
END;
GO

-- generated from procedures/sync.MergeHeaders.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MergeHeaders]
    @RunId BIGINT,
    @DryRun BIT = 0
AS
-- Detect new, changed, reappeared and removed orders; queue them for monday.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Now DATETIME2(3);
    SET @Now = SYSUTCDATETIME();

    -- 1. Keys more than one staging row carries: every copy is rejected.
DROP TABLE IF EXISTS #stg_dups;
SELECT q.* INTO #stg_dups FROM (
    SELECT k.order_key, COUNT(*) AS copies
    FROM (SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key FROM [dbo].[swp_ORDER'S [LIST]]] AS src) AS k
    WHERE k.order_key IS NOT NULL
    GROUP BY k.order_key
    HAVING COUNT(*) > 1
) AS q;    

    -- 2. The header delta, computed once: staging rows that are new (CREATE), changed or
    --    back after an archive (UPDATE), or bad (reject_reason), and orders no longer in
    --    staging (ARCHIVE, payload = their last values; an order whose row is there, even
    --    rejected, stays). One pass pairs staging with the current copy and keeps the news,
    --    compared by row hash before anything is composed or serialised; copies of a
    --    duplicated key that are not news are added, so that every copy is rejected.
DROP TABLE IF EXISTS #hdr_delta;
SELECT q.* INTO #hdr_delta FROM (
    SELECT chg.*
    FROM (
        SELECT k.order_key,
               CAST(CASE WHEN k.in_staging IS NULL THEN 'ARCHIVE'
                         WHEN k.tgt_key IS NULL THEN 'CREATE'
                         WHEN k.tgt_removed = 1 OR k.tgt_hash <> k.row_hash THEN 'UPDATE'
                    END AS NVARCHAR(10)) AS action,
               k.[AAG ORDER NUMBER],
               k.[CUSTOMER'S NAME],
               k.[STYLE [CODE]]],
               k.[COLOUR "DESC"],
               k.[SEASON],
               k.[EX FACTORY DATE],
               k.[PRICE (USD)],
               k.[TOTAL QTY],
               k.item_name, k.group_key, k.group_title, k.payload, k.row_hash,
               CAST(CASE WHEN k.in_staging = 1 THEN NULLIF(CONCAT_WS('; ',
                   CASE WHEN k.order_key IS NULL THEN CONCAT('order key is NULL in',
                       CASE WHEN k.[AAG ORDER NUMBER] IS NULL THEN N' "AAG ORDER NUMBER"' END,
                       ' (item name: ', COALESCE(k.item_name, 'none'), ')') END,
                   CASE WHEN k.copies > 1 THEN CONCAT('duplicate order key: ', k.copies,
                       ' staging rows have it; every copy is rejected') END,
                   CASE WHEN (LEN(CAST(k.item_name AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1) > 255 THEN CONCAT('item name is ',
                       (LEN(CAST(k.item_name AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters, over monday''s 255: ',
                       CONCAT_WS(', ', CONCAT(N'"STYLE [CODE]" = ', (LEN(CAST(CAST(k.[STYLE [CODE]]] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[STYLE [CODE]]] AS NVARCHAR(4000)), 40), ''''),
                       CONCAT(N'"COLOUR "DESC"" = ', (LEN(CAST(CAST(k.[COLOUR "DESC"] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[COLOUR "DESC"] AS NVARCHAR(4000)), 40), ''''),
                       CONCAT(N'"AAG ORDER NUMBER" = ', (LEN(CAST(CAST(k.[AAG ORDER NUMBER] AS NVARCHAR(4000)) AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters ''', LEFT(CAST(k.[AAG ORDER NUMBER] AS NVARCHAR(4000)), 40), ''''))) END,
                   CASE WHEN (LEN(CAST(k.group_key AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1) > 255 THEN CONCAT('group name is ',
                       (LEN(CAST(k.group_key AS NVARCHAR(MAX)) COLLATE Latin1_General_100_CI_AS_SC + N'x') - 1), ' characters, over monday''s 255: ''', LEFT(k.group_key, 60), '''') END
                   , CASE WHEN k.[EX FACTORY DATE] < CAST('1900-01-01' AS DATE) THEN CONCAT(N'"EX FACTORY DATE" = ',
                       CAST(k.[EX FACTORY DATE] AS NVARCHAR(4000)), ' is before 1900') END
               ), '') END AS NVARCHAR(MAX)) AS reject_reason
        FROM (
            SELECT src.*,
                   CAST(CASE WHEN src.in_staging IS NULL THEN src.tgt_hash
                             ELSE HASHBYTES('SHA2_256', (SELECT CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(src.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(src.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(src.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(src.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(src.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(src.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(src.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS VARBINARY(32)) AS row_hash
            FROM (
                SELECT COALESCE(p.order_key, p.tgt_key) AS order_key, p.in_staging,
                       p.[AAG ORDER NUMBER],
                       p.[CUSTOMER'S NAME],
                       p.[STYLE [CODE]]],
                       p.[COLOUR "DESC"],
                       p.[SEASON],
                       p.[EX FACTORY DATE],
                       p.[PRICE (USD)],
                       p.[TOTAL QTY],
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.item_name
                                 ELSE NULLIF(CONCAT_WS(N' - ', CAST(p.[STYLE [CODE]]] AS NVARCHAR(4000)), CAST(p.[COLOUR "DESC"] AS NVARCHAR(4000)), CAST(p.[AAG ORDER NUMBER] AS NVARCHAR(4000))), '') END AS NVARCHAR(MAX)) AS item_name,
                       CAST(CASE WHEN p.in_staging IS NULL THEN gone.group_key
                                 ELSE NULLIF(UPPER(RTRIM(NULLIF(CONCAT_WS(N' ', CAST(p.[CUSTOMER'S NAME] AS NVARCHAR(4000)), CAST(p.[SEASON] AS NVARCHAR(4000))), ''))), '') COLLATE DATABASE_DEFAULT END AS NVARCHAR(MAX)) AS group_key,
                       CAST(CASE WHEN p.in_staging IS NOT NULL
                                 THEN NULLIF(CONCAT_WS(N' ', CAST(p.[CUSTOMER'S NAME] AS NVARCHAR(4000)), CAST(p.[SEASON] AS NVARCHAR(4000))), '') END AS NVARCHAR(MAX)) AS group_title,
                       CAST(CASE WHEN p.in_staging IS NULL THEN (SELECT gone.[AAG ORDER NUMBER] AS [AAG ORDER NUMBER], gone.[CUSTOMER'S NAME] AS [CUSTOMER'S NAME], gone.[STYLE [CODE]]] AS [STYLE [CODE]]], gone.[COLOUR "DESC"] AS [COLOUR "DESC"], gone.[SEASON] AS [SEASON], gone.[EX FACTORY DATE] AS [EX FACTORY DATE], gone.[PRICE (USD)] AS [PRICE (USD)], gone.[TOTAL QTY] AS [TOTAL QTY] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)
                                 ELSE (SELECT p.[AAG ORDER NUMBER] AS [AAG ORDER NUMBER], p.[CUSTOMER'S NAME] AS [CUSTOMER'S NAME], p.[STYLE [CODE]]] AS [STYLE [CODE]]], p.[COLOUR "DESC"] AS [COLOUR "DESC"], p.[SEASON] AS [SEASON], p.[EX FACTORY DATE] AS [EX FACTORY DATE], p.[PRICE (USD)] AS [PRICE (USD)], p.[TOTAL QTY] AS [TOTAL QTY] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES) END AS NVARCHAR(MAX)) AS payload,
                       p.tgt_key, p.tgt_removed, p.tgt_hash, dup.copies
                FROM (
                    SELECT stg.order_key, stg.in_staging,
                           stg.[AAG ORDER NUMBER],
                           stg.[CUSTOMER'S NAME],
                           stg.[STYLE [CODE]]],
                           stg.[COLOUR "DESC"],
                           stg.[SEASON],
                           stg.[EX FACTORY DATE],
                           stg.[PRICE (USD)],
                           stg.[TOTAL QTY],
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key, 1 AS in_staging,
                               src.[AAG ORDER NUMBER],
                               src.[CUSTOMER'S NAME],
                               src.[STYLE [CODE]]],
                               src.[COLOUR "DESC"],
                               src.[SEASON],
                               src.[EX FACTORY DATE],
                               src.[PRICE (USD)],
                               src.[TOTAL QTY]
                        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
                    ) AS stg
                    FULL JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = stg.order_key
                    WHERE (stg.in_staging IS NOT NULL
                           AND (tgt.order_key IS NULL OR tgt.is_removed = 1
                                OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                        ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END <> HASHBYTES('SHA2_256', (SELECT CAST(stg.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(stg.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(stg.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(stg.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(stg.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(stg.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(stg.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(stg.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES))))
                          OR (stg.in_staging IS NULL AND tgt.is_removed = 0)
                    UNION ALL
                    SELECT stg.order_key, stg.in_staging,
                           stg.[AAG ORDER NUMBER],
                           stg.[CUSTOMER'S NAME],
                           stg.[STYLE [CODE]]],
                           stg.[COLOUR "DESC"],
                           stg.[SEASON],
                           stg.[EX FACTORY DATE],
                           stg.[PRICE (USD)],
                           stg.[TOTAL QTY],
                           tgt.order_key AS tgt_key, tgt.is_removed AS tgt_removed,
                           CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END AS tgt_hash
                    FROM (
                        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key, 1 AS in_staging,
                               src.[AAG ORDER NUMBER],
                               src.[CUSTOMER'S NAME],
                               src.[STYLE [CODE]]],
                               src.[COLOUR "DESC"],
                               src.[SEASON],
                               src.[EX FACTORY DATE],
                               src.[PRICE (USD)],
                               src.[TOTAL QTY]
                        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
                    ) AS stg
                    FULL JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = stg.order_key
                    WHERE stg.order_key IN (SELECT dup.order_key FROM #stg_dups AS dup)
                      AND NOT ((stg.in_staging IS NOT NULL
                               AND (tgt.order_key IS NULL OR tgt.is_removed = 1
                                    OR CASE WHEN tgt.hash_version = 2 THEN tgt.row_hash
                                            ELSE HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) END <> HASHBYTES('SHA2_256', (SELECT CAST(stg.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(stg.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(stg.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(stg.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(stg.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(stg.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(stg.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(stg.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES))))
                              OR (stg.in_staging IS NULL AND tgt.is_removed = 0))
                ) AS p
                LEFT JOIN #stg_dups AS dup ON dup.order_key = p.order_key
                LEFT JOIN [dbo].[ORDER_LIST_V2] AS gone ON gone.order_key = p.tgt_key AND p.in_staging IS NULL
            ) AS src
        ) AS k
    ) AS chg
    WHERE chg.action IS NOT NULL OR chg.reject_reason IS NOT NULL
) AS q;    

    -- 3. Bad rows: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT @RunId, 'pipeline', N'MergeHeaders', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), HOST_NAME()
    FROM #hdr_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF @DryRun = 0
BEGIN
        -- 4. Queue: a change updates the order's PENDING/FAILED row in place (CREATE+UPDATE
        --    stays CREATE, anything+ARCHIVE is ARCHIVE, ARCHIVE+back is UPDATE; FAILED is
        --    revived with attempts 0); an IN_FLIGHT row is never touched: the change gets a
        --    new PENDING row that waits behind it.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        DROP TABLE IF EXISTS #hdr_delta_locked;
        SELECT tgt.delta_id, tgt.claim_token INTO #hdr_delta_locked
        FROM #hdr_delta AS src
        INNER JOIN [dbo].[ORDER_LIST_DELTA] AS tgt WITH (UPDLOCK, HOLDLOCK, ROWLOCK) ON src.order_key = tgt.order_key AND src.reject_reason IS NULL
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
        OPTION (LOOP JOIN, FORCE ORDER);

UPDATE tgt
SET action = CASE WHEN src.action = 'ARCHIVE' THEN 'ARCHIVE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            payload = CAST(src.payload AS NVARCHAR(MAX)),
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = @RunId,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_DELTA] (order_key, action, payload, item_name, group_key, row_hash, hash_version, run_id)
        SELECT src.order_key, src.action, CAST(src.payload AS NVARCHAR(MAX)), src.item_name, src.group_key,
               src.row_hash, 2, @RunId
        FROM #hdr_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 5. An order back after its archive reached monday gets a new item: its old lines
        --    went with the archived one, so they are forgotten and MergeLines creates them.
        DELETE FROM [dbo].[ORDER_LIST_LINES]
        WHERE order_key IN (SELECT tgt.order_key
                            FROM [dbo].[ORDER_LIST_V2] AS tgt
                            INNER JOIN #hdr_delta AS src ON src.order_key = tgt.order_key
                            WHERE src.action = 'UPDATE' AND src.reject_reason IS NULL
                              AND tgt.is_removed = 1 AND tgt.monday_item_id IS NULL);

        -- 6. The current copy.
UPDATE tgt
SET [AAG ORDER NUMBER] = src.[AAG ORDER NUMBER],
            [CUSTOMER'S NAME] = src.[CUSTOMER'S NAME],
            [STYLE [CODE]]] = src.[STYLE [CODE]]],
            [COLOUR "DESC"] = src.[COLOUR "DESC"],
            [SEASON] = src.[SEASON],
            [EX FACTORY DATE] = src.[EX FACTORY DATE],
            [PRICE (USD)] = src.[PRICE (USD)],
            [TOTAL QTY] = src.[TOTAL QTY],
            item_name = src.item_name,
            group_key = src.group_key,
            row_hash = src.row_hash,
            hash_version = 2,
            size_hash = CASE WHEN tgt.is_removed = 1 AND tgt.monday_item_id IS NULL
                             THEN NULL ELSE tgt.size_hash END,
            is_removed = 0,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND src.action = 'UPDATE' AND src.reject_reason IS NULL;
UPDATE tgt
SET is_removed = 1,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #hdr_delta AS src ON tgt.order_key = src.order_key AND src.action = 'ARCHIVE';
        INSERT INTO [dbo].[ORDER_LIST_V2] (order_key,
            [AAG ORDER NUMBER],
            [CUSTOMER'S NAME],
            [STYLE [CODE]]],
            [COLOUR "DESC"],
            [SEASON],
            [EX FACTORY DATE],
            [PRICE (USD)],
            [TOTAL QTY],
            item_name, group_key, row_hash, hash_version)
        SELECT src.order_key,
               src.[AAG ORDER NUMBER],
               src.[CUSTOMER'S NAME],
               src.[STYLE [CODE]]],
               src.[COLOUR "DESC"],
               src.[SEASON],
               src.[EX FACTORY DATE],
               src.[PRICE (USD)],
               src.[TOTAL QTY],
               src.item_name, src.group_key, src.row_hash, 2
        FROM #hdr_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Hashes stored under an older definition (ARCHIVE, unchanged and rejected orders):
        --    rewritten from the current copy; nothing is queued for them.
UPDATE tgt
SET row_hash = HASHBYTES('SHA2_256', (SELECT CAST(tgt.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(tgt.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(tgt.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(tgt.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(tgt.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(tgt.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(tgt.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(tgt.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)),
            hash_version = 2
FROM [dbo].[ORDER_LIST_V2] AS tgt
WHERE tgt.hash_version IS NULL OR tgt.hash_version <> 2;
        -- 8. Board groups the pusher has not seen yet: key = the title compared like a key
        --    (upper-cased, trailing spaces dropped); of several spellings, the first in
        --    sort order is the title.
        INSERT INTO [dbo].[ORDER_LIST_GROUPS] (group_key, group_title)
        SELECT src.group_key, MIN(src.group_title)
        FROM #hdr_delta AS src
        WHERE src.action IN ('CREATE', 'UPDATE') AND src.reject_reason IS NULL AND src.group_key IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_GROUPS] AS tgt WHERE tgt.group_key = src.group_key)
        GROUP BY src.group_key;
END;

    SELECT @RunId AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN N'item' ELSE 'reject' END AS NVARCHAR(MAX)) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS NVARCHAR(MAX)) AS action,
       CAST(COUNT(*) AS INT) AS [rows]
FROM #hdr_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN N'item' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN 0;
END;
GO

-- generated from procedures/sync.MergeLines.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MergeLines]
    @RunId BIGINT,
    @DryRun BIT = 0
AS
-- Unpivot the sizes of changed orders; queue line creates, updates and deletes for monday.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Now DATETIME2(3);
    SET @Now = SYSUTCDATETIME();

    -- 1. Orders whose size fingerprint changed (or that are new), leaving out orders whose
    --    header MergeHeaders rejected in this run.
DROP TABLE IF EXISTS #ln_orders;
SELECT q.* INTO #ln_orders FROM (
    SELECT k.order_key, CAST(k.size_hash AS VARBINARY(32)) AS size_hash
    FROM (
        SELECT CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400)) AS order_key,
               HASHBYTES('SHA2_256', (SELECT src.[S] AS [s1], src.[M] AS [s2], src.[L] AS [s3], src.[ONE SIZE] AS [s4], src.[O/S] AS [s5] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS size_hash
        FROM [dbo].[swp_ORDER'S [LIST]]] AS src
    ) AS k
    LEFT JOIN [dbo].[ORDER_LIST_V2] AS tgt ON tgt.order_key = k.order_key
    WHERE k.order_key IS NOT NULL
      AND (tgt.size_hash IS NULL OR tgt.size_hash <> k.size_hash)
      AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_RUN_LOG] AS r
                      WHERE r.run_id = @RunId AND r.step = 'MergeHeaders'
                        AND r.outcome = 'REJECTED' AND r.order_key = k.order_key)
) AS q;    

    -- 2. Their lines: one per canonical size, aliased columns summed; a negative cell
    --    marks its line bad (bad_column / bad_qty name it).
DROP TABLE IF EXISTS #ln_src;
CREATE TABLE #ln_src (
        order_key   NVARCHAR(400) COLLATE DATABASE_DEFAULT NOT NULL,
        size        NVARCHAR(100) COLLATE DATABASE_DEFAULT NOT NULL,
        qty         INT NULL,
        bad_column  NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL,
        bad_qty     INT NULL
);
    INSERT INTO #ln_src (order_key, size, qty, bad_column, bad_qty)
    SELECT o.order_key, v.size, SUM(v.qty),
           MIN(CASE WHEN v.qty < 0 THEN v.size_column END),
           MIN(CASE WHEN v.qty < 0 THEN v.qty END)
    FROM [dbo].[swp_ORDER'S [LIST]]] AS src
    INNER JOIN #ln_orders AS o ON o.order_key = CAST(NULLIF(UPPER(RTRIM(CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT AS NVARCHAR(400))
    CROSS APPLY (VALUES
        (N'S', N'S', src.[S]),
        (N'M', N'M', src.[M]),
        (N'L', N'L', src.[L]),
        (N'ONE SIZE', N'ONE SIZE', src.[ONE SIZE]),
        (N'ONE SIZE', N'O/S', src.[O/S])
    ) AS v (size, size_column, qty)
    WHERE v.qty <> 0
    GROUP BY o.order_key, v.size;
    

    -- 3. The line delta, computed once: CREATE (new size), UPDATE (quantity changed, or a
    --    size back while its DELETE waits), DELETE (size gone), or rejected.
DROP TABLE IF EXISTS #ln_delta;
CREATE TABLE #ln_delta (
        order_key       NVARCHAR(400) COLLATE DATABASE_DEFAULT NOT NULL,
        size            NVARCHAR(100) COLLATE DATABASE_DEFAULT NOT NULL,
        action          NVARCHAR(10) COLLATE DATABASE_DEFAULT NOT NULL,
        qty             INT NULL,
        reject_reason   NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NULL
);
    INSERT INTO #ln_delta (order_key, size, action, qty, reject_reason)
    SELECT COALESCE(src.order_key, tgt.order_key),
           COALESCE(src.size, tgt.size),
           CASE WHEN tgt.order_key IS NULL THEN 'CREATE'
                WHEN src.order_key IS NULL THEN 'DELETE'
                ELSE 'UPDATE' END,
           src.qty,
           CASE WHEN src.bad_qty < 0 THEN CONCAT('size column "', src.bad_column, '" = ', src.bad_qty,
                ' is negative: line ', src.size, ' is rejected, the other lines go through') END
    FROM #ln_src AS src
    FULL OUTER JOIN (
        SELECT l.order_key, l.size, l.qty
        FROM [dbo].[ORDER_LIST_LINES] AS l
        INNER JOIN #ln_orders AS o ON o.order_key = l.order_key
    ) AS tgt ON tgt.order_key = src.order_key AND tgt.size = src.size
    WHERE (src.order_key IS NULL AND tgt.qty <> 0)
       OR tgt.order_key IS NULL
       OR src.qty <> tgt.qty
       OR src.bad_qty < 0;
    

    -- 4. Bad lines: one REJECTED run-log row each (a dry run logs them too).
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, order_key, error_message, host_name)
    SELECT @RunId, 'pipeline', N'MergeLines', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), 'REJECTED', src.order_key, LEFT(src.reject_reason, 4000), HOST_NAME()
    FROM #ln_delta AS src
    WHERE src.reject_reason IS NOT NULL;

IF @DryRun = 0
BEGIN
        -- 5. Queue: coalesce into the line's PENDING/FAILED row (CREATE+UPDATE stays CREATE,
        --    anything+DELETE is DELETE, DELETE+back is UPDATE); never touch an IN_FLIGHT row.
        --    Every unfinished row of these keys is locked first, so no pusher moves one back
        --    to PENDING/FAILED between the update and the insert (the change would be lost).
        
        DROP TABLE IF EXISTS #ln_delta_locked;
        SELECT tgt.line_delta_id, tgt.claim_token INTO #ln_delta_locked
        FROM #ln_delta AS src
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS tgt WITH (UPDLOCK, HOLDLOCK, ROWLOCK) ON src.order_key = tgt.order_key AND src.size = tgt.size AND src.reject_reason IS NULL
        WHERE tgt.sync_state IN ('PENDING', 'FAILED', 'IN_FLIGHT')
        OPTION (LOOP JOIN, FORCE ORDER);

UPDATE tgt
SET action = CASE WHEN src.action = 'DELETE' THEN 'DELETE'
                          WHEN tgt.action = 'CREATE' THEN 'CREATE'
                          ELSE src.action END,
            qty = src.qty,
            attempts = CASE WHEN tgt.sync_state = 'FAILED' THEN 0 ELSE tgt.attempts END,
            sync_state = 'PENDING',
            run_id = @RunId,
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN #ln_delta AS src ON tgt.order_key = src.order_key AND tgt.size = src.size AND tgt.sync_state IN ('PENDING', 'FAILED') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_LINES_DELTA] (order_key, size, action, qty, run_id)
        SELECT src.order_key, src.size, src.action, src.qty, @RunId
        FROM #ln_delta AS src
        WHERE src.reject_reason IS NULL
          AND NOT EXISTS (SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
                          WHERE tgt.order_key = src.order_key AND tgt.size = src.size
                            AND tgt.sync_state IN ('PENDING', 'FAILED'));

        -- 6. The current lines (a deleted size keeps qty 0 until its DELETE is synced).
UPDATE tgt
SET qty = COALESCE(src.qty, 0),
            updated_at = SYSUTCDATETIME()
FROM [dbo].[ORDER_LIST_LINES] AS tgt
INNER JOIN #ln_delta AS src ON tgt.order_key = src.order_key AND tgt.size = src.size AND src.action IN ('UPDATE', 'DELETE') AND src.reject_reason IS NULL;
        INSERT INTO [dbo].[ORDER_LIST_LINES] (order_key, size, qty)
        SELECT src.order_key, src.size, src.qty
        FROM #ln_delta AS src
        WHERE src.action = 'CREATE' AND src.reject_reason IS NULL;

        -- 7. Remember the fingerprints, so the next run skips these orders unless they change;
        --    not for an order with a rejected line, which the next run must see (and report) again.
UPDATE tgt
SET size_hash = src.size_hash
FROM [dbo].[ORDER_LIST_V2] AS tgt
INNER JOIN #ln_orders AS src ON tgt.order_key = src.order_key AND NOT EXISTS (SELECT 1 FROM #ln_delta AS bad WHERE bad.order_key = src.order_key AND bad.reject_reason IS NOT NULL);
END;

    SELECT @RunId AS run_id,
       CAST(CASE WHEN src.reject_reason IS NULL THEN N'subitem' ELSE 'reject' END AS NVARCHAR(MAX)) AS entity,
       CAST(CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END AS NVARCHAR(MAX)) AS action,
       CAST(COUNT(*) AS INT) AS [rows]
FROM #ln_delta AS src
GROUP BY CASE WHEN src.reject_reason IS NULL THEN N'subitem' ELSE 'reject' END,
         CASE WHEN src.reject_reason IS NULL THEN src.action ELSE 'REJECTED' END;
    RETURN 0;
END;
GO

-- generated from procedures/sync.RunPipeline.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[RunPipeline]
    @DryRun BIT = 0,
    @AllowMassArchive BIT = 0,
    @MaxArchiveShare NUMERIC(9, 4) = 0.05,
    @MaxArchiveCount BIGINT = 100,
    @ConfigFingerprint NVARCHAR(64) = NULL
AS
-- Run the pipeline once: drift check, single-flight lock, mass-change guard, MergeHeaders + MergeLines, run log.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @RunId BIGINT;
    DECLARE @UnchangedRows BIGINT;
    DECLARE @LockResult INT;
    DECLARE @TranCount INT;
    DECLARE @Drift NVARCHAR(MAX);
    DECLARE @Counts NVARCHAR(MAX);
    DECLARE @FailMessage NVARCHAR(4000);
    DECLARE @FailNumber INT;
    DECLARE @FailHint NVARCHAR(MAX);
    DECLARE @LiveOrders BIGINT = 0;
    DECLARE @LiveLines BIGINT = 0;
    DECLARE @Archives BIGINT = 0;
    DECLARE @Deletes BIGINT = 0;
    -- 1. The run's log row; its id is the run id every row of this run carries.
    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, outcome, host_name)
    VALUES ('pipeline', 'RunPipeline', @DryRun, SYSUTCDATETIME(), 'STARTED', HOST_NAME());
    SET @RunId = SCOPE_IDENTITY();
    UPDATE [dbo].[ORDER_LIST_RUN_LOG]
    SET run_id = run_log_id
    WHERE run_log_id = @RunId;

DROP TABLE IF EXISTS #run_drift;
CREATE TABLE #run_drift (
        change          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        column_name     NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL
);
DROP TABLE IF EXISTS #run_counts;
CREATE TABLE #run_counts (
        run_id          BIGINT NOT NULL,
        entity          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        action          NVARCHAR(MAX) COLLATE DATABASE_DEFAULT NOT NULL,
        [rows]  INT NOT NULL
);

    SET @TranCount = @@TRANCOUNT;
    BEGIN TRY
        IF @TranCount = 0 BEGIN TRANSACTION;
        ELSE SAVE TRANSACTION RunPipeline;
        -- 2. Refuse a caller whose config differs from the one these procedures were rendered
        --    from (sync.DeployedConfig lists those settings), and a staging table they were not
        --    rendered for.
IF @ConfigFingerprint IS NOT NULL AND @ConfigFingerprint <> N'875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca'
BEGIN
            SET @ThrowMessage = CONCAT(N'RunPipeline refused (config changed since deploy): the caller''s config fingerprint ', @ConfigFingerprint, N' differs from 875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca, the one these procedures were rendered from; sync.DeployedConfig lists their settings. Fix: run `ordersync deploy` (SQL Server: `ordersync render`, then install.sql), or put the config back.');
            THROW 50005, @ThrowMessage, 1;
END;
        INSERT INTO #run_drift
        EXEC [sync].[CheckDrift];
        SET @Drift = CONCAT_WS('; ', (SELECT CONCAT(src.change, ' ', STRING_AGG(CAST(CONCAT('"', src.column_name, '"') AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.column_name, '"')))
         FROM #run_drift AS src WHERE src.change = 'added' GROUP BY src.change), (SELECT CONCAT(src.change, ' ', STRING_AGG(CAST(CONCAT('"', src.column_name, '"') AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.column_name, '"')))
         FROM #run_drift AS src WHERE src.change = 'removed' GROUP BY src.change));
IF @Drift <> ''
BEGIN
            SET @ThrowMessage = CONCAT(N'RunPipeline refused: staging table dbo.swp_ORDER''S [LIST] differs from the columns the procedures were rendered for: ', @Drift, N'. Fix: run `ordersync render` and `ordersync deploy` (deploy renders from the live table), then run the pipeline again.');
            THROW 50002, @ThrowMessage, 1;
END;

        -- 3. Single flight: one pipeline at a time; a second one is refused, not queued.
        EXEC @LockResult = sp_getapplock @Resource = N'sync.RunPipeline', @LockMode = 'Exclusive',
            @LockOwner = 'Transaction', @LockTimeout = 0;
IF @LockResult < 0
BEGIN
            SET @ThrowMessage = N'RunPipeline refused: another pipeline run holds the lock sync.RunPipeline; run again when it has finished.';
            THROW 50003, @ThrowMessage, 1;
END;

        
        -- 4. Staging that holds exactly the current copy (as many rows, with the same row and
        --    size hashes as the live orders) changes nothing: its row count, or -1.
DROP TABLE IF EXISTS #run_snapshot;
SELECT q.* INTO #run_snapshot FROM (
        SELECT CASE WHEN stg.n = cur.n AND stg.total = cur.total THEN stg.n ELSE -1 END AS unchanged_rows
        FROM (SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CAST(SUBSTRING(HASHBYTES('SHA2_256', ISNULL(0x01 + CAST(k.row_hash AS VARBINARY(MAX)), 0x00) + ISNULL(0x01 + CAST(k.size_hash AS VARBINARY(MAX)), 0x00)), 1, 8) AS BIGINT) AS DECIMAL(38, 0))), 0) AS total
              FROM (SELECT HASHBYTES('SHA2_256', (SELECT CAST(src.[AAG ORDER NUMBER] AS NVARCHAR(MAX)) AS [h1], CAST(src.[CUSTOMER'S NAME] AS NVARCHAR(MAX)) AS [h2], CAST(src.[STYLE [CODE]]] AS NVARCHAR(MAX)) AS [h3], CAST(src.[COLOUR "DESC"] AS NVARCHAR(MAX)) AS [h4], CAST(src.[SEASON] AS NVARCHAR(MAX)) AS [h5], CAST(src.[EX FACTORY DATE] AS DATETIME2(3)) AS [h6], CAST(src.[PRICE (USD)] AS DECIMAL(38, 10)) AS [h7], CAST(src.[TOTAL QTY] AS DECIMAL(38, 10)) AS [h8] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS row_hash,
                           HASHBYTES('SHA2_256', (SELECT src.[S] AS [s1], src.[M] AS [s2], src.[L] AS [s3], src.[ONE SIZE] AS [s4], src.[O/S] AS [s5] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES)) AS size_hash
                    FROM [dbo].[swp_ORDER'S [LIST]]] AS src) AS k) AS stg
        CROSS JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(CAST(CAST(SUBSTRING(HASHBYTES('SHA2_256', ISNULL(0x01 + CAST(tgt.row_hash AS VARBINARY(MAX)), 0x00) + ISNULL(0x01 + CAST(tgt.size_hash AS VARBINARY(MAX)), 0x00)), 1, 8) AS BIGINT) AS DECIMAL(38, 0))), 0) AS total
                    FROM [dbo].[ORDER_LIST_V2] AS tgt
                    WHERE tgt.is_removed = 0) AS cur
) AS q;        SET @UnchangedRows = (SELECT src.unchanged_rows FROM #run_snapshot AS src);
IF @UnchangedRows >= 0
BEGIN
            INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
            VALUES (@RunId, 'pipeline', 'SnapshotUnchanged', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), @UnchangedRows, 'SUCCEEDED', HOST_NAME());
END;
        -- 5. Mass-change guard, first half: empty staging while live orders exist would
        --    archive the board. The live counts are the guard's denominators.
IF @UnchangedRows < 0 AND @AllowMassArchive = 0
BEGIN
            SET @LiveOrders = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_V2] AS tgt WHERE tgt.is_removed = 0);
            SET @LiveLines = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES] AS tgt WHERE tgt.qty <> 0);
IF @LiveOrders > 0 AND NOT EXISTS (SELECT 1 FROM [dbo].[swp_ORDER'S [LIST]]])
BEGIN
                SET @ThrowMessage = CONCAT(N'RunPipeline refused (mass change guard): staging table dbo.swp_ORDER''S [LIST] is empty: this run would archive all ', @LiveOrders, N' live orders. Nothing was merged or queued. Check the upstream load. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with @AllowMassArchive = 1.');
                THROW 50004, @ThrowMessage, 1;
END;
END;
        -- 6. Otherwise both merges, one transaction.
IF @UnchangedRows < 0
BEGIN
            INSERT INTO #run_counts
            EXEC [sync].[MergeHeaders] @RunId = @RunId, @DryRun = @DryRun;
            INSERT INTO #run_counts
            EXEC [sync].[MergeLines] @RunId = @RunId, @DryRun = @DryRun;
END;
        -- 7. Mass-change guard, second half: the archives and size-line deletes the merges
        --    queued (or would queue, dry run). Refused when either exceeds both thresholds;
        --    the refusal rolls the merges back.
IF @UnchangedRows < 0 AND @AllowMassArchive = 0
BEGIN
            SET @Archives = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity = 'item' AND src.action = 'ARCHIVE');
            SET @Deletes = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity = 'subitem' AND src.action = 'DELETE');
IF (@Archives > @MaxArchiveCount AND @Archives > @MaxArchiveShare * @LiveOrders) OR (@Deletes > @MaxArchiveCount AND @Deletes > @MaxArchiveShare * @LiveLines)
BEGIN
                SET @ThrowMessage = CONCAT(N'RunPipeline refused (mass change guard): this run would archive ', @Archives, N' of ', @LiveOrders, N' live orders and delete ', @Deletes, N' of ', @LiveLines, N' size lines; the limit for each is ', @MaxArchiveCount, N' rows or ', CAST(100 * @MaxArchiveShare AS NUMERIC(9, 2)), N' %, whichever is larger (staging.max_archive_count, staging.max_archive_share). Nothing was merged or queued: check the upstream load of dbo.swp_ORDER''S [LIST]. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with @AllowMassArchive = 1.');
                THROW 50004, @ThrowMessage, 1;
END;
END;
        -- 8. Log the end with the counts, e.g. {"item": {"CREATE": 3}, "subitem": {"CREATE": 12}}.
        SET @Counts = (SELECT CONCAT('{', STRING_AGG(CAST(e.obj AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY e.obj), '}')
         FROM (SELECT CONCAT('"', src.entity, '": {', STRING_AGG(CAST(CONCAT('"', src.action, '": ', src.[rows]) AS NVARCHAR(MAX)), ', ') WITHIN GROUP (ORDER BY CONCAT('"', src.action, '": ', src.[rows])), '}') AS obj
               FROM #run_counts AS src
               GROUP BY src.entity) AS e);
        UPDATE [dbo].[ORDER_LIST_RUN_LOG]
        SET end_time = SYSUTCDATETIME(),
            outcome = 'SUCCEEDED',
            rows_affected = (SELECT COALESCE(SUM(src.[rows]), 0) FROM #run_counts AS src WHERE src.entity <> 'reject'),
            counts = CAST(@Counts AS NVARCHAR(MAX))
        WHERE run_log_id = @RunId;
        IF @TranCount = 0 COMMIT TRANSACTION;
    END TRY
    BEGIN CATCH
        IF XACT_STATE() = -1 OR (XACT_STATE() = 1 AND @TranCount = 0) ROLLBACK TRANSACTION;
        ELSE IF XACT_STATE() = 1 ROLLBACK TRANSACTION RunPipeline;
        SET @FailMessage = ERROR_MESSAGE();
        SET @FailNumber = ERROR_NUMBER();
        -- The failure, logged after the rollback (REFUSED for drift or a busy lock).
        UPDATE [dbo].[ORDER_LIST_RUN_LOG]
        SET end_time = SYSUTCDATETIME(),
            outcome = CASE WHEN @FailNumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END,
            error_number = @FailNumber,
            error_message = @FailMessage
        WHERE run_log_id = @RunId;
IF @@ROWCOUNT = 0
BEGIN
            -- The start row went with a caller's rolled-back transaction: log the run again.
            INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, outcome, error_number, error_message, host_name)
            VALUES (@RunId, 'pipeline', 'RunPipeline', @DryRun, SYSUTCDATETIME(), SYSUTCDATETIME(), CASE WHEN @FailNumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END, @FailNumber, @FailMessage, HOST_NAME());
END;
        THROW;
    END CATCH;

    -- 9. The counts by entity and action (zero rows omitted).
    SELECT @RunId AS run_id, src.entity, src.action,
           CAST(SUM(src.[rows]) AS INT) AS [rows]
    FROM #run_counts AS src
    GROUP BY src.entity, src.action
    ORDER BY src.entity, src.action;
    RETURN 0;
END;
GO

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
GO

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
GO

-- generated from procedures/sync.Claim{Entity}.sql.j2 (item) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[ClaimItems]
    @BatchSize INT,
    @LeaseSeconds INT,
    @ClaimToken UNIQUEIDENTIFIER,
    @Customer NVARCHAR(255) = NULL,
    @MaxAttempts INT = 5,
    @RunId BIGINT = NULL
AS
-- Lease up to BatchSize ready item rows to ClaimToken.
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
        SET @ThrowMessage = CONCAT(N'ClaimItems: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION ClaimItems;

    SET @Lease = COALESCE(@LeaseSeconds, 300);

    -- Expired leases on the last allowed attempt: dead letter, not another try.
UPDATE tgt
SET last_error_code = 'LEASE_EXPIRED',
        last_error = CONCAT('the lease expired on attempt ', tgt.attempts, ' of ', @MaxAttempts, ': the pusher holding the row stopped or hung'),
        updated_at = @Now
OUTPUT inserted.delta_id INTO @Expired (id)
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
WHERE tgt.sync_state = 'IN_FLIGHT' AND tgt.lease_expires_at < @Now AND tgt.attempts >= @MaxAttempts;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'ARCHIVE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = 0,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_item_id = COALESCE(tgt.monday_item_id, src.monday_item_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_DELTA] AS finished WHERE finished.delta_id IN (SELECT id FROM @Expired)) AS src ON src.order_key = tgt.order_key AND tgt.delta_id > src.delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_DELTA]
    WHERE delta_id IN (
        SELECT finished.delta_id
        FROM [dbo].[ORDER_LIST_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.delta_id > finished.delta_id
        WHERE finished.delta_id IN (SELECT id FROM @Expired)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_DELTA]
    SET sync_state = 'FAILED',
        lease_expires_at = NULL
    WHERE delta_id IN (SELECT id FROM @Expired);

    -- The claim: oldest ready rows first.
WITH batch AS (
    SELECT TOP (@BatchSize) c.*
    FROM [dbo].[ORDER_LIST_DELTA] AS c WITH (READPAST, UPDLOCK, ROWLOCK)
    WHERE (c.sync_state = 'PENDING' OR (c.sync_state = 'IN_FLIGHT' AND c.lease_expires_at < @Now))
      AND NOT EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS earlier
        WHERE earlier.order_key = c.order_key
          AND earlier.delta_id < c.delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    )

      AND (@Customer IS NULL OR EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS customer_order
        WHERE customer_order.order_key = c.order_key
          AND NULLIF(UPPER(RTRIM(CAST(customer_order.[CUSTOMER'S NAME] AS NVARCHAR(4000)))), '') COLLATE DATABASE_DEFAULT = NULLIF(UPPER(RTRIM(@Customer)), '') COLLATE DATABASE_DEFAULT
    ))
    ORDER BY c.delta_id
)
UPDATE batch
SET sync_state = 'IN_FLIGHT',
        claim_token = @ClaimToken,
        claimed_at = @Now,
        lease_expires_at = DATEADD(SECOND, @Lease, @Now),
        attempts = attempts + 1,
        updated_at = @Now
OUTPUT inserted.delta_id INTO @Claimed (id);

IF (SELECT COUNT(*) FROM @Claimed) > 0 OR (SELECT COUNT(*) FROM @Expired) > 0
BEGIN
        INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
        VALUES (@RunId, N'queue', N'ClaimItems', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Claimed), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"lease_expired_dead_lettered": ', (SELECT COUNT(*) FROM @Expired), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());
END;

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION ClaimItems;
    THROW;
END CATCH;
    SET LOCK_TIMEOUT -1;  -- the claim is committed: its read-back must not fail on a lock
    SELECT a.delta_id,
            a.order_key,
            a.action,
            a.payload,
            a.item_name,
            a.group_key,
            g.group_title,
            g.monday_group_id,
            COALESCE(o.monday_item_id, a.monday_item_id) AS monday_item_id,
            a.attempts,
            a.last_error_code
        FROM [dbo].[ORDER_LIST_DELTA] AS a
        LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
        LEFT JOIN [dbo].[ORDER_LIST_GROUPS] AS g ON g.group_key = a.group_key
        WHERE a.delta_id IN (SELECT id FROM @Claimed)
        ORDER BY a.delta_id;
    RETURN 0;
END;
GO

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
GO

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
GO

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
GO

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
GO

-- generated from procedures/sync.Mark{Entity}Failed.sql.j2 (subitem) by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[MarkSubitemsFailed]
    @ClaimToken UNIQUEIDENTIFIER,
    @Failures NVARCHAR(MAX),
    @MaxAttempts INT = 5,
    @RunId BIGINT = NULL
AS
-- Mark claimed subitem rows failed; Failures = [{"delta_id": 1, "code": "...", "message": "...", "retryable": false}].
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
        SET @ThrowMessage = CONCAT(N'MarkSubitemsFailed: ', SUBSTRING(@Problems, 3, 2000));
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
        SAVE TRANSACTION MarkSubitemsFailed;

    -- Keep the error on each row (this also locks them for the rest of the call).
UPDATE tgt
SET last_error_code = COALESCE(src.code, 'UNKNOWN'),
        last_error = LEFT(src.message, 2000),
        updated_at = @Now
OUTPUT inserted.line_delta_id INTO @Failed (id)
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM OPENJSON(@Failures) WITH (
    delta_id BIGINT '$.delta_id',
    code NVARCHAR(100) '$.code',
    message NVARCHAR(MAX) '$.message',
    retryable BIT '$.retryable'
) AS j) AS src ON src.delta_id = tgt.line_delta_id AND tgt.sync_state = 'IN_FLIGHT' AND tgt.claim_token = @ClaimToken;
INSERT INTO @Retry (id)
    SELECT row_failed.line_delta_id
    FROM [dbo].[ORDER_LIST_LINES_DELTA] AS row_failed
    INNER JOIN (SELECT * FROM OPENJSON(@Failures) WITH (
    delta_id BIGINT '$.delta_id',
    code NVARCHAR(100) '$.code',
    message NVARCHAR(MAX) '$.message',
    retryable BIT '$.retryable'
) AS j) AS src ON src.delta_id = row_failed.line_delta_id
    WHERE row_failed.line_delta_id IN (SELECT id FROM @Failed)
      AND src.retryable = 1
      AND row_failed.attempts < @MaxAttempts;
    UPDATE tgt
SET action = CASE
            WHEN src.action = 'CREATE' AND tgt.action = 'UPDATE' THEN 'CREATE'
            WHEN src.action = 'DELETE' AND tgt.action IN ('CREATE', 'UPDATE') THEN 'UPDATE'
            ELSE tgt.action
        END,
        sync_state = 'PENDING',
        attempts = CASE WHEN src.line_delta_id IN (SELECT id FROM @Retry) THEN src.attempts ELSE 0 END,
        last_error_code = src.last_error_code,
        last_error = src.last_error,
        monday_subitem_id = COALESCE(tgt.monday_subitem_id, src.monday_subitem_id),
        created_at = CASE WHEN src.created_at < tgt.created_at THEN src.created_at ELSE tgt.created_at END,
        updated_at = @Now
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS tgt
INNER JOIN (SELECT * FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished WHERE finished.line_delta_id IN (SELECT id FROM @Failed)) AS src ON src.order_key = tgt.order_key AND src.size = tgt.size AND tgt.line_delta_id > src.line_delta_id AND tgt.sync_state IN ('PENDING', 'FAILED');
    DELETE FROM [dbo].[ORDER_LIST_LINES_DELTA]
    WHERE line_delta_id IN (
        SELECT finished.line_delta_id
        FROM [dbo].[ORDER_LIST_LINES_DELTA] AS finished
        INNER JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS newer
            ON newer.order_key = finished.order_key AND newer.size = finished.size AND newer.line_delta_id > finished.line_delta_id
        WHERE finished.line_delta_id IN (SELECT id FROM @Failed)
          AND newer.sync_state IN ('PENDING', 'FAILED')
    );
    UPDATE [dbo].[ORDER_LIST_LINES_DELTA]
    SET sync_state = CASE WHEN line_delta_id IN (SELECT id FROM @Retry) THEN 'PENDING' ELSE 'FAILED' END,
        lease_expires_at = NULL
    WHERE line_delta_id IN (SELECT id FROM @Failed);

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, counts, outcome, host_name)
    VALUES (@RunId, N'queue', N'MarkSubitemsFailed', 0, @Now, SYSUTCDATETIME(), (SELECT COUNT(*) FROM @Failed), CAST(CONCAT('{"claim_token": "', LOWER(CAST(@ClaimToken AS NVARCHAR(4000))), '", ', '"to_pending": ', (SELECT COUNT(*) FROM @Retry), ', "to_failed": ', (SELECT COUNT(*) FROM @Failed) - (SELECT COUNT(*) FROM @Retry), '}') AS NVARCHAR(MAX)), 'SUCCEEDED', HOST_NAME());

    IF @OwnTransaction = 1
        COMMIT TRANSACTION;
END TRY
BEGIN CATCH
    IF @OwnTransaction = 1 AND @@TRANCOUNT > 0
        ROLLBACK TRANSACTION;
    ELSE IF @OwnTransaction = 0 AND XACT_STATE() = 1
        ROLLBACK TRANSACTION MarkSubitemsFailed;
    THROW;
END CATCH;
    SELECT CAST((SELECT COUNT(*) FROM @Retry) AS INT) AS to_pending,
        CAST((SELECT COUNT(*) FROM @Failed) - (SELECT COUNT(*) FROM @Retry) AS INT) AS to_failed;
    RETURN 0;
END;
GO

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
GO

-- generated from db/retired.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
DROP PROCEDURE IF EXISTS [sync].[ClaimBatch];
DROP PROCEDURE IF EXISTS [sync].[MarkSynced];
DROP PROCEDURE IF EXISTS [sync].[MarkFailed];
GO

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
GO

-- generated from procedures/sync.Purge.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER PROCEDURE [sync].[Purge]
    @SyncedOlderThanDays INT = 30,
    @RunLogOlderThanDays INT = 90,
    @DryRun BIT = 0,
    @BatchSize INT = 4000,
    @MaxBatches INT = NULL
AS
-- Delete SYNCED deltas and run-log rows older than the given days (DryRun counts only).
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    SET IMPLICIT_TRANSACTIONS OFF;  -- ODBC manual-commit turns it on; reverts when the procedure returns
    DECLARE @ThrowMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    DECLARE @Problems NVARCHAR(2000) = '';
    DECLARE @Now DATETIME2(3);
    DECLARE @SyncedBefore DATETIME2(3);
    DECLARE @LoggedBefore DATETIME2(3);
    DECLARE @ItemDeleted INT = 0;
    DECLARE @SubitemDeleted INT = 0;
    DECLARE @RunLogDeleted INT = 0;
    DECLARE @Batch INT = 0;
    DECLARE @Batches INT = 0;
    DECLARE @OwnBatches BIT;
    IF @SyncedOlderThanDays IS NULL OR @SyncedOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @SyncedOlderThanDays must be 0 or more days');
END;
    IF @RunLogOlderThanDays IS NULL OR @RunLogOlderThanDays < 0
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @RunLogOlderThanDays must be 0 or more days');
END;
    IF @BatchSize IS NULL OR @BatchSize NOT BETWEEN 1 AND 100000
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @BatchSize must be 1 to 100000 rows');
END;
    IF @MaxBatches < 1
BEGIN
        SET @Problems = CONCAT(@Problems, N'; @MaxBatches must be at least 1 (NULL: no limit)');
END;
    IF @Problems <> ''
BEGIN
        SET @ThrowMessage = CONCAT(N'Purge: ', SUBSTRING(@Problems, 3, 2000));
THROW 50001, @ThrowMessage, 1;
END;

    SET @Now = SYSUTCDATETIME();

    SET @SyncedBefore = DATEADD(DAY, -@SyncedOlderThanDays, @Now);
    SET @LoggedBefore = DATEADD(DAY, -@RunLogOlderThanDays, @Now);

IF @DryRun = 1
BEGIN
        SET @ItemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_DELTA]
            WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @ItemDeleted = @ItemDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;
IF @DryRun = 1
BEGIN
        SET @SubitemDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_LINES_DELTA] WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_LINES_DELTA]
            WHERE sync_state = 'SYNCED' AND synced_at < @SyncedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @SubitemDeleted = @SubitemDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;
IF @DryRun = 1
BEGIN
        SET @RunLogDeleted = (SELECT COUNT(*) FROM [dbo].[ORDER_LIST_RUN_LOG] WHERE start_time < @LoggedBefore);
END;
IF @DryRun = 0
BEGIN
        SET @Batch = @BatchSize;
        SET @Batches = 0;
        SET @OwnBatches = IIF(@@TRANCOUNT = 0, 1, 0);  -- in a caller's transaction: the caller commits
        WHILE @Batch = @BatchSize AND (@MaxBatches IS NULL OR @Batches < @MaxBatches)
        BEGIN
            IF @OwnBatches = 1 BEGIN TRANSACTION;
            DELETE TOP (@BatchSize) FROM [dbo].[ORDER_LIST_RUN_LOG]
            WHERE start_time < @LoggedBefore;
            SET @Batch = @@ROWCOUNT;
            IF @OwnBatches = 1 COMMIT TRANSACTION;
            SET @RunLogDeleted = @RunLogDeleted + @Batch;
            SET @Batches = @Batches + 1;
        END;
END;

    INSERT INTO [dbo].[ORDER_LIST_RUN_LOG] (component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
    VALUES (N'pusher', N'Purge', @DryRun, @Now, SYSUTCDATETIME(), @ItemDeleted + @SubitemDeleted + @RunLogDeleted, 'SUCCEEDED', HOST_NAME());

    SELECT CAST(N'ORDER_LIST_DELTA' AS NVARCHAR(128)) AS [object], @ItemDeleted AS deleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_LINES_DELTA' AS NVARCHAR(128)), @SubitemDeleted
    UNION ALL
    SELECT CAST(N'ORDER_LIST_RUN_LOG' AS NVARCHAR(128)), @RunLogDeleted;
    RETURN 0;
END;
GO

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
GO

-- generated from procedures/sync.PendingItems.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[PendingItems]
AS
SELECT a.delta_id,
    a.order_key,
    o.[CUSTOMER'S NAME] AS customer,
    a.action,
    a.payload,
    a.item_name,
    a.group_key,
    g.group_title,
    g.monday_group_id,
    COALESCE(o.monday_item_id, a.monday_item_id) AS monday_item_id,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.created_at
FROM [dbo].[ORDER_LIST_DELTA] AS a
LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN [dbo].[ORDER_LIST_GROUPS] AS g ON g.group_key = a.group_key
WHERE a.sync_state = 'PENDING'
    AND NOT EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_DELTA] AS earlier
        WHERE earlier.order_key = a.order_key
          AND earlier.delta_id < a.delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    );
GO

-- generated from procedures/sync.PendingSubitems.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[PendingSubitems]
AS
SELECT a.line_delta_id AS delta_id,
    a.order_key,
    a.size,
    CAST(CONCAT(a.order_key, '|', a.size) AS NVARCHAR(MAX)) AS line_key,
    o.[CUSTOMER'S NAME] AS customer,
    a.action,
    a.qty,
    o.monday_item_id AS parent_item_id,
    COALESCE(l.monday_subitem_id, a.monday_subitem_id) AS monday_subitem_id,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.created_at
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN [dbo].[ORDER_LIST_LINES] AS l ON l.order_key = a.order_key AND l.size = a.size
WHERE a.sync_state = 'PENDING'
    AND NOT EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS earlier
        WHERE earlier.order_key = a.order_key AND earlier.size = a.size
          AND earlier.line_delta_id < a.line_delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    )
    AND EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS parent
        WHERE parent.order_key = a.order_key AND parent.monday_item_id IS NOT NULL
    );
GO

-- generated from procedures/sync.Failures.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[Failures]
AS
SELECT CAST('item' AS NVARCHAR(10)) AS entity,
    a.delta_id,
    a.order_key,
    CAST(NULL AS NVARCHAR(100)) AS size,
    a.action,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.updated_at
FROM [dbo].[ORDER_LIST_DELTA] AS a
WHERE a.sync_state = 'FAILED'
UNION ALL
SELECT CAST('subitem' AS NVARCHAR(10)),
    a.line_delta_id,
    a.order_key,
    a.size,
    a.action,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.updated_at
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
WHERE a.sync_state = 'FAILED'
UNION ALL
SELECT CAST('reject' AS NVARCHAR(10)),
    CAST(NULL AS BIGINT),
    r.order_key,
    CAST(NULL AS NVARCHAR(100)),
    CAST(NULL AS NVARCHAR(10)),
    CAST(NULL AS INT),
    CAST('REJECTED' AS NVARCHAR(100)),
    r.error_message,
    r.start_time
FROM [dbo].[ORDER_LIST_RUN_LOG] AS r
WHERE r.outcome = 'REJECTED'
    AND r.run_id = (SELECT MAX(latest.run_id) FROM [dbo].[ORDER_LIST_RUN_LOG] AS latest WHERE latest.component = 'pipeline');
GO

-- generated from procedures/sync.StatusCounts.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[StatusCounts]
AS
SELECT CAST('item' AS NVARCHAR(10)) AS entity,
    a.sync_state,
    a.action,
    COUNT(*) AS [rows],
    MIN(a.created_at) AS oldest_created_at
FROM [dbo].[ORDER_LIST_DELTA] AS a
GROUP BY a.sync_state, a.action
UNION ALL
SELECT CAST('subitem' AS NVARCHAR(10)) AS entity,
    a.sync_state,
    a.action,
    COUNT(*) AS [rows],
    MIN(a.created_at) AS oldest_created_at
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
GROUP BY a.sync_state, a.action;
GO

-- generated from procedures/sync.RunHistory.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[RunHistory]
AS
SELECT r.run_log_id,
    r.run_id,
    r.component,
    r.step,
    r.is_dry_run,
    r.outcome,
    r.start_time,
    r.end_time,
    CAST(DATEDIFF_BIG(MILLISECOND, r.start_time, r.end_time) / 1000.0 AS DECIMAL(18, 3)) AS duration_seconds,
    r.rows_affected,
    r.counts,
    r.order_key,
    r.error_number,
    r.error_message,
    r.host_name
FROM [dbo].[ORDER_LIST_RUN_LOG] AS r;
GO

-- generated from procedures/sync.PlannedChanges.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[PlannedChanges]
AS
SELECT CAST('item' AS NVARCHAR(10)) AS entity,
    a.delta_id,
    a.order_key,
    CAST(NULL AS NVARCHAR(100)) AS size,
    o.[CUSTOMER'S NAME] AS customer,
    a.action,
    a.payload,
    a.item_name,
    a.group_key,
    CAST(NULL AS INT) AS qty,
    s.payload AS last_payload,
    s.item_name AS last_item_name,
    s.group_key AS last_group_key,
    CAST(NULL AS INT) AS last_qty,
    s.synced_at AS last_synced_at,
    0 AS waits_for_parent
FROM [dbo].[ORDER_LIST_DELTA] AS a
LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN (
    SELECT x.order_key, MAX(x.delta_id) AS delta_id
    FROM [dbo].[ORDER_LIST_DELTA] AS x
    WHERE x.sync_state = 'SYNCED'
    GROUP BY x.order_key
) AS latest ON latest.order_key = a.order_key
LEFT JOIN [dbo].[ORDER_LIST_DELTA] AS s ON s.delta_id = latest.delta_id
WHERE a.sync_state = 'PENDING'
UNION ALL
SELECT CAST('subitem' AS NVARCHAR(10)),
    a.line_delta_id,
    a.order_key,
    a.size,
    o.[CUSTOMER'S NAME],
    a.action,
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(400)),
    a.qty,
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(400)),
    s.qty,
    s.synced_at,
    CASE WHEN o.monday_item_id IS NULL THEN 1 ELSE 0 END
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN (
    SELECT x.order_key, x.size, MAX(x.line_delta_id) AS line_delta_id
    FROM [dbo].[ORDER_LIST_LINES_DELTA] AS x
    WHERE x.sync_state = 'SYNCED'
    GROUP BY x.order_key, x.size
) AS latest ON latest.order_key = a.order_key AND latest.size = a.size
LEFT JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS s ON s.line_delta_id = latest.line_delta_id
WHERE a.sync_state = 'PENDING';
GO

-- generated from procedures/sync.DeployedConfig.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[DeployedConfig]
AS
SELECT CAST(N'{"environment.data_schema": "dbo", "environment.sync_schema": "sync", "hashed columns (row hash and payload)": ["AAG ORDER NUMBER", "CUSTOMER''S NAME", "STYLE [CODE]", "COLOUR \"DESC\"", "SEASON", "EX FACTORY DATE", "PRICE (USD)", "TOTAL QTY"], "monday.item_columns (staging columns)": ["COLOUR \"DESC\"", "CUSTOMER''S NAME", "EX FACTORY DATE", "PRICE (USD)", "SEASON", "STYLE [CODE]", "TOTAL QTY"], "order.customer_column": "CUSTOMER''S NAME", "order.group_name": {"columns": ["CUSTOMER''S NAME", "SEASON"], "separator": " "}, "order.item_name": {"columns": ["STYLE [CODE]", "COLOUR \"DESC\"", "AAG ORDER NUMBER"], "separator": " - "}, "order.key_columns": ["AAG ORDER NUMBER"], "sizes.aliases": {"O/S": "ONE SIZE"}, "sizes.columns": null, "sizes.first_after": "UNIT OF MEASURE", "sizes.last_before": "TOTAL QTY", "staging.mode": "snapshot", "tables.groups": "ORDER_LIST_GROUPS", "tables.line_delta": "ORDER_LIST_LINES_DELTA", "tables.lines": "ORDER_LIST_LINES", "tables.order_delta": "ORDER_LIST_DELTA", "tables.orders": "ORDER_LIST_V2", "tables.run_log": "ORDER_LIST_RUN_LOG", "tables.staging": "swp_ORDER''S [LIST]"}' AS NVARCHAR(MAX)) AS settings;
GO

SET NOEXEC OFF;
GO
