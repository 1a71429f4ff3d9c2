"""The doughnutlabel plugin (chartjs-plugin-doughnutlabel): lines of text in a doughnut's hole.

``options.plugins.doughnutlabel.labels`` is a list of ``{text, font: {size, weight, family}, color}``,
drawn centred, top to bottom. Text is literal. The plugin sizes fonts by the hole; a line without a
size here is 12 px (the Chart.js default) except the first, which is twice that, as the plugin's
examples look.
"""

from __future__ import annotations

from typing import Any

from core.specs.plugins import fields
from core.specs.plugins.model import CenterLine
from core.specs.values import Warnings, boolean, item, join, mapping, sequence, text

MAX_LINES = 20


def parse_doughnutlabel(raw: Any, path: str, warnings: Warnings) -> tuple[CenterLine, ...]:
    obj = mapping(raw, path)
    warnings.unknown_keys(obj, ("labels", "display", "paddingPercentage"), path)
    if obj.get("display") is not None and not boolean(obj["display"], join(path, "display")):
        return ()
    labels_path = join(path, "labels")
    if obj.get("labels") is None:
        return ()
    entries = sequence(obj["labels"], labels_path)[:MAX_LINES]
    out = []
    for i, raw_line in enumerate(entries):
        line_path = item(labels_path, i)
        line = mapping(raw_line, line_path, optional=False)
        warnings.unknown_keys(line, ("text", "font", "color"), line_path)
        content = "" if line.get("text") is None else text(line["text"], join(line_path, "text"))
        out.append(
            CenterLine(
                text=content,
                color=fields.color(line.get("color"), join(line_path, "color")),
                font=fields.font(line.get("font"), join(line_path, "font"), warnings),
            )
        )
    return tuple(out)
