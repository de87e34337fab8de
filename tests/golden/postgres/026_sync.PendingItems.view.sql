-- generated from procedures/sync.PendingItems.view.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE VIEW "sync"."PendingItems"
AS
SELECT a.delta_id,
    a.order_key,
    o."CUSTOMER'S NAME" AS customer,
    a.action,
    a.payload,
    a.item_name,
    a.group_key,
    g.group_title,
    g.monday_group_id,
    COALESCE(o.monday_item_id, a.monday_item_id) AS monday_item_id,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.created_at
FROM "dbo"."ORDER_LIST_DELTA" AS a
LEFT JOIN "dbo"."ORDER_LIST_V2" AS o ON o.order_key = a.order_key
LEFT JOIN "dbo"."ORDER_LIST_GROUPS" AS g ON g.group_key = a.group_key
WHERE a.sync_state = 'PENDING'
    AND NOT EXISTS (
        SELECT 1 FROM "dbo"."ORDER_LIST_DELTA" AS earlier
        WHERE earlier.order_key = a.order_key
          AND earlier.delta_id < a.delta_id
          AND earlier.sync_state = 'IN_FLIGHT'
    );
