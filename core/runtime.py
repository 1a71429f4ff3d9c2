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

import gc


def tune_gc(gen0_threshold: int) -> None:
    """Freeze what is loaded now; ``gen0_threshold`` allocations between young passes (0 keeps
    Python's default). Call it once per process, after the imports and the app are loaded."""
    gc.collect()
    gc.freeze()
    if gen0_threshold > 0:
        _, gen1, gen2 = gc.get_threshold()
        gc.set_threshold(gen0_threshold, gen1, gen2)
