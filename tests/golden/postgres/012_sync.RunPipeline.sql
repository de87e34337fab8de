-- generated from procedures/sync.RunPipeline.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."RunPipeline"(
    p_dryrun BOOLEAN DEFAULT FALSE,
    p_allowmassarchive BOOLEAN DEFAULT FALSE,
    p_maxarchiveshare NUMERIC(9, 4) DEFAULT 0.05,
    p_maxarchivecount BIGINT DEFAULT 100,
    p_configfingerprint VARCHAR(64) DEFAULT NULL
)
RETURNS TABLE (
    run_id BIGINT,
    entity TEXT,
    action TEXT,
    "rows" INTEGER
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Run the pipeline once: drift check, single-flight lock, mass-change guard, MergeHeaders + MergeLines, run log.
DECLARE
    v_runid BIGINT;
    v_unchangedrows BIGINT;
    v_lockresult INTEGER;
    v_trancount INTEGER;
    v_drift TEXT;
    v_counts TEXT;
    v_failmessage VARCHAR(4000);
    v_failnumber INTEGER;
    v_failhint TEXT;
    v_liveorders BIGINT := 0;
    v_livelines BIGINT := 0;
    v_archives BIGINT := 0;
    v_deletes BIGINT := 0;
BEGIN
    -- 1. The run's log row; its id is the run id every row of this run carries.
    INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (component, step, is_dry_run, start_time, outcome, host_name)
    VALUES ('pipeline', 'RunPipeline', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), 'STARTED', COALESCE(host(inet_client_addr()), 'local'))
    RETURNING run_log_id INTO v_runid;
    UPDATE "dbo"."ORDER_LIST_RUN_LOG"
    SET run_id = run_log_id
    WHERE run_log_id = v_runid;

DROP TABLE IF EXISTS pg_temp.run_drift;
CREATE TEMP TABLE run_drift (
        change          TEXT NOT NULL,
        column_name     TEXT NOT NULL
) ON COMMIT DROP;
DROP TABLE IF EXISTS pg_temp.run_counts;
CREATE TEMP TABLE run_counts (
        run_id          BIGINT NOT NULL,
        entity          TEXT NOT NULL,
        action          TEXT NOT NULL,
        "rows"  INTEGER NOT NULL
) ON COMMIT DROP;

    BEGIN
        -- 2. Refuse a caller whose config differs from the one these procedures were rendered
        --    from (sync.DeployedConfig lists those settings), and a staging table they were not
        --    rendered for.
IF p_configfingerprint IS NOT NULL AND p_configfingerprint <> '875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca' THEN
            RAISE EXCEPTION USING MESSAGE = CONCAT('RunPipeline refused (config changed since deploy): the caller''s config fingerprint ', p_configfingerprint, ' differs from 875f131ef12b458efb0f97d3571a50824a0b0e4882b7ae8c6a46f3c6270f9bca, the one these procedures were rendered from; sync.DeployedConfig lists their settings. Fix: run `ordersync deploy` (SQL Server: `ordersync render`, then install.sql), or put the config back.'), ERRCODE = 'P0001', HINT = '50005';
END IF;
        INSERT INTO run_drift
        SELECT * FROM "sync"."CheckDrift"();
        v_drift := CONCAT_WS('; ', (SELECT CONCAT(src.change, ' ', string_agg(CAST(CONCAT('"', src.column_name, '"') AS TEXT), ', ' ORDER BY CONCAT('"', src.column_name, '"')))
         FROM run_drift AS src WHERE src.change = 'added' GROUP BY src.change), (SELECT CONCAT(src.change, ' ', string_agg(CAST(CONCAT('"', src.column_name, '"') AS TEXT), ', ' ORDER BY CONCAT('"', src.column_name, '"')))
         FROM run_drift AS src WHERE src.change = 'removed' GROUP BY src.change));
IF v_drift <> '' THEN
            RAISE EXCEPTION USING MESSAGE = CONCAT('RunPipeline refused: staging table dbo.swp_ORDER''S [LIST] differs from the columns the procedures were rendered for: ', v_drift, '. Fix: run `ordersync render` and `ordersync deploy` (deploy renders from the live table), then run the pipeline again.'), ERRCODE = 'P0001', HINT = '50002';
END IF;

        -- 3. Single flight: one pipeline at a time; a second one is refused, not queued.
        v_lockresult := CASE WHEN pg_try_advisory_xact_lock(hashtext('sync.RunPipeline')) THEN 0 ELSE -1 END;
