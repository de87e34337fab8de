-- generated from procedures/sync.RunHistory.view.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
CREATE OR ALTER VIEW [sync].[RunHistory]
AS
SELECT r.run_log_id,
    r.run_id,
    r.component,
    r.step,
    r.is_dry_run,
    r.outcome,
    r.start_time,
    r.end_time,
    CAST(DATEDIFF_BIG(MILLISECOND, r.start_time, r.end_time) / 1000.0 AS DECIMAL(18, 3)) AS duration_seconds,
    r.rows_affected,
    r.counts,
    r.order_key,
    r.error_number,
    r.error_message,
    r.host_name
FROM [dbo].[ORDER_LIST_RUN_LOG] AS r;
