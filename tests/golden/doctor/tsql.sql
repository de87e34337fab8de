-- generated from ops/doctor/doctor.sql.j2 by `ordersync render --dialect tsql`;
-- edit the template, not this file.
SET ANSI_NULLS ON;
SET QUOTED_IDENTIFIER ON;
GO
-- ordersync doctor: read-only checks of this database (`ordersync doctor` runs them).
-- check: engine
SELECT
    CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128)) AS version,
    CAST(SERVERPROPERTY('EngineEdition') AS INT) AS edition,
    CAST(SERVERPROPERTY('Edition') AS NVARCHAR(128)) AS description;

-- check: compatibility
SELECT compatibility_level AS level
FROM sys.databases
WHERE database_id = DB_ID();

-- check: collation
SELECT
    OBJECT_NAME(c.object_id) AS table_name,
    c.name AS column_name,
    c.collation_name,
    CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS NVARCHAR(128)) AS database_collation,
    CAST(DATABASEPROPERTYEX(N'tempdb', 'Collation') AS NVARCHAR(128)) AS tempdb_collation
FROM sys.columns AS c
WHERE c.object_id IN (OBJECT_ID(N'[dbo].[swp_ORDER''S [LIST]]]'),
                      OBJECT_ID(N'[dbo].[ORDER_LIST_V2]'))
    AND c.name IN (N'AAG ORDER NUMBER', N'CUSTOMER''S NAME')
ORDER BY table_name, column_name;

-- check: isolation
SELECT
    CAST(is_read_committed_snapshot_on AS INT) AS read_committed_snapshot,
    snapshot_isolation_state_desc AS snapshot_isolation
FROM sys.databases
WHERE database_id = DB_ID();

-- check: permissions
-- What the ROLES hold (security.sql grants to them, logins are members): a DBA running the
-- doctor has every permission, which says nothing about the pusher's or the Agent job's login.
SELECT
    r.role_name AS login_name,
    CAST(1 AS INT) AS is_role,
    needed.object_name,
    needed.permission,
    needed.needed_by,
    CAST(CASE WHEN OBJECT_ID(N'[sync].' + QUOTENAME(needed.object_name)) IS NULL
         THEN 0 ELSE 1 END AS INT) AS present,
    CAST(CASE WHEN perm.granted = 1 AND perm.denied = 0 THEN 1 ELSE 0 END AS INT) AS granted
FROM (VALUES
        (N'ClaimItems', N'EXECUTE', N'pusher'),
        (N'ClaimSubitems', N'EXECUTE', N'pusher'),
        (N'MarkItemsSynced', N'EXECUTE', N'pusher'),
        (N'MarkSubitemsSynced', N'EXECUTE', N'pusher'),
        (N'MarkItemsFailed', N'EXECUTE', N'pusher'),
        (N'MarkSubitemsFailed', N'EXECUTE', N'pusher'),
        (N'ReleaseClaim', N'EXECUTE', N'pusher'),
        (N'RequeueFailed', N'EXECUTE', N'pusher'),
        (N'QueueRepairs', N'EXECUTE', N'pusher'),
        (N'SaveGroup', N'EXECUTE', N'pusher'),
        (N'StartRunLog', N'EXECUTE', N'pusher'),
        (N'EndRunLog', N'EXECUTE', N'pusher'),
        (N'PendingItems', N'SELECT', N'pusher'),
        (N'PendingSubitems', N'SELECT', N'pusher'),
        (N'Failures', N'SELECT', N'pusher'),
        (N'StatusCounts', N'SELECT', N'pusher'),
        (N'RunHistory', N'SELECT', N'pusher'),
        (N'PlannedChanges', N'SELECT', N'pusher'),
        (N'DeployedConfig', N'SELECT', N'pusher'),
        (N'RunPipeline', N'EXECUTE', N'pipeline'),
        (N'Purge', N'EXECUTE', N'pipeline'),
        (N'QueueRepairs', N'EXECUTE', N'pipeline'),
        (N'RunHistory', N'SELECT', N'pipeline'),
        (N'DeployedConfig', N'SELECT', N'pipeline')
) AS needed (object_name, permission, needed_by)
CROSS APPLY (SELECT CAST(CONCAT(N'ordersync_', needed.needed_by) AS SYSNAME) AS role_name) AS r
OUTER APPLY (
    SELECT
        MAX(CASE WHEN dp.state IN ('G', 'W') THEN 1 ELSE 0 END) AS granted,
        MAX(CASE WHEN dp.state = 'D' THEN 1 ELSE 0 END) AS denied
    FROM sys.database_permissions AS dp
    WHERE dp.grantee_principal_id = DATABASE_PRINCIPAL_ID(r.role_name)
        AND dp.permission_name = needed.permission
        AND ((dp.class = 1 AND dp.major_id = OBJECT_ID(N'[sync].' + QUOTENAME(needed.object_name)))
             OR (dp.class = 3 AND dp.major_id = SCHEMA_ID(N'sync')))
) AS perm;

-- check: agent_jobs
-- msdb is readable only to sysadmins and the SQLAgent*Role members: otherwise one row, readable 0.
IF HAS_PERMS_BY_NAME(N'msdb.dbo.sysjobs', N'OBJECT', N'SELECT') = 1
    SELECT
        wanted.job_name,
        CAST(job.enabled AS INT) AS enabled,
        SUSER_SNAME(job.owner_sid) AS owner_login,
        IS_SRVROLEMEMBER(N'sysadmin', SUSER_SNAME(job.owner_sid)) AS owner_is_sysadmin,
        CAST(1 AS INT) AS readable
    FROM (VALUES
        (N'ordersync - pipeline'),
        (N'ordersync - retention')
) AS wanted (job_name)
    LEFT JOIN msdb.dbo.sysjobs AS job ON job.name = wanted.job_name;
ELSE
    SELECT
        CAST(NULL AS SYSNAME) AS job_name,
        CAST(NULL AS INT) AS enabled,
        CAST(NULL AS SYSNAME) AS owner_login,
        CAST(NULL AS INT) AS owner_is_sysadmin,
        CAST(0 AS INT) AS readable;

-- check: tsqlt
SELECT CAST(CASE WHEN OBJECT_ID(N'[tSQLt].[Run]', N'P') IS NULL THEN 0 ELSE 1 END AS INT) AS installed;
