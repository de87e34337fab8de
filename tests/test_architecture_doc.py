"""docs/architecture.md's "where to change" table stays true: every file it names exists, and each
concept is changed in at most two files."""

from __future__ import annotations

import re

from pusher.paths import PROJECT_ROOT

DOC = PROJECT_ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`((?:pusher|procedures|tests|scripts|configs)/[^`\s]+)`")


def _rows() -> list[list[str]]:
    section = DOC.read_text(encoding="utf-8").split("## Where to change", 1)[1]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| to change")]


def test_every_file_the_architecture_doc_names_exists():
    named = {p for p in PATH.findall(DOC.read_text(encoding="utf-8"))}
    expanded = {p.replace("<dialect>", d) for p in named for d in ("tsql", "postgres")}
    missing = sorted(p for p in expanded if "<" not in p and not (PROJECT_ROOT / p).exists())
    assert named and missing == []


def test_each_concept_is_changed_in_at_most_two_files():
    rows = _rows()
    assert [r[0].split(" (")[0] for r in rows] == [
        "a monday column type", "a dialect", "the retry policy",
        "what the pusher does for items or for subitems", "what the database does for items or for subitems",
        "what a procedure logs, or a new state-changing procedure", "a CLI command",
        "the rule for which orders count as changed"]
    assert {r[0]: len(PATH.findall(r[1])) for r in rows if not 1 <= len(PATH.findall(r[1])) <= 2} == {}
