"""Random values in every QuickChart plugin option and extra-type field: parsing either succeeds or
raises SpecError (a 400), and whatever parses also renders (never a 500). Seeded, so the same cases
run every time."""

from __future__ import annotations

import copy
import random
from dataclasses import replace

import pytest

from core.specs.chartjs import parse_chart
from core.specs.errors import SpecError
from tests.support import quickchart_configs as configs
from worker.render import render_chart

JUNK = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    1e15,
    -1e15,
    1e-300,
    "",
    "red",
    "center",
    "end",
    "top",
    "x",
    "y-axis-0",
    "#abc",
    "rgba(0,0,0,0.5)",
    "bold",
    "a" * 600,
    [],
    [1, 2],
    ["red", "blue"],
    [None],
    {},
    {"size": 10},
    {"top": 2},
    {"from": "a", "to": "b", "flow": 1},
]


def _paths(obj, prefix=()):
    """Every (path) to a leaf or container below the config's options/data."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


def _set(obj, path, value):
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


NAMES = sorted(name for name in dir(configs) if name.isupper())


@pytest.mark.parametrize("name", NAMES)
def test_random_values_are_400s_or_render(name):
    rng = random.Random(name)
    base = getattr(configs, name)
    paths = [p for p in _paths(base) if p[0] in ("options", "data")]
    for _ in range(40):
        config = copy.deepcopy(base)
        for path in rng.sample(paths, k=min(len(paths), rng.randint(1, 3))):
            try:
                _set(config, path, copy.deepcopy(rng.choice(JUNK)))
            except (KeyError, IndexError, TypeError):
                continue  # an earlier replacement removed the container
        try:
            spec = parse_chart(config).spec
        except SpecError:
            continue
        image = render_chart(replace(spec, width=200, height=120))
        assert image.data[:4] == b"\x89PNG"
