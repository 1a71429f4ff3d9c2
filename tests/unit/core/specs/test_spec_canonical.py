"""The canonical JSON of a spec (its cache key's input, the job row's stored spec) and its read-back."""

import json

from core.specs.chartjs import parse_chart
from core.specs.model import ChartSpec, canonical_json, compute_cache_key, loads_canonical


def _spec(**data) -> ChartSpec:
    body = {"type": "bar", "data": {"labels": ["a", "b"], "datasets": [{"data": [1, 2.5]}]}, **data}
    return parse_chart(body).spec


def test_canonical_json_is_compact_sorted_json_that_round_trips():
    spec = _spec(options={"plugins": {"title": {"display": True, "text": "Évolution ✓"}}})
    text = canonical_json(spec.to_dict())
    assert " " not in text.replace("Évolution ✓", "")
    assert json.loads(text) == json.loads(json.dumps(spec.to_dict()))
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert ChartSpec.from_dict(loads_canonical(text)) == spec


def test_key_order_of_a_dict_does_not_change_the_text():
    assert canonical_json({"b": 1, "a": {"d": 2, "c": 3}}) == canonical_json({"a": {"c": 3, "d": 2}, "b": 1})


def test_values_orjson_refuses_fall_back_to_the_same_text_every_time():
    # A lone surrogate (a JSON "\ud800" escape a client may send) and an integer beyond 64 bits.
    tricky = {"label": "x\ud800y", "n": 2**70}
    first = canonical_json(tricky)
    assert first == canonical_json(dict(reversed(tricky.items())))
    assert json.loads(first) == tricky
    assert compute_cache_key(tricky) == compute_cache_key(tricky, canonical=first)


def test_the_stored_text_reads_back_whatever_wrote_it():
    text = canonical_json({"n": 2**63 - 1, "f": 0.1, "s": "é"})
    assert loads_canonical(text) == {"n": 2**63 - 1, "f": 0.1, "s": "é"}
    fallback = canonical_json({"label": "x\ud800y"})  # written by json: orjson refuses to read it
    assert loads_canonical(fallback) == {"label": "x\ud800y"}
