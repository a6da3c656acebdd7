r"""Figures of chapter 6 (the school effects and shrinkage), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: the conditional moments, densities,
intervals and predictive draws are computed by :mod:`eightschools.effects` (and
:mod:`eightschools.posterior`) and passed in. Each school keeps its colour from
:func:`eightschools.plots.group_color`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, group_color, new_figure

__all__ = [
    "conditional_effects",
    "effect_densities",
    "new_school_densities",
    "predictive_checks",
    "shrinkage",
]

_XLABEL = "effect on SAT-V score (points)"


def _as_columns(values: ArrayLike, rows: int, names: Sequence[str], label: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.shape != (rows, len(names)):
        raise ValueError(
            f"{label} must have shape ({rows}, {len(names)}), one column per school; "
            f"got {arr.shape}"
        )
    return arr


def _label_ends(ax: Axes, x: float, ys: np.ndarray, names: Sequence[str], gap: float) -> None:
    """Write each school's name at the right end of its line, nudged apart by at least gap."""
    order = np.argsort(ys)
    placed: list[float] = []
    for j in order:
        yy = float(ys[j])
        if placed and yy - placed[-1] < gap:
            yy = placed[-1] + gap
        placed.append(yy)
        ax.annotate(names[j], (x, yy), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small", color=group_color(int(j)),
                    fontweight="bold", annotation_clip=False)


def conditional_effects(
    tau: ArrayLike,
    mean: ArrayLike,
    sd: ArrayLike,
    density: ArrayLike,
    names: Sequence[str],
) -> Figure:
    r"""BDA3 figures 5.6 and 5.7 stacked over :math:`p(\tau \mid y)`.

    Top: :math:`E(\theta_j \mid \tau, y)` against :math:`\tau`; middle:
    :math:`\operatorname{sd}(\theta_j \mid \tau, y)`; bottom: the marginal posterior density
    of :math:`\tau`, which says which part of the curves above matters.

    Parameters
    ----------
    tau : array_like, shape (G,)
        The grid of :math:`\tau` (points).
    mean, sd : array_like, shape (G, J)
        Conditional means and standard deviations (:func:`eightschools.effects.theta_given_tau`).
    density : array_like, shape (G,)
        :math:`p(\tau \mid y)` on the grid, normalised.
    names : sequence of str
        School names, written at the right end of each curve.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = np.linspace(0, 30, 4)
    >>> fig = conditional_effects(t, np.ones((4, 2)), np.ones((4, 2)), np.ones(4), ["A", "B"])
    >>> len(fig.axes)
    3
    """
    t = np.asarray(tau, dtype=float)
    g = t.size
    m = _as_columns(mean, g, names, "mean")
    s = _as_columns(sd, g, names, "sd")
    d = np.asarray(density, dtype=float)
    if d.shape != (g,):
        raise ValueError(f"density must have one value per tau; got shape {d.shape}")
    fig, axes = new_figure(3, 1, figsize=(6.4, 8.0))
    top, mid, bot = axes[:, 0]
    top.get_gridspec().set_height_ratios([3, 3, 1.6])
    for ax in (mid, bot):
        ax.sharex(top)
    for ax in (top, mid):
        ax.tick_params(labelbottom=False)
    for j in range(len(names)):
        top.plot(t, m[:, j], color=group_color(j), lw=1.8)
        mid.plot(t, s[:, j], color=group_color(j), lw=1.8)
    _label_ends(top, float(t[-1]), m[-1], names, gap=0.045 * np.ptp(m))
    _label_ends(mid, float(t[-1]), s[-1], names, gap=0.045 * np.ptp(s))
    top.set_ylabel("E(θ_j | τ, y) (points)")
    mid.set_ylabel("sd(θ_j | τ, y) (points)")
    bot.fill_between(t, d, color=POOLED_COLOR, alpha=0.3, lw=0)
    bot.plot(t, d, color=POOLED_COLOR, lw=1.5)
    bot.set_ylabel("p(τ | y)")
    bot.set_ylim(bottom=0)
    bot.set_xlabel("population sd τ (points)")
    bot.set_xlim(t[0], t[-1])
    for ax in axes[:, 0]:
        ax.grid(color="#e5e5e5", lw=0.8)
        ax.set_axisbelow(True)
    top.set_title("School effects given τ, and how plausible each τ is")
    return fig


