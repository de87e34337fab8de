"""Golden files pin the rendered T-SQL and PostgreSQL of a small config.

Any change in what the templates emit fails here with the diff; if the change is meant,
`python scripts/regen_golden.py` rewrites the files and the diff goes into the commit.
"""

from __future__ import annotations

import importlib.util

import pytest

from pusher.cli import main as ordersync
from pusher.paths import PROJECT_ROOT
from pusher.sql.dialect import DIALECTS

_spec = importlib.util.spec_from_file_location("regen_golden", PROJECT_ROOT / "scripts" / "regen_golden.py")
regen_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regen_golden)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_rendered_sql_matches_the_golden_files(dialect, capsys):
    golden = regen_golden.GOLDEN_DIR / dialect
    assert (golden / "install.sql").is_file(), f"{golden} is missing: run python scripts/regen_golden.py"
    code = ordersync([*regen_golden.render_args(dialect, golden), "--check"])
    report = capsys.readouterr().out
    assert code == 0, (f"the rendered {dialect} SQL drifted from {golden}. If the change is intended, run "
                       f"`python scripts/regen_golden.py` and commit the diff:\n{report}")

