"""Brand kit themes and card composition, drawn by the real renderer.

Golden images (tests/golden/brandkits/) for each preset on a bar and a doughnut chart and for a
card at three sizes; regenerate with CHARTFLEET_UPDATE_GOLDEN=1 and look at each image."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image

from core.specs import brandkits
from core.specs.cards import format_change, parse_card
from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from core.specs.model import ChartSpec
from tests.support.golden import assert_matches_golden
from worker.render import render_chart, theme
from worker.render.canvas import text_width

GOLDEN = Path(__file__).resolve().parents[3] / "golden" / "brandkits"
TOLERANCE = 2.0

BAR = {
    "type": "bar",
    "width": 480,
    "height": 280,
    "data": {
        "labels": ["Q1", "Q2", "Q3", "Q4"],
        "datasets": [{"label": "Revenue", "data": [12, 19, 7, 15]}, {"label": "Cost", "data": [8, 11, 5, 9]}],
    },
    "options": {"plugins": {"title": {"display": True, "text": "Quarterly revenue"}}},
}
DOUGHNUT = {
    "type": "doughnut",
    "width": 420,
    "height": 280,
    "data": {"labels": list("ABCDEFGH"), "datasets": [{"data": [8, 7, 6, 5, 4, 3, 2, 1]}]},
    "options": {"plugins": {"legend": {"position": "right"}}},
}
CARD = {
    "title": "Monthly revenue",
    "subtitle": "All regions",
    "value": 48200,
    "change": 0.124,
    "footnote": "USD",
}


def _spec(body: dict, **changes) -> ChartSpec:
    return dataclasses.replace(parse_chart(body).spec, **changes)


def _check(name: str, data: bytes, tmp_path: Path) -> None:
    assert_matches_golden(data, GOLDEN / f"{name}.png", tmp_path, TOLERANCE)


@pytest.mark.parametrize("preset", sorted(brandkits.PRESETS))
@pytest.mark.parametrize("chart", ["bar", "doughnut"])
def test_preset_matches_golden(preset: str, chart: str, tmp_path: Path) -> None:
    body = BAR if chart == "bar" else DOUGHNUT
    data = render_chart(_spec(body, theme=brandkits.preset(preset))).data
    _check(f"{preset}_{chart}", data, tmp_path)
    corner = Image.open(io.BytesIO(data)).convert("RGB").getpixel((1, 1))
    assert "#{:02x}{:02x}{:02x}ff".format(*corner) == brandkits.preset(preset).background


@pytest.mark.parametrize("size", [(120, 100), (640, 360), (2400, 1200)])
def test_card_matches_golden(size: tuple[int, int], tmp_path: Path) -> None:
    spec = _spec(BAR, width=size[0], height=size[1], card=parse_card(CARD), theme=brandkits.preset("harbor"))
    image = render_chart(spec)
    assert (image.width, image.height) == size
    _check(f"card_{size[0]}x{size[1]}", image.data, tmp_path)


def test_presets_are_distinct_and_complete() -> None:
    looks = list(brandkits.PRESETS.values())
    assert len({t.background for t in looks}) == len({t.palette for t in looks}) == 6
    assert all(len(t.palette) >= 8 and t.font_family in brandkits.FONT_FAMILIES for t in looks)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "svg", "webp", "pdf"])
@pytest.mark.parametrize("size", [(100, 100), (4000, 300), (300, 4000)])
def test_card_every_format_and_extreme_sizes(fmt: str, size: tuple[int, int]) -> None:
    spec = _spec(BAR, width=size[0], height=size[1], format=fmt, card=parse_card(CARD))
    image = render_chart(dataclasses.replace(spec, theme=brandkits.preset("linen")))
    assert image.data and (image.width, image.height) == size


def test_card_keeps_the_chart_visible_on_flat_images() -> None:
    plain = render_chart(_spec(BAR, width=1000, height=100))
    carded = render_chart(_spec(BAR, width=1000, height=100, card=parse_card(CARD)))
    assert plain.data != carded.data


def test_change_is_a_signed_percentage() -> None:
    assert format_change(0.124) == "+12.4%"
    assert format_change(-0.05) == "-5.0%"
    assert format_change(0) == "0.0%"
    assert format_change(12.3456) == "+1,234.6%"
    with pytest.raises(SpecError) as err:
        parse_card({"title": "x", "colour": "red"})
    assert err.value.field == "card.colour"
    with pytest.raises(SpecError):
        parse_card({"change": float("nan")})
    assert parse_card({"value": 1234567}).value == "1,234,567"


def test_text_measurement_follows_the_kit_font() -> None:
    plain = text_width("Quarterly revenue", 20.0)
    with theme.use(brandkits.preset("linen")):  # Source Serif Pro
        serif = text_width("Quarterly revenue", 20.0)
    with theme.use(brandkits.preset("polar")):  # Lato
        lato = text_width("Quarterly revenue", 20.0)
    assert len({plain, serif, lato}) == 3
    assert text_width("Quarterly revenue", 20.0) == plain  # back to the default outside the block


def test_cache_key_follows_the_kit_version() -> None:
    kit = brandkits.theme_from_settings("2f0c1b7e-0000-4000-8000-000000000001", 1, {"base": "ember"})
    newer = dataclasses.replace(kit, version=2)
    spec = parse_chart(BAR).spec
    keys = {spec.cache_key(), _spec(BAR, theme=kit).cache_key(), _spec(BAR, theme=newer).cache_key()}
    assert len(keys) == 3
    assert ChartSpec.from_dict(_spec(BAR, theme=kit, card=parse_card(CARD)).to_dict()) == _spec(
        BAR, theme=kit, card=parse_card(CARD)
    )


def test_cjk_labels_fall_back_to_a_covering_font() -> None:
    from matplotlib.font_manager import findfont
    from matplotlib.ft2font import FT2Font

    from worker.render import fonts

    chain = fonts.family_list("Source Sans Pro")
    assert chain[0] == "Source Sans Pro" and fonts.CJK_FALLBACK in chain
    cjk = FT2Font(findfont(fonts.CJK_FALLBACK, fallback_to_default=False))
    assert all(cjk.get_char_index(ord(c)) for c in "東京大阪札幌福岡")
    body = {**BAR, "data": {"labels": ["東京", "大阪", "札幌", "福岡"], "datasets": [{"data": [1, 2, 3, 4]}]}}
    latin = {**BAR, "data": {"labels": ["Tk", "Os", "Sp", "Fk"], "datasets": [{"data": [1, 2, 3, 4]}]}}
    themed = brandkits.preset("obsidian")
    assert render_chart(_spec(body, theme=themed)).data != render_chart(_spec(latin, theme=themed)).data
