-- generated from db/tables/ORDER_LIST_LINES.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE TABLE IF NOT EXISTS "dbo"."ORDER_LIST_LINES" (
    order_key           VARCHAR(400) NOT NULL,
    size                VARCHAR(50) NOT NULL,
    qty                 INTEGER NOT NULL,
    record_uuid         UUID NOT NULL DEFAULT gen_random_uuid(),
    monday_subitem_id   BIGINT NULL,
    created_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    updated_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    CONSTRAINT "PK_ORDER_LIST_LINES" PRIMARY KEY (order_key, size)
);