IF v_lockresult < 0 THEN
            RAISE EXCEPTION USING MESSAGE = 'RunPipeline refused: another pipeline run holds the lock sync.RunPipeline; run again when it has finished.', ERRCODE = 'P0001', HINT = '50003';
END IF;

        PERFORM set_config('work_mem', '64MB', true), set_config('parallel_setup_cost', '100', true),
                  set_config('parallel_tuple_cost', '0.01', true);
        -- 4. Staging that holds exactly the current copy (as many rows, with the same row and
        --    size hashes as the live orders) changes nothing: its row count, or -1.
DROP TABLE IF EXISTS pg_temp.run_snapshot;
CREATE TEMP TABLE run_snapshot ON COMMIT DROP AS
        SELECT CASE WHEN stg.n = cur.n AND stg.total = cur.total THEN stg.n ELSE -1 END AS unchanged_rows
        FROM (SELECT COUNT(*) AS n, COALESCE(SUM(hash_record_extended(ROW(k.row_hash, k.size_hash), 0)), 0) AS total
              FROM (SELECT int8send(hash_record_extended(ROW(CAST(src."AAG ORDER NUMBER" AS TEXT), CAST(src."CUSTOMER'S NAME" AS TEXT), CAST(src."STYLE [CODE]" AS TEXT), CAST(src."COLOUR ""DESC""" AS TEXT), CAST(src."SEASON" AS TEXT), CAST(src."EX FACTORY DATE" AS TIMESTAMP(3)), ROUND(CAST(src."PRICE (USD)" AS NUMERIC), 10), ROUND(CAST(src."TOTAL QTY" AS NUMERIC), 10)), 0)) AS row_hash,
                           int8send(hash_array_extended(ARRAY[src."S", src."M", src."L", src."ONE SIZE", src."O/S"], 0)) AS size_hash
                    FROM "dbo"."swp_ORDER'S [LIST]" AS src) AS k) AS stg
        CROSS JOIN (SELECT COUNT(*) AS n, COALESCE(SUM(hash_record_extended(ROW(tgt.row_hash, tgt.size_hash), 0)), 0) AS total
                    FROM "dbo"."ORDER_LIST_V2" AS tgt
                    WHERE tgt.is_removed = FALSE) AS cur;        v_unchangedrows := (SELECT src.unchanged_rows FROM run_snapshot AS src);
IF v_unchangedrows >= 0 THEN
            INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, rows_affected, outcome, host_name)
            VALUES (v_runid, 'pipeline', 'SnapshotUnchanged', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), (clock_timestamp() AT TIME ZONE 'UTC'), v_unchangedrows, 'SUCCEEDED', COALESCE(host(inet_client_addr()), 'local'));
END IF;
        -- 5. Mass-change guard, first half: empty staging while live orders exist would
        --    archive the board. The live counts are the guard's denominators.
IF v_unchangedrows < 0 AND p_allowmassarchive = FALSE THEN
            v_liveorders := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_V2" AS tgt WHERE tgt.is_removed = FALSE);
            v_livelines := (SELECT COUNT(*) FROM "dbo"."ORDER_LIST_LINES" AS tgt WHERE tgt.qty <> 0);
IF v_liveorders > 0 AND NOT EXISTS (SELECT 1 FROM "dbo"."swp_ORDER'S [LIST]") THEN
                RAISE EXCEPTION USING MESSAGE = CONCAT('RunPipeline refused (mass change guard): staging table dbo.swp_ORDER''S [LIST] is empty: this run would archive all ', v_liveorders, ' live orders. Nothing was merged or queued. Check the upstream load. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with p_allowmassarchive = TRUE.'), ERRCODE = 'P0001', HINT = '50004';
END IF;
END IF;
        -- 6. Otherwise both merges, one transaction.
IF v_unchangedrows < 0 THEN
            INSERT INTO run_counts
            SELECT * FROM "sync"."MergeHeaders"(p_runid => v_runid, p_dryrun => p_dryrun);
            INSERT INTO run_counts
            SELECT * FROM "sync"."MergeLines"(p_runid => v_runid, p_dryrun => p_dryrun);
END IF;
        -- 7. Mass-change guard, second half: the archives and size-line deletes the merges
        --    queued (or would queue, dry run). Refused when either exceeds both thresholds;
        --    the refusal rolls the merges back.
