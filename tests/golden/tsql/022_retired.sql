-- generated from db/retired.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
DROP PROCEDURE IF EXISTS [sync].[ClaimBatch];
DROP PROCEDURE IF EXISTS [sync].[MarkSynced];
DROP PROCEDURE IF EXISTS [sync].[MarkFailed];
