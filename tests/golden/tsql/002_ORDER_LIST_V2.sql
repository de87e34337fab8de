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
