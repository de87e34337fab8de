"""Command-line input the way people mistype it: plain-words errors for counts, a quiet end when the
reader of stdout goes away (`ordersync status --output-json | head -c 10`)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pusher.cli import main
from pusher.paths import DEFAULT_CONFIG, PROJECT_ROOT


@pytest.mark.parametrize(("argv", "message"), [
    (["sync", "--dry-run", "--limit", "abc"], "argument --limit: expected a whole number, 1 or more (got 'abc')"),
    (["sync", "--execute", "--limit", "0"], "argument --limit: expected a whole number, 1 or more (got '0')"),
    (["status", "--runs", "-5"], "argument --runs: expected a whole number, 1 or more (got '-5')"),
    (["status", "--reasons", "ten"], "argument --reasons: expected a whole number, 1 or more (got 'ten')"),
])
def test_a_count_that_is_not_a_positive_whole_number_is_refused_in_plain_words(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "_positive" not in err and "invalid" not in err


def test_a_reader_that_closes_the_pipe_early_ends_the_command_quietly(db, tmp_path):
    section = "[environment.development]\n"
    config = tmp_path / "config.toml"
    config.write_text(DEFAULT_CONFIG.read_text(encoding="utf-8").replace(
        section, f'{section}database_url_env = "ORDERSYNC_PIPE_TEST_URL"\n', 1), encoding="utf-8")
    env = {**os.environ, "ORDERSYNC_PIPE_TEST_URL": db.url, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "pusher.cli", "status", "--output-json", "--config", str(config)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=PROJECT_ROOT)
    child.stdout.close()  # the reader is gone before the command writes a byte, as `| head -c 0` would do
    err = child.stderr.read().decode()
    assert child.wait() == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and err == ""


def test_every_command_lists_the_shared_options_last_and_keeps_its_description_as_written():
    """What `pusher.commands.common.command` promises each register(): --config/--env/-v/-q after the
    command's own options (local and monday-emulator have none of them), the description unwrapped."""
    from pusher.cli import COMMAND_MODULES, build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    assert len(commands) == len(COMMAND_MODULES)
    for name, parser in commands.items():
        flags = [a.option_strings[-1] for a in parser._actions if a.option_strings]
        shared = ["--config", "--env", "--verbose", "--quiet"]
        if name in ("local", "monday-emulator"):
            assert "--config" not in flags, name
        else:
            assert flags[-4:] == shared and flags.count("--config") == 1, name
        assert parser.formatter_class.__name__ == "RawDescriptionHelpFormatter", name
        assert parser.get_default("func").__module__ == f"pusher.commands.{name.replace('-', '_')}", name
