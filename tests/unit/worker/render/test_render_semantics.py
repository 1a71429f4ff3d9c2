"""Chart.js semantics: scales, stacking, fills, gaps, hidden datasets, legend, radial charts."""

from __future__ import annotations

import dataclasses
import io
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib.collections import CircleCollection, PatchCollection, PolyCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path
from PIL import Image

from core.specs.model import Axis, ChartSpec, Dataset, Legend, Point, Text
from worker.render import _FAMILIES as FAMILIES
from worker.render import MAX_PIXELS, RenderError, render_chart, theme
from worker.render.canvas import Canvas
from worker.render.typeset import Label

from . import charts


def drawn(spec: ChartSpec) -> list:
    canvas = Canvas(spec, theme.WHITE)
    FAMILIES[spec.type](canvas, spec)
    return list(canvas.figure.artists)


def texts(spec: ChartSpec) -> list[str]:
    return charts.svg_texts(render_chart(dataclasses.replace(spec, format="svg")).data)


def of(artists: list, kind: type) -> list:
    return [a for a in artists if type(a) is kind]


def line_spec(values, **kw) -> ChartSpec:
    labels = tuple(f"p{i}" for i in range(len(values)))
    return ChartSpec(
        type="line", labels=labels, datasets=(Dataset(type="line", label="L", values=tuple(values), **kw),)
    )


def rgb_count(png: bytes, rgb: tuple[int, int, int]) -> int:
    arr = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    return int((arr == np.array(rgb, dtype=np.uint8)).all(axis=-1).sum())


# --- value axes ---------------------------------------------------------------------------------


def test_bar_value_axis_begins_at_zero_but_line_does_not() -> None:
    values = (50, 60, 70, 100)
    bar = ChartSpec(type="bar", labels=("a", "b", "c", "d"), datasets=(Dataset(type="bar", values=values),))
    assert "0" in texts(bar)
    assert "0" not in texts(line_spec(values))
    assert "0" in texts(dataclasses.replace(line_spec(values), scales=(("y", Axis(begin_at_zero=True)),)))


def test_axis_min_max_and_titles() -> None:
    spec = dataclasses.replace(
        line_spec((5, 6, 7)), scales=(("y", Axis(min=-3, max=42, title="Count")), ("x", Axis(title="When")))
    )
    t = texts(spec)
    assert "-3" in t and "42" in t and "Count" in t and "When" in t


def test_ticks_display_grid_display_and_display() -> None:
    base = line_spec((1, 2, 3))
    no_ticks = dataclasses.replace(base, scales=(("y", Axis(ticks_display=False)),))
    assert "3.0" in texts(base) and "3.0" not in texts(no_ticks)
    hidden = dataclasses.replace(base, scales=(("x", Axis(display=False)), ("y", Axis(display=False))))
    assert texts(hidden) == ["L"]  # only the legend is left
    no_grid = dataclasses.replace(
        base, scales=(("y", Axis(grid_display=False)), ("x", Axis(grid_display=False)))
    )
    grid = [a for a in drawn(base) if type(a).__name__ == "LineCollection"][0]
    fewer = [a for a in drawn(no_grid) if type(a).__name__ == "LineCollection"][0]
    assert len(fewer.get_segments()) < len(grid.get_segments())


def test_logarithmic_axis() -> None:
    spec = dataclasses.replace(line_spec((1, 10, 100, 1000)), scales=(("y", Axis(type="logarithmic")),))
    t = texts(spec)
    assert {"1", "10", "100", "1,000"} <= set(t)


def test_time_axis_formats_dates() -> None:
    days = [datetime(2024, 1, 1, tzinfo=UTC).timestamp() + 86400 * 7 * i for i in range(20)]
    spec = ChartSpec(
        type="line",
        labels=tuple(f"d{i}" for i in range(20)),
        label_times=tuple(days),
        scales=(("x", Axis(type="time")),),
        datasets=(Dataset(type="line", label="price", values=tuple(range(20))),),
    )
    t = texts(spec)
    assert any(s.startswith(("Jan", "Feb", "Mar", "Apr", "May")) for s in t)
    points = ChartSpec(
        type="line",
        scales=(("x", Axis(type="time")),),
        datasets=(Dataset(type="line", label="p", points=tuple(Point(d, i) for i, d in enumerate(days))),),
    )
    assert any(s.startswith("Jan") for s in texts(points))


def test_right_hand_secondary_axis() -> None:
    spec = dataclasses.replace(
        charts.mixed(),
        scales=(("y1", Axis(position="right", title="Ratio")),),
        datasets=(
            Dataset(type="bar", label="n", values=(1, 2, 3, 4, 5, 6, 7)),
            Dataset(type="line", label="r", values=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7), y_axis_id="y1"),
        ),
    )
    t = texts(spec)
    assert "Ratio" in t and "0.7" in t and "7" in t


