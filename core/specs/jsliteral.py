"""Chart configurations written as JavaScript object literals, read as data and never run.

QuickChart URLs mostly carry configs such as ``{type:'bar', data:{labels:['a','b',], ...}}`` (keys
without quotes, single-quoted strings, trailing commas, comments): that is JSON5, read here by
``pyjson5``. Strict JSON takes the standard library's faster path first.

Code is refused with the path of the option that holds it, before any of it could matter:

* functions (``function (...) {...}``, ``(a) => ...``) name the declarative option to use instead;
* ``new Date(...)``, ``Chart.helpers.color(...)``, ``Math.PI`` and any other expression are
  refused as expressions (write the value itself).

How: when the text is not plain JSON5, a small scanner walks it (skipping strings and comments)
and replaces each expression found where a value belongs with a marked string, so the JSON5 parser
sees plain data; the parsed value is then walked for those marks, which yields the field path.
Strings that merely look like code are then checked by ``safety.refuse_code`` as for every other
dialect.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

import pyjson5

from core.specs.errors import SpecError
from core.specs.safety import CODE_MESSAGE, MAX_DEPTH, refuse_code
from core.specs.values import item, join

CODE = "code_not_allowed"
_MARK = "\u0000chartfleet-js\u0000"
_LITERAL_WORDS = frozenset({"true", "false", "null", "Infinity", "NaN"})
_IDENT_START = re.compile(r"[A-Za-z_$\u00a0-\uffff]")
_IDENT = re.compile(r"[A-Za-z0-9_$\u00a0-\uffff]+")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_SNIPPET = 60
_CLOSERS = {"(": ")", "[": "]", "{": "}"}

# Where a function usually sits, and the option that does the same job without code.
_INSTEAD: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"ticks\.callback$|ticks\.userCallback$"),
        "format ticks with options.plugins.tickFormat (locale, style, currency, prefix, suffix, "
        "minimumFractionDigits, maximumFractionDigits)",
    ),
    (
        re.compile(r"datalabels(\.[^.]+)*\.formatter$"),
        "format data labels with options.plugins.tickFormat and applyToDataLabels: true, or datalabels' "
        "own display/anchor/align/color/font options",
    ),
    (re.compile(r"tooltips?\b"), "tooltips are not drawn in an image: remove the callback"),
    (
        re.compile(r"legend\.labels\.(generateLabels|filter|sort)$"),
        "set the legend text with each dataset's label (or hide a dataset from the legend with "
        "options.plugins.legend.display)",
    ),
    (
        re.compile(r"(?:^|\.)(on[A-Z]\w*|animation(\.[^.]+)*)$"),
        "events and animations do nothing in an image: remove it",
    ),
    (
        re.compile(r"(?i)colou?r$"),
        "give the colour itself, or an array with one colour per data point",
    ),
)
_DEFAULT_INSTEAD = "write the value itself (a number, string, colour or array)"


def parse_config(text: str, path: str) -> Any:
    """Decode a chart config given as JSON or as a JavaScript object literal (JSON5). Raises
    ``SpecError`` naming ``path`` (or the option inside it) for syntax errors and for code."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise SpecError(path, "nesting too deep", code="nesting_too_deep") from None
    except ValueError:
        value = _parse_json5(text, path)
    check_data(value, path)
    return value


def check_data(value: Any, path: str) -> None:
    """Refuse code in an already-decoded config: expressions marked by the scanner, non-finite
    numbers, and strings that read as functions (``safety``), each reported with its path."""
    _find_marks(value, path)
    try:
        refuse_code(value, path)
    except SpecError as exc:
        if exc.code != CODE:
            raise
        raise SpecError(exc.field, f"{CODE_MESSAGE}: {instead(exc.field)}", code=CODE) from None


def instead(field: str) -> str:
    """The declarative option that replaces a function found at ``field``."""
    for pattern, advice in _INSTEAD:
        if pattern.search(field):
            return advice
    return _DEFAULT_INSTEAD


def _parse_json5(text: str, path: str) -> Any:
    try:
        return pyjson5.loads(text)  # plain data: no scan needed
    except pyjson5.Json5NestingTooDeep:
        raise SpecError(path, "nesting too deep", code="nesting_too_deep") from None
    except pyjson5.Json5Exception:
        pass
    masked = _mask_expressions(text)  # code somewhere, or a syntax error: find which, and where
    try:
        return pyjson5.loads(masked)
    except pyjson5.Json5NestingTooDeep:
        raise SpecError(path, "nesting too deep", code="nesting_too_deep") from None
    except pyjson5.Json5Exception as exc:
        reason = str(exc.args[0]) if exc.args else "syntax error"
        raise SpecError(
            path,
            f"is neither JSON nor a JavaScript object literal ({reason[:120]}); write the chart as data: "
            "quoted or plain keys, strings, numbers, arrays and objects",
        ) from None


