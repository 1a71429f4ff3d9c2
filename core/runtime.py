"""Process-level tuning of the service processes (the api's gunicorn workers, the render workers).

Python's cyclic garbage collector runs a young-generation pass every 700 net allocations, and an
old-generation pass, which walks every tracked object of the process, every hundred of those. A
render request allocates tens of thousands of small objects (a 5,000-point scatter alone makes
5,000 points and 5,000 dicts to store them), so the collector ran several times per request and
walked the whole heap (the app, matplotlib, fonts) again and again: about a fifth of the api's CPU
per job (docs/benchmarks.md). ``tune_gc``, called once in each process after it has loaded
everything it serves with, moves those long-lived objects out of the collector's reach
(``gc.freeze``: they are never collected anyway, and a forked child no longer touches, and so
copies, their pages) and makes young passes rarer. Garbage is still collected: cycles a request
leaves behind go at the next young pass, a few thousand allocations later than before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import time


def tune_gc(gen0_threshold: int) -> None:
    """Freeze what is loaded now; ``gen0_threshold`` allocations between young passes (0 keeps
    Python's default). Call it once per process, after the imports and the app are loaded."""
    gc.collect()
    gc.freeze()
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)


# Every this many tasks a render worker child hands its heap's free pages back to the system.
TRIM_EVERY = 100


def _load_trim():
    """glibc's ``malloc_trim``, or None elsewhere (musl, macOS): then trimming is a no-op."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_malloc_trim = _load_trim()
_tasks = 0
trim_seconds = 0.0  # time spent trimming in this process (the memory benchmark reports it)


def trim_heap_every(tasks: int = TRIM_EVERY) -> None:
    """Count one task; every ``tasks`` tasks, ``malloc_trim(0)``. A render frees most of what it
    allocated, but glibc keeps the freed pages inside its heap, scattered among live blocks, so a
    child's resident memory crept up by a few hundred KiB per 1,000 renders with no live object
    growing (docs/benchmarks.md, "Memory"). The trim returns those pages; it takes a few
    milliseconds, once per ``tasks`` tasks."""
    global _tasks, trim_seconds
    _tasks += 1
    if _malloc_trim is None or tasks <= 0 or _tasks % tasks:
        return
    started = time.perf_counter()
    _malloc_trim(0)
    trim_seconds += time.perf_counter() - started