IF v_unchangedrows < 0 AND p_allowmassarchive = FALSE THEN
            v_archives := (SELECT COALESCE(SUM(src."rows"), 0) FROM run_counts AS src WHERE src.entity = 'item' AND src.action = 'ARCHIVE');
            v_deletes := (SELECT COALESCE(SUM(src."rows"), 0) FROM run_counts AS src WHERE src.entity = 'subitem' AND src.action = 'DELETE');
IF (v_archives > p_maxarchivecount AND v_archives > p_maxarchiveshare * v_liveorders) OR (v_deletes > p_maxarchivecount AND v_deletes > p_maxarchiveshare * v_livelines) THEN
                RAISE EXCEPTION USING MESSAGE = CONCAT('RunPipeline refused (mass change guard): this run would archive ', v_archives, ' of ', v_liveorders, ' live orders and delete ', v_deletes, ' of ', v_livelines, ' size lines; the limit for each is ', p_maxarchivecount, ' rows or ', CAST(100 * p_maxarchiveshare AS NUMERIC(9, 2)), ' %, whichever is larger (staging.max_archive_count, staging.max_archive_share). Nothing was merged or queued: check the upstream load of dbo.swp_ORDER''S [LIST]. If staging is complete and this change is meant, let this one run through: `ordersync pipeline --allow-mass-archive`, or call RunPipeline with p_allowmassarchive = TRUE.'), ERRCODE = 'P0001', HINT = '50004';
END IF;
END IF;
        -- 8. Log the end with the counts, e.g. {"item": {"CREATE": 3}, "subitem": {"CREATE": 12}}.
        v_counts := (SELECT CONCAT('{', string_agg(CAST(e.obj AS TEXT), ', ' ORDER BY e.obj), '}')
         FROM (SELECT CONCAT('"', src.entity, '": {', string_agg(CAST(CONCAT('"', src.action, '": ', src."rows") AS TEXT), ', ' ORDER BY CONCAT('"', src.action, '": ', src."rows")), '}') AS obj
               FROM run_counts AS src
               GROUP BY src.entity) AS e);
        UPDATE "dbo"."ORDER_LIST_RUN_LOG"
        SET end_time = (clock_timestamp() AT TIME ZONE 'UTC'),
            outcome = 'SUCCEEDED',
            rows_affected = (SELECT COALESCE(SUM(src."rows"), 0) FROM run_counts AS src WHERE src.entity <> 'reject'),
            counts = CAST(v_counts AS JSONB)
        WHERE run_log_id = v_runid;
        
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_failmessage = MESSAGE_TEXT, v_failhint = PG_EXCEPTION_HINT;
        v_failnumber := CASE WHEN v_failhint ~ '^[0-9]+$' THEN CAST(v_failhint AS INTEGER) END;
        -- The failure, logged after the rollback (REFUSED for drift or a busy lock).
        UPDATE "dbo"."ORDER_LIST_RUN_LOG"
        SET end_time = (clock_timestamp() AT TIME ZONE 'UTC'),
            outcome = CASE WHEN v_failnumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END,
            error_number = v_failnumber,
            error_message = v_failmessage
        WHERE run_log_id = v_runid;
IF NOT FOUND THEN
            -- The start row went with a caller's rolled-back transaction: log the run again.
            INSERT INTO "dbo"."ORDER_LIST_RUN_LOG" (run_id, component, step, is_dry_run, start_time, end_time, outcome, error_number, error_message, host_name)
            VALUES (v_runid, 'pipeline', 'RunPipeline', p_dryrun, (clock_timestamp() AT TIME ZONE 'UTC'), (clock_timestamp() AT TIME ZONE 'UTC'), CASE WHEN v_failnumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END, v_failnumber, v_failmessage, COALESCE(host(inet_client_addr()), 'local'));
END IF;
        RAISE WARNING '%', v_failmessage;
        RETURN QUERY SELECT v_runid, CAST('error' AS TEXT), CAST(CASE WHEN v_failnumber IN (50002, 50003, 50004, 50005) THEN 'REFUSED' ELSE 'FAILED' END AS TEXT), 0;
        RETURN;
    END;

    -- 9. The counts by entity and action (zero rows omitted).
    RETURN QUERY SELECT v_runid AS run_id, src.entity, src.action,
           CAST(SUM(src."rows") AS INTEGER) AS "rows"
    FROM run_counts AS src
    GROUP BY src.entity, src.action
    ORDER BY src.entity, src.action;
    RETURN;
END;
$proc$;
