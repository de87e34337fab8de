-- generated from procedures/sync.Failures.view.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE VIEW "sync"."Failures"
AS
SELECT CAST('item' AS VARCHAR(10)) AS entity,
    a.delta_id,
    a.order_key,
    CAST(NULL AS VARCHAR(100)) AS size,
    a.action,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.updated_at
FROM "dbo"."ORDER_LIST_DELTA" AS a
WHERE a.sync_state = 'FAILED'
UNION ALL
SELECT CAST('subitem' AS VARCHAR(10)),
    a.line_delta_id,
    a.order_key,
    a.size,
    a.action,
    a.attempts,
    a.last_error_code,
    a.last_error,
    a.updated_at
FROM "dbo"."ORDER_LIST_LINES_DELTA" AS a
WHERE a.sync_state = 'FAILED'
UNION ALL
SELECT CAST('reject' AS VARCHAR(10)),
    CAST(NULL AS BIGINT),
    r.order_key,
    CAST(NULL AS VARCHAR(100)),
    CAST(NULL AS VARCHAR(10)),
    CAST(NULL AS INTEGER),
    CAST('REJECTED' AS VARCHAR(100)),
    r.error_message,
    r.start_time
FROM "dbo"."ORDER_LIST_RUN_LOG" AS r
WHERE r.outcome = 'REJECTED'
    AND r.run_id = (SELECT MAX(latest.run_id) FROM "dbo"."ORDER_LIST_RUN_LOG" AS latest WHERE latest.component = 'pipeline');
