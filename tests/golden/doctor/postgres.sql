-- generated from ops/doctor/doctor.sql.j2 by `ordersync render --dialect postgres`;
-- edit the template, not this file.
-- ordersync doctor: read-only checks of this database (`ordersync doctor` runs them).
-- check: engine
SELECT current_setting('server_version') AS version,
       CAST(current_setting('server_version_num') AS INTEGER) AS edition,
       'PostgreSQL' AS description;

-- check: collation
SELECT CAST(cls.relname AS TEXT) AS table_name,
       CAST(a.attname AS TEXT) AS column_name,
       CAST(CASE WHEN coll.collname = 'default' THEN db.datcollate ELSE coll.collname END AS TEXT) AS collation_name,
       db.datcollate AS database_collation,
       CAST(NULL AS TEXT) AS tempdb_collation
FROM pg_catalog.pg_attribute AS a
INNER JOIN pg_catalog.pg_class AS cls ON cls.oid = a.attrelid
INNER JOIN pg_catalog.pg_namespace AS ns ON ns.oid = cls.relnamespace
LEFT JOIN pg_catalog.pg_collation AS coll ON coll.oid = a.attcollation
CROSS JOIN (SELECT CAST(datcollate AS TEXT) AS datcollate FROM pg_catalog.pg_database
            WHERE datname = current_database()) AS db
WHERE ns.nspname = 'dbo'
  AND cls.relname IN ('swp_ORDER''S [LIST]', 'ORDER_LIST_V2')
  AND a.attname IN ('AAG ORDER NUMBER', 'CUSTOMER''S NAME')
  AND NOT a.attisdropped
ORDER BY 1, 2;

-- check: permissions
SELECT current_user AS login_name,
       needed.object_name,
       needed.permission,
       needed.needed_by,
       (found.oid IS NOT NULL) AS present,
       COALESCE(EXISTS (SELECT 1 FROM pg_catalog.pg_namespace AS ns
                        WHERE ns.nspname = 'sync' AND has_schema_privilege(ns.oid, 'USAGE'))
                AND CASE WHEN needed.permission = 'EXECUTE' THEN has_function_privilege(found.oid, 'EXECUTE')
                         ELSE has_table_privilege(found.oid, 'SELECT') END, FALSE) AS granted
FROM (VALUES
        ('ClaimItems', 'EXECUTE', 'pusher'),
        ('ClaimSubitems', 'EXECUTE', 'pusher'),
        ('MarkItemsSynced', 'EXECUTE', 'pusher'),
        ('MarkSubitemsSynced', 'EXECUTE', 'pusher'),
        ('MarkItemsFailed', 'EXECUTE', 'pusher'),
        ('MarkSubitemsFailed', 'EXECUTE', 'pusher'),
        ('ReleaseClaim', 'EXECUTE', 'pusher'),
        ('RequeueFailed', 'EXECUTE', 'pusher'),
        ('QueueRepairs', 'EXECUTE', 'pusher'),
        ('SaveGroup', 'EXECUTE', 'pusher'),
        ('StartRunLog', 'EXECUTE', 'pusher'),
        ('EndRunLog', 'EXECUTE', 'pusher'),
        ('PendingItems', 'SELECT', 'pusher'),
        ('PendingSubitems', 'SELECT', 'pusher'),
        ('Failures', 'SELECT', 'pusher'),
        ('StatusCounts', 'SELECT', 'pusher'),
        ('RunHistory', 'SELECT', 'pusher'),
        ('PlannedChanges', 'SELECT', 'pusher'),
        ('DeployedConfig', 'SELECT', 'pusher'),
        ('RunPipeline', 'EXECUTE', 'pipeline'),
        ('Purge', 'EXECUTE', 'pipeline'),
        ('QueueRepairs', 'EXECUTE', 'pipeline'),
        ('RunHistory', 'SELECT', 'pipeline'),
        ('DeployedConfig', 'SELECT', 'pipeline')
) AS needed (object_name, permission, needed_by)
LEFT JOIN LATERAL (
    SELECT p.oid FROM pg_catalog.pg_proc AS p
    INNER JOIN pg_catalog.pg_namespace AS ns ON ns.oid = p.pronamespace
    WHERE needed.permission = 'EXECUTE' AND ns.nspname = 'sync' AND p.proname = needed.object_name
    UNION ALL
    SELECT c.oid FROM pg_catalog.pg_class AS c
    INNER JOIN pg_catalog.pg_namespace AS ns ON ns.oid = c.relnamespace
    WHERE needed.permission = 'SELECT' AND ns.nspname = 'sync' AND c.relname = needed.object_name
    LIMIT 1
) AS found ON TRUE;
