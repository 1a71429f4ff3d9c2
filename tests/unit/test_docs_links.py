"""Every relative link in README.md and docs/ leads to a file that exists, and to a heading of it
when the link names one (GitHub's anchor rules).

Links to the pages other branches are adding (PENDING) are accepted while those files do not exist
yet; once a page exists its links and anchors are checked like any other.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PENDING = frozenset(
    DOCS / name
    for name in (
        "imagecharts-compat.md",
        "chartjs-compat.md",
        "finance.md",
        "brand-kits-templates.md",
        "quickchart.md",
        "quickchart-plugins.md",
        "limits-and-errors.md",
    )
)

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.DOTALL | re.MULTILINE)
INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
HTML_ID = re.compile(r"""<a\s+(?:name|id)=["']([^"']+)["']""")


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def prose(text: str) -> str:
    """The text without fenced code blocks and inline code, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def links(text: str) -> list[str]:
    body = prose(text)
    return [m.group(1) for m in INLINE_LINK.finditer(body)] + [m.group(1) for m in REFERENCE.finditer(body)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: markup and punctuation dropped, lower case, spaces to '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set(HTML_ID.findall(text))
    seen: dict[str, int] = {}
    for match in HEADING.finditer(FENCE.sub("", text)):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(path: Path) -> list[str]:
    """The links of ``path`` that lead nowhere, each with the reason."""
    problems = []
    text = path.read_text(encoding="utf-8")
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
            continue  # http:, https:, mailto: ... are not ours to check here
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            if dest in PENDING:
                continue
            problems.append(
                f"{target}: no such file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}"
            )
            continue
        if anchor and dest.suffix == ".md" and anchor not in anchors(dest.read_text(encoding="utf-8")):
            problems.append(f"{target}: no heading #{anchor} in {dest.name}")
    return problems


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path: Path):
    assert broken_links(path) == []


def test_the_docs_index_links_every_page():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    linked = {(DOCS / target.partition("#")[0]).resolve() for target in links(index)}
    pages = {p.resolve() for p in DOCS.rglob("*.md")} - {(DOCS / "README.md").resolve()}
    assert pages - linked == set()
    assert PENDING <= linked


def test_the_checker_finds_broken_links_and_anchors(tmp_path: Path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other page\n\n## Delivery and retry semantics\n")
    page.write_text(
        "# Page\n\n[ok](other.md#delivery-and-retry-semantics) [self](#page) [web](https://example.com)\n"
        "[missing](nowhere.md) [bad anchor](other.md#no-such-heading)\n\n"
        "```\n[not a link](in-a-code-block.md)\n```\n`[inline](code.md)`\n\n[ref]: gone/too.md\n"
    )
    problems = broken_links(page)
    assert len(problems) == 3
    assert problems[0].startswith("nowhere.md: no such file")
    assert problems[1] == "other.md#no-such-heading: no heading #no-such-heading in other.md"
    assert problems[2].startswith("gone/too.md: no such file")


def test_slugs_follow_github():
    assert slug("Image-Charts URL API (`/chart`)") == "image-charts-url-api-chart"
    assert slug("Candles: maintained, rolled up, never stale") == "candles-maintained-rolled-up-never-stale"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}
