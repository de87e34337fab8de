"""Every link and section reference in README.md and docs/*.md points at something that exists.

A link `[text](path#anchor)` must name a file of the repo and, with an anchor, one of that file's
headings (GitHub's slug rules). A prose reference to a section, `see "Heading"`, must name a heading
of some document. Code spans and fenced code blocks are not prose and are skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pusher.paths import PROJECT_ROOT

DOCS = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
SECTION_REF = re.compile(r"\bsee (?:the )?\"([^\"]+)\"", re.IGNORECASE)


def prose(path: Path) -> str:
    """The document without fenced code blocks and code spans."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return re.sub(r"`[^`\n]*`", "", text)


def headings(path: Path) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.*)$", prose(path), flags=re.M)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_link_resolves_to_a_file_and_heading(doc: Path):
    broken = []
    for target in LINK.findall(prose(doc)) + IMAGE.findall(prose(doc)):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        if not linked.exists():
            broken.append(f"{target}: no file {linked}")
        elif anchor and linked.suffix == ".md" and anchor not in {slug(h) for h in headings(linked)}:
            broken.append(f"{target}: {linked.name} has no heading with anchor #{anchor}")
    assert not broken, f"{doc.name} links to what does not exist:\n" + "\n".join(broken)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_section_reference_names_a_heading(doc: Path):
    known = {h.lower() for d in DOCS for h in headings(d)}
    refs = [" ".join(ref.split()) for ref in SECTION_REF.findall(prose(doc))]  # a reference may wrap a line
    missing = [ref for ref in refs if ref.lower() not in known]
    assert not missing, f"{doc.name} refers to sections no document has: {missing}"


def test_the_checks_catch_a_broken_link_and_a_missing_section(tmp_path: Path):
    """The two checks above can fail: a dead link and a dangling "see" are both found."""
    doc = tmp_path / "x.md"
    doc.write_text('# Top\n[a](missing.md) [b](#nowhere) [c](#top), see "Not done"\n', encoding="utf-8")
    targets = LINK.findall(prose(doc))
    assert targets == ["missing.md", "#nowhere", "#top"]
    assert [t for t in targets if t.startswith("#") and t[1:] not in {slug(h) for h in headings(doc)}] == ["#nowhere"]
    assert SECTION_REF.findall(prose(doc)) == ["Not done"]
