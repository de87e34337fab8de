<#
.SYNOPSIS
    Removes the ordersync scheduled task registered by Register-OrdersyncTask.ps1.

.DESCRIPTION
    Stops a run in progress (its claimed rows return to the queue when their lease expires, or
    at once with `ordersync` run by hand later), then unregisters the task and its folder when
    empty. Running it when the task is already gone does nothing. Log files are left in place;
    the token stays in the service account's secret store until removed, as that account
    (a one-shot scheduled task, as in docs/runbook.md, "Secrets on Windows"):
        ordersync secrets delete MONDAY_API_TOKEN
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string]$TaskName = 'ordersync-sync',
    [string]$TaskPath = '\ordersync\'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$task = Get-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -ErrorAction SilentlyContinue
if (-not $task) {
    Write-Host "No task ${TaskPath}${TaskName}: nothing to remove"
    return
}
if ($PSCmdlet.ShouldProcess("$TaskPath$TaskName", 'Unregister scheduled task')) {
    if ($task.State -eq 'Running') {
        Stop-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath
    }
    Unregister-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Confirm:$false
    $scheduler = New-Object -ComObject Schedule.Service
    $scheduler.Connect()
    $folder = $scheduler.GetFolder($TaskPath.TrimEnd('\'))
    if ($folder.GetTasks(1).Count -eq 0 -and $folder.GetFolders(0).Count -eq 0) {
        $scheduler.GetFolder('\').DeleteFolder($TaskPath.Trim('\'), 0)
    }
    Write-Host "Removed $TaskPath$TaskName"
}
