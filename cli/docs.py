"""Generated sections of the Markdown documentation.

A generated section sits between two marker comments, ``<!-- BEGIN GENERATED: name -->`` and
``<!-- END GENERATED: name -->``; everything outside them is written by hand and never touched.
``make docs`` regenerates the configuration table of docs/operations.md (``chartfleet config
--update``); ``python -m bench.report`` regenerates the figures of docs/benchmarks.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.config import PROJECT_ROOT, Settings

OPERATIONS_DOC = PROJECT_ROOT / "docs" / "operations.md"
CONFIG_SECTION = "configuration"


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN GENERATED: {name} -->"


def end_marker(name: str) -> str:
    return f"<!-- END GENERATED: {name} -->"


def config_table() -> str:
    """Every CHARTFLEET_* setting with its default and meaning, as a Markdown table."""
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for env, default, doc in Settings.documented():
        shown = f"`{default}`" if default != "" else "(empty)"
        lines.append(f"| `{env}` | {shown} | {doc} |")
    return "\n".join(lines)


def _section_pattern(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(begin_marker(name))}[ \t]*\n(?P<body>.*?)^{re.escape(end_marker(name))}[ \t]*$",
        re.DOTALL | re.MULTILINE,
    )


def read_section(text: str, name: str) -> str:
    """The body of generated section ``name`` (without its markers and trailing newline)."""
    found = list(_section_pattern(name).finditer(text))
    if len(found) != 1:
        raise ValueError(f"expected exactly one generated section {name!r}, found {len(found)}")
    return found[0].group("body").rstrip("\n")


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the body of generated section ``name`` replaced by ``body``."""
    read_section(text, name)  # exactly one section, or a clear error
    block = f"{begin_marker(name)}\n{body.rstrip()}\n{end_marker(name)}"
    return _section_pattern(name).sub(lambda _m: block, text)


def update_file(path: Path, name: str, body: str) -> bool:
    """Rewrite generated section ``name`` of ``path``; True when the file changed."""
    old = path.read_text(encoding="utf-8")
    new = replace_section(old, name, body)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old