def _find_marks(value: Any, root: str) -> None:
    stack: list[tuple[Any, str, int]] = [(value, root, 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if node.startswith(_MARK):
                raise _expression_error(node[len(_MARK) :], path)
            continue
        if isinstance(node, float) and not math.isfinite(node):
            raise SpecError(path, f"must be a finite number, got {node}")
        if depth > MAX_DEPTH:
            raise SpecError("", "nesting too deep", code="nesting_too_deep")
        if isinstance(node, Mapping):
            stack.extend((v, join(path, k), depth + 1) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            if all(type(v) is int or (type(v) is float and math.isfinite(v)) for v in node):
                continue  # plain numbers (data arrays): nothing to report
            stack.extend((v, item(path, i), depth + 1) for i, v in reversed(list(enumerate(node))))


def _expression_error(source: str, path: str) -> SpecError:
    shown = source if len(source) <= _SNIPPET else source[: _SNIPPET - 3] + "..."
    if _is_function(source):
        return SpecError(path, f"{CODE_MESSAGE}: {instead(path)}", code=CODE)
    if re.match(r"new\s+Date\b", source):
        advice = "write the date as text (ISO 8601, e.g. '2024-01-31') or a number of milliseconds"
    elif source.startswith("new"):
        advice = "write the value itself"
    else:
        advice = instead(path) if re.search(r"(?i)colou?r$", path) else _DEFAULT_INSTEAD
    return SpecError(
        path,
        f"`{shown}` is a JavaScript expression; Chartfleet never evaluates code from a spec: {advice}",
        code=CODE,
    )


def _is_function(source: str) -> bool:
    return bool(re.match(r"(async\s+)?function\b", source)) or "=>" in _outside_strings(source)


def _outside_strings(source: str) -> str:
    out, i = [], 0
    while i < len(source):
        ch = source[i]
        if ch in "'\"`":
            i = _skip_string(source, i)
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# --- the scanner ---------------------------------------------------------------------------------


def _mask_expressions(text: str) -> str:
    """``text`` with each expression in a value position replaced by a marked JSON string."""
    out: list[str] = []
    containers: list[str] = []
    prev = ""  # the last significant character outside strings and comments
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n\u00a0\ufeff\u2028\u2029":
            out.append(ch)
            i += 1
            continue
        if text.startswith("//", i) or text.startswith("/*", i):
            end = _skip_comment(text, i)
            out.append(text[i:end])
            i = end
            continue
        value_position = prev in ("", ":", ",", "[") and not (prev == "," and _in_object(containers))
        if ch in "'\"":
            end = _skip_string(text, i)
            out.append(text[i:end])
            i, prev = end, '"'
            continue
        if ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit()):
            match = _NUMBER.match(text, i)
            end = match.end() if match else i + 1
            out.append(text[i:end])
            i, prev = end, "0"
            continue
        if _IDENT_START.match(ch):
            word = _IDENT.match(text, i)
            end = word.end() if word else i + 1
            name = text[i:end]
            if (prev in ("{", ",") and _in_object(containers) and _next_significant(text, end) == ":") or (
                name in _LITERAL_WORDS
            ):
                out.append(name)
                i, prev = end, "a"
                continue
        if value_position and (_IDENT_START.match(ch) or ch in "(`"):
            end = _expression_end(text, i)
            source = text[i:end].strip()
            if out and out[-1] in ("-", "+"):  # a sign in front of the expression belongs to it
                out.pop()
            out.append(json.dumps(_MARK + source))
            i, prev = end, '"'
            continue
        if ch in "+-" and value_position:
            out.append(ch)  # a sign: the value is still to come
            i += 1
            continue
        if ch in "{[":
            containers.append(ch)
        elif ch in "}]" and containers:
            containers.pop()
        out.append(ch)
        prev = ch
        i += 1
    return "".join(out)


def _in_object(containers: list[str]) -> bool:
    return bool(containers) and containers[-1] == "{"


def _next_significant(text: str, i: int) -> str:
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("//", i) or text.startswith("/*", i):
            i = _skip_comment(text, i)
        else:
            return text[i]
    return ""


def _skip_comment(text: str, i: int) -> int:
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    end = text.find("*/", i + 2)
    return len(text) if end < 0 else end + 2


def _skip_string(text: str, i: int) -> int:
    quote, i, n = text[i], i + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        i += 1
        if ch == quote:
            return i
    return n


def _expression_end(text: str, i: int) -> int:
    """Where an expression that starts at ``i`` ends: at the first ``,``, ``}`` or ``]`` outside
    its own brackets, strings and comments (so a function body or call arguments stay inside)."""
    depth, n = [], len(text)
    while i < n:
        ch = text[i]
        if ch in "'\"`":
            i = _skip_string(text, i)
            continue
        if text.startswith("//", i) or text.startswith("/*", i):
            i = _skip_comment(text, i)
            continue
        if ch in _CLOSERS:
            depth.append(_CLOSERS[ch])
        elif ch in ")]}":
            if not depth:
                return i
            if ch == depth[-1]:
                depth.pop()
        elif ch == "," and not depth:
            return i
        i += 1
    return n
