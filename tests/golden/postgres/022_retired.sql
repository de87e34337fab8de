-- generated from db/retired.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- staging columns from the file tests/golden/columns.tsv, not from the live table: check them against the target table before deploying
DO $retired$
DECLARE retired regprocedure;
BEGIN
    FOR retired IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = to_regnamespace('sync') AND p.proname = 'ClaimBatch'
    LOOP
        EXECUTE format('DROP FUNCTION %s', retired);
    END LOOP;
END
$retired$;
DO $retired$
DECLARE retired regprocedure;
BEGIN
    FOR retired IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = to_regnamespace('sync') AND p.proname = 'MarkSynced'
    LOOP
        EXECUTE format('DROP FUNCTION %s', retired);
    END LOOP;
END
$retired$;
DO $retired$
DECLARE retired regprocedure;
BEGIN
    FOR retired IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
        WHERE p.pronamespace = to_regnamespace('sync') AND p.proname = 'MarkFailed'
    LOOP
        EXECUTE format('DROP FUNCTION %s', retired);
    END LOOP;
END
$retired$;
