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
