<#
.SYNOPSIS
    Registers (or re-registers) the Windows scheduled task that runs `ordersync sync --execute`.

.DESCRIPTION
    Runs `ordersync sync --execute --quiet` every -IntervalMinutes under a service account,
    never two at once (MultipleInstances IgnoreNew: a run still going when the next one is due
    makes Task Scheduler skip that start), logging to a size-rotated file (--log-file).
    Running this script again replaces the task with the new settings (-Force).

    The monday API token is NOT taken by this script and must never be written into it or into
    the task. The pusher reads it, as the service account, from:
      1. the environment variable MONDAY_API_TOKEN (monday_token_env in the config), or
      2. the account's DPAPI secret store, written once by `ordersync secrets set MONDAY_API_TOKEN`
         run AS the service account (a gMSA cannot use runas: run it from a one-shot scheduled
         task, step by step in docs/runbook.md, "Secrets on Windows"), or
      3. Windows Credential Manager, service "ordersync" (monday_keyring_service in the config).
    The database URL comes from ORDERSYNC_DATABASE_URL (database_url_env) or the same store; use
    Windows authentication (Trusted_Connection=yes) so it holds no password.

.PARAMETER ServiceAccount
    The account the task runs as, e.g. DOMAIN\svc_ordersync. A group managed service account
    (name ending in $) needs no password; any other account is asked for its password
    (Get-Credential), which Task Scheduler stores itself. It needs "Log on as a batch job".

.EXAMPLE
    .\Register-OrdersyncTask.ps1 -ServiceAccount 'CONTOSO\svc_ordersync$' -InstallDir 'C:\ordersync'

.NOTES
    ops/windows/ordersync-sync.task.xml is the same task as XML, for Task Scheduler's
    "Import Task..." or Register-ScheduledTask -Xml. Remove with Unregister-OrdersyncTask.ps1.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string]$ServiceAccount,

    [ValidateRange(1, 1440)]
    [int]$IntervalMinutes = 5,

    # Folder of the ordersync checkout; its .venv holds ordersync.exe.
    [string]$InstallDir = 'C:\ordersync',

    # Config environment to sync (a tsql environment in configs\sync_order_list.toml).
    [string]$Environment = 'production',

    [string]$LogFile = 'C:\ordersync\logs\ordersync-sync.log',

    # A run that takes longer is stopped; its claimed rows return to the queue when their lease expires.
    [ValidateRange(1, 1440)]
    [int]$TimeLimitMinutes = 60,

    [string]$TaskName = 'ordersync-sync',
    [string]$TaskPath = '\ordersync\',

    # Password of a non-gMSA service account; prompted for when missing.
    [System.Management.Automation.PSCredential]$Credential
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$ordersync = Join-Path $InstallDir '.venv\Scripts\ordersync.exe'
$config = Join-Path $InstallDir 'configs\sync_order_list.toml'
foreach ($path in @($ordersync, $config)) {
    if (-not (Test-Path -LiteralPath $path)) {
        throw "$path does not exist: install ordersync in $InstallDir (python scripts\dev.py test creates .venv) or pass -InstallDir"
    }
}
New-Item -ItemType Directory -Force -Path (Split-Path -Parent $LogFile) | Out-Null

$arguments = "sync --execute --quiet --config `"$config`" --env $Environment --log-file `"$LogFile`""
$action = New-ScheduledTaskAction -Execute $ordersync -Argument $arguments -WorkingDirectory $InstallDir

# Repeats every interval for as long as the task exists (no RepetitionDuration = indefinitely).
$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).Date -RepetitionInterval (New-TimeSpan -Minutes $IntervalMinutes)

$settings = New-ScheduledTaskSettingsSet `
    -MultipleInstances IgnoreNew `
    -ExecutionTimeLimit (New-TimeSpan -Minutes $TimeLimitMinutes) `
    -StartWhenAvailable `
    -AllowStartIfOnBatteries `
    -DontStopIfGoingOnBatteries

# Limited = least privilege: ordersync needs no administrator rights.
$principal = New-ScheduledTaskPrincipal -UserId $ServiceAccount -LogonType Password -RunLevel Limited
$isGmsa = $ServiceAccount.EndsWith('$')
if (-not $isGmsa -and -not $Credential) {
    $Credential = Get-Credential -UserName $ServiceAccount -Message "Password of $ServiceAccount (kept by Task Scheduler, not by ordersync)"
}

$task = New-ScheduledTask -Action $action -Trigger $trigger -Settings $settings -Principal $principal `
    -Description "ordersync: push pending ORDER_LIST changes to monday.com every $IntervalMinutes minutes. Log: $LogFile"

if ($PSCmdlet.ShouldProcess("$TaskPath$TaskName", 'Register scheduled task')) {
    if ($isGmsa) {
        Register-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -InputObject $task -Force | Out-Null
    }
    else {
        Register-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -InputObject $task -Force `
            -User $Credential.UserName -Password $Credential.GetNetworkCredential().Password | Out-Null
    }
    Write-Host "Registered $TaskPath$TaskName as $ServiceAccount, every $IntervalMinutes minutes; log $LogFile"
    Write-Host "Run it now:   Start-ScheduledTask -TaskPath '$TaskPath' -TaskName '$TaskName'"
    Write-Host "Last result:  Get-ScheduledTaskInfo -TaskPath '$TaskPath' -TaskName '$TaskName'  (0 ok, 1 rows failed, 2 config, 3 monday refused, 4 database)"
}
