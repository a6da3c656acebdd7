"""The figures' shared style: one palette, one figure factory and a few small helpers.

Figures are built without :mod:`matplotlib.pyplot`, so a notebook shows a figure only where it
glues it, on an opaque white background, so that it reads in the website's light and dark
themes. The colours are Paul Tol's colour-blind-safe schemes: "muted" for the groups (each
school or trial keeps its colour in every figure) and "vibrant" for chains and other series.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

#: One colour per group (school or trial), in data order; repeats after nine groups.
GROUP_COLORS = ("#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99",
                "#999933", "#AA4499")
#: One colour per chain, or per any other series that is not a group (at most six).
CHAIN_COLORS = ("#0077BB", "#EE7733", "#009988", "#CC3311", "#33BBEE", "#EE3377")
GREY = "#555555"  #: pooled and population-level quantities, reference lines
EXACT = "#000000"  #: the exact posterior
APPROX = CHAIN_COLORS[1]  #: an approximation or a reference curve, drawn dashed
PALE = "#BBCCEE"  #: histograms of draws

EFFECT_LABEL = "effect on SAT-V score (points)"
MU_LABEL = r"$\mu = \lambda_1$ (points)"
TAU_LABEL = r"$\tau$ (points)"
LOG_TAU_LABEL = r"$\log\tau = \lambda_2$ ($\tau$ in points)"


def group_color(j: int) -> str:
    """Return the colour of group ``j`` (0-based)."""
    return GROUP_COLORS[j % len(GROUP_COLORS)]


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (6.4, 4.0),
               grid: str | None = "both") -> tuple[Figure, np.ndarray]:
    """Create an opaque white figure and its axes, a 2-D array, each with a light grid.

    Parameters
    ----------
    nrows, ncols : int
    figsize : (float, float)
        Width and height (inches).
    grid : {"both", "x", "y", None}
        Which grid lines to draw behind the data.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : numpy.ndarray of matplotlib.axes.Axes, shape (nrows, ncols)

    Examples
    --------
    >>> fig, axes = new_figure(1, 2)
    >>> axes.shape, fig.get_facecolor()
    ((1, 2), (1.0, 1.0, 1.0, 1.0))
    """
    fig = Figure(figsize=figsize, layout="constrained", facecolor="white")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.flat:
        ax.set_facecolor("white")
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
    """Write each group's name right of its line's end ``(x, ends[j])``, moved apart if close."""
    ends = np.asarray(ends, dtype=float)
    lo, hi = ax.get_ylim()
    heights = np.empty_like(ends)
    last = -np.inf
    for j in np.argsort(ends, kind="stable"):
        last = max(ends[j], last + 0.045 * (hi - lo))
        heights[j] = last
    heights -= np.mean(heights - ends)  # centre the block, so that it does not drift upwards
    for j, name in enumerate(names):
        ax.annotate(str(name), (x, ends[j]), xytext=(4, heights[j]),
                    textcoords=("offset points", "data"), va="center", fontsize="small",
                    color=group_color(j), fontweight="bold", annotation_clip=False)
