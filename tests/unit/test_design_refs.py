"""Every citation of the design documents (docs/design/: the domain rules, the architecture, the
workspace conventions and the decision records in decisions/) resolves.

Format. A reference is `docs/design/<path>.md`, optionally followed by one or more section ids
(`§6`, `§6.2`, `§6.2.1`, chained with commas, "and" or a dash: `§5.3, §5.4`). A section id
resolves when the file has a Markdown heading whose text begins with that number, with or
without a trailing dot: `§6` matches `## 6. Title`, `§6.2` matches `### 6.2 Title`. A `§id`
standing alone refers to the document last named on the same line; inside docs/design/ with no
document named on the line, to the file itself; anywhere else it is an error (a section of an
unnamed document cannot be followed). Decision records have no numbered sections: cite the file.

Besides, no file may point outside the repository (to the design inputs the team started from)
or name a design document without its `docs/design/` prefix.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED_DIRS = ("hotline", "tests", "config", "docs")
SCANNED_FILES = ("README.md",)
SUFFIXES = {".py", ".yaml", ".yml", ".md", ".html", ".js"}
# This file's own examples are assembled at run time; its docstring describes the format.
SELF = Path(__file__).resolve()

_ID = r"\d+(?:\.\d+)*"
SECTION = re.compile(rf"§\s*(?P<id>{_ID})")
REF = re.compile(rf"docs/design/(?P<path>[\w./-]+?\.md)"
                 rf"(?P<chain>(?:\s*(?:,|and|or|-|–)?\s*§\s*{_ID})*)")
HEADING = re.compile(rf"^#{{1,6}}\s+(?P<id>{_ID})\.?(?:\s|$)")
# Citations that cannot be followed from inside the repository.
FORBIDDEN = [
    (re.compile(r"\.\./shared|shared/desig[n]"), "points outside the repository"),
    (re.compile(r"(?<![\w/.-])(?:domain|architecture|performance|ux|anchors)\.md"),
     "names a design document without its docs/design/ prefix"),
    (re.compile(r"architecture(?:\.md)? habit"), "cites a habit of a document outside the repository"),
]


def scanned_files() -> list[Path]:
    files = [ROOT / f for f in SCANNED_FILES if (ROOT / f).is_file()]
    for d in SCANNED_DIRS:
        files += [p for p in sorted((ROOT / d).rglob("*"))
                  if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts]
    return [f for f in files if f.resolve() != SELF]


@lru_cache(maxsize=None)
def section_ids(doc: Path) -> frozenset[str]:
    ids = set()
    in_fence = False
    for line in doc.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        elif not in_fence and (m := HEADING.match(line)):
            ids.add(m.group("id"))
    return frozenset(ids)


def broken_references(text: str, where: str, here: Path | None = None,
                      root: Path = ROOT) -> list[str]:
    """The references in `text` that do not resolve, each as 'where:line: reason'. `here` is
    the design document the text comes from (its bare `§id`s refer to it), if any."""
    design = root / "docs" / "design"
    problems = []

    def check(doc: Path, section: str, lineno: int, shown: str) -> None:
        if not doc.is_file():
            problems.append(f"{where}:{lineno}: {shown}: no such file")
        elif section and section not in section_ids(doc):
            problems.append(f"{where}:{lineno}: {shown}: no heading numbered {section} in "
                            f"{doc.relative_to(root)}")

    for lineno, line in enumerate(text.splitlines(), 1):
        refs = list(REF.finditer(line))
        for m in refs:
            doc = design / m.group("path")
            sections = [s.group("id") for s in SECTION.finditer(m.group("chain"))]
            for section in sections or [""]:
                check(doc, section, lineno, m.group(0).strip())
        for s in SECTION.finditer(line):
            if any(m.start() <= s.start() < m.end() for m in refs):
                continue     # part of a reference, checked above
            before = [m for m in refs if m.end() <= s.start()]
            doc = design / before[-1].group("path") if before else here
            if doc is None:
                problems.append(f"{where}:{lineno}: '{s.group(0)}' names no document "
                                "(cite docs/design/<file>.md §id)")
            else:
                check(doc, s.group("id"), lineno, s.group(0))
        for pattern, reason in FORBIDDEN:
            for m in pattern.finditer(line):
                problems.append(f"{where}:{lineno}: '{m.group(0)}' {reason}")
    return problems


def _check_file(path: Path) -> list[str]:
    design = ROOT / "docs" / "design"
    here = path if design in path.parents else None
    text = path.read_text(encoding="utf-8", errors="replace")
    return broken_references(text, str(path.relative_to(ROOT)), here)


def test_every_design_reference_resolves():
    problems, count = [], 0
    for path in scanned_files():
        count += len(REF.findall(path.read_text(encoding="utf-8", errors="replace")))
        problems += _check_file(path)
    assert not problems, "\n".join(problems)
    assert count > 50, f"only {count} design references found: is the scan looking in the right place?"


def test_the_design_documents_have_numbered_sections():
    for name in ("domain", "architecture", "ux"):
        assert section_ids(ROOT / "docs" / "design" / (name + ".md")), name


def test_the_checker_fails_on_broken_references():
    """The same function, fed fabricated references, reports each one (so the scan above can
    fail), and accepts the forms the format allows."""
    domain = ROOT / "docs" / "design" / "domain.md"
    good = [
        "see docs/design/domain.md §6.2 and docs/design/architecture.md §3.1",
        "docs/design/domain.md §6",                                  # a top-level section
        "(docs/design/architecture.md §5.3, §5.4)",                  # a chain
        "(docs/design/domain.md §6.4). Routing runs before dispatch (§6.6).",  # same line
        "docs/design/decisions/0001-sqlite-embedded-postgresql-production.md",
    ]
    for text in good:
        assert broken_references(text, "good") == [], text
    assert broken_references("as §6.2 says", "inside", here=domain) == []
    bad = {
        "missing section": "# rule (docs/design/domain.md §99.9)",
        "missing subsection of a real section": "docs/design/domain.md §6.99",
        "broken link of a chain": "docs/design/domain.md §6.2, §99",
        "bare section after a reference": "docs/design/ux.md §1; see also (§99)",
        "missing file": "docs/design/nowhere.md §1",
        "missing file without a section": "docs/design/decisions/9999-nothing.md",
        "section of a decision record":
            "docs/design/decisions/0001-sqlite-embedded-postgresql-production.md §1",
        "outside the repository": "see ../shared/design/domain.md",
        "no prefix": "see domain.md",
        "unnamed document": "(domain §4.3)",
        "habit of an outside document": "(architecture.md habit 3)",
    }
    for name, text in bad.items():
        assert broken_references(text, name), name
    assert broken_references("as §99 says", "inside", here=domain), "bare id inside a document"
