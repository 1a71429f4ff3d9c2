"""The font families Chartfleet ships, registered with matplotlib on first use.

DejaVu Sans comes with matplotlib. Source Sans Pro, Source Serif Pro and Lato come from the
``font-*`` wheels (SIL Open Font Licence; each package carries its licence file next to the
fonts). CJK characters fall back to WenQuanYi Micro Hei when the machine has it (Debian package
``fonts-wqy-microhei``, installed by deploy/Dockerfile); without it they are drawn as boxes.
"""

from __future__ import annotations

import importlib
import logging
import pathlib
from functools import lru_cache

from matplotlib import font_manager

_PACKAGES = ("font_source_sans_pro", "font_source_serif_pro", "font_lato")
CJK_FALLBACK = "WenQuanYi Micro Hei"
_CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",)


@lru_cache(maxsize=1)
def register() -> tuple[str, ...]:
    """Add the shipped font files to matplotlib's font manager (once per process); returns the
    families now available besides DejaVu Sans."""
    # The CJK fallback has one weight; matplotlib logs each bold lookup that lands on it.
    logging.getLogger("matplotlib.font_manager").addFilter(
        lambda record: "Failed to find font weight" not in record.getMessage()
    )
    families: set[str] = set()
    for name in _PACKAGES:
        try:
            package = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a broken install; DejaVu Sans still works
            continue
        folder = pathlib.Path(package.__file__).parent / "files"
        for path in sorted(folder.glob("*.ttf")):
            font_manager.fontManager.addfont(str(path))
            families.add(font_manager.FontProperties(fname=str(path)).get_name())
    for path in _CJK_FILES:
        if pathlib.Path(path).is_file():
            font_manager.fontManager.addfont(path)
            families.add(CJK_FALLBACK)
    return tuple(sorted(families))


def family_list(family: str) -> list[str]:
    """The matplotlib family list for a kit's ``family``: it, then DejaVu Sans (wide Latin, Greek,
    Cyrillic coverage), then the CJK fallback when installed. matplotlib falls back per glyph."""
    available = register()
    chain = [family] if family in available or family == "DejaVu Sans" else []
    chain.append("DejaVu Sans")
    if CJK_FALLBACK in available:
        chain.append(CJK_FALLBACK)
    return chain
