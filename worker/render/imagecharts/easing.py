"""The animation easings Image-Charts documents (Robert Penner's equations, as Chart.js uses them)
and the frame schedule of an animated GIF.

Each family is written once as its "in" curve; "out" and "inOut" are derived from it (bounce is
written as its "out" curve, the way it is usually defined). Easings map time 0..1 to progress;
elastic and back curves overshoot (progress beyond 0..1), which the renderers draw as such.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from core.specs.imagecharts.style import Animation

Easing = Callable[[float], float]
FRAME_MS = 40  # 25 frames per second: smooth, and GIF delays below 20 ms are slowed down by browsers
MIN_DELAY_MS = 20
LAST_FRAME_MS = 1000  # the animation plays once; this only matters to viewers that loop anyway

_BACK = 1.70158


def _in_elastic(t: float) -> float:
    if t <= 0 or t >= 1:
        return max(0.0, min(1.0, t))
    period = 0.3
    return -(2 ** (10 * (t - 1))) * math.sin((t - 1 - period / 4) * 2 * math.pi / period)


def _out_bounce(t: float) -> float:
    if t < 1 / 2.75:
        return 7.5625 * t * t
    if t < 2 / 2.75:
        t -= 1.5 / 2.75
        return 7.5625 * t * t + 0.75
    if t < 2.5 / 2.75:
        t -= 2.25 / 2.75
        return 7.5625 * t * t + 0.9375
    t -= 2.625 / 2.75
    return 7.5625 * t * t + 0.984375


_IN: dict[str, Easing] = {
    "Quad": lambda t: t**2,
    "Cubic": lambda t: t**3,
    "Quart": lambda t: t**4,
    "Quint": lambda t: t**5,
    "Sine": lambda t: 1 - math.cos(t * math.pi / 2),
    "Expo": lambda t: 0.0 if t <= 0 else 2 ** (10 * (t - 1)),
    "Circ": lambda t: 1 - math.sqrt(max(0.0, 1 - t * t)),
    "Elastic": _in_elastic,
    "Back": lambda t: t * t * ((_BACK + 1) * t - _BACK),
    "Bounce": lambda t: 1 - _out_bounce(1 - t),
}


def _out(ease_in: Easing) -> Easing:
    return lambda t: 1 - ease_in(1 - t)


def _in_out(ease_in: Easing) -> Easing:
    return lambda t: ease_in(2 * t) / 2 if t < 0.5 else 1 - ease_in(2 - 2 * t) / 2


EASINGS: dict[str, Easing] = {}
for _name, _curve in _IN.items():
    EASINGS[f"easeIn{_name}"] = _curve
    EASINGS[f"easeOut{_name}"] = _out_bounce if _name == "Bounce" else _out(_curve)
    EASINGS[f"easeInOut{_name}"] = _in_out(_curve)


def schedule(animation: Animation, max_steps: int | None = None) -> tuple[list[float], list[int]]:
    """(progress per frame, delay per frame in ms): frames every ``FRAME_MS`` (fewer, and longer,
    when ``max_steps`` says so) from the empty start to the finished chart, which stays (the GIF
    plays once)."""
    ease = EASINGS[animation.easing]
    steps = round(animation.duration_ms / FRAME_MS)
    if max_steps is not None:
        steps = min(steps, max_steps)
    if steps < 1:
        return [1.0], [LAST_FRAME_MS]
    delay = max(MIN_DELAY_MS, round(animation.duration_ms / steps / 10) * 10)
    progress = [ease(k / steps) for k in range(steps)] + [1.0]
    return progress, [delay] * steps + [LAST_FRAME_MS]