# --- bars -----------------------------------------------------------------------------------------


def bar_quads(spec: ChartSpec) -> list[np.ndarray]:
    return [
        np.array(p.vertices)
        for c in of(drawn(spec), PolyCollection)
        if 3 <= c.get_zorder() < 4
        for p in c.get_paths()
    ]


def test_stacked_bars_sit_on_each_other() -> None:
    spec = ChartSpec(
        type="bar",
        labels=("a",),
        scales=(("x", Axis(stacked=True)), ("y", Axis(stacked=True))),
        datasets=(Dataset(type="bar", label="1", values=(2,)), Dataset(type="bar", label="2", values=(3,))),
    )
    quads = bar_quads(spec)
    assert len(quads) == 2
    (a, b) = sorted(quads, key=lambda q: q[:, 1].min())
    assert a[:, 0].min() == pytest.approx(b[:, 0].min())  # same slot
    assert a[:, 1].max() == pytest.approx(b[:, 1].min())  # b starts where a ends


def test_stack_groups_make_separate_slots() -> None:
    spec = ChartSpec(
        type="bar",
        labels=("a",),
        datasets=(
            Dataset(type="bar", values=(2,), stack="s1"),
            Dataset(type="bar", values=(3,), stack="s1"),
            Dataset(type="bar", values=(4,), stack="s2"),
        ),
    )
    lefts = sorted({round(float(q[:, 0].min()), 3) for q in bar_quads(spec)})
    assert len(lefts) == 2


def test_grouped_bars_side_by_side_and_horizontal_bars() -> None:
    quads = bar_quads(charts.bar())
    assert len(quads) == 14
    vertical = quads[0]
    assert np.ptp(vertical[:, 1]) > 0
    hq = bar_quads(charts.horizontal_bar())
    widths = [np.ptp(q[:, 0]) for q in hq]
    heights = [np.ptp(q[:, 1]) for q in hq]
    assert len(set(np.round(heights, 6))) == 1  # all bars equally thick
    assert len(set(np.round(widths, 3))) > 1  # length by value


def test_per_point_bar_colours() -> None:
    spec = ChartSpec(
        type="bar",
        labels=("a", "b", "c"),
        datasets=(
            Dataset(type="bar", values=(1, 2, 3), background_color=("#ff0000ff", "#00ff00ff", "#0000ffff")),
        ),
    )
    (coll,) = [c for c in of(drawn(spec), PolyCollection) if 3 <= c.get_zorder() < 4]
    assert [tuple(c) for c in coll.get_facecolor()] == [(1, 0, 0, 1), (0, 1, 0, 1), (0, 0, 1, 1)]


# --- lines ----------------------------------------------------------------------------------------


def line_patches(spec: ChartSpec) -> list[PathPatch]:
    return [p for p in of(drawn(spec), PathPatch) if not p.get_fill()]


def test_tension_makes_curves_and_zero_tension_straight_lines() -> None:
    (straight,) = line_patches(line_spec((1, 3, 2, 5)))
    assert Path.CURVE4 not in straight.get_path().codes
    (curved,) = line_patches(line_spec((1, 3, 2, 5), tension=0.4))
    assert Path.CURVE4 in curved.get_path().codes


def test_nulls_leave_gaps() -> None:
    (patch,) = line_patches(line_spec((1, 2, None, 4, 5)))
    assert list(patch.get_path().codes).count(Path.MOVETO) == 2


@pytest.mark.parametrize("fill", [True, "origin", "start", "end", "-1", "+1", "0", "stack", "shape"])
def test_fill_modes(fill) -> None:
    spec = ChartSpec(
        type="line",
        labels=("a", "b", "c"),
        datasets=(
            Dataset(type="line", label="low", values=(1, 2, 1)),
            Dataset(type="line", label="high", values=(3, 4, 3), fill=fill),
            Dataset(type="line", label="top", values=(5, 6, 5)),
        ),
    )
    fills = [p for p in of(drawn(spec), PathPatch) if p.get_fill()]
    assert len(fills) == 1
    assert fills[0].get_facecolor() == pytest.approx(theme.palette(1, 0.5))


def test_point_radius_zero_hides_points_and_dash_is_applied() -> None:
    assert of(drawn(line_spec((1, 2, 3))), CircleCollection)
    assert not of(drawn(line_spec((1, 2, 3), point_radius=0)), CircleCollection)
    (patch,) = line_patches(line_spec((1, 2, 3), border_dash=(6, 3)))
    offset, dashes = patch.get_linestyle()
    assert dashes is not None


