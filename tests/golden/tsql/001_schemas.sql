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
