"""The generated sections of the docs: the committed configuration table is what `chartfleet config`
prints (run `make docs` when this fails), and rewriting a section never touches the text around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import docs
from cli.main import main
from core.config import Settings


def test_committed_configuration_table_is_the_generated_one():
    committed = docs.read_section(docs.OPERATIONS_DOC.read_text(encoding="utf-8"), docs.CONFIG_SECTION)
    assert committed == docs.config_table(), "docs/operations.md is stale: run `make docs`"


def test_the_table_has_every_setting_once():
    rows = docs.config_table().splitlines()[2:]
    names = [row.split("`")[1] for row in rows]
    assert names == [env for env, _default, _doc in Settings.documented()]
    assert len(set(names)) == len(names)
    assert "| `CHARTFLEET_BROKER_URL` | (empty) |" in docs.config_table()
    assert "| `CHARTFLEET_SYNC_TIMEOUT` | `30.0` |" in docs.config_table()


def test_chartfleet_config_prints_the_table():
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 0
    assert result.output == docs.config_table() + "\n"


PAGE = """# Title

Hand-written text before.

<!-- BEGIN GENERATED: configuration -->
| old | table |
<!-- END GENERATED: configuration -->

Hand-written text after, with a marker-like line: <!-- BEGIN GENERATED: other -->
"""


def test_replace_section_changes_only_the_section():
    new = docs.replace_section(PAGE, "configuration", "| new |\n|---|\n")
    before, after = PAGE.split("| old | table |\n")
    assert new == before + "| new |\n|---|\n" + after
    assert docs.read_section(new, "configuration") == "| new |\n|---|"
    assert docs.replace_section(new, "configuration", "| new |\n|---|") == new  # idempotent


def test_sections_must_exist_exactly_once():
    with pytest.raises(ValueError, match="found 0"):
        docs.replace_section("# no markers\n", "configuration", "x")
    with pytest.raises(ValueError, match="found 0"):
        docs.read_section(PAGE, "other")  # a begin marker without its end is not a section
    with pytest.raises(ValueError, match="found 2"):
        docs.read_section(PAGE + PAGE, "configuration")


def test_config_update_rewrites_a_file(tmp_path: Path):
    page = tmp_path / "operations.md"
    page.write_text(PAGE)
    result = CliRunner().invoke(main, ["config", "--update", str(page)])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert docs.read_section(text, "configuration") == docs.config_table()
    assert text.startswith(
        "# Title\n\nHand-written text before.\n\n<!-- BEGIN GENERATED: configuration -->\n"
    )
    assert text.endswith(
        "Hand-written text after, with a marker-like line: <!-- BEGIN GENERATED: other -->\n"
    )
    again = CliRunner().invoke(main, ["config", "--update", str(page)])
    assert "already current" in again.output and page.read_text() == text


def test_config_update_without_markers_is_a_clear_error(tmp_path: Path):
    page = tmp_path / "plain.md"
    page.write_text("# nothing generated here\n")
    result = CliRunner().invoke(main, ["config", "--update", str(page)])
    assert result.exit_code != 0
    assert "expected exactly one generated section 'configuration'" in result.output
    assert page.read_text() == "# nothing generated here\n"
