"""QuickChart plugin options reach the normalized spec; bad values are refused naming the field."""

from __future__ import annotations

import copy
import json

import pytest

from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.model import ChartSpec
from core.specs.plugins.datalabels import quickchart_defaults
from core.specs.plugins.model import Plugins
from core.specs.plugins.tickformat import format_number, parse_number_format
from core.specs.values import Warnings
from tests.support import quickchart_configs as configs


def plugins_of(config: dict) -> Plugins:
    found = Plugins.from_spec(parse_chart(config).spec)
    assert found is not None
    return found


def bar(options: dict | None = None, **dataset) -> dict:
    return {
        "type": "bar",
        "data": {"labels": ["a", "b", "c"], "datasets": [{"label": "x", "data": [1, 2, 3], **dataset}]},
        "options": options or {},
    }


def test_plugins_survive_the_spec_round_trip_unchanged():
    for name in (
        "DATALABELS_BAR",
        "ANNOTATIONS",
        "DOUGHNUT_LABEL",
        "OUTLABELED_PIE",
        "GAUGE",
        "BOXPLOT",
        "SANKEY",
    ):
        spec = parse_chart(getattr(configs, name)).spec
        again = ChartSpec.from_dict(json.loads(spec.canonical_json()))
        assert again == spec, name
        assert again.cache_key() == spec.cache_key()


def test_plugin_keys_are_not_reported_as_ignored():
    for name in ("DATALABELS_BAR", "DATALABELS_LINE", "ANNOTATIONS", "ANNOTATIONS_V2", "DOUGHNUT_LABEL"):
        assert parse_chart(getattr(configs, name)).warnings == (), name


def test_datalabels_chart_options_merge_with_the_dataset_block():
    found = plugins_of(configs.DATALABELS_BAR)
    revenue, cost = found.datalabels
    assert (revenue.anchor, revenue.align, revenue.color) == ("end", "end", "#1f2d3dff")
    assert revenue.font.size == 13 and revenue.font.bold
    # the dataset block wins key by key and keeps the chart's font
    assert (cost.anchor, cost.align, cost.color, cost.background_color) == (
        "start",
        "start",
        "#ffffffff",
        "#333333ff",
    )
    assert cost.border_radius == 4 and cost.font.bold
    assert found.tick_format.apply_to_datalabels and found.tick_format.number.currency == "USD"


def test_datalabels_indexable_colours_padding_rotation_and_angles():
    found = plugins_of(configs.DATALABELS_LINE)
    (labels,) = found.datalabels
    assert labels.color == ("#ff6384ff", "#36a2ebff", "#ff9f40ff", "#4bc0c0ff", "#9966ffff")
    assert labels.padding == (2, 6, 2, 6)
    assert labels.rotation == -20 and labels.align == "top" and labels.offset == 6
    angled = plugins_of(bar({"plugins": {"datalabels": {"align": 45}}})).datalabels[0]
    assert angled.align == "45"


def test_datalabels_display_rules():
    # not configured: no labels (native API); configured: shown unless display is false
    assert Plugins.from_spec(parse_chart(bar()).spec) is None
    assert plugins_of(bar({"plugins": {"datalabels": {}}})).datalabels[0] is not None
    assert Plugins.from_spec(parse_chart(bar({"plugins": {"datalabels": {"display": False}}})).spec) is None
    assert plugins_of(bar({"plugins": {"datalabels": {"display": "auto"}}})).datalabels[0].auto
    # a dataset can opt in alone, or opt out of the chart's labels
    assert plugins_of(bar(datalabels={"color": "red"})).datalabels[0].color == "#ff0000ff"
    assert Plugins.from_spec(parse_chart(bar({"plugins": {"datalabels": {}}}, datalabels=False)).spec) is None


def test_quickchart_default_shows_labels_on_pies_only():
    pie = quickchart_defaults({"type": "pie", "data": {"datasets": [{"data": [1, 2]}]}})
    line = quickchart_defaults({"type": "line", "data": {"datasets": [{"data": [1, 2]}]}})
    assert plugins_of(pie).datalabels[0] is not None
    assert Plugins.from_spec(parse_chart(line).spec) is None
    mine = {
        "type": "pie",
        "data": {"datasets": [{"data": [1]}]},
        "options": {"plugins": {"datalabels": {"color": "red"}}},
    }
    assert quickchart_defaults(mine) == mine


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"anchor": "top"}, "options.plugins.datalabels.anchor"),
        ({"align": "middle"}, "options.plugins.datalabels.align"),
        ({"offset": "4px"}, "options.plugins.datalabels.offset"),
        ({"color": "not-a-colour"}, "options.plugins.datalabels.color"),
        ({"font": {"size": 0}}, "options.plugins.datalabels.font.size"),
        ({"font": {"weight": "heavy"}}, "options.plugins.datalabels.font.weight"),
        ({"padding": {"top": -1}}, "options.plugins.datalabels.padding.top"),
        ({"borderWidth": 1000}, "options.plugins.datalabels.borderWidth"),
        ({"display": "yes"}, "options.plugins.datalabels.display"),
        ({"numberFormat": {"style": "money"}}, "options.plugins.datalabels.numberFormat.style"),
    ],
)
def test_bad_datalabels_values_name_the_field(options, field):
    with pytest.raises(SpecError) as err:
        parse_chart(bar({"plugins": {"datalabels": options}}))
    assert err.value.field == field


