"""The figures' shared style: one palette, one size, one figure factory and a few small helpers.

Figures are built without :mod:`matplotlib.pyplot`, so a notebook shows a figure only where it
glues it, on an opaque white background, so that it reads in the website's light and dark
themes. Every colour has a contrast of at least 3:1 against it (WCAG 2.1): Paul Tol's
colour-blind-safe schemes, light colours darkened, "muted" for groups (each school or trial keeps
its colour and marker in every figure) and "vibrant" for other series. Every figure is
:data:`WIDTH` wide, with matplotlib's default 10-point text and nothing smaller: 9 px on a phone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

#: One colour per group (school or trial), in data order; repeats after nine groups.
GROUP_COLORS = ("#D06070", "#332288", "#9A7A00", "#117733", "#2277BB", "#882255", "#30A090",
                "#666600", "#AA4499")
#: One marker per group, so that groups differ by more than colour; repeats after thirteen.
GROUP_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h", "p", "*", "d")
#: One colour per chain, or per any other series that is not a group (at most six).
CHAIN_COLORS = ("#0077BB", "#EC671B", "#009988", "#CC3311", "#332288", "#EE3377")
GREY = "#555555"  #: pooled and population-level quantities, reference lines
EXACT = "#000000"  #: the exact posterior
APPROX = CHAIN_COLORS[1]  #: an approximation or a reference curve, drawn dashed
PALE = "#BBCCEE"  #: the fill of histograms of draws (a fill: outlined where it carries data)

WIDTH = 5.0  #: the width of every figure (inches): 500 px at the book's 100 dpi
SMALL = 10.0  #: matplotlib's default font size (points): the smallest text of every figure

EFFECT_LABEL = "effect on SAT-V score (points)"
MU_LABEL = r"$\mu = \lambda_1$ (points)"
TAU_LABEL = r"$\tau$ (points)"
LOG_TAU_LABEL = r"$\log\tau = \lambda_2$ ($\tau$ in points)"


def group_color(j: int) -> str:
    """Return the colour of group ``j`` (0-based)."""
    return GROUP_COLORS[j % len(GROUP_COLORS)]


def group_marker(j: int) -> str:
    """Return the marker of group ``j`` (0-based)."""
    return GROUP_MARKERS[j % len(GROUP_MARKERS)]


def new_figure(nrows: int = 1, ncols: int = 1, *, height: float = 3.6,
               grid: str | None = "both") -> tuple[Figure, np.ndarray]:
    """Create an opaque white figure :data:`WIDTH` wide and its axes, each with a light grid.

    Parameters
    ----------
    nrows, ncols : int
    height : float
        The figure's height (inches).
    grid : {"both", "x", "y", None}
        Which grid lines to draw behind the data.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : numpy.ndarray of matplotlib.axes.Axes, shape (nrows, ncols)

    Examples
    --------
    >>> fig, axes = new_figure(1, 2)
    >>> axes.shape, fig.get_facecolor(), float(fig.get_figwidth())
    ((1, 2), (1.0, 1.0, 1.0, 1.0), 5.0)
    """
    fig = Figure(figsize=(WIDTH, height), layout="constrained", facecolor="white")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_facecolor("white")
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_wrap(True)  # a long label breaks at the figure's edge
        if grid:
            ax.grid(axis=grid, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
    return fig, axes


def checked(values: ArrayLike, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``values`` as a float array, or raise a ValueError if its shape is not ``shape``."""
    arr = np.asarray(values, dtype=float)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}; got {arr.shape}")
    return arr


def density_histogram(ax: Axes, draws: ArrayLike, lo: float, hi: float, bins: int = 40,
                      **style: object) -> None:
    """Histogram of ``draws`` over ``[lo, hi]``: its area is the share of draws inside."""
    x = np.ravel(draws)
    edges = np.linspace(lo, hi, bins + 1)
    ax.hist(x, bins=edges, weights=np.full(x.size, bins / ((hi - lo) * x.size)), **style)


def label_ends(ax: Axes, x: float, ends: ArrayLike, names: Sequence[str]) -> None:
    """Write each group's name right of, and joined to, its line's end ``(x, ends[j])``."""
    ends = np.asarray(ends, dtype=float)
    lo, hi = ax.get_ylim()
    gap = (hi - lo) * 1.2 * SMALL / (ax.bbox.height * 72.0 / ax.figure.dpi)
    heights = np.empty_like(ends)
    last = -np.inf
    for j in np.argsort(ends, kind="stable"):
        last = max(ends[j], last + gap)  # 1.2 lines apart at least
        heights[j] = last
    heights -= np.mean(heights - ends)  # centre the block, so that it does not drift upwards
    for j, name in enumerate(names):
        ax.annotate(str(name), (x, ends[j]), xytext=(9, heights[j]),
                    textcoords=("offset points", "data"), va="center", fontsize=SMALL,
                    color=group_color(j), fontweight="bold", annotation_clip=False,
                    arrowprops={"arrowstyle": "-", "color": group_color(j), "lw": 0.8})
