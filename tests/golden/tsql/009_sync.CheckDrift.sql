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
