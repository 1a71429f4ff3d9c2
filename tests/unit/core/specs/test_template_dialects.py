"""Custom templates in every dialect: the stored spec is checked by its dialect's parser (errors name
``spec.<field>``) and the render route's overrides land on that dialect's own fields."""

from __future__ import annotations

import dataclasses

import pytest

from core.specs import brandkits
from core.specs.errors import SpecError
from core.specs.finance import parse_snapshot
from core.specs.imagecharts import parse_imagecharts
from core.specs.imagecharts.data import decode_chd
from core.specs.quickchart import kit_background, read_request, to_spec
from core.specs.template_dialects import DIALECTS, pixel_ratio, with_ratio

IC = {"cht": "bvg", "chs": "300x200", "chd": "t:1,2,3|4,5,6", "chdl": "A|B"}
QC = {"chart": "{type:'bar',data:{labels:['a','b'],datasets:[{label:'x',data:[1,2]}]}}", "width": 400}
FIN = {"symbol": "BINANCE:BTCUSDT", "interval": "1D", "width": 600, "height": 400}


def _apply(dialect, spec, args, parameters=None):
    return DIALECTS[dialect].apply(DIALECTS[dialect].check(spec), args, parameters or {})


@pytest.mark.parametrize(
    ("dialect", "spec", "field"),
    [
        ("chartjs", {"type": "pyramid", "data": {}}, "spec.type"),
        (
            "chartjs",
            {"type": "bar", "data": {"datasets": [{"data": [1]}]}, "card": {"change": "x"}},
            "spec.card.change",
        ),
        ("quickchart", {"width": 300}, "spec.chart"),
        ("quickchart", {"chart": {"type": "bar"}, "width": 5}, "spec.width"),
        ("imagecharts", {"cht": "bvs", "chs": "300x200"}, "spec.chd"),
        ("imagecharts", {"cht": "bvs", "chs": "3", "chd": "t:1"}, "spec.chs"),
        ("imagecharts", {"cht": "bvs", "chs": 300}, "spec"),
        ("imagecharts", {**IC, "ichm": "00"}, "spec.ichm"),
        ("finance", {"interval": "7s"}, "spec.interval"),
        ("finance", {"width": 10}, "spec.width"),
    ],
)
def test_stored_specs_are_checked_by_their_dialect(dialect, spec, field) -> None:
    with pytest.raises(SpecError) as err:
        DIALECTS[dialect].check(spec)
    assert err.value.field == field


def test_quickchart_templates_keep_a_literal_config_as_json() -> None:
    stored = DIALECTS["quickchart"].check(QC)
    assert stored["chart"]["data"]["labels"] == ["a", "b"] and stored["width"] == 400
    out = _apply("quickchart", QC, {"labels": "p,q", "data2": "7,8", "title": "T", "height": "250"})
    config = out.body["chart"]
    assert config["data"]["labels"] == ["p", "q"] and config["data"]["datasets"][1]["data"] == [7, 8]
    spec = to_spec(read_request(out.body)).spec
    assert spec.height == 250 and spec.title.lines == ("T",)
    assert out.ratio == 2  # read_request's stored ratio (2) stands: the route default agrees


def test_imagecharts_overrides_map_onto_its_parameters() -> None:
    out = _apply(
        "imagecharts",
        IC,
        {
            "labels": "x,y,z",
            "data": "7,8,9",
            "data3": "1,1,1",
            "label2": "Bee",
            "title": "Sales",
            "width": "400",
            "palette": "%ff0000,#00ff00".replace("%", "#"),
        },
    )
    p = out.body
    assert decode_chd(p["chd"]).series == ((7, 8, 9), (4, 5, 6), (1, 1, 1)) and p["chd"].startswith("t:")
    assert p["chxt"] == "x" and p["chxl"] == "0:|x|y|z"
    assert p["chdl"] == "A|Bee" and p["chtt"] == "Sales" and p["chs"] == "400x200"
    assert p["chco"] == "FF0000FF,00FF00FF"
    spec = parse_imagecharts(p).spec
    assert spec.width == 400 and spec.title.lines == ("Sales",)
    assert out.ratio == 2  # no icretina stored: the route's default


def test_imagecharts_pie_labels_and_errors_name_the_override() -> None:
    pie = {"cht": "p", "chs": "300x200", "chd": "s:Hello", "icretina": "0"}
    out = _apply("imagecharts", pie, {"labels": "a,b,c,d,e", "data": "1,2,3,4,5"})
    assert out.body["chl"] == "a|b|c|d|e" and out.body["chd"] == "a:1,2,3,4,5" and out.ratio == 1
    with pytest.raises(SpecError) as err:
        _apply("imagecharts", IC, {"format": "svg"})
    assert err.value.field == "format"
    with pytest.raises(SpecError) as err:
        _apply("imagecharts", IC, {"data4": "1"})
    assert err.value.field == "data4"
    too_wide = _apply("imagecharts", IC, {"width": "5000"})
    with pytest.raises(SpecError) as err:
        parse_imagecharts(too_wide.body)
    assert too_wide.blame(err.value).field == "width"


def test_finance_overrides() -> None:
    out = _apply(
        "finance",
        FIN,
        {"width": "800", "format": "jpg", "scale": "1", "interval": "4h"},
        {"interval": {"path": "interval", "description": ""}},
    )
    req = parse_snapshot(out.body, default_symbol="X")
    assert (req.width, req.format, req.interval, out.ratio) == (800, "jpeg", "4h", 1)
    for name in ("labels", "data", "data2", "label1", "title", "palette"):
        with pytest.raises(SpecError) as err:
            _apply("finance", FIN, {name: "1"})
        assert err.value.field == name


def test_named_parameters_work_in_every_dialect() -> None:
    out = _apply("imagecharts", IC, {"who": "Q3"}, {"who": {"path": "chtt", "description": ""}})
    assert out.body["chtt"] == "Q3"
    out = _apply("quickchart", QC, {"s": "Z"}, {"s": {"path": "chart.data.datasets.0.label"}})
    assert out.body["chart"]["data"]["datasets"][0]["label"] == "Z"


def test_scale_defaults_to_two_and_respects_the_budget() -> None:
    assert pixel_ratio({}, None) == (2, "devicePixelRatio")
    assert pixel_ratio({}, 1) == (1, "devicePixelRatio")
    assert pixel_ratio({"scale": "3", "devicePixelRatio": "1"}, None) == (3, "scale")
    for bad in ("0", "5", "x"):
        with pytest.raises(SpecError) as err:
            pixel_ratio({"scale": bad}, None)
        assert err.value.field == "scale"
    spec = parse_imagecharts(IC).spec
    assert with_ratio(spec, 3, "scale").pixel_width == 900
    big = to_spec(
        read_request({"chart": QC["chart"], "width": 4000, "height": 4000, "devicePixelRatio": 1})
    ).spec
    with pytest.raises(SpecError) as err:
        with_ratio(big, 4, "devicePixelRatio")
    assert err.value.field == "devicePixelRatio"


def test_a_kit_fills_quickcharts_default_background_only() -> None:
    kit = brandkits.preset("obsidian")
    for body, expected in ((QC, None), ({**QC, "backgroundColor": "#ff0000"}, "#ff0000ff")):
        stored = DIALECTS["quickchart"].check(body)
        req = read_request(stored)
        spec = dataclasses.replace(to_spec(req).spec, theme=kit)
        assert kit_background(spec, req).background_color == expected
        assert to_spec(req).spec.background_color is not None  # without a kit: QuickChart's default
