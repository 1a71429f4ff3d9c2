"""Property tests with extreme input (issue 12 part 3, issue 16 defect 2): finite numbers at the
edges of a double (1e308, 5e-324), huge bubble radii, 1e300 axis spans, reversed and empty ranges,
and arbitrary strings in every lenient parameter. Whatever the input, the parser either returns a
spec or raises a ``SpecError`` naming a parameter (the route answers 400), and every spec it
returns renders: nothing a client sends can become a 5xx."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings

from core.specs.errors import SpecError
from core.specs.imagecharts import codes, parse_imagecharts
from core.specs.model import ChartSpec
from tests.support.imagecharts_strategies import extreme_request
from worker.render import render_chart


def _parsed_or_refused(params):
    try:
        result = parse_imagecharts(params)
    except SpecError as exc:
        assert exc.code in codes.ALL_CODES and exc.field and exc.message
        json.dumps({"error": str(exc)})
        return None
    assert ChartSpec.from_dict(json.loads(result.spec.canonical_json())) == result.spec
    return result.spec


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_request())
def test_extreme_requests_parse_or_are_refused_by_name(params):
    _parsed_or_refused(params)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(extreme_request())
@example({"cht": "lc", "chs": "90x70", "chd": "a:1e308,-1e308"})
@example({"cht": "bvs", "chs": "90x70", "chd": "t:1,2,3", "chds": "-1e308,1e308"})
@example({"cht": "bb", "chs": "90x70", "chd": "a:1e308,-1e308,1e308,_,5e-324,5e-324,5e-324"})
@example({"cht": "lxy", "chs": "90x70", "chd": "a:5e-324,1e-323|5e-324,0", "chxt": "y", "chxr": "0,0,5e-9"})
@example({"cht": "bhs", "chs": "90x70", "chd": "a:1e308,1e308|1e308", "chxt": "x", "chxr": "0,-1e308,1e308"})
@example({"cht": "p", "chs": "90x70", "chd": "a:1e308,1e308,-1e308,5e-324"})
@example({"cht": "pa", "chs": "90x70", "chd": "a:1e308,5e-324"})
@example({"cht": "lc", "chs": "90x70", "chd": "t:1|2", "chds": "0,1e-299,-1e300,1e300"})
@example({"cht": "r", "chs": "90x70", "chd": "a:-1e308,1e308,0", "chxt": "y"})
@example({"cht": "s", "chs": "90x70", "chd": "a:1e308,-1e308|5e-324,1|1e308,-1e308"})
@example(  # a custom tick at 1e308 on a 1e-300 span: an infinite overhang (CI, 2026-11-30)
    {
        "cht": "bb",
        "chs": "90x70",
        "chd": "t:1e-300,1e308",
        "chds": "a",
        "chxt": "x,y",
        "chxr": "1,1e308,1e308",
        "chxp": "0,1e308",
    }
)
def test_every_extreme_request_that_parses_renders(params):
    spec = _parsed_or_refused(params)
    if spec is not None:
        image = render_chart(spec)
        assert (image.width, image.height) == (90, 70)


@pytest.mark.parametrize(
    "chd, chds",
    [("a:1e308,-1e308", None), ("t:1,2,3", "-1e308,1e308"), ("t:1e308,5e-324", "a"), ("a:1e308,1e308", None)],
)
def test_issue_16_values_render(chd, chds):
    params = {"cht": "lc", "chs": "120x80", "chd": chd, "chxt": "x,y"}
    if chds:
        params["chds"] = chds
    for cht in ("lc", "bvs", "bhg", "p", "r"):
        spec = parse_imagecharts({**params, "cht": cht}).spec
        assert render_chart(spec).content_type == "image/png"


def test_numbers_that_are_not_finite_are_refused_by_name():
    with pytest.raises(SpecError) as err:
        parse_imagecharts({"cht": "lc", "chs": "100x100", "chd": "t:1e309"})
    assert err.value.field == "chd" and err.value.code == codes.INVALID_DATA