def test_bad_dataset_datalabels_name_the_dataset_field():
    with pytest.raises(SpecError) as err:
        parse_chart(bar(datalabels={"rotation": "left"}))
    assert err.value.field == "data.datasets[0].datalabels.rotation"
    with pytest.raises(SpecError) as err:
        parse_chart(bar(datalabels=[1]))
    assert err.value.field == "data.datasets[0].datalabels"


def test_formatter_functions_stay_refused():
    with pytest.raises(SpecError) as err:
        parse_chart(bar({"plugins": {"datalabels": {"formatter": "(v) => v + '%'"}}}))
    assert err.value.code == "code_not_allowed"
    assert err.value.field == "options.plugins.datalabels.formatter"


def fmt(**options) -> str:
    value = options.pop("value")
    return format_number(parse_number_format(options, "tickFormat", Warnings()), value)


def test_tick_format_follows_intl_number_format():
    assert fmt(value=1234567.891) == "1,234,567.891"
    assert fmt(value=1234.5, locale="de-DE") == "1.234,5"
    assert fmt(value=1234.5, locale="fr-FR", style="currency", currency="EUR") == "1\u202f234,50\u00a0€"
    assert fmt(value=1234.5, style="currency", currency="USD", maximumFractionDigits=0) == "$1,235"
    assert fmt(value=-2.5, maximumFractionDigits=0) == "-3"  # ties away from zero, as Intl rounds
    assert fmt(value=1500, style="currency", currency="JPY") == "¥1,500"
    assert fmt(value=0.256, style="percent") == "26%"
    assert fmt(value=0.256, style="percent", minimumFractionDigits=1) == "25.6%"
    assert fmt(value=2.5, minimumFractionDigits=2) == "2.50"
    assert fmt(value=1234.5678, maximumFractionDigits=1, useGrouping=False) == "1234.6"
    assert fmt(value=1234, prefix="~", suffix=" units") == "~1,234 units"
    assert fmt(value=12.5, style="unit", unit="kilometer-per-hour") == "12.5 km/h"
    assert fmt(value=2.5, style="unit", unit="liter", unitDisplay="long", locale="de-DE") == "2,5 Liter"
    assert fmt(value=123456, notation="scientific") == "1.235E5"
    assert fmt(value=123456, notation="engineering") == "123.456E3"
    assert fmt(value=1250000, notation="compact") == "1M"
    assert fmt(value=1250000, notation="compact", maximumFractionDigits=1) == "1.3M"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"locale": "xx-QQ"}, "options.plugins.tickFormat.locale"),
        ({"style": "currency"}, "options.plugins.tickFormat.currency"),
        ({"style": "currency", "currency": "ABCD"}, "options.plugins.tickFormat.currency"),
        ({"minimumFractionDigits": 1.5}, "options.plugins.tickFormat.minimumFractionDigits"),
        ({"maximumFractionDigits": 21}, "options.plugins.tickFormat.maximumFractionDigits"),
        (
            {"minimumFractionDigits": 3, "maximumFractionDigits": 1},
            "options.plugins.tickFormat.maximumFractionDigits",
        ),
        ({"useGrouping": "no"}, "options.plugins.tickFormat.useGrouping"),
        ({"applyToDataLabels": 1}, "options.plugins.tickFormat.applyToDataLabels"),
        ({"prefix": ["$"]}, "options.plugins.tickFormat.prefix"),
        ({"style": "unit"}, "options.plugins.tickFormat.unit"),
        ({"style": "unit", "unit": "furlong-per-fortnight"}, "options.plugins.tickFormat.unit"),
        ({"notation": "roman"}, "options.plugins.tickFormat.notation"),
    ],
)
def test_bad_tick_format_values_name_the_field(options, field):
    with pytest.raises(SpecError) as err:
        parse_chart(bar({"plugins": {"tickFormat": options}}))
    assert err.value.field == field


def test_annotations_object_and_v2_list_forms():
    found = plugins_of(configs.ANNOTATIONS)
    kinds = [a.kind for a in found.annotations]
    assert kinds == ["line", "box", "line", "point", "label"]
    limit, window, release, start, note = found.annotations
    assert (limit.y_min, limit.y_max, limit.x_min) == (60, 60, None)
    assert (
        limit.border_dash == (6, 4) and limit.label.lines == ("Limit 60",) and limit.label.position == "end"
    )
    assert (window.x_min, window.x_max, window.y_min) == ("Tue", "Thu", None)
    assert window.below_datasets and not limit.below_datasets
    assert (release.x_min, release.label.position, release.label.background_color) == (
        "Fri",
        "start",
        "#9966ffff",
    )
    assert (start.x_min, start.y_min, start.radius) == ("Mon", 30, 8)
    assert note.label.lines == ("peak soon",) and note.label.color == "#333333ff"
    v2 = plugins_of(configs.ANNOTATIONS_V2).annotations
    assert (v2[0].y_scale, v2[0].y_min, v2[0].label.position, v2[0].label.color) == (
        "y",
        6,
        "start",
        "#ffff00ff",
    )
    assert (v2[1].y_min, v2[1].y_max, v2[1].x_min) == (8, 10, None)


