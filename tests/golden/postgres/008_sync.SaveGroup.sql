-- generated from procedures/sync.SaveGroup.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
CREATE OR REPLACE FUNCTION "sync"."SaveGroup"(
    p_groupkey VARCHAR(400),
    p_mondaygroupid VARCHAR(100)
)
RETURNS INTEGER
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, "sync", "dbo", pg_temp
AS $proc$
#variable_conflict use_column
-- Store the monday group id for one board group.
DECLARE
    v_now TIMESTAMP(3);
BEGIN
    v_now := (clock_timestamp() AT TIME ZONE 'UTC');

    UPDATE "dbo"."ORDER_LIST_GROUPS"
    SET monday_group_id = p_mondaygroupid,
        updated_at = v_now
    WHERE group_key = p_groupkey;

IF NOT FOUND THEN
        RAISE EXCEPTION USING MESSAGE = CONCAT('SaveGroup: no group with key ', p_groupkey, '; run the pipeline first'), ERRCODE = 'P0001', HINT = '50001';
END IF;

    RETURN 0;
END;
$proc$;