def test_hidden_dataset_is_not_drawn_but_struck_through_in_the_legend() -> None:
    visible = ChartSpec(
        type="bar",
        labels=("a", "b"),
        datasets=(Dataset(type="bar", label="red", values=(5, 6), background_color="#ff0000ff"),),
    )
    hidden = dataclasses.replace(visible, datasets=(dataclasses.replace(visible.datasets[0], hidden=True),))
    legend_only = rgb_count(render_chart(hidden).data, (255, 0, 0))
    assert 0 < legend_only < 1000 < rgb_count(render_chart(visible).data, (255, 0, 0))
    assert "red" in texts(hidden)
    strikes = [a for a in drawn(hidden) if type(a).__name__ == "LineCollection" and a.get_zorder() == 6]
    assert strikes


@pytest.mark.parametrize("position", ["top", "bottom", "left", "right", "chartArea"])
def test_legend_positions(position: str) -> None:
    spec = dataclasses.replace(charts.bar(), legend=Legend(position=position))
    assert "2023" in texts(spec)
    render_chart(spec)


def test_legend_can_be_hidden() -> None:
    spec = dataclasses.replace(charts.bar(), legend=Legend(display=False))
    assert "2023" not in texts(spec)


def test_title_and_subtitle_order() -> None:
    spec = dataclasses.replace(charts.bar(), title=Text(("T1", "T2")), subtitle=Text(("Sub",)))
    labels = {a._text: a for a in drawn(spec) if isinstance(a, Label)}
    assert labels["T1"]._y > labels["T2"]._y > labels["Sub"]._y > labels["2023"]._y


# --- scatter / bubble -------------------------------------------------------------------------------


def test_scatter_draws_one_collection_for_all_points() -> None:
    (coll,) = of(drawn(charts.scatter()), CircleCollection)
    assert len(coll.get_offsets()) == 150


def test_bubble_radius_is_css_pixels_times_pixel_ratio() -> None:
    for dpr in (1, 2):
        spec = dataclasses.replace(charts.bubble(), device_pixel_ratio=dpr)
        (coll,) = of(drawn(spec), CircleCollection)
        radii = np.sqrt(coll.get_sizes() / np.pi)
        assert radii.tolist() == pytest.approx([15 * dpr, 10 * dpr, 5 * dpr, 3 * dpr])


# --- radial -----------------------------------------------------------------------------------------


def wedges(spec: ChartSpec):
    (coll,) = of(drawn(spec), PatchCollection)
    return coll


def test_doughnut_cutout_is_half_the_radius() -> None:
    from matplotlib.patches import Wedge

    spec = charts.doughnut()
    canvas = Canvas(spec, theme.WHITE)
    seen = []
    original = Wedge.__init__

    def spy(self, center, r, theta1, theta2, *, width=None, **kw):
        seen.append((r, width, theta1, theta2))
        original(self, center, r, theta1, theta2, width=width, **kw)

    Wedge.__init__ = spy
    try:
        FAMILIES["doughnut"](canvas, spec)
    finally:
        Wedge.__init__ = original
    assert len(seen) == 6
    r, width, start, _ = seen[0]
    assert width == pytest.approx(r / 2)
    assert seen[0][3] == pytest.approx(90)  # first slice starts at 12 o'clock, going clockwise
    total = sum(t2 - t1 for _, _, t1, t2 in seen)
    assert total == pytest.approx(360)


def test_polar_area_slices_have_equal_angles_and_radius_by_value() -> None:
    coll = wedges(charts.polar_area())
    paths = coll.get_paths()
    assert len(paths) == 5
    extents = [np.max(np.hypot(*(p.vertices - p.vertices[0]).T)) for p in paths]
    assert extents[1] > extents[0] > extents[3]  # 16 > 11 > 3


def test_radar_has_labels_and_scale() -> None:
    t = texts(charts.radar())
    assert "Eating" in t and "Running" in t
    assert "100" in t


# --- errors and robustness ----------------------------------------------------------------------


def test_unknown_type_and_format_raise_render_error() -> None:
    with pytest.raises(RenderError):
        render_chart(ChartSpec(type="sankey"))
    with pytest.raises(RenderError):
        render_chart(ChartSpec(type="bar", format="bmp"))


def test_oversized_raster_raises_render_error() -> None:
    side = int(MAX_PIXELS**0.5) + 10
    with pytest.raises(RenderError):
        render_chart(ChartSpec(type="bar", width=side, height=side))


def test_extras_are_ignored() -> None:
    spec = dataclasses.replace(charts.bar(), extras=(("brand", "acme"), ("unknown", (1, 2))))
    assert render_chart(spec).data == render_chart(charts.bar()).data


