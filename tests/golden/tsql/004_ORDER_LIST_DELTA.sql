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
