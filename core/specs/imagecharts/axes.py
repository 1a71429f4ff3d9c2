"""Axis parameters: ``chxt`` (visible axes), ``chxr`` (ranges with an optional step), ``chxl`` (custom
labels), ``chxp`` (label positions) and ``chxs`` (label and line styles).

Axis indexes in ``chxr``/``chxl``/``chxp``/``chxs`` point into ``chxt``. One horizontal axis (``x``
bottom, or ``t`` top) and one vertical axis (``y`` left, or ``r`` right) are drawn, as Image-Charts
does; a repeated axis and settings for an index that is not in ``chxt`` are ignored and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.specs.imagecharts import codes
from core.specs.imagecharts.colors import parse_color
from core.specs.imagecharts.numbers import parse_number_format
from core.specs.imagecharts.params import MAX_FONT_SIZE, integer, label_text, number
from core.specs.imagecharts.style import NumberFormat
from core.specs.model import MAX_LABELS
from core.specs.values import Warnings

AXIS_LETTERS = ("x", "y", "t", "r")
MAX_AXES = 16
MAX_STEPS = 1000
_INDEX_LABEL = re.compile(r"\s*(\d{1,2}):\s*")
_STYLE_HEAD = re.compile(r"(\d{1,2})(N.*)?", re.DOTALL)


@dataclass(frozen=True)
class AxisRequest:
    """One ``chxt`` axis and everything the other axis parameters said about it."""

    letter: str
    range: tuple[float, float] | None = None  # as given: start may exceed end (reversed axis)
    step: float | None = None
    labels: tuple[str, ...] | None = None
    positions: tuple[float, ...] | None = None
    number: NumberFormat | None = None
    label_color: str | None = None
    label_size: float | None = None
    show_line: bool = True
    show_ticks: bool = True
    tick_color: str | None = None
    line_color: str | None = None

    @property
    def horizontal(self) -> bool:
        return self.letter in ("x", "t")


def parse_axes(params: dict[str, str], warnings: Warnings) -> tuple[AxisRequest | None, AxisRequest | None]:
    """(horizontal axis, vertical axis) requested by ``chxt`` and styled by the other parameters."""
    chxt = params.get("chxt")
    letters = [] if chxt is None or not chxt.strip() else [a.strip() for a in chxt.split(",")]
    if len(letters) > MAX_AXES:
        raise codes.fail(
            "chxt", f"lists {len(letters)} axes; at most {MAX_AXES} are allowed", codes.LIMIT_EXCEEDED
        )
    for letter in letters:
        if letter not in AXIS_LETTERS:
            raise codes.fail("chxt", f"unknown axis {codes.shown(letter)}; use x, y, t or r")
    requests = {i: AxisRequest(letter) for i, letter in enumerate(letters)}
    for name, reader in (("chxr", _ranges), ("chxl", _labels), ("chxp", _positions), ("chxs", _styles)):
        if params.get(name) is None:
            continue
        for index, changes in reader(params[name]):
            if index not in requests:
                warnings.add(f"{name}[{index}]")
                continue
            requests[index] = replace(requests[index], **changes)
    horizontal = vertical = None
    for i, request in requests.items():
        if request.horizontal and horizontal is None:
            horizontal = request
        elif not request.horizontal and vertical is None:
            vertical = request
        else:
            warnings.add(f"chxt[{i}]")
    return horizontal, vertical


def _groups(text: str, param: str) -> list[tuple[int, list[str]]]:
    out = []
    for group in text.split("|"):
        if not group.strip():
            continue
        parts = [p.strip() for p in group.split(",")]
        index = integer(parts[0], param, "the axis index", low=0, high=MAX_AXES)
        out.append((index, parts[1:]))
    return out


def _ranges(text: str) -> list[tuple[int, dict]]:
    out = []
    for index, parts in _groups(text, "chxr"):
        if len(parts) < 2:
            raise codes.fail("chxr", f"axis {index} needs <start_val>,<end_val>[,<step>]")
        start = number(parts[0], "chxr", f"axis {index} start")
        end = number(parts[1], "chxr", f"axis {index} end")
        if start == end:
            raise codes.fail("chxr", f"axis {index} start and end must differ, both are {parts[0]}")
        step = None
        if len(parts) > 2 and parts[2]:
            step = number(parts[2], "chxr", f"axis {index} step", low=0)
            if step <= 0 or abs(end - start) / step > MAX_STEPS:
                raise codes.fail(
                    "chxr",
                    f"axis {index} step must be positive and give at most {MAX_STEPS} ticks, got {parts[2]}",
                )
        out.append((index, {"range": (start, end), "step": step}))
    return out


def _labels(text: str) -> list[tuple[int, dict]]:
    groups: list[tuple[int, list[str]]] = []
    count = 0
    for token in text.split("|"):
        match = _INDEX_LABEL.fullmatch(token)
        if match:
            groups.append((int(match.group(1)), []))
            continue
        if not groups:
            raise codes.fail("chxl", "must start with an axis index, e.g. chxl=0:|Jan|Feb|Mar")
        count += 1
        if count > MAX_LABELS:
            raise codes.fail("chxl", f"has more than {MAX_LABELS} labels", codes.LIMIT_EXCEEDED)
        groups[-1][1].append(label_text(token, "chxl"))
    return [(index, {"labels": tuple(labels)}) for index, labels in groups]


def _positions(text: str) -> list[tuple[int, dict]]:
    out = []
    for index, parts in _groups(text, "chxp"):
        if len(parts) > MAX_LABELS:
            raise codes.fail("chxp", f"has more than {MAX_LABELS} positions", codes.LIMIT_EXCEEDED)
        values = tuple(number(p, "chxp", f"axis {index} position {k + 1}") for k, p in enumerate(parts) if p)
        out.append((index, {"positions": values}))
    return out


def _styles(text: str) -> list[tuple[int, dict]]:
    """``<index>[N<fmt>],<label color>,<font size>,<alignment>,<axis_or_tick>,<tick color>,<axis color>``."""
    out = []
    for group in text.split("|"):
        if not group.strip():
            continue
        parts = [p.strip() for p in group.split(",")]
        head = _STYLE_HEAD.fullmatch(parts[0])
        if head is None:
            raise codes.fail(
                "chxs",
                f"must start with an axis index (and an optional N format), got {codes.shown(parts[0])}",
            )
        index = int(head.group(1))
        changes: dict = {}
        if head.group(2):
            changes["number"] = parse_number_format(head.group(2)[1:], "chxs")
        if len(parts) > 1 and parts[1]:
            changes["label_color"] = parse_color(parts[1], "chxs")
        if len(parts) > 2 and parts[2]:
            changes["label_size"] = number(
                parts[2], "chxs", f"axis {index} font size", low=1, high=MAX_FONT_SIZE
            )
        if len(parts) > 4 and parts[4]:
            mode = parts[4]
            if mode not in ("l", "t", "lt", "tl", "_"):
                raise codes.fail(
                    "chxs", f"axis {index} drawing style must be l, t, lt or _, got {codes.shown(mode)}"
                )
            changes["show_line"] = "l" in mode
            changes["show_ticks"] = "t" in mode
        if len(parts) > 5 and parts[5]:
            changes["tick_color"] = parse_color(parts[5], "chxs")
        if len(parts) > 6 and parts[6]:
            changes["line_color"] = parse_color(parts[6], "chxs")
        out.append((index, changes))
    return out
