-- generated from procedures/sync.DeployedConfig.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[DeployedConfig]
AS
SELECT CAST(N'{"environment.data_schema": "dbo", "environment.sync_schema": "sync", "hashed columns (row hash and payload)": ["AAG ORDER NUMBER", "CUSTOMER''S NAME", "STYLE [CODE]", "COLOUR \"DESC\"", "SEASON", "EX FACTORY DATE", "PRICE (USD)", "TOTAL QTY"], "monday.item_columns (staging columns)": ["COLOUR \"DESC\"", "CUSTOMER''S NAME", "EX FACTORY DATE", "PRICE (USD)", "SEASON", "STYLE [CODE]", "TOTAL QTY"], "order.customer_column": "CUSTOMER''S NAME", "order.group_name": {"columns": ["CUSTOMER''S NAME", "SEASON"], "separator": " "}, "order.item_name": {"columns": ["STYLE [CODE]", "COLOUR \"DESC\"", "AAG ORDER NUMBER"], "separator": " - "}, "order.key_columns": ["AAG ORDER NUMBER"], "sizes.aliases": {"O/S": "ONE SIZE"}, "sizes.columns": null, "sizes.first_after": "UNIT OF MEASURE", "sizes.last_before": "TOTAL QTY", "staging.mode": "snapshot", "tables.groups": "ORDER_LIST_GROUPS", "tables.line_delta": "ORDER_LIST_LINES_DELTA", "tables.lines": "ORDER_LIST_LINES", "tables.order_delta": "ORDER_LIST_DELTA", "tables.orders": "ORDER_LIST_V2", "tables.run_log": "ORDER_LIST_RUN_LOG", "tables.staging": "swp_ORDER''S [LIST]"}' AS NVARCHAR(MAX)) AS settings;
