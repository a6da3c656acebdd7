"""The book's figures: one function each, returning a :class:`matplotlib.figure.Figure`.

The functions only draw: every number they show is computed elsewhere in the package and passed
in. Figures are built without :mod:`matplotlib.pyplot` (so a notebook shows a figure only where it
asks to), on an opaque white background (so they read in the website's light and dark themes),
with each school in the same colour-blind-safe colour in every chapter (Paul Tol's "muted"
palette).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

__all__ = ["GROUP_COLORS", "forest", "group_color", "new_figure"]

#: Colour-blind-safe colours (Paul Tol's "muted" scheme), one per group in data order.
GROUP_COLORS: tuple[str, ...] = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)

#: Colour for pooled or population-level quantities.
POOLED_COLOR = "#555555"


def group_color(j: int) -> str:
    """Return the colour of group ``j`` (0-based); the palette repeats after nine groups.

    Examples
    --------
    >>> group_color(0)
    '#CC6677'
    """
    return GROUP_COLORS[j % len(GROUP_COLORS)]


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] = (6.4, 4.0),
               **subplot_kw: object) -> tuple[Figure, np.ndarray]:
    """Create an opaque figure and its axes (always a 2-D array of :class:`~matplotlib.axes.Axes`).

    Examples
    --------
    >>> fig, axes = new_figure(1, 2)
    >>> axes.shape, fig.get_facecolor()
    ((1, 2), (1.0, 1.0, 1.0, 1.0))
    """
    fig = Figure(figsize=figsize, layout="constrained", facecolor="white")
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw=subplot_kw or None)
    for ax in axes.flat:
        ax.set_facecolor("white")
    return fig, axes


def _label_axes(ax: Axes, xlabel: str, ylabel: str = "") -> None:
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def forest(
    names: Sequence[str],
    estimate: ArrayLike,
    lower: ArrayLike,
    upper: ArrayLike,
    *,
    pooled: tuple[float, float, float] | None = None,
    xlabel: str = "effect on SAT-V score (points)",
    title: str = "",
) -> Figure:
    """Draw a forest plot: each group's estimate with its interval, one row per group.

    Parameters
    ----------
    names : sequence of str
        Group names, drawn on the vertical axis (first group at the top).
    estimate, lower, upper : array_like, shape (J,)
        Point estimates and interval ends.
    pooled : (mean, lower, upper), optional
        A pooled estimate and its interval, drawn as a grey band and a line across all rows.
    xlabel, title : str, optional
        Axis label (with units) and title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = forest(["A", "B"], [1.0, 2.0], [0.0, 1.0], [2.0, 3.0])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'B']
    """
    est = np.asarray(estimate, dtype=float)
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    n = len(names)
    if not est.shape == lo.shape == hi.shape == (n,):
        raise ValueError(
            f"names, estimate, lower and upper must have one entry per group; got {n} names "
            f"and shapes {est.shape}, {lo.shape}, {hi.shape}"
        )
    fig, axes = new_figure(figsize=(6.4, 0.45 * n + 1.4))
    ax = axes[0, 0]
    rows = np.arange(n)[::-1]
    if pooled is not None:
        mean, plo, phi = pooled
        ax.axvspan(plo, phi, color=POOLED_COLOR, alpha=0.15, lw=0, label="pooled 95% interval")
        ax.axvline(mean, color=POOLED_COLOR, lw=1.2, ls="--", label="pooled estimate")
    ax.axvline(0.0, color="black", lw=0.8)
    for j in range(n):
        c = group_color(j)
        ax.plot([lo[j], hi[j]], [rows[j], rows[j]], color=c, lw=2.5, solid_capstyle="butt")
        ax.plot(est[j], rows[j], "o", color=c, ms=7, mec="black", mew=0.6)
    ax.set_yticks(rows, list(names))
    ax.set_ylim(-0.7, n - 0.3)
    _label_axes(ax, xlabel)
    if title:
        ax.set_title(title)
    if pooled is not None:
        fig.legend(loc="outside lower center", ncols=2, fontsize="small", frameon=False)
    return fig
