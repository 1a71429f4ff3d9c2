"""Every ``chart`` example of the Image-Charts document (../shared/seeds/image-charts-url-api.txt),
completed into a full request where the document shows only the parameters a section is about:
each example is its section's base chart (type, size, data) updated with the example's own
parameters. ``expected(params)`` is the size and format the response must have.

Left out: the signed example (``icac=fgribreau&ichm=...``), whose secret is Image-Charts' own; the
signing tests sign with an account of ours instead.
"""

from __future__ import annotations

import random

BAR = {"cht": "bvg", "chs": "700x200", "chd": "t:10,40,60,80,30,20"}
BARS3 = {"cht": "bvs", "chs": "700x200", "chd": "t:5,5,5|10,10,10|15,15,15"}
LINE = {"cht": "lc", "chs": "700x200", "chd": "t:40,60,60,45,47,75,70,72"}
LINES3 = {"cht": "lc", "chs": "700x200", "chd": "t:10,20,30,40|40,30,20,10|25,35,15,45"}
PIE = {"cht": "p", "chs": "700x200", "chd": "t:10,20,30,40"}
DOUGHNUT = {
    **PIE,
    "cht": "pd",
    "chd": "t:10,40,45",
    "chdl": "Expansion|Payroll|Equipment",
    "chdil": "95K€",
    "chl": "10K€|40K€|45K€",
}
ANIMATED_LABELS = {"chd": "t:20,20,30,40,50", "chl": "20°|20°|30°|40°|50°", "chan": ""}

_random = random.Random(150)
PHP_DATA = "t:" + ",".join(str(_random.randint(0, 100000)) for _ in range(150))

