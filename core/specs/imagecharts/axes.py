"""Axis parameters: ``chxt`` (visible axes), ``chxr`` (ranges with an optional step), ``chxl`` (custom
labels), ``chxp`` (label positions) and ``chxs`` (label and line styles).

Axis indexes in ``chxr``/``chxl``/``chxp``/``chxs`` point into ``chxt``. One horizontal axis (``x``
bottom, or ``t`` top) and one vertical axis (``y`` left, or ``r`` right) are drawn, as Image-Charts
does; a repeated axis and settings for an index that is not in ``chxt`` are ignored and reported.
Malformed parts are ignored and reported too (Image-Charts draws what it understands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.specs.errors import SpecError
from core.specs.imagecharts import codes
from core.specs.imagecharts.data import DRAWABLE, drawable
from core.specs.imagecharts.numbers import parse_number_format
from core.specs.imagecharts.params import MAX_FONT_SIZE, label_text, soft_color, soft_number
from core.specs.imagecharts.style import NumberFormat
from core.specs.model import MAX_LABELS
from core.specs.values import Warnings

AXIS_LETTERS = ("x", "y", "t", "r")
MAX_AXES = 16
MAX_STEPS = 1000
_INDEX_LABEL = re.compile(r"\s*(\d{1,2}):\s*")
_INDEX = re.compile(r"\d{1,2}")
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
    """(horizontal axis, vertical axis) requested by ``chxt`` and styled by the other parameters.
    What cannot be understood (an unknown axis letter, a malformed range, label group or style) is
    ignored and reported, as Image-Charts ignores it."""
    chxt = params.get("chxt")
    letters = [] if chxt is None or not chxt.strip() else [a.strip().lower() for a in chxt.split(",")]
    if len(letters) > MAX_AXES:
        raise codes.fail(
            "chxt", f"lists {len(letters)} axes; at most {MAX_AXES} are allowed", codes.LIMIT_EXCEEDED
        )
    requests: dict[int, AxisRequest] = {}
    for i, letter in enumerate(letters):
        if letter in AXIS_LETTERS:
            requests[i] = AxisRequest(letter)
        elif letter or i < len(letters) - 1:  # a trailing comma is not an axis
            warnings.add(f"chxt[{i}]")
    for name, reader in (("chxr", _ranges), ("chxl", _labels), ("chxp", _positions), ("chxs", _styles)):
        if params.get(name) is None:
            continue
        for index, changes in reader(params[name], warnings):
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


def _groups(text: str, param: str, warnings: Warnings) -> list[tuple[int, list[str]]]:
    out = []
    for group in text.split("|"):
        if not group.strip():
            continue
        parts = [p.strip() for p in group.split(",")]
        if not _INDEX.fullmatch(parts[0]):
            warnings.add(param)
            continue
        out.append((int(parts[0]), parts[1:]))
    return out


def _ranges(text: str, warnings: Warnings) -> list[tuple[int, dict]]:
    out = []
    for index, parts in _groups(text, "chxr", warnings):
        where = f"chxr[{index}]"
        if len(parts) < 2:
            warnings.add(where)
            continue
        start = soft_number(parts[0], warnings, where, low=-DRAWABLE, high=DRAWABLE)
        end = soft_number(parts[1], warnings, where, low=-DRAWABLE, high=DRAWABLE)
        start, end = (None, None) if start is None or end is None else (drawable(start), drawable(end))
        if start is None or end is None or start == end:
            warnings.add(where)
            continue
        step = None
        if len(parts) > 2 and parts[2]:
            step = soft_number(parts[2], warnings, where)
            if step is not None and (step <= 0 or abs(end - start) / step > MAX_STEPS):
                warnings.add(where)  # too fine or not positive: nicely spaced ticks instead
                step = None
        out.append((index, {"range": (start, end), "step": step}))
    return out


def _labels(text: str, warnings: Warnings) -> list[tuple[int, dict]]:
    groups: list[tuple[int, list[str]]] = []
    count = 0
    for token in text.split("|"):
        match = _INDEX_LABEL.fullmatch(token)
        if match:
            groups.append((int(match.group(1)), []))
            continue
        if not groups:
            warnings.add("chxl")  # labels before any "<index>:" belong to no axis
            continue
        count += 1
        if count > MAX_LABELS:
            raise codes.fail("chxl", f"has more than {MAX_LABELS} labels", codes.LIMIT_EXCEEDED)
        groups[-1][1].append(label_text(token, "chxl"))
    for _, labels in groups:
        if len(labels) > 1 and not labels[-1]:
            labels.pop()  # "0:|Jan|Feb|" ends with a separator, not with an empty label
    return [(index, {"labels": tuple(labels)}) for index, labels in groups]


def _positions(text: str, warnings: Warnings) -> list[tuple[int, dict]]:
    out = []
    for index, parts in _groups(text, "chxp", warnings):
        if len(parts) > MAX_LABELS:
            raise codes.fail("chxp", f"has more than {MAX_LABELS} positions", codes.LIMIT_EXCEEDED)
        where = f"chxp[{index}]"
        values = [soft_number(p, warnings, where, low=-DRAWABLE, high=DRAWABLE) for p in parts if p]
        out.append((index, {"positions": tuple(drawable(v) for v in values if v is not None)}))
    return out


def _styles(text: str, warnings: Warnings) -> list[tuple[int, dict]]:
    """``<index>[N<fmt>],<label color>,<font size>,<alignment>,<axis_or_tick>,<tick color>,<axis color>``
    and an optional ``s`` (skip labels when crowded). A font size of 0 hides the labels. Every part
    that is not understood (a malformed colour or format, an unknown drawing style) is ignored and
    reported as ``chxs[<index>]``; the alignment and ``s`` are accepted and not drawn."""
    out = []
    for group in text.split("|"):
        if not group.strip():
            continue
        parts = [p.strip() for p in group.split(",")]
        head = _STYLE_HEAD.fullmatch(parts[0])
        if head is None:
            warnings.add("chxs")
            continue
        index = int(head.group(1))
        where = f"chxs[{index}]"
        if len(parts) > 1 and parts[-1].lower() == "s":
            parts.pop()  # <skip_labels>: thin crowded labels (ours are never thinned)
        changes: dict = {}
        if head.group(2):
            try:
                changes["number"] = parse_number_format(head.group(2)[1:], "chxs")
            except SpecError:
                warnings.add(where)
        if len(parts) > 1 and parts[1]:
            changes["label_color"] = soft_color(parts[1], warnings, where)
        if len(parts) > 2 and parts[2]:
            size = soft_number(parts[2], warnings, where, low=0, high=MAX_FONT_SIZE)
            if size is not None:
                changes["label_size"] = size
        if len(parts) > 4 and parts[4]:
            mode = parts[4].lower()
            if set(mode) <= {"l", "t", "_"}:
                changes["show_line"] = "l" in mode
                changes["show_ticks"] = "t" in mode
            else:
                warnings.add(where)
        if len(parts) > 5 and parts[5]:
            changes["tick_color"] = soft_color(parts[5], warnings, where)
        if len(parts) > 6 and parts[6]:
            changes["line_color"] = soft_color(parts[6], warnings, where)
        out.append((index, {k: v for k, v in changes.items() if v is not None}))
    return out
