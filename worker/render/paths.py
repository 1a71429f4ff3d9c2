"""Line geometry shared by cartesian lines and radar polygons: runs between nulls, Chart.js's
tension curves as cubic Béziers, fills, dash patterns. All coordinates are device pixels.

Tension uses the classic spline-through-points construction Chart.js uses for
``cubicInterpolationMode: 'default'``: each point gets two control points on the line parallel to
its neighbours' chord, at distances proportional to ``tension`` and to the adjacent segment
lengths. Tension 0 gives straight segments. The curve is emitted as matplotlib ``CURVE4`` path
codes, so it is drawn exactly (no sampling) in raster and vector output alike.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.path import Path

from .canvas import Rect

MOVETO, LINETO, CURVE4, CLOSEPOLY = Path.MOVETO, Path.LINETO, Path.CURVE4, Path.CLOSEPOLY


def runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` index ranges of consecutive True values (nulls break a line)."""
    if valid.size == 0:
        return []
    v = np.concatenate(([False], valid, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(v))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def control_points(pts: np.ndarray, tension: float, closed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Incoming and outgoing control points for each point of ``pts`` (shape (n, 2))."""
    if closed:
        prev = np.roll(pts, 1, axis=0)
        nxt = np.roll(pts, -1, axis=0)
    else:
        prev = np.vstack((pts[:1], pts[:-1]))
        nxt = np.vstack((pts[1:], pts[-1:]))
    d01 = np.hypot(*(pts - prev).T)
    d12 = np.hypot(*(nxt - pts).T)
    total = d01 + d12
    with np.errstate(invalid="ignore", divide="ignore"):
        s01 = np.where(total > 0, d01 / total, 0.0)
        s12 = np.where(total > 0, d12 / total, 0.0)
    chord = nxt - prev
    cin = pts - (tension * s01)[:, None] * chord
    cout = pts + (tension * s12)[:, None] * chord
    return cin, cout


def polyline(
    pts: np.ndarray, tension: float, closed: bool = False, clamp: Rect | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and codes of one run, starting with MOVETO (straight or curved)."""
    n = len(pts)
    if tension <= 0 or n < 3:
        verts = pts if not closed else np.vstack((pts, pts[:1]))
        codes = np.full(len(verts), LINETO, dtype=Path.code_type)
        codes[0] = MOVETO
        return verts, codes
    cin, cout = control_points(pts, tension, closed)
    if clamp is not None:
        # Chart.js caps control points to the chart area so curves never bulge outside it.
        for c in (cin, cout):
            np.clip(c[:, 0], clamp.x0, clamp.x1, out=c[:, 0])
            np.clip(c[:, 1], clamp.y0, clamp.y1, out=c[:, 1])
    segs = n if closed else n - 1
    idx = np.arange(segs)
    nxt = (idx + 1) % n
    verts = np.empty((1 + 3 * segs, 2))
    verts[0] = pts[0]
    verts[1::3] = cout[idx]
    verts[2::3] = cin[nxt]
    verts[3::3] = pts[nxt]
    codes = np.full(len(verts), CURVE4, dtype=Path.code_type)
    codes[0] = MOVETO
    return verts, codes


def reverse(verts: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same open run traversed backwards (first code MOVETO, the rest unchanged in kind)."""
    rv = verts[::-1].copy()
    rc = np.empty_like(codes)
    rc[0] = MOVETO
    rc[1:] = codes[1:][::-1]
    return rv, rc


def join(parts: list[tuple[np.ndarray, np.ndarray]]) -> Path | None:
    if not parts:
        return None
    verts = np.concatenate([p[0] for p in parts])
    codes = np.concatenate([p[1] for p in parts])
    return Path(verts, codes)


def area_to_baseline(
    verts: np.ndarray, codes: np.ndarray, base: float, vertical_values: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Close a run down (or across) to the pixel line ``base`` of the value axis."""
    first, last = verts[0], verts[-1]
    if vertical_values:
        tail = np.array([[last[0], base], [first[0], base], first])
    else:
        tail = np.array([[base, last[1]], [base, first[1]], first])
    return (
        np.vstack((verts, tail)),
        np.concatenate((codes, np.array([LINETO, LINETO, CLOSEPOLY], dtype=Path.code_type))),
    )


def area_between(
    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Polygon running along ``a`` then back along ``b`` (both runs over the same index range)."""
    bv, bc = reverse(*b)
    bc = bc.copy()
    bc[0] = LINETO
    verts = np.vstack((a[0], bv, a[0][:1]))
    codes = np.concatenate((a[1], bc, np.array([CLOSEPOLY], dtype=Path.code_type)))
    return verts, codes


def dash_pattern(
    dash: tuple[float, ...], scale: float, linewidth: float
) -> tuple[float, tuple[float, ...]] | str:
    """A matplotlib linestyle for a CSS ``setLineDash`` array in CSS px."""
    seq = [max(0.0, float(d)) * scale for d in dash]
    if not seq or sum(seq) <= 0:
        return "solid"
    if len(seq) % 2:
        seq = seq * 2  # canvas repeats odd-length dash lists
    if mpl.rcParams["lines.scale_dashes"] and linewidth > 0:
        # matplotlib multiplies dashes by the line width; undo it so lengths stay CSS-exact
        seq = [d / linewidth for d in seq]
    return (0.0, tuple(seq))
