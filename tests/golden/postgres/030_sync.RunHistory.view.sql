-- generated from procedures/sync.RunHistory.view.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE VIEW "sync"."RunHistory"
AS
SELECT r.run_log_id,
    r.run_id,
    r.component,
    r.step,
    r.is_dry_run,
    r.outcome,
    r.start_time,
    r.end_time,
    CAST(EXTRACT(EPOCH FROM (r.end_time - r.start_time)) AS NUMERIC(18, 3)) AS duration_seconds,
    r.rows_affected,
    r.counts,
    r.order_key,
    r.error_number,
    r.error_message,
    r.host_name
FROM "dbo"."ORDER_LIST_RUN_LOG" AS r;
