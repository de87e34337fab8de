"""The Windows scheduled task: the settings that matter, in the PS1 and the XML alike.

PowerShell and Task Scheduler are not here, so these read the files: the interval, one
instance at a time (IgnoreNew), a time limit, least privilege, a password logon that can
reach SQL Server, the exact `ordersync sync` command line, and no secret anywhere.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pusher.cli import build_parser
from pusher.paths import PROJECT_ROOT

WINDOWS = PROJECT_ROOT / "ops" / "windows"
NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
REGISTER = (WINDOWS / "Register-OrdersyncTask.ps1").read_text(encoding="utf-8")
UNREGISTER = (WINDOWS / "Unregister-OrdersyncTask.ps1").read_text(encoding="utf-8")
RUNBOOK = (PROJECT_ROOT / "docs" / "runbook.md").read_text(encoding="utf-8")
TASK = ET.parse(WINDOWS / "ordersync-sync.task.xml").getroot()

# Things that are, or hold, a secret: monday tokens are JWTs (eyJ...), and passwords must not
# be spelled out in a script, a task or a connection string.
SECRET_PATTERNS = {
    "a JWT (monday token)": r"eyJ[A-Za-z0-9_-]{10,}",
    "a token assignment": r"MONDAY_API_TOKEN\s*=\s*['\"]?\w",
    "an env token assignment": r"\$env:MONDAY_API_TOKEN\s*=",
    "a plain-text secure string": r"ConvertTo-SecureString[^\n]*-AsPlainText",
    "a literal -Password": r"-Password\s+['\"]",
    "a <Password> element": r"<Password>",
    "a password in a connection string": r"(?i)\b(pwd|password)\s*=\s*[^;\s'\"]",
}


def _text(path: str) -> str:
    node = TASK.find(path, NS)
    assert node is not None, f"{path} is missing from the task XML"
    return node.text.strip()


def _ps_default(name: str) -> str:
    match = re.search(rf"\[(?:int|string)\]\${name}\s*=\s*'?([^'\n]+?)'?\s*,?\s*$", REGISTER, re.MULTILINE)
    assert match, f"-{name} has no default in Register-OrdersyncTask.ps1"
    return match.group(1)


def test_both_run_every_five_minutes_by_default():
    assert _ps_default("IntervalMinutes") == "5"
    assert "-RepetitionInterval (New-TimeSpan -Minutes $IntervalMinutes)" in REGISTER
    assert _text("t:Triggers/t:TimeTrigger/t:Repetition/t:Interval") == "PT5M"
    assert _text("t:Triggers/t:TimeTrigger/t:Repetition/t:StopAtDurationEnd") == "false"
    assert "-RepetitionDuration" not in REGISTER  # none = repeat for as long as the task exists


def test_a_run_still_going_makes_the_next_start_skip():
    assert re.search(r"-MultipleInstances\s+IgnoreNew\b", REGISTER)
    assert _text("t:Settings/t:MultipleInstancesPolicy") == "IgnoreNew"


def test_a_hung_run_is_stopped_after_an_hour_in_both():
    assert _ps_default("TimeLimitMinutes") == "60"
    assert "-ExecutionTimeLimit (New-TimeSpan -Minutes $TimeLimitMinutes)" in REGISTER
    assert _text("t:Settings/t:ExecutionTimeLimit") == "PT1H"


def test_it_runs_as_a_service_account_with_least_privilege_and_a_password_logon():
    # Password logon (not S4U or interactive): runs with nobody logged on and can use Windows
    # authentication to reach SQL Server. The password is kept by Task Scheduler.
    assert "-LogonType Password -RunLevel Limited" in REGISTER
    assert "[Parameter(Mandatory)]\n    [string]$ServiceAccount" in REGISTER
    assert _text("t:Principals/t:Principal/t:LogonType") == "Password"
    assert _text("t:Principals/t:Principal/t:RunLevel") == "LeastPrivilege"


def _xml_arguments() -> list[str]:
    return [a.strip('"') for a in shlex.split(_text("t:Actions/t:Exec/t:Arguments"), posix=False)]


def test_both_run_the_same_sync_command_with_a_log_file():
    args = _xml_arguments()
    assert args[:3] == ["sync", "--execute", "--quiet"]
    assert args[args.index("--log-file") + 1] == _ps_default("LogFile")
    assert args[args.index("--env") + 1] == _ps_default("Environment")
    ps_args = re.search(r'\$arguments = "(.*)"', REGISTER).group(1).replace("`\"", '"')
    ps_args = (ps_args.replace("$config", r"C:\ordersync\configs\sync_order_list.toml")
               .replace("$Environment", "production").replace("$LogFile", _ps_default("LogFile")))
    assert ps_args == _text("t:Actions/t:Exec/t:Arguments")
    assert _text("t:Actions/t:Exec/t:Command").endswith(r"\.venv\Scripts\ordersync.exe")


def test_the_sync_command_accepts_the_task_arguments():
    """A flag the CLI lacks would make every scheduled run exit 2 unnoticed."""
    parsed = build_parser().parse_args(_xml_arguments())
    assert parsed.command == "sync"
    assert parsed.log_file == _ps_default("LogFile")


@pytest.mark.parametrize("path", sorted(p for p in (PROJECT_ROOT / "ops").rglob("*") if p.is_file()),
                         ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_no_file_under_ops_holds_a_secret(path: Path):
    text = path.read_text(encoding="utf-8")
    found = [what for what, pattern in SECRET_PATTERNS.items() if re.search(pattern, text)]
    assert not found, f"{path.name} holds {', '.join(found)}: secrets come from the environment or keyring"


def test_the_token_is_documented_as_coming_from_the_environment_or_the_service_accounts_secret_store():
    assert "MONDAY_API_TOKEN" in REGISTER and "ordersync secrets set MONDAY_API_TOKEN" in REGISTER
    assert "runas /user" not in REGISTER + UNREGISTER  # a gMSA cannot log on through runas
    assert '"Secrets on Windows"' in REGISTER and "## Secrets on Windows" in RUNBOOK
    assert "Get-Credential" in REGISTER  # the account password is prompted for, never a parameter default


def test_registering_twice_replaces_the_task_and_unregistering_targets_the_same_one():
    calls = re.findall(r"^\s*Register-ScheduledTask .*$", REGISTER, re.MULTILINE)
    assert calls and all("-Force" in call for call in calls)
    assert _ps_default("TaskName") == "ordersync-sync" and _ps_default("TaskPath") == "\\ordersync\\"
    assert "[string]$TaskName = 'ordersync-sync'" in UNREGISTER
    assert "[string]$TaskPath = '\\ordersync\\'" in UNREGISTER
    assert "Unregister-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Confirm:$false" in UNREGISTER
    assert _text("t:RegistrationInfo/t:URI") == "\\ordersync\\ordersync-sync"
