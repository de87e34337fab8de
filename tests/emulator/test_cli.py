"""`ordersync monday-emulator`: every option documented, starts on a free port, serves curl, stops cleanly."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys

import pytest
import requests

from pusher.commands import monday_emulator
from pusher.paths import PROJECT_ROOT

CREATE = 'mutation { create_item(board_id: 5000000001, item_name: "from curl") { id name } }'


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="ordersync")
    monday_emulator.register(root.add_subparsers(dest="command"))
    return root


def emulator_command() -> argparse.ArgumentParser:
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["monday-emulator"]


def test_help_documents_every_option():
    command = emulator_command()
    text = command.format_help()
    for action in command._actions:
        for flag in action.option_strings:
            assert flag in text
        assert action.help, f"{action.option_strings} has no help"
    for required in (
        "--host",
        "--port",
        "--boards",
        "--token",
        "--test-mode",
        "--complexity-per-minute",
        "--complexity-per-request",
        "--daily-calls",
        "--requests-per-minute",
        "--max-concurrency",
        "--idempotency-ttl",
        "--fault-rate",
        "--fault-next",
        "--fault-every",
        "--slow-seconds",
        "--seed",
    ):
        assert required in text
    for kind in ("500", "502", "internal-error", "slow", "drop", "/admin/state", "/admin/faults"):
        assert kind in text


def test_the_ordersync_dispatcher_lists_the_command():
    from pusher.cli import build_parser

    assert "monday-emulator" in build_parser().format_help()


def start(*args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pusher.cli", "monday-emulator", "--port", "0", "--test-mode", *args],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        pytest.fail(f"emulator did not start: {line!r} {process.stderr.read()}")
    return process, line.rsplit(" ", 1)[1].strip()


def stop(process: subprocess.Popen, signum: int) -> tuple[int, str]:
    process.send_signal(signum)
    try:
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    return process.returncode, process.stderr.read()


def test_port_zero_prints_the_url_and_board_ids_and_sigterm_stops_cleanly():
    process, url = start()
    try:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v2")
        rest = [process.stdout.readline() for _ in range(2)]
        assert rest[0].strip() == f"port: {url.split(':')[2].split('/')[0]}"
        assert "5000000001 (ORDER_LIST demo)" in rest[1] and "5000000002" in rest[1]
        body = requests.post(url, json={"query": CREATE}, headers={"Authorization": "t"}, timeout=5).json()
        assert body["data"]["create_item"]["name"] == "from curl"
    finally:
        code, err = stop(process, signal.SIGTERM)
    assert code == 0
    assert "monday emulator stopped" in err
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, json={"query": CREATE}, headers={"Authorization": "t"}, timeout=2)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is a POSIX test")
def test_ctrl_c_stops_cleanly():
    process, _url = start()  # the stop handlers are installed before "listening on" is printed
    code, err = stop(process, signal.SIGINT)
    assert code == 0 and "monday emulator stopped" in err


def curl(*args: str) -> str:
    return subprocess.run(["curl", "-s", *args], capture_output=True, text=True, timeout=10, check=True).stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_create_item_with_curl_as_the_docs_show():
    process, url = start("--token", "demo-token")
    try:
        payload = json.dumps({"query": CREATE})
        created = curl(
            "-X", "POST", url, "-H", "Content-Type: application/json", "-H", "Authorization: demo-token", "-d", payload
        )
        assert json.loads(created)["data"]["create_item"]["name"] == "from curl"
        refused = curl(
            "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url, "-H", "Authorization: wrong", "-d", payload
        )
        assert refused == "401"
        state = requests.get(url.replace("/v2", "/admin/items?board_id=5000000001"), timeout=5).json()
        assert [i["name"] for i in state["items"]] == ["from curl"]
    finally:
        stop(process, signal.SIGTERM)


def test_bad_options_exit_with_the_config_error_code():
    for args in (
        ["--fault-rate", "teapot=0.5"],
        ["--fault-next", "500"],
        ["--mutation-cost", "create_item=lots"],
        ["--boards", "/nonexistent/board.json"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "pusher.cli", "monday-emulator", "--port", "0", *args],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("ordersync monday-emulator: ")


def test_options_from_args_carries_every_setting():
    args = parser().parse_args(
        [
            "monday-emulator",
            "--host",
            "0.0.0.0",
            "--port",
            "9999",
            "--token",
            "tk",
            "--viewer-token",
            "v1",
            "--test-mode",
            "--complexity-per-minute",
            "100",
            "--complexity-per-request",
            "50",
            "--budget-window",
            "1.5",
            "--requests-per-minute",
            "7",
            "--rate-window",
            "2.5",
            "--daily-calls",
            "9",
            "--daily-window",
            "3.5",
            "--max-concurrency",
            "2",
            "--items-per-board",
            "11",
            "--idempotency-ttl",
            "4.5",
            "--mutation-cost",
            "create_item=123",
            "--fault-rate",
            "500=0.25",
            "--fault-next",
            "drop=2",
            "--fault-every",
            "slow=3",
            "--slow-seconds",
            "0.7",
            "--seed",
            "5",
            "--boards",
            "a.json",
        ]
    )
    options = monday_emulator.options_from_args(args)
    assert (options.host, options.port, options.token, options.viewer_tokens) == ("0.0.0.0", 9999, "tk", ("v1",))
    assert (options.complexity_per_minute, options.complexity_per_request, options.budget_window()) == (100, 50, 1.5)
    assert (options.requests_per_minute, options.rate_window(), options.daily_calls, options.daily_window()) == (
        7,
        2.5,
        9,
        3.5,
    )
    assert (options.max_concurrency, options.items_per_board, options.idempotency_ttl_seconds) == (2, 11, 4.5)
    assert options.mutation_costs["create_item"] == 123 and options.mutation_costs["create_subitem"] == 30_000
    assert [r.to_dict() for r in options.faults] == [
        {"kind": "http_500", "rate": 0.25},
        {"kind": "drop_after_apply", "next": 2},
        {"kind": "slow", "every": 3},
    ]
    assert (options.slow_delay(), options.seed, options.boards, options.test_mode) == (0.7, 5, ("a.json",), True)


@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
@pytest.mark.parametrize("document", ["docs/emulator.md", "README.md"])
def test_the_curl_example_in_the_docs_works_verbatim(document):
    doc = (PROJECT_ROOT / document).read_text(encoding="utf-8")
    script = doc.split("```bash\n", 1)[1].split("```", 1)[0]
    assert "create_item" in script and "http://127.0.0.1:8765/v2" in script
    process, url = start()
    try:
        port = url.split(":")[2].split("/")[0]
        result = subprocess.run(
            ["bash", "-c", script.replace("8765", port)], capture_output=True, text=True, timeout=10, check=True
        )
        created = json.loads(result.stdout)["data"]["create_item"]
        assert created["name"] == "PO-1001 NAVY"
        assert {v["id"]: v["text"] for v in created["column_values"]} == {
            "dropdown_customer": "GREYSON",
            "status_order_type": "ACTIVE",
        }
    finally:
        stop(process, signal.SIGTERM)
