-- generated from db/tables/ORDER_LIST_V2.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE TABLE IF NOT EXISTS "dbo"."ORDER_LIST_V2" (
    order_key           VARCHAR(400) NOT NULL,
    "AAG ORDER NUMBER" varchar(100) NULL,
    "CUSTOMER'S NAME" varchar(100) NULL,
    "STYLE [CODE]" varchar(100) NULL,
    "COLOUR ""DESC""" varchar(100) NULL,
    "SEASON" varchar(20) NULL,
    "EX FACTORY DATE" timestamp NULL,
    "PRICE (USD)" numeric(10,4) NULL,
    "TOTAL QTY" integer NULL,
    item_name           TEXT NULL,
    group_key           VARCHAR(400) NULL,
    row_hash            BYTEA NOT NULL,
    size_hash           BYTEA NULL,
    record_uuid         UUID NOT NULL DEFAULT gen_random_uuid(),
    monday_item_id      BIGINT NULL,
    is_removed          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    updated_at          TIMESTAMP(3) NOT NULL DEFAULT (clock_timestamp() AT TIME ZONE 'UTC'),
    CONSTRAINT "PK_ORDER_LIST_V2" PRIMARY KEY (order_key)
);
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "hash_version" INTEGER NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "AAG ORDER NUMBER" varchar(100) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "CUSTOMER'S NAME" varchar(100) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "STYLE [CODE]" varchar(100) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "COLOUR ""DESC""" varchar(100) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "SEASON" varchar(20) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "EX FACTORY DATE" timestamp NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "PRICE (USD)" numeric(10,4) NULL;
ALTER TABLE "dbo"."ORDER_LIST_V2" ADD COLUMN IF NOT EXISTS "TOTAL QTY" integer NULL;
