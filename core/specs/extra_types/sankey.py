"""``sankey`` (chartjs-chart-sankey): ``datasets[0].data`` is a list of ``{from, to, flow}``.

Dataset options: ``colorFrom``/``colorTo`` (one colour or one per flow; functions are refused),
``colorMode`` (gradient, from, to), ``labels`` (node id -> shown text), ``priority`` (node id ->
order within its column), ``column`` (node id -> column), ``size`` (max, min: a node's height from
the larger or smaller of its in- and outflow), ``nodeWidth``, ``borderColor``, ``borderWidth``,
``color`` (the node labels' colour), ``font`` ({size}) and ``backgroundColor`` (the nodes' colour).
A flow from a node to itself, or one closing a cycle, is refused: the layout needs an acyclic graph.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.specs.errors import SpecError
from core.specs.extra_types.model import MAX_MAGNITUDE, ExtraType, Flow, Sankey
from core.specs.plugins import fields
from core.specs.values import Warnings, choice, item, join, mapping, number, sequence, text

MAX_FLOWS = 2000
_KEYS = (
    "colorFrom", "colorTo", "colorMode", "labels", "priority", "column", "size", "nodeWidth",
    "borderColor", "borderWidth", "color", "font", "backgroundColor", "nodePadding", "modeX", "alpha",
)  # fmt: skip


def build(chart, path, warnings: Warnings, build_spec):
    from core.specs.extra_types import datasets_of, with_extra

    datasets = datasets_of(chart, path)
    datasets_path = join(join(path, "data"), "datasets")
    if len(datasets) > 1:
        for i in range(1, len(datasets)):
            warnings.add(item(datasets_path, i))
    ds = datasets[0]
    ds_path = item(datasets_path, 0)
    own = {k: ds.pop(k) for k in _KEYS if k in ds}
    raw = ds.pop("data", None)
    data_path = join(ds_path, "data")
    if raw is None:
        raise SpecError(data_path, "is required: a list of {from, to, flow}")
    entries = sequence(raw, data_path)
    if len(entries) > MAX_FLOWS:
        raise SpecError(data_path, f"has {len(entries)} flows; at most {MAX_FLOWS} are allowed")
    flows = []
    for i, entry in enumerate(entries):
        entry_path = item(data_path, i)
        obj = mapping(entry, entry_path, optional=False)
        warnings.unknown_keys(obj, ("from", "to", "flow"), entry_path)
        for key in ("from", "to", "flow"):
            if obj.get(key) is None:
                raise SpecError(join(entry_path, key), "is required")
        source, target = text(obj["from"], join(entry_path, "from")), text(obj["to"], join(entry_path, "to"))
        if source == target:
            raise SpecError(entry_path, f"flows from {source[:40]!r} to itself")
        flows.append(
            Flow(
                source,
                target,
                number(obj["flow"], join(entry_path, "flow"), minimum=0, maximum=MAX_MAGNITUDE),
            )
        )
    _check_acyclic(flows, data_path)
    opts: dict[str, Any] = {"flows": tuple(flows)}
    for key, name in (("colorFrom", "color_from"), ("colorTo", "color_to")):
        if own.get(key) is not None:
            opts[name] = fields.colors(own[key], join(ds_path, key))
    if own.get("colorMode") is not None:
        opts["color_mode"] = choice(own["colorMode"], join(ds_path, "colorMode"), ("gradient", "from", "to"))
    if own.get("size") is not None:
        opts["size"] = choice(own["size"], join(ds_path, "size"), ("max", "min"))
    for key, name, high in (("nodeWidth", "node_width", 200), ("borderWidth", "border_width", 50)):
        if own.get(key) is not None:
            opts[name] = number(own[key], join(ds_path, key), minimum=0, maximum=high)
    for key, name in (
        ("borderColor", "border_color"),
        ("color", "label_color"),
        ("backgroundColor", "node_color"),
    ):
        if own.get(key) is not None:
            if isinstance(own[key], (list, tuple)):
                warnings.add(join(ds_path, key))
                continue
            opts[name] = fields.color(own[key], join(ds_path, key))
    if own.get("font") is not None:
        font = fields.font(own["font"], join(ds_path, "font"), warnings)
        opts["font_size"] = font.size
    for key, name, convert in (
        ("labels", "labels", "text"),
        ("priority", "priority", "number"),
        ("column", "column", "int"),
    ):
        if own.get(key) is None:
            continue
        table_path = join(ds_path, key)
        table = mapping(own[key], table_path)
        pairs = []
        for node, value in table.items():
            value_path = join(table_path, node)
            if convert == "text":
                pairs.append((str(node), text(value, value_path)))
            elif convert == "number":
                pairs.append((str(node), number(value, value_path)))
            else:
                column = number(value, value_path, minimum=0, maximum=100)
                if not column.is_integer():
                    raise SpecError(value_path, f"must be a whole column number, got {column:g}")
                pairs.append((str(node), int(column)))
        opts[name] = tuple(sorted(pairs))
    for key in ("nodePadding", "modeX", "alpha"):
        if key in own:
            warnings.add(join(ds_path, key))
    ds["data"] = []
    chart["type"] = "bar"
    plugins = chart["options"].setdefault("plugins", {})
    if (
        isinstance(plugins, Mapping)
        and chart["options"].get("legend") is None
        and plugins.get("legend") is None
    ):
        chart["options"]["plugins"] = {**plugins, "legend": {"display": False}}
    spec = build_spec(chart)
    return with_extra(spec, "sankey", ExtraType(sankey=Sankey(**opts)))


def _check_acyclic(flows: list[Flow], path: str) -> None:
    graph: dict[str, list[str]] = {}
    for f in flows:
        graph.setdefault(f.source, []).append(f.target)
        graph.setdefault(f.target, [])
    state: dict[str, int] = {}
    for start in graph:
        if state.get(start):
            continue
        stack = [(start, iter(graph[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                raise SpecError(
                    path, f"the flows form a cycle through {child[:40]!r}; a Sankey diagram needs none"
                )
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(graph[child])))
