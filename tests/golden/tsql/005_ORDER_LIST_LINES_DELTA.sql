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
