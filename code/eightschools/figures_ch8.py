r"""Figures of chapter 8 (the BCG vaccine trials), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: every number is computed elsewhere
(:mod:`eightschools.meta`, :mod:`eightschools.effects`, the exact posterior) and passed in.
Trials take the groups' colours in data order (:func:`eightschools.plots.group_color`); the
palette has nine colours, so with thirteen trials the names written on the plots, not the
colours, identify them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, group_color, new_figure

__all__ = ["effect_vs_covariate", "shrinkage_arrows", "tau_posteriors"]


def _vector(x: ArrayLike, name: str, n: int | None = None) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 1 or (n is not None and arr.size != n):
        want = f"shape ({n},)" if n is not None else "one dimension"
        raise ValueError(f"{name} must have {want}; got shape {arr.shape}")
    return arr


def _label_points(ax: Axes, xs: np.ndarray, ys: np.ndarray, names: Sequence[str]) -> None:
    """Write each name beside its point, moving it where it would overlap an earlier name.

    Text boxes are estimated in points (7-point type, about 3.7 points per character) from
    the axes' current limits; each name takes the first of a few positions around its point
    whose box overlaps no box placed before.
    """
    scale = 72.0 / ax.figure.dpi
    boxes: list[tuple[float, float, float, float]] = []
    candidates = [(5, 2, "left"), (5, -10, "left"), (-6, 2, "right"), (-6, -10, "right"),
                  (5, 12, "left"), (5, -20, "left")]
    for j, name in enumerate(names):
        px, py = ax.transData.transform((xs[j], ys[j])) * scale
        w, h = 3.7 * len(name), 8.0
        chosen = candidates[0]
        for dx, dy, ha in candidates:
            x0 = px + dx if ha == "left" else px + dx - w
            box = (x0, py + dy, x0 + w, py + dy + h)
            if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                       for b in boxes):
                chosen = (dx, dy, ha)
                break
        dx, dy, ha = chosen
        x0 = px + dx if ha == "left" else px + dx - w
        boxes.append((x0, py + dy, x0 + w, py + dy + h))
        ax.annotate(name, (xs[j], ys[j]), xytext=(dx, dy), textcoords="offset points",
                    fontsize=7, color="#333333", ha=ha, va="bottom")


def shrinkage_arrows(
    names: Sequence[str],
    y: ArrayLike,
    post_mean: ArrayLike,
    *,
    post_lower: ArrayLike | None = None,
    post_upper: ArrayLike | None = None,
    population_mean: float | None = None,
    xlabel: str = "log relative risk of tuberculosis",
    title: str = "",
) -> Figure:
    r"""Each group's separate estimate (open circle) with an arrow to its posterior mean.

    One row per group, names on the vertical axis (first group at the top). Optionally a
    posterior interval is drawn as a thin bar through the posterior mean, and the population
    mean :math:`E(\mu \mid y)` as a dashed vertical line.

    Parameters
    ----------
    names : sequence of str
        Group names.
    y, post_mean : array_like, shape (J,)
        The separate estimates and the posterior means of the effects.
    post_lower, post_upper : array_like, shape (J,), optional
        Ends of a posterior interval for each effect.
    population_mean : float, optional
        The posterior mean of :math:`\mu`.
    xlabel, title : str, optional
        Axis label (with units) and title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = shrinkage_arrows(["a", "b"], [1.0, -1.0], [0.5, -0.2], population_mean=0.0)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b']
    """
    n = len(names)
    est = _vector(y, "y", n)
    post = _vector(post_mean, "post_mean", n)
    fig, axes = new_figure(figsize=(6.8, 0.42 * n + 1.5))
    ax = axes[0, 0]
    rows = np.arange(n)[::-1]
    if population_mean is not None:
        ax.axvline(population_mean, color=POOLED_COLOR, lw=1.2, ls="--",
                   label="posterior mean of mu")
    ax.axvline(0.0, color="black", lw=0.8)
    if post_lower is not None and post_upper is not None:
        lo = _vector(post_lower, "post_lower", n)
        hi = _vector(post_upper, "post_upper", n)
        for j in range(n):
            ax.plot([lo[j], hi[j]], [rows[j] - 0.18] * 2, color=group_color(j), lw=1.5,
                    alpha=0.7)
    for j in range(n):
        c = group_color(j)
        ax.annotate("", xy=(post[j], rows[j]), xytext=(est[j], rows[j]),
                    arrowprops={"arrowstyle": "->", "color": c, "lw": 1.5})
        ax.plot(est[j], rows[j], "o", mfc="white", mec=c, mew=1.5, ms=7)
        ax.plot(post[j], rows[j], "o", color=c, mec="black", mew=0.6, ms=6)
    ax.plot([], [], "o", mfc="white", mec="black", label="separate estimate y_j")
    ax.plot([], [], "o", color="grey", mec="black", label="posterior mean of theta_j")
    ax.set_yticks(rows, list(names))
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title)
    fig.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False)
    return fig


def tau_posteriors(
    panels: Sequence[tuple[str, ArrayLike, ArrayLike, ArrayLike | None, str]],
) -> Figure:
    r"""The marginal posterior of :math:`\tau` for several data sets, one panel each.

    Each panel draws an exact density as a line and, when given, a histogram of Monte Carlo
    draws of :math:`\tau` scaled as a density, so that the two can be compared by eye.

    Parameters
    ----------
    panels : sequence of (title, grid, density, draws or None, xlabel)
        For each panel: its title, a grid of :math:`\tau` values, the normalised density on
        it, optional draws of :math:`\tau`, and the horizontal axis label with units.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = np.linspace(0, 3, 31)
    >>> fig = tau_posteriors([("a", t, np.exp(-t), None, "tau"), ("b", t, t, t, "tau")])
    >>> len(fig.axes)
    2
    """
    if not panels:
        raise ValueError("panels must hold at least one panel")
    fig, axes = new_figure(1, len(panels), figsize=(3.4 * len(panels) + 0.4, 3.4))
    for ax, (title, grid, density, draws, xlabel) in zip(axes[0], panels, strict=True):
        g = _vector(grid, "grid")
        f = _vector(density, "density", g.size)
        if draws is not None:
            d = np.asarray(draws, dtype=float).ravel()
            ax.hist(d[d <= g.max()], bins=50, range=(g.min(), g.max()), density=True,
                    color=POOLED_COLOR, alpha=0.3, lw=0, label="Metropolis draws")
        ax.plot(g, f, color="black", lw=1.5, label="exact density")
        ax.set_xlim(g.min(), g.max())
        ax.set_ylim(bottom=0.0)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("posterior density")
        ax.grid(color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
        if draws is not None:
            ax.legend(fontsize="small", frameon=False)
    return fig


def effect_vs_covariate(
    x: ArrayLike,
    y: ArrayLike,
    sigma: ArrayLike,
    names: Sequence[str],
    *,
    line: tuple[float, float] | None = None,
    xlabel: str = "absolute latitude (degrees)",
    ylabel: str = "log relative risk",
) -> Figure:
    r"""Each group's estimate :math:`y_j \pm 1.96\,\sigma_j` against a covariate.

    Parameters
    ----------
    x, y, sigma : array_like, shape (J,)
        The covariate, the estimates and their standard errors.
    names : sequence of str
        Group names, written beside the points.
    line : (intercept, slope), optional
        A fitted line :math:`a + b x` to draw across the range of ``x``.
    xlabel, ylabel : str, optional
        Axis labels with units.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = effect_vs_covariate([10, 40], [0.0, -1.0], [0.1, 0.2], ["a", "b"], line=(0.3, -0.03))
    >>> len(fig.axes[0].texts)
    2
    """
    n = len(names)
    xs, ys, ss = _vector(x, "x", n), _vector(y, "y", n), _vector(sigma, "sigma", n)
    fig, axes = new_figure(figsize=(6.8, 4.6))
    ax = axes[0, 0]
    ax.axhline(0.0, color="black", lw=0.8)
    if line is not None:
        grid = np.linspace(xs.min() - 0.05 * np.ptp(xs), xs.max() + 0.05 * np.ptp(xs), 50)
        ax.plot(grid, line[0] + line[1] * grid, color=POOLED_COLOR, ls="--", lw=1.2,
                label="weighted least-squares line")
        ax.legend(fontsize="small", frameon=False, loc="lower left")
    span_x = float(np.ptp(xs)) or 1.0
    for j in range(n):
        ax.errorbar(xs[j], ys[j], yerr=1.96 * ss[j], fmt="o", color=group_color(j),
                    mec="black", mew=0.6, ms=6, lw=1.5, capsize=0)
    # Room on the left and right for the names.
    ax.set_xlim(xs.min() - 0.3 * span_x, xs.max() + 0.3 * span_x)
    _label_points(ax, xs, ys, names)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig
