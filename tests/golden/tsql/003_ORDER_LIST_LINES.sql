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
