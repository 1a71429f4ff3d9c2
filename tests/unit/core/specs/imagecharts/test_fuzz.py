"""Property tests: whatever the parameters, parsing either succeeds or raises a SpecError that names
a parameter with one of the stable codes (the route turns that into a 400: never a 500), and
whatever parses also renders."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.specs.errors import SpecError
from core.specs.imagecharts import PARAMETERS, codes, parse_imagecharts
from core.specs.imagecharts.params import CHART_TYPES, EASINGS
from core.specs.model import ChartSpec
from worker.render import render_chart

NOISE = "0123456789abcdefxyzABCXYZ.,|:_-+*@ #%Ne€°\x00\n"
noise = st.text(alphabet=NOISE, max_size=40)
anything = st.text(max_size=40)  # any unicode, surrogates and controls included
numbers = st.one_of(
    st.integers(-1000, 100_000).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: f"{f:g}"),
    st.sampled_from(["_", "", "-1", "1e5", "1e400", "nan"]),
)


@st.composite
def chd(draw):
    encoding = draw(st.sampled_from(["t", "s", "e", "a", "t2", "x"]))
    n_series = draw(st.integers(1, 4))
    if encoding in ("t", "a", "t2"):
        series = [",".join(draw(st.lists(numbers, min_size=1, max_size=8))) for _ in range(n_series)]
        return f"{encoding}:" + "|".join(series)
    alphabet = "ABCXYZabcxyz0189_-."
    series = [draw(st.text(alphabet=alphabet, min_size=1, max_size=12)) for _ in range(n_series)]
    return f"{encoding}:" + ",".join(series)


OPTION_VALUES = {
    "chds": st.one_of(st.just("a"), st.lists(numbers, min_size=1, max_size=4).map(",".join)),
    "chco": st.sampled_from(["FF0000", "FF0000,00FF00", "FF0000|00FF0080,0000FF", "zz", "12345"]),
    "chf": st.sampled_from(
        [
            "bg,s,EFEFEF",
            "a,s,00000080",
            "b0,lg,90,03a9f4,0,3f51b5,1",
            "ps0-0,lg,45,ffeb3b,0.2,f44336,1",
            "c,lg,45,FFE7C6,0,76A4FB,0.75",
            "b1,ls,0,FF0000,.3,FFBFBF,.1",
            "bg,lg,0,FFFFFF",
            "x,s,1",
        ]
    ),
    "chm": st.sampled_from(
        [
            "B,76A4FB,0,0,0",
            "b,FF0000,0,1,0",
            "N*f1*,000000,0,-1,11",
            "o,FF0000,0,-1,8|s,00FF00,1,0:3:2,6",
            "d,000000,0,1,10|c,000000,0,-2,6|x,FF0000,0,-1,7",
            "h,0000FF,0,1,1|v,0000FF,0,1,1|D,FF0000,1,0,2",
            "tHello,000000,0,0,12",
            "N*p2*,000000,5,-1,11",
            "B,76A4FB,9,0,0",
            "Q,1,2",
        ]
    ),
    "chxt": st.sampled_from(["x", "y", "x,y", "x,y,t,r", "r", "q"]),
    "chxr": st.sampled_from(["0,0,100", "1,-50,50", "0,0,500,100|1,0,200", "1,100,0", "1,5,5", "0,0,10,0"]),
    "chxl": st.sampled_from(["0:|Jan|Feb|Mar", "1:|low|high", "0:|a|1:|b|c", "Jan|Feb"]),
    "chxp": st.sampled_from(["0,10,50,90", "1,0,100", "0"]),
    "chxs": st.sampled_from(
        ["0,FF0000,13,0,lt", "1N*cUSD*,0000FF", "0,,,,_", "1,FF0000,14,0,t,00FF00,0000FF"]
    ),
    "chdl": noise,
    "chdlp": st.sampled_from(["b", "t", "r", "l", "bs", "s", "bv|r", "zz"]),
    "chdls": st.sampled_from(["9e9e9e,17", "000000", "9e9e9e,0"]),
    "chl": noise,
    "chli": noise,
    "chtt": anything,
    "chts": st.sampled_from(["FF0000,20,r", "000000,10", "FF0000,20,q"]),
    "chma": st.sampled_from(["10,100,20", "0,0,0,0|80,20", "500,500,500,500", "-1"]),
    "chg": st.sampled_from(["20,50", "20,50,1,5", "0,50,1,0", "1"]),
    "chls": st.sampled_from(["3,6,3|5", "4|2", "0", "51"]),
    "chan": st.sampled_from(["10", "40,easeOutBack", "9", "40,bounce"]),
    "chof": st.sampled_from([".png", ".gif", ".jpg"]),
    "chld": st.sampled_from(["L|4", "H|0", "M", "Z|1"]),
    "icretina": st.sampled_from(["1", "0"]),
}


@st.composite
def requests(draw):
    params = {
        "cht": draw(st.sampled_from([*CHART_TYPES, "lc:nda", "ls:nda", "zz", ""])),
        "chs": draw(st.one_of(st.from_regex(r"[1-9]\d{0,2}x[1-9]\d{0,2}", fullmatch=True), noise)),
        "chd": draw(chd()),
    }
    for name in draw(st.lists(st.sampled_from(sorted(OPTION_VALUES)), max_size=6, unique=True)):
        params[name] = draw(OPTION_VALUES[name])
    if params["cht"] == "qr":
        params["chl"] = draw(st.text(min_size=1, max_size=30))
    return params


def _check_error(exc: SpecError) -> None:
    assert exc.code in codes.ALL_CODES
    assert isinstance(exc.field, str) and exc.message
    json.dumps({"error": str(exc)})  # the route sends it as JSON


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*sorted(PARAMETERS), "zz"]), st.one_of(noise, anything), max_size=12))
def test_random_parameters_never_raise_anything_but_spec_errors(params):
    _parses_or_fails_cleanly(params)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_plausible_requests_parse_or_fail_cleanly(params):
    _parses_or_fails_cleanly(params)


def _parses_or_fails_cleanly(params) -> None:
    """A named SpecError, or a spec that survives its own JSON round trip."""
    try:
        result = parse_imagecharts(params)
    except SpecError as exc:
        _check_error(exc)
    else:
        assert ChartSpec.from_dict(json.loads(result.spec.canonical_json())) == result.spec


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests(), st.integers(1, 160), st.integers(1, 120))
def test_whatever_parses_renders(params, width, height):
    params = {**params, "chs": f"{width}x{height}"}
    params.pop("icretina", None)
    if "chan" in params:
        params["chan"] = "40," + EASINGS[len(params["chd"]) % len(EASINGS)]
    try:
        spec = parse_imagecharts(params).spec
    except SpecError:
        return
    image = render_chart(spec)
    assert (image.width, image.height) == (width, height)
