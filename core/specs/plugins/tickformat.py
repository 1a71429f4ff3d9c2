"""QuickChart's ``tickFormat`` plugin: Intl.NumberFormat-style number labels, formatted with Babel.

``options.plugins.tickFormat`` (or 2.x ``options.plugins.tickFormat`` as well; QuickChart reads the
same place in both) holds ``locale`` (BCP 47, ``en-US`` or ``de_DE``), ``style`` (decimal, currency,
percent), ``currency`` (ISO 4217, required with style currency), ``minimumFractionDigits``,
``maximumFractionDigits``, ``useGrouping``, ``notation`` (standard, compact), ``prefix``, ``suffix``
and ``applyToDataLabels``. Defaults follow Intl: decimal 0-3 fraction digits, percent 0, currency the
currency's own digits (2 for EUR, 0 for JPY). The formatted text is the tick label of every numeric
axis (category and time axes keep their labels) and, with ``applyToDataLabels``, of the data labels.

``format_number`` is pure: the worker calls it with the normalized options.
"""

from __future__ import annotations

import copy
import decimal
import math
from dataclasses import replace
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberPattern,
    UnknownCurrencyError,
    format_compact_decimal,
    get_currency_precision,
    parse_pattern,
    validate_currency,
)
from babel.units import UnknownUnitError, format_unit

from core.specs.errors import SpecError
from core.specs.plugins.model import NumberFormat, TickFormat
from core.specs.values import Warnings, boolean, choice, join, mapping, number, text

STYLES = ("decimal", "currency", "percent", "unit")
NOTATIONS = ("standard", "compact", "scientific", "engineering")
UNIT_DISPLAYS = ("short", "long", "narrow")
MAX_FRACTION_DIGITS = 20  # Intl's own limit
_KEYS = (
    "locale", "style", "currency", "minimumFractionDigits", "maximumFractionDigits", "useGrouping",
    "notation", "prefix", "suffix", "unit", "unitDisplay", "applyToDataLabels",
)  # fmt: skip


def parse_tick_format(raw: Any, path: str, warnings: Warnings) -> TickFormat:
    obj = mapping(raw, path)
    apply = obj.get("applyToDataLabels")
    return TickFormat(
        number=parse_number_format(obj, path, warnings, extra_keys=("applyToDataLabels",)),
        apply_to_datalabels=False if apply is None else boolean(apply, join(path, "applyToDataLabels")),
    )


def parse_number_format(
    raw: Any, path: str, warnings: Warnings, extra_keys: tuple[str, ...] = ()
) -> NumberFormat:
    """The Intl.NumberFormat-style options at ``path``; the locale and currency are checked
    against Babel's CLDR data so an unknown one is a 400, not a failed render."""
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, (*_KEYS, *extra_keys) if extra_keys else _KEYS[:-1], path)
    locale = "en_US"
    if obj.get("locale") is not None:
        locale = _locale(obj["locale"], join(path, "locale"))
    style = "decimal"
    if obj.get("style") is not None:
        style = choice(obj["style"], join(path, "style"), STYLES)
    currency = None
    if obj.get("currency") is not None:
        currency = text(obj["currency"], join(path, "currency")).strip().upper()
        try:
            validate_currency(currency)
        except UnknownCurrencyError:
            raise SpecError(
                join(path, "currency"), f"unknown ISO 4217 currency code {currency[:10]!r}"
            ) from None
    if style == "currency" and currency is None:
        raise SpecError(join(path, "currency"), "is required when style is 'currency' (e.g. 'USD')")
    digits = {}
    for key in ("minimumFractionDigits", "maximumFractionDigits"):
        if obj.get(key) is not None:
            value = number(obj[key], join(path, key), minimum=0, maximum=MAX_FRACTION_DIGITS)
            if not value.is_integer():
                raise SpecError(join(path, key), f"must be a whole number, got {value:g}")
            digits[key] = int(value)
    lo, hi = digits.get("minimumFractionDigits"), digits.get("maximumFractionDigits")
    if lo is not None and hi is not None and lo > hi:
        raise SpecError(
            join(path, "maximumFractionDigits"), f"({hi}) must not be less than minimumFractionDigits ({lo})"
        )
    grouping = True
    if obj.get("useGrouping") is not None:
        grouping = boolean(obj["useGrouping"], join(path, "useGrouping"))
    notation = "standard"
    if obj.get("notation") is not None:
        notation = choice(obj["notation"], join(path, "notation"), NOTATIONS)
    affixes = {k: "" if obj.get(k) is None else text(obj[k], join(path, k)) for k in ("prefix", "suffix")}
    unit, unit_display = None, "short"
    if obj.get("unitDisplay") is not None:
        unit_display = choice(obj["unitDisplay"], join(path, "unitDisplay"), UNIT_DISPLAYS)
    if style == "unit":
        if obj.get("unit") is None:
            raise SpecError(
                join(path, "unit"), "is required when style is 'unit' (e.g. 'kilometer-per-hour')"
            )
        unit = text(obj["unit"], join(path, "unit")).strip()
        try:
            format_unit(1, unit, length=unit_display, locale=locale)
        except (UnknownUnitError, ValueError, KeyError):
            raise SpecError(
                join(path, "unit"), f"unknown unit {unit[:40]!r} (CLDR names such as 'liter', 'megabyte')"
            ) from None
    return NumberFormat(
        locale=locale,
        style=style,
        currency=currency,
        min_fraction=lo,
        max_fraction=hi,
        grouping=grouping,
        notation=notation,
        prefix=affixes["prefix"],
        suffix=affixes["suffix"],
        unit=unit,
        unit_display=unit_display,
    )


