#!/usr/bin/env python3
"""Set up the project's virtualenv, then run the demo or the whole test suite.

    python3 scripts/dev.py demo    # ordersync demo: embedded PostgreSQL + emulator, end to end
    python3 scripts/dev.py test    # every test (starts its own PostgreSQL and emulators)

Works on a fresh machine with only Python 3.11+ (Linux, macOS, Windows): creates `.venv`,
installs the project with its dev extras when `pyproject.toml` changed, then runs.
Extra arguments go to the command (`dev.py test -k claim`, `dev.py demo --orders 500`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".ordersync-installed"


def ensure_venv() -> None:
    """Create .venv and (re)install the project when pyproject.toml changed since last time."""
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under any python3, before the venv exists
        sys.exit(f"ordersync needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PYTHON.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("installing ordersync and its dev dependencies into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{ROOT}[local,dev]"], check=True, cwd=ROOT)
    STAMP.write_text(want)


def ensure_chromium() -> None:
    """Install Debian's chromium for the status report's browser test, when it can be done
    unattended (root, apt-get present); otherwise that one test skips and says how to install it."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium is missing: the report's browser test will skip (apt-get install chromium)", flush=True)
        return
    print("installing chromium for the report's browser test (apt-get) ...", flush=True)
    quiet = {"env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, "stdin": subprocess.DEVNULL}
    done = subprocess.run(["apt-get", "update", "-qq"], **quiet).returncode == 0 and subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"], **quiet).returncode == 0
    if not done:
        print("could not install chromium: the report's browser test will skip", flush=True)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("test", "demo"):
        print(__doc__)
        return 2
    ensure_venv()
    command, rest = argv[0], argv[1:]
    if command == "test":
        ensure_chromium()
        args = [str(PYTHON), "-m", "pytest", *rest]
    else:
        args = [str(PYTHON), "-m", "pusher.cli", "demo", *rest]
    return subprocess.run(args, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
