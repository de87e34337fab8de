"""The wheel stands on its own: built from the checkout, installed into a fresh virtualenv with its
core dependencies from the package index, it renders the SQL and the ops scripts from a folder
outside the repository, byte for byte what the checkout renders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from pusher.cli import main as ordersync
from pusher.paths import PROJECT_ROOT, STATE_DIR_VARIABLE

SETUPTOOLS = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
# What a build must not pick up from the checkout (local state, other builds, caches).
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", ".ordersync", "build", "dist", "*.egg-info", "__pycache__",
                                    ".pytest_cache", ".ruff_cache", "out", "reports", "golden")


def test_every_python_package_is_listed_for_the_wheel_and_every_mapped_folder_exists():
    packages = {".".join(p.parent.relative_to(PROJECT_ROOT).parts)
                for p in (PROJECT_ROOT / "pusher").rglob("__init__.py")}
    listed = set(SETUPTOOLS["packages"])
    assert packages == {p for p in listed if not p.startswith("pusher._data.")}
    mapped = SETUPTOOLS["package-dir"]
    assert set(mapped) == listed - packages
    assert [folder for folder in mapped.values() if not (PROJECT_ROOT / folder).is_dir()] == []


def test_render_and_render_ops_import_neither_pyodbc_nor_the_local_extra(tmp_path: Path):
    columns = str(PROJECT_ROOT / "configs" / "sample_order_list_columns.tsv")
    script = ("import sys; from pusher.cli import main; "
              f"codes = [main(['render', '--dialect', 'tsql', '--columns-file', {columns!r}, "
              f"'--out', {str(tmp_path / 'sql')!r}, '--quiet']), "
              f"main(['render-ops', '--out', {str(tmp_path / 'ops')!r}, '--quiet'])]; "
              "print(codes, sorted(m for m in ('pyodbc', 'psycopg', 'pgserver') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.stdout.splitlines()[-1] == "[0, 0] []", result.stderr


def _run(command: list, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_virtualenv_and_renders_outside_the_checkout(tmp_path: Path):
    source, wheels, env_dir, work = (tmp_path / name for name in ("src", "wheels", "venv", "work"))
    shutil.copytree(PROJECT_ROOT, source, ignore=NOT_SOURCE)  # a clean tree: no stale build/ in the wheel
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", wheels,
          source], cwd=tmp_path)
    (wheel,) = wheels.glob("ordersync-*.whl")
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    # Without PYTHONPATH: the checkout on it would make pip and Python find the checkout's ordersync.
    outside = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", STATE_DIR_VARIABLE, "XDG_STATE_HOME")}
    _run([python, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile", "-q", wheel],
         cwd=tmp_path, env=outside)

    work.mkdir()
    home = str(tmp_path / "home")
    env = {**outside, "HOME": home, "USERPROFILE": home, "LOCALAPPDATA": home}
    cli = bin_dir / ("ordersync.exe" if os.name == "nt" else "ordersync")
    where = _run([python, "-c", "from pusher import paths; print(paths.PROJECT_ROOT); print(paths.state_dir())"],
                 cwd=work, env=env).splitlines()
    assert Path(where[0]).is_relative_to(env_dir) and Path(where[1]).is_relative_to(tmp_path / "home"), where

    assert "render-ops" in _run([cli, "--help"], cwd=work, env=env)
    # No database here: T-SQL renders from a column list (by default it reads the live staging table).
    columns = shutil.copy(PROJECT_ROOT / "configs" / "sample_order_list_columns.tsv", tmp_path / "columns.tsv")
    _run([cli, "render", "--dialect", "tsql", "--columns-file", columns, "--out", "tsql"], cwd=work, env=env)
    _run([cli, "render-ops", "--out", "ops"], cwd=work, env=env)
    assert (work / "tsql" / "install.sql").is_file() and (work / "ops" / "sqlagent_jobs.sql").is_file()

    assert ordersync(["render", "--dialect", "tsql", "--columns-file", str(columns),
                      "--out", str(tmp_path / "checkout-tsql"), "--quiet"]) == 0
    assert ordersync(["render-ops", "--out", str(tmp_path / "checkout-ops"), "--quiet"]) == 0
    assert _files(work / "tsql") == _files(tmp_path / "checkout-tsql")
    assert _files(work / "ops") == _files(tmp_path / "checkout-ops")
