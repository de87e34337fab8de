-- generated from procedures/sync.PlannedChanges.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[PlannedChanges]
AS
SELECT CAST('item' AS NVARCHAR(10)) AS entity,
    a.delta_id,
    a.order_key,
    CAST(NULL AS NVARCHAR(100)) AS size,
    o.[CUSTOMER'S NAME] AS customer,
    a.action,
    a.payload,
    a.item_name,
    a.group_key,
    CAST(NULL AS INT) AS qty,
    s.payload AS last_payload,
    s.item_name AS last_item_name,
    s.group_key AS last_group_key,
    CAST(NULL AS INT) AS last_qty,
    s.synced_at AS last_synced_at,
    0 AS waits_for_parent
FROM [dbo].[ORDER_LIST_DELTA] AS a
LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN (
    SELECT x.order_key, MAX(x.delta_id) AS delta_id
    FROM [dbo].[ORDER_LIST_DELTA] AS x
    WHERE x.sync_state = 'SYNCED'
    GROUP BY x.order_key
) AS latest ON latest.order_key = a.order_key
LEFT JOIN [dbo].[ORDER_LIST_DELTA] AS s ON s.delta_id = latest.delta_id
WHERE a.sync_state = 'PENDING'
UNION ALL
SELECT CAST('subitem' AS NVARCHAR(10)),
    a.line_delta_id,
    a.order_key,
    a.size,
    o.[CUSTOMER'S NAME],
    a.action,
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(400)),
    a.qty,
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(MAX)),
    CAST(NULL AS NVARCHAR(400)),
    s.qty,
    s.synced_at,
    CASE WHEN o.monday_item_id IS NULL THEN 1 ELSE 0 END
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
LEFT JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN (
    SELECT x.order_key, x.size, MAX(x.line_delta_id) AS line_delta_id
    FROM [dbo].[ORDER_LIST_LINES_DELTA] AS x
    WHERE x.sync_state = 'SYNCED'
    GROUP BY x.order_key, x.size
) AS latest ON latest.order_key = a.order_key AND latest.size = a.size
LEFT JOIN [dbo].[ORDER_LIST_LINES_DELTA] AS s ON s.line_delta_id = latest.line_delta_id
WHERE a.sync_state = 'PENDING';
