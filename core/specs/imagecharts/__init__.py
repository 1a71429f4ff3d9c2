"""The Image-Charts (Google Image Charts compatible) URL dialect, parsed into a ``ChartSpec``.

Modules: ``parser`` (the entry point), ``data`` (``chd``/``chds``), ``params`` (sizes, types, titles,
legends, margins, grid, line styles, animation, QR options), ``axes`` (``chx*``), ``fills`` (``chf``,
``chm``), ``colors``, ``numbers`` (value formats), ``cartesian``/``radial`` (chart families),
``style`` (what travels to the worker in ``ChartSpec.extras``) and ``codes`` (error codes).
"""

from core.specs.imagecharts.parser import PARAMETERS, parse_imagecharts
from core.specs.imagecharts.style import ImageChartsStyle

__all__ = ["PARAMETERS", "ImageChartsStyle", "parse_imagecharts"]
