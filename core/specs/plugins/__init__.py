"""QuickChart's plugins, read declaratively from a Chart.js spec into ``ChartSpec.extras``.

``attach_plugins`` is the one hook the Chart.js parser calls once the common spec is built; each
plugin has its own module (datalabels, tickformat, annotation, doughnutlabel, outlabels) and the
normalized result is ``model.Plugins``. The option keys read here are listed in ``OPTION_KEYS``,
``PLUGIN_KEYS`` and ``DATASET_KEYS`` so the parser does not report them as ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from core.specs.model import ChartSpec
from core.specs.plugins.annotation import parse_annotations
from core.specs.plugins.datalabels import dataset_blocks, parse_datalabels
from core.specs.plugins.doughnutlabel import parse_doughnutlabel
from core.specs.plugins.keys import DATASET_KEYS, OPTION_KEYS, PLUGIN_KEYS
from core.specs.plugins.model import Plugins
from core.specs.plugins.outlabels import parse_outlabels
from core.specs.plugins.tickformat import parse_tick_format
from core.specs.values import Warnings, join, mapping

__all__ = ["DATASET_KEYS", "OPTION_KEYS", "PLUGIN_KEYS", "Plugins", "attach_plugins"]

CARTESIAN_TYPES = ("line", "bar", "scatter", "bubble")


def attach_plugins(spec: ChartSpec, body: Mapping[Any, Any], path: str, warnings: Warnings) -> ChartSpec:
    """``spec`` with the plugins configured in ``body`` (the chart object at ``path``)."""
    options_path = join(path, "options")
    options = mapping(body.get("options"), options_path)
    plugins_path = join(options_path, "plugins")
    plugins = mapping(options.get("plugins"), plugins_path)
    datasets_path = join(join(path, "data"), "datasets")
    data = body.get("data") if isinstance(body.get("data"), Mapping) else {}
    datasets_raw = data.get("datasets")

    result = Plugins()
    blocks = dataset_blocks(datasets_raw, datasets_path)
    labels = parse_datalabels(plugins.get("datalabels"), join(plugins_path, "datalabels"), blocks, warnings)
    if any(entry is not None for entry in labels):
        result = replace(result, datalabels=labels)
    if plugins.get("tickFormat") is not None:
        result = replace(
            result,
            tick_format=parse_tick_format(plugins["tickFormat"], join(plugins_path, "tickFormat"), warnings),
        )
    annotation, annotation_path = plugins.get("annotation"), join(plugins_path, "annotation")
    if annotation is None and options.get("annotation") is not None:
        annotation, annotation_path = options["annotation"], join(options_path, "annotation")
    elif options.get("annotation") is not None:
        warnings.add(join(options_path, "annotation"))
    if annotation is not None:
        if spec.type in CARTESIAN_TYPES:
            result = replace(
                result, annotations=parse_annotations(annotation, annotation_path, spec, warnings)
            )
        else:
            warnings.add(annotation_path)
    for key in ("doughnutlabel", "doughnutLabel"):
        if plugins.get(key) is not None:
            lines = parse_doughnutlabel(plugins[key], join(plugins_path, key), warnings)
            result = replace(result, center_text=lines)
            break
    outlabels = parse_outlabels(plugins.get("outlabels"), join(plugins_path, "outlabels"), spec, warnings)
    if outlabels is not None:
        result = replace(result, outlabels=outlabels)
    elif isinstance(datasets_raw, (list, tuple)):
        for i, ds in enumerate(datasets_raw):
            if isinstance(ds, Mapping) and ds.get("outlabels") is not None:
                warnings.add(f"{datasets_path}[{i}].outlabels")
    if result.is_empty():
        return spec
    return replace(spec, extras=(*spec.extras, result.to_extras()))
