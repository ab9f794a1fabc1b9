<#
.SYNOPSIS
    Runs stationmgr as an always-on site on Windows: a scheduled task that starts at boot,
    whether anyone is signed in or not, as a dedicated local account. See docs/service.md.

.DESCRIPTION
    UNTESTED: written from the ScheduledTasks module's documentation, never run by the
    project's tests (they run on Linux). Check each step on the first install.

    What it does:
      1. makes the data folder (default C:\ProgramData\stationmgr), readable only by the
         service account, SYSTEM and Administrators;
      2. writes stationmgr-service.cmd there: sets STATIONMGR_DB, calls stationmgr.env.cmd if
         present (the operator's sign-in, see below), runs `stationmgr run --listen ...` with
         its log appended to service.log, and starts it again 5 s after a crash (exit status
         other than 0; a clean stop exits 0 and is not restarted);
      3. registers the task "stationmgr" (at startup, no time limit, one instance) and starts it.

    The account needs the "Log on as a batch job" right (secpol.msc, Local Policies, User
    Rights Assignment). When the site has operators, put the service's sign-in in
    C:\ProgramData\stationmgr\stationmgr.env.cmd:
        set STATIONMGR_USER=site-service
        set STATIONMGR_PASSWORD=...

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install-task.ps1 -User stationmgr
#>
param(
    [string]$Exe = "$env:ProgramFiles\stationmgr\stationmgr.exe",
    [string]$DataDir = "$env:ProgramData\stationmgr",
    [string]$Listen = "127.0.0.1:8742",
    [string]$User = "stationmgr",
    [string]$TaskName = "stationmgr"
)
$ErrorActionPreference = "Stop"

if (-not (Test-Path $Exe)) { throw "no $Exe (pass -Exe with the path of stationmgr.exe)" }
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
& icacls $DataDir /inheritance:r /grant:r "SYSTEM:(OI)(CI)F" "Administrators:(OI)(CI)F" "${User}:(OI)(CI)M" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "icacls could not set the folder's permissions for $User" }

$db = "sqlite:///" + ($DataDir -replace '\\', '/') + "/site.sqlite3"
$wrapper = Join-Path $DataDir "stationmgr-service.cmd"
@"
@echo off
rem Written by install-task.ps1. Runs the site; restarted 5 s after a crash.
set STATIONMGR_DB=$db
if exist "%~dp0stationmgr.env.cmd" call "%~dp0stationmgr.env.cmd"
:run
"$Exe" run --listen $Listen >> "%~dp0service.log" 2>&1
if errorlevel 1 (
    timeout /t 5 /nobreak > nul
    goto run
)
"@ | Set-Content -Encoding ASCII -Path $wrapper

if (-not (Test-Path (Join-Path $DataDir "site.sqlite3"))) {
    & $Exe --db $db db create   # a new site (an existing one: copy it here first)
    if ($LASTEXITCODE -ne 0) { throw "stationmgr db create failed" }
}

$action = New-ScheduledTaskAction -Execute "$env:SystemRoot\System32\cmd.exe" `
    -Argument "/d /c `"$wrapper`"" -WorkingDirectory $DataDir
$trigger = New-ScheduledTaskTrigger -AtStartup
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) `
    -MultipleInstances IgnoreNew -StartWhenAvailable -AllowStartIfOnBatteries `
    -DontStopIfGoingOnBatteries -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1)
$cred = Get-Credential -UserName $User -Message "Password of the Windows account the site runs as"
Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
    -User $cred.UserName -Password $cred.GetNetworkCredential().Password -RunLevel Limited -Force | Out-Null
Start-ScheduledTask -TaskName $TaskName
Write-Host "task $TaskName registered and started; log: $DataDir\service.log"
