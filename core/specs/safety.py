"""Refuse chart specifications that carry code.

Chart.js configurations written in JavaScript often contain callbacks (tick formatters, tooltip
labels...). Some services evaluate those; Chartfleet never executes anything from a spec, so a spec
that looks like it carries code is refused outright instead of being half-honoured. The whole payload
is walked once, iteratively (no recursion, so hostile nesting cannot exhaust the stack), before any
parsing happens.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from core.specs.errors import SpecError
from core.specs.values import item, join

MAX_DEPTH = 32

CODE_MESSAGE = "functions are not allowed in chart specifications; Chartfleet never executes code from a spec"

# "function (" anywhere, or a named function with its body ("function f(a) {"); "function f(x)" on
# its own is ordinary maths text.
_FUNCTION_CALL = re.compile(r"function\s*\(|function\s+[\w$]+\s*\([^)]*\)\s*\{", re.IGNORECASE)
_JAVASCRIPT_URL = re.compile(r"\s*javascript\s*:", re.IGNORECASE)
# Keys that serializers use to smuggle a function through JSON ({"__function__": "..."},
# {"$func": ...}, {"lambda": ...}), compared after stripping decoration characters.
_FUNCTION_KEYS = frozenset({"function", "func", "fn", "lambda", "javascript", "eval"})
_FUNCTION_TYPE_KEYS = frozenset({"type", "kind"})
_FUNCTION_TYPE_VALUES = frozenset({"function", "javascript", "js", "lambda"})
# Characters no font draws and Postgres cannot store as text (jsonb refuses "\\u0000" and unpaired
# surrogates): lone UTF-16 surrogates (JSON allows "\\ud800" alone) and NUL.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


def looks_like_code(text: str) -> bool:
    """A string that reads as JavaScript: ``function (``, an arrow ``=>`` or a ``javascript:`` URL."""
    return bool(_FUNCTION_CALL.search(text)) or "=>" in text or bool(_JAVASCRIPT_URL.match(text))


def refuse_code(payload: Any, root: str = "") -> bool:
    """Raise ``SpecError`` at the first place (document order) where ``payload`` carries code, or
    when it nests deeper than ``MAX_DEPTH`` containers. ``root`` prefixes the reported paths.

    Returns whether some string or key holds a character ``without_unstorable`` replaces."""
    unstorable = False
    # Each stack entry is (value, parent entry, key or index, depth); a path is only spelled out
    # when there is something to report, which keeps the walk cheap on 50,000-point payloads.
    stack: list[_Node] = [(payload, None, None, 0)]
    while stack:
        node = stack.pop()
        value, _, _, depth = node
        if isinstance(value, str):
            if looks_like_code(value):
                raise SpecError(_path(node, root), CODE_MESSAGE, code="code_not_allowed")
            unstorable = unstorable or bool(_UNSTORABLE.search(value))
            continue
        if depth < MAX_DEPTH and _plain_leaf_container(value):
            continue  # numbers only (data arrays, points): nothing there can be code
        if isinstance(value, Mapping):
            if _serialized_function(value):
                raise SpecError(_path(node, root), CODE_MESSAGE, code="code_not_allowed")
            children = list(value.items())
            for key, _child in children:
                if isinstance(key, str) and _key_facts(key)[0]:
                    raise SpecError(_path((None, node, key, 0), root), CODE_MESSAGE, code="code_not_allowed")
                if isinstance(key, str) and not unstorable:
                    unstorable = bool(_UNSTORABLE.search(key))
        elif isinstance(value, (list, tuple)):
            if depth + 1 < MAX_DEPTH and all(map(_plain_leaf_container, value)):
                continue  # e.g. 50,000 {x, y} points: one pass, nothing pushed
            children = list(enumerate(value))
        else:
            continue
        if depth >= MAX_DEPTH:
            raise SpecError("", "nesting too deep", code="nesting_too_deep")
        stack.extend(
            (child, node, key, depth + 1)
            for key, child in reversed(children)
            if isinstance(child, (str, Mapping, list, tuple))
        )
    return unstorable


def without_unstorable(payload: Any) -> Any:
    """A copy of a payload ``refuse_code`` accepted, with every lone UTF-16 surrogate (valid in
    JSON as ``"\\ud800"``, but not text: no font draws it, UTF-8 and Postgres refuse it) and every
    NUL replaced by U+FFFD in strings and keys, so labels draw, warnings (dotted paths made of the
    client's keys) can be stored as jsonb and specs encode as UTF-8. Recursion is safe:
    ``refuse_code`` bounded the depth."""
    if isinstance(payload, str):
        return _UNSTORABLE.sub("\ufffd", payload)
    if isinstance(payload, Mapping):
        return {without_unstorable(k): without_unstorable(v) for k, v in payload.items()}
    if isinstance(payload, (list, tuple)):
        return [without_unstorable(v) for v in payload]
    return payload


_Node = tuple[Any, Any, Any, int]
_SCALAR_TYPES = frozenset({int, float, bool, type(None)})
_POINT_KEYS = frozenset({"x", "y", "r", "t"})


def _plain_leaf_container(value: Any) -> bool:
    kind = type(value)
    if kind is list:
        return all(type(v) in _SCALAR_TYPES for v in value)
    if kind is dict:
        return value.keys() <= _POINT_KEYS and all(type(v) in _SCALAR_TYPES for v in value.values())
    return False


def _path(node: _Node, root: str) -> str:
    parts: list[tuple[Any, bool]] = []
    while node[1] is not None:
        _, parent, key, _ = node
        parts.append((key, isinstance(parent[0], Mapping)))
        node = parent
    path = root
    for key, is_key in reversed(parts):
        path = join(path, key) if is_key else item(path, key)
    return path


def _key_facts(key: str) -> tuple[bool, str]:
    """(the key itself reads as code, the key without decoration). Short keys repeat a lot (every
    point has an "x"), so they are memoized; long ones are not, so the memo stays small."""
    return _short_key_facts(key) if len(key) <= 64 else _compute_key_facts(key)


def _compute_key_facts(key: str) -> tuple[bool, str]:
    return looks_like_code(key), key.strip().strip("_$@").lower()


_short_key_facts = lru_cache(maxsize=4096)(_compute_key_facts)


def _serialized_function(value: Mapping[Any, Any]) -> bool:
    keys = {_key_facts(k)[1] for k in value if isinstance(k, str)}
    if keys & _FUNCTION_KEYS:
        return True
    if "body" in keys and keys & {"args", "arguments", "params"}:
        return True
    if keys & _FUNCTION_TYPE_KEYS:
        for key, child in value.items():
            if isinstance(key, str) and _key_facts(key)[1] in _FUNCTION_TYPE_KEYS and isinstance(child, str):
                if child.strip().lower() in _FUNCTION_TYPE_VALUES:
                    return True
    return False
