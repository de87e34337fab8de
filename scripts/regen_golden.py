#!/usr/bin/env python3
"""Regenerate the golden SQL files in tests/golden/{tsql,postgres}/ from the templates.

    python scripts/regen_golden.py          # after changing a template or tests/golden/config.toml

The golden files pin what the templates render for a small config (tests/golden/config.toml),
so any change to the rendered SQL shows up as a reviewable diff in the commit. They are
written only by this script, through `ordersync render`, never edited by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pusher.cli import main as ordersync
from pusher.sql.dialect import DIALECTS

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden"
GOLDEN_CONFIG = GOLDEN_DIR / "config.toml"


def render_args(dialect: str, out: Path) -> list[str]:
    """The `ordersync render` command line that produces (or, with --check, checks) one dialect."""
    return ["render", "--config", str(GOLDEN_CONFIG), "--dialect", dialect, "--out", str(out), "--quiet",
            "--columns-file", str(GOLDEN_DIR / "columns.tsv")]  # T-SQL would read the live table by default


def write_doctor_goldens() -> None:
    """The queries of `ordersync doctor` (ops/doctor/), one file per dialect."""
    from pusher.commands.render_ops import DOCTOR_TEMPLATE, ops_renderer
    from pusher.config import load_config

    (GOLDEN_DIR / "doctor").mkdir(exist_ok=True)
    for dialect in DIALECTS:
        sql = ops_renderer(load_config(GOLDEN_CONFIG), dialect).render(DOCTOR_TEMPLATE).sql
        (GOLDEN_DIR / "doctor" / f"{dialect}.sql").write_text(sql, encoding="utf-8", newline="\n")


def main() -> int:
    for dialect in DIALECTS:
        code = ordersync(render_args(dialect, GOLDEN_DIR / dialect))
        if code:
            return code
    write_doctor_goldens()
    print("review the diff (git diff tests/golden) and commit it with the template change")
    return 0


if __name__ == "__main__":
    sys.exit(main())