def shrinkage(
    names: Sequence[str],
    y: ArrayLike,
    sep_lower: ArrayLike,
    sep_upper: ArrayLike,
    post_mean: ArrayLike,
    post_lower: ArrayLike,
    post_upper: ArrayLike,
    pooled: tuple[float, float, float],
) -> Figure:
    r"""Shrinkage: from each estimate to its posterior mean, beside the three sets of intervals.

    Top: each school's estimate :math:`y_j` (upper row) joined to its posterior mean
    :math:`E(\theta_j \mid y)` (lower row), with the pooled estimate as a dashed line.
    Bottom: per school, the separate 95% interval (thin, pale) and the hierarchical 95%
    posterior interval (thick), over the pooled estimate's 95% band.

    Parameters
    ----------
    names : sequence of str
        School names.
    y, sep_lower, sep_upper : array_like, shape (J,)
        Estimates and their separate 95% intervals.
    post_mean, post_lower, post_upper : array_like, shape (J,)
        Posterior means and 95% posterior intervals of the hierarchical model.
    pooled : (mean, lower, upper)
        The complete-pooling estimate and its 95% interval.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = shrinkage(["A", "B"], [1, 2], [0, 1], [2, 3], [1.2, 1.8], [0, 1], [2, 3],
    ...                 (1.5, 1.0, 2.0))
    >>> len(fig.axes)
    2
    """
    n = len(names)
    arrays = [np.asarray(a, dtype=float) for a in
              (y, sep_lower, sep_upper, post_mean, post_lower, post_upper)]
    if any(a.shape != (n,) for a in arrays):
        raise ValueError(
            f"y, intervals and posterior summaries must have one value per school ({n}); got "
            f"shapes {[a.shape for a in arrays]}"
        )
    yy, slo, shi, pm, plo, phi = arrays
    mean, lo, hi = pooled
    fig, axes = new_figure(2, 1, figsize=(6.4, 7.6))
    left, right = axes[:, 0]
    left.get_gridspec().set_height_ratios([1, 1.7])
    # Left: lines from y_j (top, at height 1) to the posterior mean (bottom, at height 0).
    left.axvline(mean, color=POOLED_COLOR, ls="--", lw=1.2)
    for j in range(n):
        c = group_color(j)
        left.plot([yy[j], pm[j]], [1.0, 0.0], color=c, lw=1.8)
        left.plot([yy[j]], [1.0], "o", color=c, mec="black", mew=0.6, ms=7)
        left.plot([pm[j]], [0.0], "s", color=c, mec="black", mew=0.6, ms=6)
    order = np.argsort(yy)
    for rank, j in enumerate(order):  # names above the estimates, alternating heights
        left.annotate(names[j], (yy[j], 1.0), xytext=(0, 7 + 9 * (rank % 2)),
                      textcoords="offset points", ha="center", fontsize="small",
                      color=group_color(int(j)), fontweight="bold")
    left.set_yticks([0.0, 1.0], ["posterior\nmean", "estimate\ny_j"])
    left.set_ylim(-0.15, 1.3)
    left.set_title("Each estimate moves towards the others")
    left.set_xlabel(_XLABEL)
    left.grid(axis="x", color="#e5e5e5", lw=0.8)
    left.text(mean, -0.12, " pooled", color=POOLED_COLOR, fontsize="small", va="bottom")
    # Right: intervals, one row per school.
    rows = np.arange(n)[::-1]
    right.axvspan(lo, hi, color=POOLED_COLOR, alpha=0.15, lw=0, label="pooled 95% interval")
    right.axvline(mean, color=POOLED_COLOR, ls="--", lw=1.2, label="pooled estimate")
    right.axvline(0.0, color="black", lw=0.8)
    for j in range(n):
        c = group_color(j)
        right.plot([slo[j], shi[j]], [rows[j] + 0.18] * 2, color=c, lw=1.2, alpha=0.55)
        right.plot(yy[j], rows[j] + 0.18, "o", color=c, ms=5, mfc="white", mec=c)
        right.plot([plo[j], phi[j]], [rows[j] - 0.12] * 2, color=c, lw=3.0,
                   solid_capstyle="butt")
        right.plot(pm[j], rows[j] - 0.12, "s", color=c, mec="black", mew=0.6, ms=6)
    right.plot([], [], color="#777777", lw=1.2, alpha=0.55, marker="o", mfc="white",
               label="separate 95% interval")
    right.plot([], [], color="#777777", lw=3.0, marker="s", mec="black",
               label="hierarchical 95% interval")
    right.set_yticks(rows, list(names))
    right.set_ylim(-0.7, n - 0.3)
    right.set_xlabel(_XLABEL)
    right.set_title("Intervals: separate, hierarchical, pooled")
    right.grid(axis="x", color="#e5e5e5", lw=0.8)
    right.set_axisbelow(True)
    fig.legend(loc="outside lower center", ncols=4, fontsize="small", frameon=False)
    return fig


