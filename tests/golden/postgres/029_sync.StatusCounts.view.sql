-- generated from procedures/sync.StatusCounts.view.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE VIEW "sync"."StatusCounts"
AS
SELECT CAST('item' AS VARCHAR(10)) AS entity,
    a.sync_state,
    a.action,
    COUNT(*) AS "rows",
    MIN(a.created_at) AS oldest_created_at
FROM "dbo"."ORDER_LIST_DELTA" AS a
GROUP BY a.sync_state, a.action
UNION ALL
SELECT CAST('subitem' AS VARCHAR(10)) AS entity,
    a.sync_state,
    a.action,
    COUNT(*) AS "rows",
    MIN(a.created_at) AS oldest_created_at
FROM "dbo"."ORDER_LIST_LINES_DELTA" AS a
GROUP BY a.sync_state, a.action;