def test_annotations_on_a_time_axis_take_dates():
    config = {
        "type": "line",
        "data": {"datasets": [{"data": [{"x": "2024-01-01", "y": 1}, {"x": "2024-02-01", "y": 2}]}]},
        "options": {
            "scales": {"x": {"type": "time"}},
            "plugins": {
                "annotation": {"annotations": [{"type": "line", "scaleID": "x", "value": "2024-01-15"}]}
            },
        },
    }
    (line,) = plugins_of(config).annotations
    assert line.x_min == 1705276800.0


def test_annotation_label_hidden_unless_displayed():
    line = {"type": "line", "scaleID": "y", "value": 2, "label": {"content": "shown only when asked"}}
    found = plugins_of(bar({"plugins": {"annotation": {"annotations": [line]}}}))
    assert found.annotations[0].label is None
    config = copy.deepcopy(configs.ANNOTATIONS_V2)
    config["options"]["annotation"]["annotations"][0]["label"]["enabled"] = False
    assert plugins_of(config).annotations[0].label is None


@pytest.mark.parametrize(
    ("annotation", "field"),
    [
        ({"type": "ellipse", "xMin": 1}, "options.plugins.annotation.annotations.a.type"),
        ({"xMin": 1}, "options.plugins.annotation.annotations.a.type"),
        ({"type": "line", "scaleID": "y"}, "options.plugins.annotation.annotations.a.value"),
        (
            {"type": "line", "scaleID": "price", "value": 1},
            "options.plugins.annotation.annotations.a.scaleID",
        ),
        (
            {"type": "line", "mode": "diagonal", "scaleID": "y", "value": 1},
            "options.plugins.annotation.annotations.a.mode",
        ),
        ({"type": "box", "xMin": True}, "options.plugins.annotation.annotations.a.xMin"),
        ({"type": "point", "xValue": 1}, "options.plugins.annotation.annotations.a.yValue"),
        (
            {"type": "line", "scaleID": "y", "value": 1, "borderColor": "nope"},
            "options.plugins.annotation.annotations.a.borderColor",
        ),
        (
            {"type": "line", "scaleID": "y", "value": 1, "borderDash": "5,5"},
            "options.plugins.annotation.annotations.a.borderDash",
        ),
        (
            {
                "type": "line",
                "scaleID": "y",
                "value": 1,
                "label": {"content": "x", "display": True, "position": "middle"},
            },
            "options.plugins.annotation.annotations.a.label.position",
        ),
    ],
)
def test_bad_annotations_name_the_field(annotation, field):
    with pytest.raises(SpecError) as err:
        parse_chart(bar({"plugins": {"annotation": {"annotations": {"a": annotation}}}}))
    assert err.value.field == field


def test_font_sizes_may_be_written_as_text():
    config = copy.deepcopy(configs.DOUGHNUT_LABEL)
    config["options"]["plugins"]["doughnutlabel"]["labels"][0]["font"]["size"] = "36px"
    assert plugins_of(config).center_text[0].font.size == 36
    config["options"]["plugins"]["doughnutlabel"]["labels"][0]["font"]["size"] = "huge"
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.field == "options.plugins.doughnutlabel.labels[0].font.size"


def test_doughnutlabel_lines():
    lines = plugins_of(configs.DOUGHNUT_LABEL).center_text
    assert [(line.text, line.font.size, line.font.bold, line.color) for line in lines] == [
        ("72%", 36, True, "#36a2ebff"),
        ("complete", 14, False, None),
    ]
    with pytest.raises(SpecError) as err:
        parse_chart(
            {
                **configs.DOUGHNUT_LABEL,
                "options": {"plugins": {"doughnutlabel": {"labels": [{"text": "a", "color": 5}]}}},
            }
        )
    assert err.value.field == "options.plugins.doughnutlabel.labels[0].color"


def test_outlabeled_pie_is_a_pie_with_outlabels():
    spec = parse_chart(configs.OUTLABELED_PIE).spec
    assert spec.type == "pie" and not spec.legend.display  # `legend: false`, as QuickChart writes it
    out = Plugins.from_spec(spec).outlabels
    assert (out.text, out.color, out.stretch, out.font.size) == ("%l %p", "#ffffffff", 25, 12)
    with pytest.raises(SpecError) as err:
        parse_chart({**configs.OUTLABELED_PIE, "options": {"plugins": {"outlabels": {"stretch": -5}}}})
    assert err.value.field == "options.plugins.outlabels.stretch"
