-- generated from db/schemas.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE SCHEMA IF NOT EXISTS "dbo";

CREATE SCHEMA IF NOT EXISTS "sync";
