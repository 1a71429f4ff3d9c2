"""``sankey`` (chartjs-chart-sankey): nodes in columns, flows as curved bands between them.

Layout: a node's column is its ``column`` option or the longest path to it from a source; nodes in a
column are ordered by ``priority`` (then by first appearance) and stacked, centred, with a gap
between them; every column shares one scale (value to pixels), chosen so the fullest column fits. A
node is as tall as the larger (``size: 'max'``) or smaller (``'min'``) of its in- and outflow. Flows
leave a node top-down in the order of their targets and arrive in the order of their sources, as
cubic bands. Colours: nodes take ``backgroundColor`` or the palette; a flow runs from ``colorFrom``
(default: its source node's colour) to ``colorTo`` (its target's), a gradient by default, at half
opacity. Labels sit right of their node, left of it in the last column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matplotlib.collections import PolyCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from core.specs.extra_types.model import ExtraType, Sankey
from core.specs.imagecharts.style import Gradient
from core.specs.model import ChartSpec

from . import theme
from .canvas import Canvas, Rect, RenderError
from .imagecharts.gradient import paint_path
from .layout import layout_frame

NODE_GAP = 10.0  # CSS px between nodes of a column
FLOW_ALPHA = 0.5
LABEL_GAP = 4.0


@dataclass
class _Node:
    id: str
    order: int
    column: int = 0
    inflow: float = 0.0
    outflow: float = 0.0
    priority: float | None = None
    y_top: float = 0.0
    height: float = 0.0
    out_cursor: float = 0.0
    in_cursor: float = 0.0
    color: theme.RGBA = (0.0, 0.0, 0.0, 1.0)
    outs: list[int] = field(default_factory=list)
    ins: list[int] = field(default_factory=list)


def render(canvas: Canvas, spec: ChartSpec) -> None:
    s = ExtraType.from_spec(spec).sankey
    if s is None:
        raise RenderError("a sankey chart needs its flows (parse it with core.specs)")
    region, finish = layout_frame(canvas, spec, [])
    region = region.inset(*(canvas.px(6),) * 4)
    nodes = _nodes(s)
    if nodes:
        _layout(canvas, s, nodes, region)
        _draw(canvas, s, nodes, region)
    finish(region)


def _nodes(s: Sankey) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for i, f in enumerate(s.flows):
        for name in (f.source, f.target):
            if name not in nodes:
                nodes[name] = _Node(name, len(nodes))
        nodes[f.source].outflow += f.flow
        nodes[f.source].outs.append(i)
        nodes[f.target].inflow += f.flow
        nodes[f.target].ins.append(i)
    priority = dict(s.priority)
    for node in nodes.values():
        node.priority = priority.get(node.id)
        node.color = theme.rgba(s.node_color) if s.node_color else theme.palette(node.order)
    # longest path from a source (the flows are acyclic: the parser checked)
    pending = {n.id: len(n.ins) for n in nodes.values()}
    ready = [n for n, k in pending.items() if k == 0]
    while ready:
        name = ready.pop()
        for i in nodes[name].outs:
            target = s.flows[i].target
            nodes[target].column = max(nodes[target].column, nodes[name].column + 1)
            pending[target] -= 1
            if pending[target] == 0:
                ready.append(target)
    last = max(n.column for n in nodes.values())
    for n in nodes.values():
        if not n.outs:  # sinks line up in the last column, as the plugin draws them
            n.column = last
    for name, column in s.column:
        if name in nodes:
            nodes[name].column = column
    return nodes


def _size(s: Sankey, n: _Node) -> float:
    if s.size == "min" and n.inflow > 0 and n.outflow > 0:
        return min(n.inflow, n.outflow)
    return max(n.inflow, n.outflow)


def _layout(canvas: Canvas, s: Sankey, nodes: dict[str, _Node], region: Rect) -> None:
    columns: dict[int, list[_Node]] = {}
    for n in nodes.values():
        columns.setdefault(n.column, []).append(n)
    gap = canvas.px(NODE_GAP)
    scale = min(
        (region.height - gap * (len(col) - 1)) / max(sum(_size(s, n) for n in col), 1e-12)
        for col in columns.values()
    )
    scale = max(scale, 0.0)
    for col in columns.values():
        col.sort(key=lambda n: (n.priority if n.priority is not None else float("inf"), n.order))
        total = sum(_size(s, n) * scale for n in col) + gap * (len(col) - 1)
        y = region.cy + total / 2
        for n in col:
            n.height = _size(s, n) * scale
            n.y_top = y
            n.out_cursor = n.in_cursor = y
            y -= n.height + gap
    for n in nodes.values():
        n.outs.sort(key=lambda i: -nodes[s.flows[i].target].y_top)
        n.ins.sort(key=lambda i: -nodes[s.flows[i].source].y_top)


def _x(canvas: Canvas, s: Sankey, column: int, columns: int, region: Rect) -> float:
    width = canvas.px(s.node_width)
    if columns <= 1:
        return region.x0
    return region.x0 + column * (region.width - width) / (columns - 1)


def _draw(canvas: Canvas, s: Sankey, nodes: dict[str, _Node], region: Rect) -> None:
    columns = max(n.column for n in nodes.values()) + 1
    width = canvas.px(s.node_width)
    total = {name: max(_size(s, n), 1e-12) for name, n in nodes.items()}
    for i, f in enumerate(s.flows):
        src, dst = nodes[f.source], nodes[f.target]
        h_src = src.height * f.flow / total[f.source] if src.height else 0.0
        h_dst = dst.height * f.flow / total[f.target] if dst.height else 0.0
        x0 = _x(canvas, s, src.column, columns, region) + width
        x1 = _x(canvas, s, dst.column, columns, region)
        top0, top1 = src.out_cursor, dst.in_cursor
        src.out_cursor -= h_src
        dst.in_cursor -= h_dst
        bottom0, bottom1 = top0 - h_src, top1 - h_dst
        mid = (x0 + x1) / 2
        path = Path(
            [
                (x0, top0),
                (mid, top0),
                (mid, top1),
                (x1, top1),
                (x1, bottom1),
                (mid, bottom1),
                (mid, bottom0),
                (x0, bottom0),
                (x0, top0),
            ],
            [
                Path.MOVETO,
                Path.CURVE4,
                Path.CURVE4,
                Path.CURVE4,
                Path.LINETO,
                Path.CURVE4,
                Path.CURVE4,
                Path.CURVE4,
                Path.CLOSEPOLY,
            ],
        )
        start = _flow_color(s.color_from, i, src.color)
        end = _flow_color(s.color_to, i, dst.color)
        mode = s.color_mode
        if mode == "gradient" and start != end:
            stops = ((_hex(start), 0.0), (_hex(end), 1.0))
            paint_path(canvas, Gradient(angle=0.0, stops=stops), path, None, 2.0)
        else:
            color = end if mode == "to" else start
            canvas.add(PathPatch(path, facecolor=color, edgecolor="none", linewidth=0), zorder=2.0)
    rects, fills = [], []
    size = canvas.px(s.font_size or theme.FONT_SIZE)
    label_color = theme.text_color(s.label_color)
    labels = dict(s.labels)
    for n in nodes.values():
        x = _x(canvas, s, n.column, columns, region)
        y0, y1 = n.y_top - n.height, n.y_top
        rects.append(((x, y0), (x + width, y0), (x + width, y1), (x, y1)))
        fills.append(n.color)
        text = labels.get(n.id, n.id)
        # the last column's labels stand to the left of its nodes, the others' to the right
        if n.column == columns - 1 and columns > 1:
            label_x, ha = x - canvas.px(LABEL_GAP), "right"
        else:
            label_x, ha = x + width + canvas.px(LABEL_GAP), "left"
        canvas.text(label_x, (y0 + y1) / 2, text, size=size, color=label_color, ha=ha, zorder=6)
    border = canvas.px(s.border_width)
    canvas.add(
        PolyCollection(
            rects,
            facecolors=fills,
            edgecolors=[theme.rgba(s.border_color)] if border > 0 else "none",
            linewidths=[border],
            closed=True,
        ),
        zorder=4,
    )


def _flow_color(spec, index: int, node: theme.RGBA) -> theme.RGBA:
    if spec is None or spec == ():
        return theme.with_alpha(node, FLOW_ALPHA)
    color = spec if isinstance(spec, str) else spec[index % len(spec)]
    return theme.rgba(color)


def _hex(color: theme.RGBA) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in color)
