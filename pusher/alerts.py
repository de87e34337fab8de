"""`ordersync status --check`: the status judged against `[alerts]` thresholds, the way monitors expect it.

The verdict follows the Nagios plugin convention that Icinga, Zabbix, PRTG and a SQL Agent CmdExec
step all understand: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and one line of text with
perfdata after a ``|``. A webhook (a Teams or Slack incoming webhook: JSON ``{"text": ...}``) is
told only when the state changes, so a check run every 5 minutes does not post every 5 minutes; the
last state announced lives in ``[alerts].state_file``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from pusher import secret_store
from pusher.config import Alerts

log = logging.getLogger(__name__)

STATES = ("OK", "WARNING", "CRITICAL", "UNKNOWN")  # index = exit code
WEBHOOK_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Measure:
    """One checked number with its thresholds; ``value`` None means "never happened" (no successful sync)."""

    name: str
    label: str
    value: int | None
    warning: int | None
    critical: int | None

    @property
    def level(self) -> int:
        for level, threshold in ((2, self.critical), (1, self.warning)):
            if threshold is not None and (self.value is None or self.value >= threshold):
                return level
        return 0

    def perfdata(self) -> str:
        limits = ";".join("" if t is None else str(t) for t in (self.warning, self.critical))
        return f"{self.name}={'U' if self.value is None else self.value};{limits}"


@dataclass(frozen=True)
class Verdict:
    code: int  # 0..3
    summary: str
    perfdata: str = ""

    @property
    def state(self) -> str:
        return STATES[self.code]

    def line(self) -> str:
        """The one line a monitor shows: ``ORDERSYNC WARNING - ... | perfdata``."""
        return f"ORDERSYNC {self.state} - {self.summary}" + (f" | {self.perfdata}" if self.perfdata else "")


def measures(status: dict[str, Any], alerts: Alerts) -> list[Measure]:
    """The three numbers `--check` judges, read from `ordersync status`'s document."""
    pending = status["oldest_pending_age_seconds"]
    since = status["seconds_since_last_successful_sync"]
    return [
        Measure("failed_rows", "FAILED row(s)", status["failed_rows"],
                alerts.failed_rows_warning, alerts.failed_rows_critical),
        Measure("oldest_pending_minutes", "min oldest pending", 0 if pending is None else pending // 60,
                alerts.oldest_pending_minutes_warning, alerts.oldest_pending_minutes_critical),
        Measure("minutes_since_success", "min since the last successful sync", None if since is None else since // 60,
                alerts.minutes_since_success_warning, alerts.minutes_since_success_critical),
    ]


def evaluate(status: dict[str, Any], alerts: Alerts) -> Verdict:
    """The worst level among the measures; the summary names the ones over a threshold first."""
    checked = measures(status, alerts)
    code = max(m.level for m in checked)
    parts = []
    for m in sorted(checked, key=lambda m: -m.level):
        if m.name == "minutes_since_success" and m.value is None:
            text = "no successful sync yet"
        else:
            text = f"{m.value} {m.label}"
        if m.level:
            text += f" (>= {m.critical if m.level == 2 else m.warning})"
        parts.append(text)
    return Verdict(code, ", ".join(parts), " ".join(m.perfdata() for m in checked))


# -- the webhook, on a change of state only -------------------------------------------------------
def _last_state(path: Path) -> str:
    """The state last announced; OK when none was (a first check that finds all well says nothing)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["state"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError):  # missing or unreadable: nothing announced yet
        return "OK"


def _remember(path: Path, verdict: Verdict) -> None:
    """Keep the state announced; a state file that cannot be written is logged, never a crash of the check."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps({"state": verdict.state, "line": verdict.line(),
                                       "since": datetime.now(UTC).isoformat(timespec="seconds")}), encoding="utf-8")
        os.replace(scratch, path)  # atomic on Windows too: a reader never sees half a file
    except OSError as exc:
        log.warning("alerts.state_file %s cannot be written (%s): the next check announces %s again; "
                    "point state_file at a folder this account can write", path, exc.strerror, verdict.state)


def announce_change(verdict: Verdict, alerts: Alerts, environment: str) -> bool:
    """POST the verdict to the webhook when the state differs from the last one announced.

    Returns True when a message was sent. Without a webhook configured only the state is
    remembered. A failed POST is logged and the state is not remembered, so the next check tries again.
    """
    previous = _last_state(alerts.state_file)
    if verdict.state == previous:
        return False
    if alerts.webhook_url_env is None:
        _remember(alerts.state_file, verdict)
        return False
    url = (os.environ.get(alerts.webhook_url_env) or secret_store.load(alerts.webhook_url_env) or "").strip()
    if not url:
        log.warning("alerts.webhook_url_env names $%s, which is not set (nor in the secret store): "
                    "state %s -> %s was not announced",
                    alerts.webhook_url_env, previous, verdict.state)
        return False
    text = f"ordersync [{environment}] {previous} -> {verdict.state}: {verdict.summary}"
    try:
        response = requests.post(url, json={"text": text}, timeout=WEBHOOK_TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.RequestException as exc:  # the message never includes the URL: it is a secret
        log.warning("alert webhook ($%s) failed (%s): state %s -> %s will be announced on the next check",
                    alerts.webhook_url_env, type(exc).__name__, previous, verdict.state)
        return False
    _remember(alerts.state_file, verdict)
    return True
