"""ChartSpec builders for the renderer tests (built directly, no parser involved)."""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET

from PIL import Image

from core.specs.model import Axis, ChartSpec, Dataset, Point, Text

MONTHS = ("January", "February", "March", "April", "May", "June", "July")
SLICES = ("Red", "Blue", "Yellow", "Green", "Purple", "Orange")


def _ds(kind: str, label: str, values, **kw) -> Dataset:
    return Dataset(type=kind, label=label, values=tuple(values), **kw)


def line() -> ChartSpec:
    return ChartSpec(
        type="line",
        labels=MONTHS,
        title=Text(("Monthly visitors",)),
        datasets=(
            _ds("line", "Site A", (65, 59, 80, 81, 56, 55, 40), fill=True, tension=0.4),
            _ds("line", "Site B", (28, 48, 40, 19, 86, 27, 90), border_dash=(6, 4)),
        ),
    )


def bar() -> ChartSpec:
    return ChartSpec(
        type="bar",
        labels=MONTHS,
        title=Text(("Sales",)),
        datasets=(
            _ds("bar", "2023", (65, 59, 80, 81, 56, 55, 40)),
            _ds("bar", "2024", (28, 48, 40, 19, 86, 27, 90)),
        ),
    )


def horizontal_bar() -> ChartSpec:
    return dataclasses.replace(bar(), index_axis="y")


def stacked_bar() -> ChartSpec:
    return ChartSpec(
        type="bar",
        labels=MONTHS,
        scales=(("x", Axis(stacked=True)), ("y", Axis(stacked=True))),
        datasets=tuple(
            _ds("bar", f"Series {k}", [(i * 7 + k * 13) % 20 - 3 for i in range(7)]) for k in range(3)
        ),
    )


def mixed() -> ChartSpec:
    return ChartSpec(
        type="bar",
        labels=MONTHS,
        datasets=(
            _ds("line", "Trend", (50, 52, 60, 70, 65, 60, 58), tension=0.3),
            _ds("bar", "Values", (65, 59, 80, 81, 56, 55, 40)),
        ),
    )


def pie() -> ChartSpec:
    return ChartSpec(type="pie", labels=SLICES, datasets=(_ds("pie", "Votes", (12, 19, 3, 5, 2, 3)),))


def doughnut() -> ChartSpec:
    return ChartSpec(
        type="doughnut", labels=SLICES, datasets=(_ds("doughnut", "Votes", (12, 19, 3, 5, 2, 3)),)
    )


def polar_area() -> ChartSpec:
    return ChartSpec(
        type="polarArea", labels=SLICES[:5], datasets=(_ds("polarArea", "Count", (11, 16, 7, 3, 14)),)
    )


def radar() -> ChartSpec:
    return ChartSpec(
        type="radar",
        labels=("Eating", "Drinking", "Sleeping", "Designing", "Coding", "Cycling", "Running"),
        datasets=(
            _ds("radar", "Alice", (65, 59, 90, 81, 56, 55, 40), fill=True),
            _ds("radar", "Bob", (28, 48, 40, 19, 96, 27, 100), fill=True),
        ),
    )


def scatter() -> ChartSpec:
    pts = tuple(Point(float((i * 37) % 101 - 50), float((i * 53) % 97) / 3) for i in range(150))
    return ChartSpec(type="scatter", datasets=(Dataset(type="scatter", label="Samples", points=pts),))


def bubble() -> ChartSpec:
    pts = (Point(20, 30, 15), Point(40, 10, 10), Point(30, 22, 5), Point(25, 15, None))
    return ChartSpec(type="bubble", datasets=(Dataset(type="bubble", label="Bubbles", points=pts),))


KINDS = {
    "line": line,
    "bar": bar,
    "horizontal_bar": horizontal_bar,
    "stacked_bar": stacked_bar,
    "mixed": mixed,
    "pie": pie,
    "doughnut": doughnut,
    "radar": radar,
    "polarArea": polar_area,
    "scatter": scatter,
    "bubble": bubble,
}


def sized(spec: ChartSpec, **changes) -> ChartSpec:
    return dataclasses.replace(spec, **changes)


# --- output inspection ------------------------------------------------------------------------


def raster_size(data: bytes, fmt: str) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
        img.load()
        return img.size


def svg_root(data: bytes) -> ET.Element:
    return ET.fromstring(data)  # noqa: S314 - our own renderer's output, not untrusted input


def svg_size(data: bytes) -> tuple[float, float, tuple[float, ...]]:
    root = svg_root(data)
    w = root.attrib["width"]
    h = root.attrib["height"]
    assert w.endswith("px") and h.endswith("px"), (w, h)
    view = tuple(float(v) for v in root.attrib["viewBox"].split())
    return float(w[:-2]), float(h[:-2]), view


def pdf_media_box(data: bytes) -> tuple[float, ...]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-0-9. ]+?)\s*\]", data)
    assert len(boxes) == 1, boxes
    return tuple(float(v) for v in boxes[0].split())


def svg_texts(data: bytes) -> list[str]:
    return ["".join(el.itertext()) for el in svg_root(data).iter("{http://www.w3.org/2000/svg}text")]
