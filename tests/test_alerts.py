"""`ordersync status --check`: thresholds from [alerts], monitoring exit codes, a webhook on change only."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pusher import cli
from pusher.commands import status
from pusher.config import load_config
from pusher.errors import ConfigError, DatabaseError
from pusher.paths import DEFAULT_CONFIG
from pusher.sql.connection import Database

sys.path.insert(0, str(Path(__file__).parent / "db"))
from queue_support import add_item_delta  # noqa: E402

SHIPPED_WITHOUT_ALERTS = DEFAULT_CONFIG.read_text(encoding="utf-8").split("\n[alerts]")[0]

ALERTS = """
[alerts]
failed_rows_warning = 1
failed_rows_critical = 3
oldest_pending_minutes_warning = 30
oldest_pending_minutes_critical = 120
minutes_since_success_warning = 15
minutes_since_success_critical = 60
webhook_url_env = "ORDERSYNC_TEST_WEBHOOK"
state_file = "{state}"
"""


@pytest.fixture
def receiver():
    """A local HTTP server standing in for a Teams/Slack incoming webhook; yields (url, bodies)."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's spelling
            bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"1")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/webhook", bodies
    server.shutdown()
    server.server_close()


@pytest.fixture
def check_on(db, tmp_path, monkeypatch, receiver):
    """`status --check` against the test database, with the [alerts] above and the receiver's URL."""
    config = tmp_path / "sync.toml"
    state = (tmp_path / "state" / "alerts.json").as_posix()
    config.write_text(SHIPPED_WITHOUT_ALERTS + ALERTS.format(state=state), encoding="utf-8")
    monkeypatch.setattr(status, "open_database", lambda args: Database(db.config, url=db.url))
    monkeypatch.setenv("ORDERSYNC_TEST_WEBHOOK", receiver[0])

    def run(capsys) -> tuple[int, str]:
        code = cli.main(["status", "--check", "--config", str(config)])
        return code, capsys.readouterr().out.strip()
    return run


def _sync_run(db, minutes_ago: int) -> None:
    db.fetch('INSERT INTO dbo."ORDER_LIST_RUN_LOG" (component, step, outcome, start_time, end_time) '
             "VALUES ('pusher', 'sync', 'SUCCEEDED', (now() AT TIME ZONE 'UTC') - make_interval(mins => %s), "
             "(now() AT TIME ZONE 'UTC') - make_interval(mins => %s))", (minutes_ago + 1, minutes_ago))


def test_a_recent_sync_and_no_failures_is_ok_with_perfdata(db, check_on, capsys, receiver):
    _sync_run(db, minutes_ago=2)
    code, line = check_on(capsys)
    assert code == 0
    assert line.startswith("ORDERSYNC OK - 0 FAILED row(s), 0 min oldest pending, 2 min since the last successful sync")
    assert line.endswith("| failed_rows=0;1;3 oldest_pending_minutes=0;30;120 minutes_since_success=2;15;60")
    assert receiver[1] == []  # OK at the first check is not news


def test_the_webhook_fires_on_each_change_of_state_and_never_in_between(db, check_on, capsys, receiver):
    _sync_run(db, minutes_ago=2)
    add_item_delta(db, "F1", state="FAILED", attempts=5)

    code, line = check_on(capsys)
    assert code == 1
    assert line.startswith("ORDERSYNC WARNING - 1 FAILED row(s) (>= 1), ")
    assert check_on(capsys)[0] == 1  # still WARNING: nothing posted again
    assert [b["text"] for b in receiver[1]] == [
        "ordersync [development] OK -> WARNING: 1 FAILED row(s) (>= 1), 0 min oldest pending, "
        "2 min since the last successful sync"]

    for key in ("F2", "F3"):
        add_item_delta(db, key, state="FAILED", attempts=5)
    assert check_on(capsys)[0] == 2
    db.fetch('DELETE FROM dbo."ORDER_LIST_DELTA"')
    assert check_on(capsys)[0] == 0
    assert [b["text"].split(":")[0] for b in receiver[1]] == [
        "ordersync [development] OK -> WARNING", "ordersync [development] WARNING -> CRITICAL",
        "ordersync [development] CRITICAL -> OK"]


def test_no_successful_sync_yet_is_critical(db, check_on, capsys):
    code, line = check_on(capsys)
    assert code == 2
    assert line.startswith("ORDERSYNC CRITICAL - no successful sync yet (>= 60)")
    assert "minutes_since_success=U;15;60" in line


def test_an_unreachable_database_is_unknown_and_announced(check_on, capsys, monkeypatch, receiver):
    def refuse(args):
        raise DatabaseError("could not connect to the database at db01: timeout")
    monkeypatch.setattr(status, "open_database", refuse)
    code, line = check_on(capsys)
    assert (code, line) == (3, "ORDERSYNC UNKNOWN - cannot read the status: could not connect to the database "
                               "at db01: timeout")
    assert [b["text"] for b in receiver[1]] == [
        "ordersync [development] OK -> UNKNOWN: cannot read the status: could not connect to the database "
        "at db01: timeout"]


def test_a_failed_webhook_post_is_retried_on_the_next_check(db, check_on, capsys, receiver, monkeypatch):
    add_item_delta(db, "F1", state="FAILED", attempts=5)
    _sync_run(db, minutes_ago=2)
    monkeypatch.setenv("ORDERSYNC_TEST_WEBHOOK", "http://127.0.0.1:9/refused")
    assert check_on(capsys)[0] == 1
    monkeypatch.setenv("ORDERSYNC_TEST_WEBHOOK", receiver[0])
    assert check_on(capsys)[0] == 1
    assert [b["text"].split(":")[0] for b in receiver[1]] == ["ordersync [development] OK -> WARNING"]


def test_a_warning_above_its_critical_level_is_refused(tmp_path):
    path = tmp_path / "sync.toml"
    bad = "\n[alerts]\nfailed_rows_warning = 10\nfailed_rows_critical = 5\nfailed_row = 1\n"
    path.write_text(SHIPPED_WITHOUT_ALERTS + bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, "development")
    assert "alerts.failed_rows_warning = 10 is above failed_rows_critical = 5" in str(info.value)
    assert "alerts.failed_row is not a known setting: did you mean 'failed_rows_warning'?" in str(info.value)


def test_an_unwritable_state_file_still_gives_the_verdict(db, tmp_path, monkeypatch, capsys, receiver):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the state folder should be", encoding="utf-8")
    config = tmp_path / "sync.toml"
    config.write_text(SHIPPED_WITHOUT_ALERTS + ALERTS.format(state=(blocker / "alerts.json").as_posix()),
                      encoding="utf-8")
    monkeypatch.setattr(status, "open_database", lambda args: Database(db.config, url=db.url))
    monkeypatch.setenv("ORDERSYNC_TEST_WEBHOOK", receiver[0])
    add_item_delta(db, "F1", state="FAILED", attempts=5)
    _sync_run(db, minutes_ago=2)
    assert cli.main(["status", "--check", "--config", str(config)]) == 1
    assert capsys.readouterr().out.startswith("ORDERSYNC WARNING - 1 FAILED row(s)")
    assert len(receiver[1]) == 1  # announced; the state could not be kept, so the next check announces again
