"""Template overrides, parameters and palettes, and custom kit settings (pure functions)."""

from __future__ import annotations

import pytest

from core.specs import brandkits, templates
from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError


def _body(name: str) -> dict:
    return templates.BUILTIN[name]["spec"]


def test_every_builtin_parses() -> None:
    assert set(templates.BUILTIN) >= {
        "kpi-line",
        "revenue-bar",
        "share-doughnut",
        "comparison-bars",
        "sparkline",
        "progress-bar",
        "gauge",
    }
    for name, entry in templates.BUILTIN.items():
        body = {k: v for k, v in entry["spec"].items() if k != "card"}
        assert parse_chart(body).spec.type in ("line", "bar", "doughnut"), name


def test_overrides_edit_a_copy() -> None:
    original = _body("comparison-bars")
    args = {"labels": "a,b", "data": "1,2", "data2": "3,4", "label2": "Before", "data3": "5,6", "title": "T"}
    body = templates.apply_overrides(original, args, {}, progress=False)
    sets = body["data"]["datasets"]
    assert body["data"]["labels"] == ["a", "b"]
    assert [d["data"] for d in sets] == [[1, 2], [3, 4], [5, 6]] and sets[1]["label"] == "Before"
    assert body["options"]["plugins"]["title"] == {"display": True, "text": "T"}
    assert original["data"]["labels"] == ["North", "South", "East", "West"]  # the template is untouched


def test_series_must_be_contiguous_and_numeric() -> None:
    with pytest.raises(SpecError) as err:
        templates.apply_overrides(_body("revenue-bar"), {"data4": "1"}, {}, progress=False)
    assert err.value.field == "data4"
    with pytest.raises(SpecError) as err:
        templates.apply_overrides(_body("revenue-bar"), {"data": "1,two"}, {}, progress=False)
    assert err.value.field == "data"


def test_progress_templates_take_one_percentage() -> None:
    body = templates.apply_overrides(_body("gauge"), {"data": "40"}, {}, progress=True)
    assert body["data"]["datasets"][0]["data"] == [40, 60] and body["card"]["value"] == "40%"
    with pytest.raises(SpecError):
        templates.apply_overrides(_body("progress-bar"), {"data": "101"}, {}, progress=True)


def test_named_parameters() -> None:
    params = templates.validate_parameters(
        {"who": {"path": "data.datasets.0.label"}, "nums": {"path": "data.datasets.0.data"}}
    )
    body = templates.apply_overrides(
        _body("revenue-bar"), {"who": "Sales", "nums": "1,2,3"}, params, progress=False
    )
    assert body["data"]["datasets"][0]["label"] == "Sales" and body["data"]["datasets"][0]["data"] == [
        1,
        2,
        3,
    ]
    for bad in ({"data": {"path": "x"}}, {"who": {"path": "a..b"}}, {"data2": {"path": "x"}}, {"w": "x"}):
        with pytest.raises(SpecError):
            templates.validate_parameters(bad)


def test_palette_parameter() -> None:
    assert templates.parse_palette("#ff0000,00ff00,#00f") == ("#ff0000ff", "#00ff00ff", "#0000ffff")
    for bad in ("", "red", "#12345", ",".join(["#fff"] * 21)):
        with pytest.raises(SpecError) as err:
            templates.parse_palette(bad)
        assert err.value.field == "palette"
    assert brandkits.with_palette(None, ("#ff0000ff",)).palette == ("#ff0000ff",)


def test_kit_settings_and_ids() -> None:
    settings = brandkits.validate_settings(
        {"base": "Ember", "palette": ["red"], "fontFamily": "source serif pro"}
    )
    assert settings == {"base": "ember", "palette": ["#ff0000ff"], "fontFamily": "Source Serif Pro"}
    theme = brandkits.theme_from_settings("k", 3, settings)
    assert theme.background == brandkits.preset("ember").background and theme.version == 3
    assert brandkits.parse_kit_id(" Obsidian ") == "obsidian"
    for bad in ("nope", "", 5, None):
        with pytest.raises(SpecError) as err:
            brandkits.parse_kit_id(bad)
        assert err.value.field == "brandKitId"
    with pytest.raises(SpecError) as err:
        brandkits.validate_settings({"titleWeight": "ultra"})
    assert err.value.field == "titleWeight"
