-- generated from db/tables/ORDER_LIST_GROUPS.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE TABLE IF NOT EXISTS "dbo"."ORDER_LIST_GROUPS" (
    group_key           VARCHAR(400) NOT NULL,
    group_title         VARCHAR(255) NOT NULL,
    monday_group_id     VARCHAR(100) NULL,
    created_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    updated_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    CONSTRAINT "PK_ORDER_LIST_GROUPS" PRIMARY KEY (group_key)
);
