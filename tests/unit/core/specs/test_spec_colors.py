"""CSS colours to #rrggbbaa."""

from __future__ import annotations

import pytest
from PIL import ImageColor

from core.specs.colors import parse_color, parse_color_spec
from core.specs.errors import SpecError


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("#f00", "#ff0000ff"),
        ("#F00", "#ff0000ff"),
        ("#f008", "#ff000088"),
        ("#1A2b3C", "#1a2b3cff"),
        ("#1a2b3c80", "#1a2b3c80"),
        ("rgb(255, 0, 0)", "#ff0000ff"),
        ("rgb(255,128,0)", "#ff8000ff"),
        ("RGB( 0 , 0 , 255 )", "#0000ffff"),
        ("rgba(255, 99, 132, 0.2)", "#ff638433"),
        ("rgba(0,0,0,.5)", "#00000080"),
        ("rgba(0, 0, 0, 1)", "#000000ff"),
        ("rgba(0, 0, 0, 0)", "#00000000"),
        ("rgb(100%, 50%, 0%)", "#ff8000ff"),
        ("rgba(0, 0, 0, 50%)", "#00000080"),
        ("rgb(255 0 0)", "#ff0000ff"),
        ("rgb(255 0 0 / 0.5)", "#ff000080"),
        ("rgba(12.4, 12.6, 0, 1)", "#0c0d00ff"),
        ("hsl(0, 100%, 50%)", "#ff0000ff"),
        ("hsl(120, 100%, 25%)", "#008000ff"),
        ("hsl(240deg, 100%, 50%)", "#0000ffff"),
        ("hsl(-120, 100%, 50%)", "#0000ffff"),
        ("hsl(480, 100%, 50%)", "#00ff00ff"),
        ("hsla(0, 0%, 100%, 0.5)", "#ffffff80"),
        ("hsl(0 0% 0% / 25%)", "#00000040"),
        ("red", "#ff0000ff"),
        ("Navy", "#000080ff"),
        ("  rebeccapurple ", "#663399ff"),
        ("grey", "#808080ff"),
        ("transparent", "#00000000"),
        ("TRANSPARENT", "#00000000"),
    ],
)
def test_css_forms(css, expected):
    assert parse_color(css, "c") == expected


def test_named_colours_survive_pillow_caching_its_lookups():
    ImageColor.getrgb("teal")  # Pillow replaces the dict entry with a tuple
    assert parse_color("teal", "c") == "#008080ff"


@pytest.mark.parametrize(
    "css",
    [
        "",
        "#",
        "#12",
        "#12345",
        "#1234567",
        "#gggggg",
        "red blue",
        "rgb(1, 2)",
        "rgb(1, 2, 3, 4, 5)",
        "rgb(256, 0, 0)",
        "rgb(-1, 0, 0)",
        "rgb(101%, 0%, 0%)",
        "rgba(0, 0, 0, 1.5)",
        "rgba(0, 0, 0, -0.1)",
        "rgb(a, b, c)",
        "rgb(1deg, 0, 0)",
        "hsl(0, 120%, 50%)",
        "hsl(0%, 50%, 50%)",
        "hsl(0, 50deg, 50%)",
        "cmyk(0, 0, 0, 0)",
        "url(x)",
        "rgb(1e999, 0, 0)",
        "notacolour",
    ],
)
def test_invalid_colours_name_the_field(css):
    with pytest.raises(SpecError) as info:
        parse_color(css, "data.datasets[0].borderColor")
    assert info.value.field == "data.datasets[0].borderColor"
    assert "not a valid CSS colour" in info.value.message


@pytest.mark.parametrize("value", [None, 3, True, ["red"], {"r": 1}])
def test_non_strings(value):
    with pytest.raises(SpecError) as info:
        parse_color(value, "x")
    assert info.value.field == "x" and "CSS colour string" in info.value.message


def test_colour_spec_one_or_list():
    assert parse_color_spec(None, "c") is None
    assert parse_color_spec([], "c") is None
    assert parse_color_spec("red", "c") == "#ff0000ff"
    assert parse_color_spec(["red", "#00f"], "c") == ("#ff0000ff", "#0000ffff")
    with pytest.raises(SpecError) as info:
        parse_color_spec(["red", None], "c")
    assert info.value.field == "c[1]"