def effect_densities(grid: ArrayLike, density: ArrayLike, names: Sequence[str]) -> Figure:
    r"""The marginal posterior densities :math:`p(\theta_j \mid y)`, one panel per school.

    Each panel repeats every other school's density in light grey, so that a school's curve
    is read against the rest.

    Parameters
    ----------
    grid : array_like, shape (G,)
        Values of :math:`\theta` (points).
    density : array_like, shape (G, J)
        The densities (:func:`eightschools.effects.theta_density`).
    names : sequence of str
        School names, one per column of ``density``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = effect_densities(np.linspace(-1, 1, 5), np.ones((5, 2)), ["A", "B"])
    >>> len(fig.axes)
    2
    """
    x = np.asarray(grid, dtype=float)
    d = _as_columns(density, x.size, names, "density")
    n = len(names)
    ncols = 4 if n > 4 else n
    nrows = int(np.ceil(n / ncols))
    fig, axes = new_figure(nrows, ncols, figsize=(8.0, 2.4 * nrows + 0.6))
    for ax in axes.flat[1:]:
        ax.sharex(axes.flat[0])
        ax.sharey(axes.flat[0])
    for k, ax in enumerate(axes.flat):
        if k >= n:
            ax.set_visible(False)
            continue
        for j in range(n):
            if j != k:
                ax.plot(x, d[:, j], color="#cccccc", lw=0.8)
        ax.fill_between(x, d[:, k], color=group_color(k), alpha=0.35, lw=0)
        ax.plot(x, d[:, k], color=group_color(k), lw=1.8)
        ax.axvline(0.0, color="black", lw=0.6)
        ax.text(0.04, 0.9, names[k], transform=ax.transAxes, fontweight="bold",
                color=group_color(k), va="top")
        ax.set_ylim(bottom=0)
    for ax in axes[-1]:
        ax.set_xlabel("θ_j (points)")
    for ax in axes[:, 0]:
        ax.set_ylabel("density")
    fig.suptitle("Posterior densities of the eight school effects")
    return fig


