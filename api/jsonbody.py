"""Every JSON request body is read here: bounded before it is parsed, so no body can reach the
parser's recursion limit or Python's 4,300-digit integer limit (both would be a 500).

Limits (documented in docs/limits-and-errors.md):

- nesting: at most ``MAX_DEPTH`` (32) arrays/objects inside each other, as the README promises
  for chart specifications; deeper is 400 ``nesting_too_deep``;
- numbers: at most ``MAX_NUMBER_CHARS`` characters per number (a double needs about 25; 400 digits
  is already far past the largest finite double); longer is 400 ``number_too_long``.

Both are checked on the raw bytes (string literals blanked out when it matters) with C-level byte
operations, no Python loop per byte and no regular expression scan of the whole body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import orjson

from api.errors import ApiError

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 400

_ESCAPE = re.compile(rb"\\.", re.DOTALL)  # a backslash and the character it escapes
# What the bounds read of a body: the quotes and brackets (string contents blanked out), and runs
# of number characters (or of digits), each turned into a run of "0" so that a long one is a
# substring search away. All of it bytes.translate/replace/find in C: on a 5,000-point body about a
# tenth of what a regular expression scan or a split per quote cost.
_NOT_QUOTE_OR_BRACKET = bytes(b for b in range(256) if b not in b'"[]{}')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_NUMBER_RUNS = bytes(0x30 if b in b"-+0123456789.eE" else 0x20 for b in range(256))
_DIGIT_RUNS = bytes(0x30 if b in b"0123456789" else 0x20 for b in range(256))
# Twenty digits in a row: maybe an integer past 64 bits, which orjson would read as a float.
_WIDE = b"0" * 20
_TOO_LONG = b"0" * (MAX_NUMBER_CHARS + 1)


def blank_strings(raw: bytes) -> bytes:
    """``raw`` with every string literal emptied (``"a[b"`` becomes ``""``): once escapes are
    dropped, string contents are exactly the pieces between odd and even quotes. Exact for valid
    JSON; for anything else the parser reports the error."""
    return b'""'.join(_unescaped(raw).split(b'"')[0::2])


def structure_of(raw: bytes) -> bytes:
    """What ``blank_strings`` leaves of ``raw``, reduced to its quotes and brackets, without a split
    per string: removing a pair of adjacent quotes keeps every bracket on its side of them, so the
    strings without brackets (nearly all) go in one ``replace``, and only the rest are split."""
    reduced = _unescaped(raw).translate(None, _NOT_QUOTE_OR_BRACKET).replace(b'""', b"")
    return b'""'.join(reduced.split(b'"')[0::2]) if b'"' in reduced else reduced


def _unescaped(raw: bytes) -> bytes:
    return _ESCAPE.sub(b"", raw) if b"\\" in raw else raw


def nesting_depth_exceeds(structure: bytes, limit: int) -> bool:
    """Whether the brackets of ``structure`` (strings already blanked) nest deeper than ``limit``.
    Each pass removes the innermost empty pairs, i.e. one level (a pair is marked first, so one that
    its removal would form waits for the next pass); brackets that never pair up are malformed JSON
    and are left to the parser to report."""
    brackets = structure.translate(None, _NOT_BRACKET)
    for _ in range(limit):
        if not brackets:
            return False
        reduced = brackets.replace(b"[]", b".").replace(b"{}", b".").replace(b".", b"")
        if reduced == brackets:
            return False  # unbalanced: malformed, the parser says where
        brackets = reduced
    return b"[]" in brackets or b"{}" in brackets


def check_bounds(raw: bytes) -> None:
    """Raise 400 when ``raw`` nests too deep or carries an over-long number."""
    # Fast path, exact: no more opening brackets than the depth allows (brackets inside strings
    # only add to the count) and no long run of number characters anywhere (strings included).
    long_run = _has_long_number(raw)
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH and not long_run:
        return
    if nesting_depth_exceeds(structure_of(raw), MAX_DEPTH):
        raise _too_deep()
    if long_run and _has_long_number(blank_strings(raw)):  # rare: is the long run a number?
        raise _too_long()


def _has_long_number(data: bytes) -> bool:
    return _TOO_LONG in data.translate(_NUMBER_RUNS)


def _refused(code: str, message: str, **limit: int) -> ApiError:
    """A 400 about the body as a whole, with its machine-readable ``code`` and the limit it broke."""
    return ApiError(400, message, field="body", code=code, **limit)


def _too_deep() -> ApiError:
    return _refused(
        "nesting_too_deep", f"The JSON body nests deeper than {MAX_DEPTH} levels", maxDepth=MAX_DEPTH
    )


def _too_long() -> ApiError:
    message = f"The JSON body has a number longer than {MAX_NUMBER_CHARS} characters"
    return _refused("number_too_long", message, maxNumberLength=MAX_NUMBER_CHARS)


def parse_json(raw: bytes, *, parse_float: Callable[[str], Any] | None = None) -> Any:
    """``raw`` parsed, or ApiError(400) naming the body; never RecursionError or ValueError."""
    check_bounds(raw)
    if parse_float is None and _WIDE not in raw.translate(_DIGIT_RUNS):
        # orjson first (several times faster on a 5,000-point body); whatever it refuses (NaN and
        # Infinity literals, lone surrogate escapes, UTF-16 bodies, a BOM, malformed JSON) goes
        # through the standard parser below, as do bodies that may hold integers past 64 bits
        # (orjson reads them as floats), so what is accepted, how it reads and the error messages
        # stay the standard library's.
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw, parse_float=parse_float)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"Malformed JSON in the request body: {exc}", field="body") from exc
    except RecursionError as exc:  # unbalanced brackets the pre-check left to the parser
        raise _too_deep() from exc
    except ValueError as exc:  # Python's integer-digits limit; the pre-check makes it unreachable
        raise _too_long() from exc
