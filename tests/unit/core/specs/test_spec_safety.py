"""The code check that runs over every payload before parsing."""

from __future__ import annotations

import pytest

from core.specs.errors import SpecError
from core.specs.safety import CODE_MESSAGE, MAX_DEPTH, looks_like_code, refuse_code


@pytest.mark.parametrize(
    "text",
    [
        "function(x) { return x }",
        "function (x) {}",
        "FUNCTION\t(",
        "async function foo() {}",
        "function $f(a, b){ return a }",
        "x => x * 2",
        "(a, b)=>a",
        "javascript:alert(1)",
        "  JavaScript :void(0)",
    ],
)
def test_code_like_strings(text):
    assert looks_like_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "function",
        "functions are fun",
        "function f(x) = x^2",
        "a >= b",
        "a = > b",
        "see javascript: the good parts",
        "$f(x)$",
        "x -> y",
    ],
)
def test_plain_strings(text):
    assert not looks_like_code(text)


def test_reports_the_first_offender_in_document_order():
    payload = {"a": ["ok", {"b": "x => 1"}], "c": "function(){}"}
    with pytest.raises(SpecError) as info:
        refuse_code(payload)
    assert info.value.field == "a[1].b" and info.value.message == CODE_MESSAGE


def test_root_prefixes_paths():
    with pytest.raises(SpecError) as info:
        refuse_code({"options": ["=>"]}, "chart")
    assert info.value.field == "chart.options[0]"


@pytest.mark.parametrize(
    "obj",
    [
        {"__function__": "return 1"},
        {"$function": "x"},
        {"Lambda": "x"},
        {"fn": 1},
        {"@eval": "1"},
        {"arguments": ["a"], "body": "return a"},
        {"params": [], "body": ""},
        {"__type__": "function", "value": "x"},
        {"kind": "JavaScript"},
    ],
)
def test_serialized_function_objects(obj):
    with pytest.raises(SpecError) as info:
        refuse_code({"options": {"cb": obj}})
    assert info.value.field == "options.cb"


def test_ordinary_objects_pass():
    refuse_code({"type": "bar", "body": "text", "functionality": "x", "data": [1, 2.5, None, True]})
    refuse_code({"args": [1], "type": "line"})


def test_depth_cap_counts_containers():
    ok: object = "leaf"
    for _ in range(MAX_DEPTH):
        ok = [ok]
    refuse_code(ok)
    with pytest.raises(SpecError) as info:
        refuse_code([ok])
    assert info.value.field == "" and info.value.message == "nesting too deep"
