"""Card composition: ``card: {title, subtitle, value, change, footnote}`` around a chart.

Parsing and the text rules live here (pure); ``worker.render.cards`` lays the card out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.model import MAX_TEXT, Card

CARD_FIELDS = ("title", "subtitle", "value", "change", "footnote")
MAX_CHANGE = 1e9  # a fraction: 1e9 is +100,000,000,000.0 %


def parse_card(value: Any, field: str = "card") -> Card | None:
    """A ``Card`` from its JSON form (None/absent: no card). Raises ``SpecError`` naming the field."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise SpecError(field, "must be an object with title, subtitle, value, change and footnote")
    for key in value:
        if key not in CARD_FIELDS:
            raise SpecError(f"{field}.{key}", "is not a card field; known: " + ", ".join(CARD_FIELDS))
    texts: dict[str, str | None] = {}
    for key in ("title", "subtitle", "footnote"):
        texts[key] = _text(value.get(key), f"{field}.{key}")
    card = Card(
        title=texts["title"],
        subtitle=texts["subtitle"],
        value=_value(value.get("value"), f"{field}.value"),
        change=_change(value.get("change"), f"{field}.change"),
        footnote=texts["footnote"],
    )
    return None if card == Card() else card


def format_change(change: float) -> str:
    """``0.124`` → ``+12.4%``, ``-0.05`` → ``-5.0%``, ``0`` → ``0.0%``."""
    percent = round(change * 100, 1)
    if percent == 0:
        return "0.0%"
    return f"{percent:+,.1f}%"


def change_sign(change: float) -> int:
    percent = round(change * 100, 1)
    return (percent > 0) - (percent < 0)


def _text(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SpecError(path, "must be text")
    text = " ".join(value.split())  # one line: newlines and runs of spaces collapse
    if len(text) > MAX_TEXT:
        raise SpecError(path, f"is {len(text)} characters; at most {MAX_TEXT} are allowed")
    return text or None


def _value(value: Any, path: str) -> str | None:
    if isinstance(value, bool):
        raise SpecError(path, "must be text or a number")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SpecError(path, "must be a finite number")
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return _text(value, path)


def _change(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise SpecError(path, "must be a number (a fraction: 0.124 shows +12.4%)") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SpecError(path, "must be a number (a fraction: 0.124 shows +12.4%)")
    value = float(value)
    if not math.isfinite(value) or abs(value) > MAX_CHANGE:
        raise SpecError(path, f"must be a finite number within ±{MAX_CHANGE:g}")
    return value