def new_school_densities(
    theta_new: ArrayLike, y_new: ArrayLike, sigma_new: float, observed: ArrayLike,
    *, limits: tuple[float, float] = (-40.0, 60.0),
) -> Figure:
    r"""Histograms of predictive draws for a new school's effect and for its estimate.

    Parameters
    ----------
    theta_new, y_new : array_like
        Draws of :math:`\tilde\theta` and :math:`\tilde y`
        (:func:`eightschools.effects.new_school`).
    sigma_new : float
        The new estimate's standard error, shown in the legend.
    observed : array_like, shape (J,)
        The eight schools' estimates, marked as a rug in their colours.
    limits : (float, float), optional
        The range of the histograms (points); draws outside are not drawn.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> fig = new_school_densities(rng.normal(size=100), rng.normal(size=100), 11.0, [0.0])
    >>> len(fig.axes)
    1
    """
    t = np.asarray(theta_new, dtype=float).ravel()
    yn = np.asarray(y_new, dtype=float).ravel()
    obs = np.asarray(observed, dtype=float)
    bins = np.linspace(limits[0], limits[1], 81)
    fig, axes = new_figure(figsize=(6.4, 3.8))
    ax = axes[0, 0]
    # Densities over all draws (weights 1 / (n * width)), so mass outside the limits is not
    # renormalised into the window.
    width = bins[1] - bins[0]
    ax.hist(t, bins=bins, weights=np.full(t.size, 1.0 / (t.size * width)), histtype="stepfilled",
            color="#332288", alpha=0.35, label="true effect θ̃ of a new school")
    ax.hist(yn, bins=bins, weights=np.full(yn.size, 1.0 / (yn.size * width)), histtype="step",
            color="#CC6677", lw=2.0, label=f"its estimate ỹ (standard error {sigma_new:g})")
    top = ax.get_ylim()[1]
    for j, v in enumerate(obs):
        ax.plot([v, v], [0, 0.08 * top], color=group_color(j), lw=2.5)
    ax.plot([], [], color="#777777", lw=2.5, label="the eight estimates y_j")
    ax.axvline(0.0, color="black", lw=0.6)
    ax.set_xlim(*limits)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(_XLABEL)
    ax.set_ylabel("predictive density")
    ax.grid(color="#e5e5e5", lw=0.8)
    ax.set_axisbelow(True)
    ax.legend(fontsize="small", frameon=False, loc="upper right")
    return fig


def predictive_checks(
    replicated: Sequence[ArrayLike],
    observed: ArrayLike,
    labels: Sequence[str],
    p_values: ArrayLike,
    *,
    discrete: Sequence[bool] | None = None,
) -> Figure:
    r"""Histograms of test quantities of replicated data, with the observed value marked.

    Parameters
    ----------
    replicated : sequence of array_like
        For each test quantity, its values :math:`T(y^{\text{rep}})` over the draws.
    observed : array_like, shape (K,)
        :math:`T(y)`.
    labels : sequence of str
        Axis labels, with units.
    p_values : array_like, shape (K,)
        :math:`P(T(y^{\text{rep}}) \ge T(y) \mid y)`, written in each panel.
    discrete : sequence of bool, optional
        Which quantities are counts (drawn as bars at whole numbers).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = predictive_checks([np.arange(10.0)], [3.0], ["T"], [0.7])
    >>> len(fig.axes)
    1
    """
    obs = np.asarray(observed, dtype=float)
    p = np.asarray(p_values, dtype=float)
    k = len(replicated)
    if obs.shape != (k,) or p.shape != (k,) or len(labels) != k:
        raise ValueError("observed, labels and p_values must have one entry per test quantity")
    disc = list(discrete) if discrete is not None else [False] * k
    ncols = min(k, 3)
    nrows = int(np.ceil(k / ncols))
    fig, axes = new_figure(nrows, ncols, figsize=(2.6 * ncols + 0.6, 2.6 * nrows + 0.2))
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes.flat[:k]):
        r = np.asarray(replicated[i], dtype=float).ravel()
        if disc[i]:
            vals, counts = np.unique(r, return_counts=True)
            ax.bar(vals, counts / r.size, width=0.8, color="#88CCEE", edgecolor="#336677")
        else:
            ax.hist(r, bins=50, density=True, color="#88CCEE", edgecolor="#336677", lw=0.3)
        ax.axvline(obs[i], color="#CC6677", lw=2.2)
        ax.text(0.97, 0.95, f"T(y) = {obs[i]:.4g}\np = {p[i]:.2f}", transform=ax.transAxes,
                ha="right", va="top", fontsize="small")
        ax.set_xlabel(labels[i])
        ax.set_yticks([])
    for ax in axes[:, 0]:
        ax.set_ylabel("replications")
    return fig