EDGE_CASES = {
    "empty": ChartSpec(type="bar"),
    "empty_datasets": ChartSpec(type="line", labels=("a", "b"), datasets=(Dataset(type="line"),)),
    "all_null": line_spec((None, None, None)),
    "single_point": line_spec((5,)),
    "negative_bars": ChartSpec(
        type="bar", labels=("a", "b"), datasets=(Dataset(type="bar", values=(-5, -2)),)
    ),
    "log_with_zero": dataclasses.replace(
        line_spec((0, 1, 10, -5)), scales=(("y", Axis(type="logarithmic")),)
    ),
    "huge": line_spec((1e300, -1e300, 0)),
    "tiny": line_spec((1e-12, 2e-12)),
    "reverse": dataclasses.replace(
        line_spec((1, 2, 3)), scales=(("y", Axis(reverse=True)), ("x", Axis(reverse=True)))
    ),
    "pie_zero_negative": ChartSpec(
        type="pie", labels=("a", "b", "c"), datasets=(Dataset(type="pie", values=(0, -3, None)),)
    ),
    "pie_all_zero": ChartSpec(type="pie", labels=("a",), datasets=(Dataset(type="pie", values=(0,)),)),
    "multi_ring_pie": ChartSpec(
        type="pie",
        labels=("a", "b"),
        datasets=(Dataset(type="pie", values=(1, 2)), Dataset(type="pie", values=(2, 1))),
    ),
    "radar_two_axes": ChartSpec(
        type="radar", labels=("a", "b"), datasets=(Dataset(type="radar", values=(1, 2)),)
    ),
    "radar_nulls_fill": ChartSpec(
        type="radar",
        labels=tuple("abcde"),
        datasets=(Dataset(type="radar", values=(1, None, 3, 4, None), fill=True, tension=0.3),),
    ),
    "polar_empty": ChartSpec(type="polarArea"),
    "bubble_no_r": ChartSpec(type="bubble", datasets=(Dataset(type="bubble", points=(Point(1, 2),)),)),
    "scatter_string_x": ChartSpec(
        type="scatter", datasets=(Dataset(type="scatter", points=(Point("3", 4), Point("x", 1))),)
    ),
    "category_points": ChartSpec(
        type="line", labels=("a",), datasets=(Dataset(type="line", points=(Point("b", 1), Point("a", 2))),)
    ),
    "linear_x_line": ChartSpec(
        type="line", datasets=(Dataset(type="line", points=(Point(1, 2), Point(5, 3))),)
    ),
    "many_datasets_small": ChartSpec(
        type="bar",
        width=100,
        height=100,
        labels=("a",),
        datasets=tuple(Dataset(type="bar", label=f"long label {i}" * 3, values=(i,)) for i in range(50)),
    ),
    "long_labels": ChartSpec(
        type="bar", labels=("x" * 500, "y" * 500), datasets=(Dataset(type="bar", values=(1, 2)),)
    ),
    "ten_thousand_labels": ChartSpec(
        type="line",
        labels=tuple(str(i) for i in range(10_000)),
        datasets=(Dataset(type="line", values=tuple(float(i % 97) for i in range(10_000)), point_radius=0),),
    ),
    "time_bars": ChartSpec(
        type="bar",
        labels=("a", "b", "c"),
        label_times=(0.0, 86400.0, 3 * 86400.0),
        scales=(("x", Axis(type="time")),),
        datasets=(Dataset(type="bar", values=(1, 2, 3)),),
    ),
    "horizontal_stacked_mixed": ChartSpec(
        type="bar",
        index_axis="y",
        labels=("a", "b"),
        scales=(("x", Axis(stacked=True)), ("y", Axis(stacked=True))),
        datasets=(
            Dataset(type="bar", values=(1, -2), border_width=2),
            Dataset(type="bar", values=(3, 4)),
            Dataset(type="line", values=(2, 3), fill="-1"),
        ),
    ),
    "odd_dash": dataclasses.replace(line_spec((1, 2, 3), border_dash=(5,)), width=100, height=100),
    "title_bottom_left_right": dataclasses.replace(
        charts.bar(), title=Text(("bottom",), position="bottom"), subtitle=Text(("left",), position="left")
    ),
    "transparent_colours": ChartSpec(
        type="line",
        labels=("a", "b"),
        background_color="#ffffff00",
        datasets=(Dataset(type="line", values=(1, 2), border_color="#00000000"),),
    ),
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases_render(name: str) -> None:
    spec = EDGE_CASES[name]
    img = render_chart(spec)
    assert charts.raster_size(img.data, "png") == (spec.pixel_width, spec.pixel_height)
