"""Google's number format strings (``N<prefix>*<type><decimals>zs<x|y>*<suffix>``, used by value
markers in ``chm`` and axis labels in ``chxs``) and the one function that prints a value with them.

Types: ``f`` fixed (default), ``p`` percent (1.0 prints as 100%), ``e`` scientific, ``c<CUR>``
currency. ``z`` keeps trailing zeros, ``s`` adds thousands separators; ``x``/``y`` (which coordinate
of an lxy point to print) is accepted and the y value is printed.
"""

from __future__ import annotations

import math
import re

from core.specs.imagecharts import codes
from core.specs.imagecharts.params import label_text
from core.specs.imagecharts.style import NumberFormat

_SPEC = re.compile(r"(?P<kind>f|p|e|c[A-Za-z]{3})?(?P<decimals>\d{0,2})(?P<flags>[zsxy]*)")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥", "INR": "₹"}


def parse_number_format(text: str, param: str) -> NumberFormat:
    """Parse what follows the ``N`` of a format string."""
    text = label_text(text, param)
    if "*" not in text:
        return NumberFormat(prefix=text)
    prefix, _, rest = text.partition("*")
    spec, star, suffix = rest.partition("*")
    match = _SPEC.fullmatch(spec)
    if match is None or not star:
        raise codes.fail(
            param,
            f"{codes.shown('N' + text)} is not a number format like N*f2* or N*cUSD*",
            codes.INVALID_VALUE,
        )
    kind = match.group("kind") or "f"
    currency = ""
    if kind.startswith("c"):
        kind, currency = "c", kind[1:].upper()
    decimals = int(match.group("decimals")) if match.group("decimals") else None
    flags = match.group("flags")
    return NumberFormat(
        kind=kind,
        decimals=decimals,
        currency=currency,
        prefix=prefix,
        suffix=suffix,
        zeros="z" in flags,
        separators="s" in flags,
    )


def format_value(value: float, fmt: NumberFormat | None = None) -> str:
    """``value`` as a label: without a format the shortest exact-looking form (``40``, ``2.5``)."""
    if not math.isfinite(value):
        return ""
    if fmt is None:
        return _plain(value, None, zeros=False, separators=False)
    if fmt.kind == "e":
        body = f"{value:.{fmt.decimals if fmt.decimals is not None else 2}e}"
    elif fmt.kind == "p":
        body = _plain(value * 100, fmt.decimals, fmt.zeros, fmt.separators) + "%"
    else:
        body = _plain(value, fmt.decimals, fmt.zeros, fmt.separators)
        if fmt.kind == "c":
            symbol = CURRENCY_SYMBOLS.get(fmt.currency)
            body = f"{symbol}{body}" if symbol else f"{body} {fmt.currency}"
    return f"{fmt.prefix}{body}{fmt.suffix}"


def _plain(value: float, decimals: int | None, zeros: bool, separators: bool) -> str:
    if decimals is None:
        text = f"{value:,.6f}" if separators else f"{value:.6f}"
        if abs(value) >= 1e15 or (value != 0 and abs(value) < 1e-6):
            return f"{value:.6g}"
        zeros = False
    else:
        text = f"{value:,.{decimals}f}" if separators else f"{value:.{decimals}f}"
    if not zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # no "-0"
    return text