EXAMPLES: dict[str, dict[str, str]] = {
    "getting_started": {
        "cht": "p3",
        "chs": "700x100",
        "chd": "t:60,40",
        "chl": "Hello|World",
        "chan": "",
        "chf": "ps0-0,lg,45,ffeb3b,0.2,f44336,1|ps0-1,lg,45,8bc34a,0.2,009688,1",
    },
    "size_700x200": {**BAR, "chs": "700x200"},
    "type_bvs": {**BARS3, "cht": "bvs"},
    "type_p": {**PIE, "cht": "p"},
    "type_ls": {**LINE, "cht": "ls"},
    "basic_text": {**BAR, "chd": "t:_,30,-30,50,80,200"},
    "auto_scaling_pie": {**PIE, "chd": "t:5,30,50,80,200", "chds": "a"},
    "auto_scaling_bar": {**BAR, "chd": "t:-5,30,-30,50,80,200", "chds": "a"},
    "custom_scaling": {**BAR, "chd": "t:30,-60,50,140,80,-90", "chds": "-80,140"},
    "simple_encoding": {**LINE, "chd": "s:BTb19_,Mn5tzb"},
    "extended_encoding": {**LINE, "chd": "e:BaPoqM2s,-A__RMD6"},
    "title": {**BAR, "chtt": "Site visitors by month January to July"},
    "title_style": {**BAR, "chtt": "Site visitors", "chts": "FF0000,20,r"},
    "grid_bvg": {**BAR, "cht": "bvg", "chg": "20,50"},
    "grid_lc": {**LINE, "cht": "lc", "chg": "20,50"},
    "grid_dashed": {**LINE, "chg": "20,50,1,5"},
    "grid_horizontal_only": {**LINE, "chg": "0,50,1,5"},
    "legend": {**LINES3, "chdl": "NASDAQ|FTSE100|DOW", "chco": "FF0000,00FF00,0000FF"},
    "legend_colors": {**LINES3, "chdl": "NASDAQ|FTSE100|DOW", "chco": "2196F3,FF5722,9c27b0"},
    "legend_style": {**LINES3, "chdl": "NASDAQ|FTSE100|DOW", "chdls": "9e9e9e,17"},
    "margins": {**BAR, "chma": "10,100,20"},
    "no_default_axes": {**LINE, "cht": "lc:nda"},
    "axis_range": {**LINE, "chxt": "x,y", "chxr": "1,0,100"},
    "axis_range_scaled": {
        **LINE,
        "chxt": "x,y",
        "chd": "t:20,30,40,50,-30,10",
        "chds": "-100,100",
        "chxr": "1,-50,50",
    },
    "axis_labels": {
        "chxt": "x,y",
        "chxl": "0:|Jan|Feb|March|April|May",
        "cht": "lc",
        "chd": "t:10,5,34,10,5",
        "chco": "76A4FB",
        "chls": "2.0",
        "chs": "700x190",
    },
    "fill_background": {**BAR, "chf": "bg,s,EFEFEF"},
    "fill_transparency": {**BAR, "chf": "a,s,00000080"},
    "gradient_horizontal": {**BAR, "chf": "c,lg,0,FFE7C6,0,76A4FB,1"},
    "gradient_diagonal": {**BAR, "chf": "c,lg,45,FFE7C6,0,76A4FB,0.75"},
    "gradient_series": {**BAR, "chd": "t:10,40,60,80,30,20", "chf": "b0,lg,90,03a9f4,0,3f51b5,1"},
    "animation": {**BAR, "cht": "bvg", "chan": ""},
    "animation_1000": {**BAR, "cht": "bvg", "chan": "1000"},
    "animation_ease_out_back": {**BAR, "cht": "bvg", "chan": "1000,easeOutBack"},
    "output_format": {"chs": "700x190", "chd": "t:60,40", "cht": "p3", "chof": ".png"},
    "bar_bvg": {**BARS3, "cht": "bvg"},
    "bar_bhg": {**BARS3, "cht": "bhg"},
    "bar_bvs": {**BARS3, "cht": "bvs"},
    "bar_bhs": {**BARS3, "cht": "bhs"},
    "bar_bvo": {**BARS3, "cht": "bvo"},
    "bar_series_colors": {**BARS3, "cht": "bvs", "chco": "4D89F9,C6D9FD"},
    "bar_value_colors": {**BAR, "cht": "bvs", "chco": "FFC6A5|FFFF42|DEF3BD|00A5C6|DEBDDE"},
    "bar_mixed_colors": {**BAR, "cht": "bvg", "chco": "000000,FF0000|00FF00|0000FF", "chd": "s:FOE,elo"},
    "bar_gradient": {**BAR, "chd": "t:10,40,60,80,30,20", "chf": "b0,lg,0,FFE7C6,0,76A4FB,1"},
    "bar_stripes": {
        **BAR,
        "chd": "t:40,40,60,80|30,50,55,86",
        "chf": "b0,ls,0,FFE7C6,.3,76A4FB,.1|b1,ls,0,FF0000,.3,FFBFBF,.1",
    },
    "line_lc": {**LINE, "cht": "lc", "chd": "t:40,60,60,45,47,75,70,72"},
    "line_ls": {
        **LINE,
        "cht": "ls",
        "chd": "t:27,25,60,31,25,39,25,31,26,28,80,28,27,31,27,29,26,35,70,25",
    },
    "line_lxy": {
        **LINE,
        "cht": "lxy",
        "chd": "t:10,20,40,80,90,95,99|20,30,40,50,60,70,80|-1|5,10,22,35,85",
        "chdl": "Ponies|Unicorns",
    },
    "line_colors": {**LINES3, "chco": "FF0000,00FF00,0000FF"},
    "line_colors_cycle": {**LINES3, "chco": "FF0000,0000FF"},
    "line_styles": {**LINES3, "chls": "3,6,3|5"},
    "line_widths": {**LINES3, "chls": "4|2"},
    "line_fill": {**LINE, "chm": "B,76A4FB,0,0,0"},
    "pie_labels": {**PIE, "chl": "January|February|March|April"},
    "pie_legend": {**PIE, "chdl": "January|February|March|April"},
    "pie_labels_legend": {**PIE, "chl": "January|February|March|April", "chdl": "30°|40°|50°|60°"},
    "pie_small": {**PIE, "cht": "p", "chs": "200x100"},
    "pie_concentric": {**PIE, "cht": "pc", "chd": "s:Helo,Wrld"},
    "doughnut": {**DOUGHNUT},
    "pie_one_color": {**PIE, "chco": "0000FF"},
    "pie_gradient": {**PIE, "chd": "t:10,20,30,40,50", "chco": "FFFF10,FF2027"},
    "pie_slice_colors": {**PIE, "chd": "t:10,20,30", "chco": "EA469E|03A9F4|FFC00C"},
    "pie_series_gradients": {**PIE, "chd": "t:10,20,30|15,25,35", "chco": "EA469E,03A9F4"},
    "pie_concentric_colors": {**PIE, "chd": "s:eYY,ORVM", "chco": "FF8008|FFBF0C|11B11B,03A9F4|EA469E"},
    "pie_animated_labels": {**PIE, "cht": "p3", **ANIMATED_LABELS},
    "doughnut_animated": {**PIE, "cht": "pd", **ANIMATED_LABELS},
    "pie_concentric_labels": {
        **PIE,
        "chs": "700x200",
        "chd": "t:1,2,3,4|10,40,100,100",
        "chl": "A|B|C|D|E|F|G|H",
    },
    "inside_label": {**DOUGHNUT},
    "inside_label_animated": {**DOUGHNUT, "chan": "1500,easeOutBounce"},
    "post_form": {
        "cht": "lc",
        "chtt": "This is my chart",
        "chs": "300x200",
        "chxt": "x",
        "chd": "t:40,20,50,20,100",
    },
    "post_php": {"cht": "lc", "chs": "600x200", "chds": "0,100000", "chd": PHP_DATA},
    "signing_sample": {"cht": "bvs", "chd": "s:93zyvneTTO", "chs": "400x401"},
}


def expected(params: dict[str, str]) -> tuple[tuple[int, int], str]:
    """((width, height), "PNG" or "GIF") the rendered example must have."""
    width, height = (int(v) for v in params["chs"].split("x"))
    return (width, height), "GIF" if "chan" in params else "PNG"
