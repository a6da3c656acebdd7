"""Figures of the data: each group's estimate :math:`y_j` with its 95% interval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.figures import style
from eightschools.figures.style import GREY, checked, group_color, new_figure


def forest(
    names: Sequence[str], estimate: ArrayLike, lower: ArrayLike, upper: ArrayLike, *,
    pooled: tuple[float, float, float] | None = None, xlabel: str | None = None,
    title: str = "",
) -> Figure:
    """Forest plot: each group's estimate with its interval, one row per group.

    Parameters
    ----------
    names : sequence of str
        Group names, first group at the top.
    estimate, lower, upper : array_like, shape (J,)
        Point estimates and interval ends.
    pooled : (mean, lower, upper), optional
        A pooled estimate (dashed line) and its interval (grey band).
    xlabel : str, optional
        By default ``style.EFFECT_LABEL``.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = forest(["A", "B"], [1.0, 2.0], [0.0, 1.0], [2.0, 3.0], pooled=(1.5, 1.0, 2.0))
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'B']
    """
    n = len(names)
    est, lo, hi = (checked(a, k, (n,)) for a, k in
                   ((estimate, "estimate"), (lower, "lower"), (upper, "upper")))
    fig, axes = new_figure(height=0.45 * n + 1.6, grid="x")
    ax = axes[0, 0]
    rows = np.arange(n)[::-1]
    if pooled is not None:
        ax.axvspan(pooled[1], pooled[2], color=GREY, alpha=0.15, lw=0, label="pooled 95% interval")
        ax.axvline(pooled[0], color=GREY, lw=1.2, ls="--", label="pooled estimate")
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    ax.axvline(0.0, color="black", lw=0.8)
    for j in range(n):
        ax.plot([lo[j], hi[j]], [rows[j]] * 2, color=group_color(j), lw=2.5, solid_capstyle="butt")
        ax.plot(est[j], rows[j], "o", color=group_color(j), ms=7, mec="black", mew=0.6)
    ax.set(yticks=rows, yticklabels=names, ylim=(-0.7, n - 0.3), title=title,
           xlabel=style.EFFECT_LABEL if xlabel is None else xlabel)
    return fig


def _label_points(ax: Axes, xs: np.ndarray, ys: np.ndarray, labels: Sequence[str]) -> None:
    """Write each label beside its point, at the first of six places clear of earlier labels."""
    scale = 72.0 / ax.figure.dpi  # pixels to points
    boxes: list[tuple[float, float, float, float]] = []
    for x, y, label in zip(xs, ys, labels, strict=True):
        px, py = ax.transData.transform((x, y)) * scale
        width = 0.6 * style.SMALL * len(label)
        for dx, dy in [(5, 2), (5, -13), (-6, 2), (-6, -13), (5, 15), (5, -26), (5, 2)]:
            x0 = px + dx if dx > 0 else px + dx - width
            box = (x0, py + dy, x0 + width, py + dy + style.SMALL)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in boxes):
                break  # if none is free: the last place, which is the first again
        boxes.append(box)
        ax.annotate(label, (x, y), xytext=(dx, dy), textcoords="offset points", color="#333333",
                    fontsize=style.SMALL, ha="left" if dx > 0 else "right", va="bottom")


def effect_vs_covariate(
    x: ArrayLike, y: ArrayLike, sigma: ArrayLike, names: Sequence[str], *,
    line: tuple[float, float] | None = None, xlabel: str = "absolute latitude (degrees)",
    ylabel: str = "log relative risk",
) -> Figure:
    r"""Each group's estimate :math:`y_j \pm 1.96\,\sigma_j` against a covariate :math:`x_j`.

    Parameters
    ----------
    x, y, sigma : array_like, shape (J,)
        The covariate, the estimates and their standard errors.
    names : sequence of str
        Group names, beside the points (their colours' and markers') if of at most three
        characters, else numbered there and listed below.
    line : (intercept, slope), optional
        A fitted line :math:`a + b x`, drawn dashed.
    xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = effect_vs_covariate([10, 40], [0.0, -1.0], [0.1, 0.2], ["a", "b"], line=(0.3, -0.03))
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['a', 'b']
    """
    n = len(names)
    xs, ys, ss = (checked(a, k, (n,)) for a, k in ((x, "x"), (y, "y"), (sigma, "sigma")))
    short = max(len(name) for name in names) <= 3
    fig, axes = new_figure(height=4.4 + (0.0 if short else 0.11 * n))
    ax = axes[0, 0]
    ax.axhline(0.0, color="black", lw=0.8)
    span = float(np.ptp(xs)) or 1.0
    if line is not None:
        grid = np.linspace(xs.min() - 0.05 * span, xs.max() + 0.05 * span, 50)
        ax.plot(grid, line[0] + line[1] * grid, color=GREY, ls="--", lw=1.2,
                label="weighted least-squares line")
        ax.legend(frameon=False, loc="lower left")
    for j in range(n):
        ax.errorbar(xs[j], ys[j], yerr=1.96 * ss[j], fmt=style.group_marker(j), lw=1.5,
                    color=group_color(j), mec="black", mew=0.6, ms=7)
    ax.set(xlim=(xs.min() - 0.15 * span, xs.max() + 0.15 * span), xlabel=xlabel, ylabel=ylabel)
    labels = list(names) if short else [str(j + 1) for j in range(n)]
    _label_points(ax, xs, ys, labels)  # after the limits, which place the labels
    if not short:  # a key below: each group's marker, number and name
        fig.legend(ax.containers, [f"{j + 1} {name}" for j, name in enumerate(names)], ncols=2,
                   loc="outside lower center", frameon=False, handlelength=1, columnspacing=1)
    return fig
