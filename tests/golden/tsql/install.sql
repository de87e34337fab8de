-- ordersync install script (tsql); objects in deploy order.
-- Idempotent: tables are created if missing, code objects are created or altered.
SET NOCOUNT ON;
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO

-- generated from db/schemas.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
IF SCHEMA_ID(N'dbo') IS NULL
    EXEC (N'CREATE SCHEMA [dbo]');

GO
IF SCHEMA_ID(N'sync') IS NULL
    EXEC (N'CREATE SCHEMA [sync]');
GO

-- generated from db/tables/ORDER_LIST_V2.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
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

-- generated from db/tables/ORDER_LIST_LINES.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
IF OBJECT_ID(N'[dbo].[ORDER_LIST_LINES]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_LINES] (
    order_key           NVARCHAR(400) NOT NULL,
    size                NVARCHAR(100) NOT NULL,
    qty                 INT NOT NULL,
    record_uuid         UNIQUEIDENTIFIER NOT NULL DEFAULT NEWID(),
    monday_subitem_id   BIGINT NULL,
    created_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    updated_at          DATETIME2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
    CONSTRAINT [PK_ORDER_LIST_LINES] PRIMARY KEY (order_key, size)
    );
END;
GO

-- generated from db/tables/ORDER_LIST_DELTA.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
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
IF OBJECT_ID(N'[dbo].[ORDER_LIST_LINES_DELTA]', N'U') IS NULL
BEGIN
    CREATE TABLE [dbo].[ORDER_LIST_LINES_DELTA] (
    line_delta_id       BIGINT IDENTITY(1, 1) NOT NULL,
    order_key           NVARCHAR(400) NOT NULL,
    size                NVARCHAR(100) NOT NULL,
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
CREATE OR ALTER PROCEDURE [sync].[SaveGroup]
    @GroupKey NVARCHAR(400),
    @MondayGroupId NVARCHAR(100)
AS
-- Store the monday group id for one board group.
BEGIN
    SET NOCOUNT ON;
    SET XACT_ABORT ON;
    DECLARE @ErrorMessage NVARCHAR(2048);  -- THROW takes a variable, not an expression
    UPDATE [dbo].[ORDER_LIST_GROUPS]
    SET monday_group_id = @MondayGroupId,
        updated_at = SYSUTCDATETIME()
    WHERE group_key = @GroupKey;

IF @@ROWCOUNT = 0
BEGIN
        SET @ErrorMessage = CONCAT(N'SaveGroup: no group with key ', @GroupKey, N'; run the pipeline first');
THROW 50001, @ErrorMessage, 1;
END;
    RETURN 0;
END;
GO

