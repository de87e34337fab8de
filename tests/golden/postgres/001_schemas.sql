-- generated from db/schemas.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
CREATE SCHEMA IF NOT EXISTS "dbo";

CREATE SCHEMA IF NOT EXISTS "sync";
