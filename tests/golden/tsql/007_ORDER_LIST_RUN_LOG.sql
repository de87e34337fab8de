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
