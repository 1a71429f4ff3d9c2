"""Hypothesis strategies for Image-Charts requests with extreme input: numbers at the edges of a
double (1e308, 5e-324, huge integers), missing-value spellings, and arbitrary short strings in every
parameter that is lenient. Shared by the parser/renderer properties (tests/unit) and the HTTP ones
(tests/integration)."""

from __future__ import annotations

from hypothesis import strategies as st

from core.specs.imagecharts.params import CHART_TYPES

EDGES = ["1e308", "-1e308", "1.7976931348623157e308", "5e-324", "-5e-324", "1e-300", "0", "-0", "1e300"]
extreme = st.one_of(
    st.sampled_from(EDGES),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(10**30), 10**30).map(str),
)
value = st.one_of(extreme, st.sampled_from(["_", "", "null", "NaN", "-1"]))
junk = st.text(alphabet="0123456789abcdefFxyz.,|:_-+*@ #Nst\t", max_size=30)
LENIENT = ("chxs", "chma", "chm", "chf", "chof", "chg", "chls", "chts", "chdls", "chdlp", "chxr", "chxp")
CHART_CODES = [c for c in CHART_TYPES if c != "qr"]


@st.composite
def chd(draw):
    encoding = draw(st.sampled_from(["t", "a", "T"]))
    series = draw(st.lists(st.lists(value, min_size=1, max_size=7).map(",".join), min_size=1, max_size=4))
    return f"{encoding}:" + "|".join(series)


@st.composite
def extreme_request(draw):
    params = {"cht": draw(st.sampled_from(CHART_CODES)), "chs": "90x70", "chd": draw(chd())}
    if draw(st.booleans()):
        params["chds"] = draw(
            st.one_of(st.just("a"), st.lists(extreme, min_size=2, max_size=4).map(",".join))
        )
    if draw(st.booleans()):
        params["chxt"] = draw(st.sampled_from(["x,y", "y", "x", "x,y,r,t"]))
        params["chxr"] = draw(st.lists(extreme, min_size=2, max_size=3).map(lambda v: "1," + ",".join(v)))
    if draw(st.booleans()):
        params["chxp"] = draw(st.lists(extreme, min_size=1, max_size=3).map(lambda v: "0," + ",".join(v)))
    if draw(st.booleans()):
        params["chm"] = draw(
            st.tuples(st.sampled_from("oNsdDxhvt"), extreme, extreme, extreme).map(
                lambda t: f"{t[0]},FF0000,0,{t[1]}:{t[2]},{t[3]}"
            )
        )
    if draw(st.booleans()):
        params["chma"] = draw(st.lists(extreme, min_size=1, max_size=4).map(",".join))
    if draw(st.booleans()):
        params["chxs"] = draw(st.tuples(extreme, junk).map(lambda t: f"1N*f2*,{t[1]},{t[0]},0,lt"))
    if draw(st.booleans()):
        params["chl"] = draw(junk)
    for name in draw(st.lists(st.sampled_from(LENIENT), max_size=3, unique=True)):
        params[name] = draw(junk)
    return params
