"""QuickChart's extra chart types parse into the normalized spec; bad input names the field."""

from __future__ import annotations

import copy

import pytest

from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.extra_types.boxplot import summarize
from core.specs.extra_types.model import ExtraType
from core.specs.plugins.model import Plugins
from tests.support import quickchart_configs as configs


def test_sparkline_is_a_bare_thin_line_with_a_padded_range():
    spec = parse_chart(configs.SPARKLINE).spec
    assert spec.type == "line" and not spec.legend.display
    assert not spec.axis("x").display and not spec.axis("y").display
    assert (spec.axis("y").min, spec.axis("y").max) == (57.0, 388.5)
    (ds,) = spec.datasets
    assert (ds.border_color, ds.border_width, ds.point_radius) == ("#000000ff", 1, 0)
    assert len(spec.labels) == 8


def test_sparkline_takes_exactly_one_dataset():
    config = copy.deepcopy(configs.SPARKLINE)
    config["data"]["datasets"].append({"data": [1]})
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.field == "data.datasets"


def test_progress_bar_is_a_horizontal_bar_over_its_track_with_a_percentage_label():
    spec = parse_chart(configs.PROGRESS_BAR).spec
    assert spec.type == "bar" and spec.index_axis == "y"
    assert [ds.values for ds in spec.datasets] == [(68,), (100,)]
    assert spec.axis("x").max == 100 and spec.axis("y").stacked
    labels = Plugins.from_spec(spec).datalabels
    assert labels[0].percent_of == (100,) and labels[1] is None
    whole = parse_chart(configs.PROGRESS_BAR_WHOLE).spec
    assert whole.axis("x").max == 30 and Plugins.from_spec(whole) is None


@pytest.mark.parametrize(
    ("datasets", "field"),
    [
        ([{"data": []}], "data.datasets[0].data"),
        ([{"data": [5]}, {"data": [0]}], "data.datasets[1].data"),
        ([{"data": [5]}, {"data": ["all"]}], "data.datasets[1].data[0]"),
        ([{"data": [1]}, {"data": [2]}, {"data": [3]}], "data.datasets"),
    ],
)
def test_bad_progress_bars_name_the_field(datasets, field):
    with pytest.raises(SpecError) as err:
        parse_chart({"type": "progressBar", "data": {"datasets": datasets}})
    assert err.value.field == field


def test_gauge_options():
    spec = parse_chart(configs.GAUGE).spec
    gauge = ExtraType.from_spec(spec).gauge
    assert spec.type == "gauge" and spec.datasets[0].values == (40, 70, 100)
    assert not spec.legend.display  # chartjs-gauge hides the legend unless asked
    assert (gauge.value, gauge.min_value, gauge.needle.length_pct, gauge.needle.color) == (
        63,
        0,
        75,
        "#333333ff",
    )
    assert gauge.value_label.font_size == 20 and gauge.value_label.number.suffix == " km/h"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": None}, "data.datasets[0].value"),
        ({"value": "high"}, "data.datasets[0].value"),
        ({"data": [70, 40, 100]}, "data.datasets[0].data"),
        ({"minValue": 50}, "data.datasets[0].data"),
    ],
)
def test_bad_gauges_name_the_field(change, field):
    config = copy.deepcopy(configs.GAUGE)
    ds = config["data"]["datasets"][0]
    for key, value in change.items():
        if value is None:
            ds.pop(key)
        else:
            ds[key] = value
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.field == field


def test_gauge_option_errors_name_the_option():
    config = copy.deepcopy(configs.GAUGE)
    config["options"]["needle"]["lengthPercentage"] = 150
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.field == "options.needle.lengthPercentage"


def test_radial_gauge_options():
    gauge = ExtraType.from_spec(parse_chart(configs.RADIAL_GAUGE).spec).radial_gauge
    assert (gauge.value, gauge.domain, gauge.track_color, gauge.sub_text) == (
        72,
        (0, 100),
        "#e6eef6ff",
        "of 100",
    )
    bad = copy.deepcopy(configs.RADIAL_GAUGE)
    bad["options"]["domain"] = [100, 0]
    with pytest.raises(SpecError) as err:
        parse_chart(bad)
    assert err.value.field == "options.domain"


