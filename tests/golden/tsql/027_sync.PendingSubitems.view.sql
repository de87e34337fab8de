-- generated from procedures/sync.PendingSubitems.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[PendingSubitems]
AS
SELECT a.line_delta_id AS delta_id,
    a.order_key,
    a.size,
    CAST(CONCAT(a.order_key, '|', a.size) AS NVARCHAR(MAX)) AS line_key,
    o.[CUSTOMER'S NAME] AS customer,
    a.action,
    a.qty,
    o.monday_item_id AS parent_item_id,
    COALESCE(l.monday_subitem_id, a.monday_subitem_id) AS monday_subitem_id,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.created_at
FROM [dbo].[ORDER_LIST_LINES_DELTA] AS a
INNER JOIN [dbo].[ORDER_LIST_V2] AS o ON o.order_key = a.order_key
LEFT JOIN [dbo].[ORDER_LIST_LINES] AS l ON l.order_key = a.order_key AND l.size = a.size
WHERE a.sync_state = 'PENDING'
    AND NOT EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_LINES_DELTA] AS earlier
        WHERE earlier.order_key = a.order_key AND earlier.size = a.size
          AND earlier.line_delta_id < a.line_delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    )
    AND EXISTS (
        SELECT 1 FROM [dbo].[ORDER_LIST_V2] AS parent
        WHERE parent.order_key = a.order_key AND parent.monday_item_id IS NOT NULL
    );
