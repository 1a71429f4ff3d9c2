"""The JSON body bounds agree with the parser: the pre-parse depth count equals the real nesting
of any document, string contents never count, and nothing reaches RecursionError or ValueError."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.errors import ApiError
from api.jsonbody import (
    MAX_DEPTH,
    MAX_NUMBER_CHARS,
    blank_strings,
    nesting_depth_exceeds,
    parse_json,
    structure_of,
)

tricky_text = st.text(alphabet='[]{}"\\,:ab 1', max_size=12)
documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | tricky_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(tricky_text, inner, max_size=3),
    max_leaves=60,
)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def nest(value, levels: int):
    for i in range(levels):
        value = [value] if i % 2 else {"k": value}
    return value


@settings(max_examples=300, deadline=None)
@given(documents, st.integers(0, 40))
def test_depth_check_matches_the_parsed_depth(document, extra):
    value = nest(document, extra)
    raw = json.dumps(value).encode()
    if depth(value) > MAX_DEPTH:
        with pytest.raises(ApiError) as refused:
            parse_json(raw)
        assert refused.value.status == 400 and refused.value.detail["code"] == "nesting_too_deep"
    else:
        assert parse_json(raw) == value


def test_brackets_inside_strings_do_not_count():
    raw = json.dumps({"label": "[" * 500 + '"\\' + "{" * 500}).encode()
    assert parse_json(raw) == json.loads(raw)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"[" * 1000 + b"]" * 1000, "nesting_too_deep"),
        (b"[" * 200_000, "nesting_too_deep"),  # unbalanced: the parser's RecursionError, caught
        (b'{"a":' * 5000, "nesting_too_deep"),  # unbalanced objects
        (b"[" + b"1" * 5000 + b"]", "number_too_long"),
        (b"[1." + b"0" * MAX_NUMBER_CHARS + b"]", "number_too_long"),
    ],
)
def test_hostile_bodies_are_400(raw, code):
    with pytest.raises(ApiError) as refused:
        parse_json(raw)
    assert refused.value.status == 400 and refused.value.detail["code"] == code


def _brackets(data: bytes) -> bytes:
    return bytes(b for b in data if b in b"[]{}")


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_the_structure_keeps_exactly_the_brackets_outside_strings(document, ascii_only):
    raw = json.dumps(document, ensure_ascii=ascii_only).encode()
    assert _brackets(structure_of(raw)) == _brackets(blank_strings(raw))


def _one_level_per_pass(brackets: bytes, limit: int) -> bool:
    """The definition: each pass removes every innermost empty pair (regular expression)."""
    for _ in range(limit):
        if not brackets:
            return False
        reduced = re.sub(rb"\[\]|\{\}", b"", brackets)
        if reduced == brackets:
            return False
        brackets = reduced
    return re.search(rb"\[\]|\{\}", brackets) is not None


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="[]{}", max_size=40), st.integers(1, 8))
def test_depth_passes_remove_one_level_each(brackets, limit):
    raw = brackets.encode()
    assert nesting_depth_exceeds(raw, limit) == _one_level_per_pass(raw, limit)


def test_depth_helper_leaves_unbalanced_input_to_the_parser():
    assert not nesting_depth_exceeds(b"[}", 1)
    assert nesting_depth_exceeds(b"[[]]", 1) and not nesting_depth_exceeds(b"[[]]", 2)


any_documents = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats()
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=40,
)


@given(any_documents)
def test_parsed_bodies_read_as_the_standard_library_reads_them(document):
    """orjson's fast path changes nothing: NaN/Infinity, integers past 64 bits, floats, text."""
    raw = json.dumps(document).encode()
    assert repr(parse_json(raw)) == repr(json.loads(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": NaN, "b": -Infinity}',
        b'{"a": "\\ud800"}',
        b'{"a": 123456789012345678901234567890}',
        b'{"a": 18446744073709551615, "b": -9223372036854775808}',
        b"\xef\xbb\xbf{}",
        '{"a": [1, 2.5]}'.encode("utf-16"),
        b'{"a": 1e400, "b": -0.0}',
    ],
)
def test_what_orjson_refuses_or_reads_otherwise_takes_the_standard_path(raw):
    assert repr(parse_json(raw)) == repr(json.loads(raw))


def test_malformed_bodies_keep_the_standard_message():
    with pytest.raises(ApiError) as caught:
        parse_json(b"[1, 2,]")
    assert caught.value.message.startswith("Malformed JSON in the request body: Expecting value")