def test_box_statistics_follow_the_plugin_defaults():
    stats = summarize([12, 15, 17, 18, 19, 21, 22, 24, 40])
    assert (stats.q1, stats.median, stats.q3) == (17, 19, 22)
    assert (stats.whisker_min, stats.whisker_max, stats.outliers) == (12, 24, (40,))
    everything = summarize([12, 15, 17, 18, 19, 21, 22, 24, 40], coef=0)
    assert (everything.whisker_max, everything.outliers) == (40, ())


def test_values_that_would_overflow_are_refused():
    with pytest.raises(SpecError) as err:
        parse_chart({"type": "boxplot", "data": {"labels": ["a"], "datasets": [{"data": [[1e308, 1e308]]}]}})
    assert err.value.field == "data.datasets[0].data[0][0]"
    with pytest.raises(SpecError) as err:
        parse_chart(
            {"type": "sankey", "data": {"datasets": [{"data": [{"from": "a", "to": "b", "flow": 1e300}]}]}}
        )
    assert err.value.field == "data.datasets[0].data[0].flow"
    config = copy.deepcopy(configs.GAUGE)
    config["data"]["datasets"][0]["minValue"] = -1e308
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.field == "data.datasets[0].minValue"


def test_boxplot_data_forms():
    spec = parse_chart(configs.BOXPLOT).spec
    box = ExtraType.from_spec(spec).boxplot
    assert spec.type == "boxplot" and not box.violin and len(box.series) == 2
    given = box.series[0].stats[2]
    assert (given.min, given.q1, given.median, given.q3, given.max, given.mean) == (8, 12, 16, 20, 26, 15.5)
    assert box.series[0].outlier_color == "#ff6384ff"
    assert [ds.label for ds in spec.datasets] == ["2023", "2024"]
    violin = parse_chart(configs.VIOLIN).spec
    assert violin.type == "violin" and violin.index_axis == "y" and ExtraType.from_spec(violin).boxplot.violin


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ("lots", "data.datasets[0].data[0]"),
        ([1, "two"], "data.datasets[0].data[0][1]"),
        ({"min": 1, "q1": 2, "median": 3, "q3": 4}, "data.datasets[0].data[0].max"),
        ({"min": 5, "q1": 2, "median": 3, "q3": 4, "max": 6}, "data.datasets[0].data[0]"),
    ],
)
def test_bad_box_data_name_the_field(entry, field):
    with pytest.raises(SpecError) as err:
        parse_chart({"type": "boxplot", "data": {"labels": ["a"], "datasets": [{"data": [entry]}]}})
    assert err.value.field == field


def test_sankey_flows_and_options():
    spec = parse_chart(configs.SANKEY).spec
    sankey = ExtraType.from_spec(spec).sankey
    assert spec.type == "sankey" and len(sankey.flows) == 7
    assert sankey.flows[0].source == "Coal" and sankey.flows[0].flow == 30
    assert sankey.labels == (("Electricity", "Power grid"),)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ([{"from": "a", "to": "b"}], "data.datasets[0].data[0].flow"),
        ([{"from": "a", "to": "b", "flow": -1}], "data.datasets[0].data[0].flow"),
        ([{"from": "a", "to": "a", "flow": 1}], "data.datasets[0].data[0]"),
        ([{"from": "a", "to": "b", "flow": 1}, {"from": "b", "to": "a", "flow": 1}], "data.datasets[0].data"),
        ("a->b", "data.datasets[0].data"),
    ],
)
def test_bad_sankey_data_name_the_field(data, field):
    with pytest.raises(SpecError) as err:
        parse_chart({"type": "sankey", "data": {"datasets": [{"data": data}]}})
    assert err.value.field == field


def test_sankey_colour_functions_are_refused():
    config = copy.deepcopy(configs.SANKEY)
    config["data"]["datasets"][0]["colorFrom"] = "(c) => getColor(c.dataset.data[c.dataIndex].from)"
    with pytest.raises(SpecError) as err:
        parse_chart(config)
    assert err.value.code == "code_not_allowed"


def test_type_names_are_case_insensitive():
    assert parse_chart({**configs.GAUGE, "type": "Gauge"}).spec.type == "gauge"
    assert parse_chart({**configs.SANKEY, "type": "SANKEY"}).spec.type == "sankey"
