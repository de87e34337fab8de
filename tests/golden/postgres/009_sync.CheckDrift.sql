-- generated from procedures/sync.CheckDrift.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."CheckDrift"(
)
RETURNS TABLE (
    change TEXT,
    column_name TEXT
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Columns added to or removed from the staging table since the procedures were rendered.
BEGIN
    -- Rendered for 14 staging columns (fingerprint 986f58b2a19193f0),
    -- 5 of them sizes (fingerprint 2e23269c2622663c).
    RETURN QUERY SELECT CAST(CASE WHEN tgt.column_name IS NULL THEN 'added' ELSE 'removed' END AS TEXT) AS change,
           CAST(COALESCE(src.column_name, tgt.column_name) AS TEXT) AS column_name
    FROM (SELECT CAST(c.attname AS TEXT) AS column_name FROM pg_catalog.pg_attribute AS c
WHERE c.attrelid = to_regclass('"dbo"."swp_ORDER''S [LIST]"') AND c.attnum > 0 AND NOT c.attisdropped) AS src
    FULL OUTER JOIN (VALUES
        ('AAG ORDER NUMBER'),
        ('CUSTOMER''S NAME'),
        ('STYLE [CODE]'),
        ('COLOUR "DESC"'),
        ('SEASON'),
        ('UNIT OF MEASURE'),
        ('S'),
        ('M'),
        ('L'),
        ('ONE SIZE'),
        ('O/S'),
        ('TOTAL QTY'),
        ('EX FACTORY DATE'),
        ('PRICE (USD)')
    ) AS tgt (column_name) ON tgt.column_name = src.column_name
    WHERE src.column_name IS NULL OR tgt.column_name IS NULL
    ORDER BY 1, 2;
    RETURN;
END;
$proc$;