def _locale(value: Any, path: str) -> str:
    tag = text(value, path).strip().replace("-", "_")
    try:
        return str(Locale.parse(tag))
    except (UnknownLocaleError, ValueError, TypeError):
        raise SpecError(
            path, f"unknown locale {str(value)[:40]!r}; expected a tag such as 'en-US' or 'de-DE'"
        ) from None


def fraction_digits(fmt: NumberFormat) -> tuple[int, int]:
    """Intl.NumberFormat's effective (minimum, maximum) fraction digits."""
    if fmt.style == "currency":
        default = get_currency_precision(fmt.currency or "USD")
        lo_default, hi_default = default, default
    elif fmt.style == "percent":
        lo_default, hi_default = 0, 0
    else:
        lo_default, hi_default = 0, 3
    lo = fmt.min_fraction if fmt.min_fraction is not None else lo_default
    hi = fmt.max_fraction if fmt.max_fraction is not None else max(hi_default, lo)
    if fmt.max_fraction is not None and fmt.min_fraction is None:
        lo = min(lo, hi)
    return lo, max(lo, hi)


@lru_cache(maxsize=256)
def _pattern(fmt: NumberFormat) -> tuple[NumberPattern, Locale]:
    locale = Locale.parse(fmt.locale)
    if fmt.style == "currency":
        source = locale.currency_formats["standard"]
    elif fmt.style == "percent":
        source = locale.percent_formats[None]
    else:
        source = locale.decimal_formats[None]
    pattern = copy.copy(parse_pattern(source))
    pattern.frac_prec = fraction_digits(fmt)
    return pattern, locale


def format_number(fmt: NumberFormat, value: float) -> str:
    """``value`` as ``Intl.NumberFormat(locale, options).format(value)`` would write it, with the
    prefix and suffix around it."""
    # Intl rounds ties away from zero ("halfExpand"); Babel's default context rounds half to even.
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        if fmt.notation == "compact" and fmt.style == "decimal":
            digits = fmt.max_fraction if fmt.max_fraction is not None else fmt.min_fraction or 0
            body = format_compact_decimal(
                value, format_type="short", locale=fmt.locale, fraction_digits=digits
            )
        elif fmt.notation in ("scientific", "engineering"):
            body = _exponential(fmt, value)
        elif fmt.style == "unit" and fmt.unit:
            pattern, locale = _pattern(fmt)
            if fmt.grouping:
                body = format_unit(value, fmt.unit, length=fmt.unit_display, format=pattern, locale=locale)
            else:  # a pre-formatted number (Babel cannot turn grouping off here) takes the "one" form
                number_text = pattern.apply(value, locale, group_separator=False)
                body = format_unit(number_text, fmt.unit, length=fmt.unit_display, locale=locale)
        else:
            pattern, locale = _pattern(fmt)
            body = pattern.apply(
                value, locale, currency=fmt.currency, currency_digits=False, group_separator=fmt.grouping
            )
    return f"{fmt.prefix}{body}{fmt.suffix}"


def _exponential(fmt: NumberFormat, value: float) -> str:
    """Intl's scientific (one integer digit) and engineering (exponent a multiple of 3) notations:
    the mantissa in the locale's digits, then ``E`` and the exponent."""
    exponent = 0
    if value != 0 and math.isfinite(value):
        exponent = math.floor(math.log10(abs(value)))
        if fmt.notation == "engineering":
            exponent -= exponent % 3
    mantissa = value / 10.0**exponent
    pattern, locale = _pattern(replace(fmt, style="decimal", notation="standard"))
    text = pattern.apply(mantissa, locale, group_separator=False)
    if text.lstrip("-").startswith("10") and fmt.notation == "scientific" and abs(mantissa) >= 9.5:
        # rounding carried into a new digit (9.9996 -> 10): move it into the exponent
        exponent += 1
        text = pattern.apply(value / 10.0**exponent, locale, group_separator=False)
    return f"{text}E{exponent}"
