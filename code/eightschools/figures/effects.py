r"""Figures of the group effects :math:`\theta_j`: given :math:`\tau`, shrunk, and predicted."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.figures import style
from eightschools.figures.style import CHAIN_COLORS, GREY, checked, group_color, new_figure


def conditional_effects(
    tau: ArrayLike, mean: ArrayLike, names: Sequence[str], *, sd: ArrayLike | None = None,
    density: ArrayLike | None = None, mu: float | None = None, log_x: bool = False,
) -> Figure:
    r"""Each group's conditional posterior mean (and sd) against :math:`\tau`.

    The mean :math:`(1 - B_j)\,y_j + B_j\,\mu` (or :math:`\hat\mu(\tau)` for :math:`\mu`)
    runs from :math:`\mu` at :math:`\tau = 0` to :math:`y_j` as :math:`\tau \to \infty`.
    Panels below can show the sds and :math:`p(\tau \mid y)` (BDA3 figures 5.6 and 5.7).

    Parameters
    ----------
    tau : array_like, shape (G,)
        Increasing values of :math:`\tau` (points).
    mean, sd : array_like, shape (G, J)
        Conditional means and (optional) sds, one column per group.
    names : sequence of str
        Group names, written at the right end of each path (which carries the group's marker).
    density : array_like, shape (G,), optional
        :math:`p(\tau \mid y)` on the grid.
    mu : float, optional
        The value of :math:`\mu` held fixed, drawn dashed.
    log_x : bool, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = conditional_effects([0, 1, 2], np.ones((3, 2)), ["A", "B"], density=np.ones(3))
    >>> len(fig.axes), [t.get_text() for t in fig.axes[0].texts]
    (2, ['A', 'B'])
    """
    t = np.asarray(tau, dtype=float)
    if t.ndim != 1 or np.any(np.diff(t) <= 0) or (log_x and t[0] <= 0):
        raise ValueError("tau must be one-dimensional, increasing, and positive on a log axis")
    J = len(names)
    curves = [checked(mean, "mean", (t.size, J))]
    if sd is not None:
        curves.append(checked(sd, "sd", (t.size, J)))
    heights = [3.0] * len(curves) + ([1.6] if density is not None else [])
    fig, axes = new_figure(len(heights), 1, height=1.3 + 0.95 * sum(heights))
    axes[0, 0].get_gridspec().set_height_ratios(heights)
    given = r"\mu, \tau" if mu is not None else r"\tau"
    for i, (values, what) in enumerate(zip(curves, ["E", r"\mathrm{sd}"], strict=False)):
        for j in range(J):  # markers spaced along each path, staggered between paths
            axes[i, 0].plot(t, values[:, j], color=group_color(j), lw=1.8, ms=5,
                            marker=style.group_marker(j), markevery=(0.1 + 0.6 * j / J, 0.3))
        style.label_ends(axes[i, 0], t[-1], values[-1], names)
        axes[i, 0].set_ylabel(rf"${what}(\theta_j \mid {given}, y)$ (points)")
    if mu is not None:
        axes[0, 0].axhline(mu, color=GREY, lw=1.2, ls="--")
        axes[0, 0].annotate(r"$\mu$", (t[0], mu), xytext=(2, 4), textcoords="offset points",
                            color=GREY)
    if density is not None:
        p = checked(density, "density", t.shape)
        axes[-1, 0].fill_between(t, p, color=GREY, alpha=0.3, lw=0)
        axes[-1, 0].plot(t, p, color=GREY, lw=1.5)
        axes[-1, 0].set(ylabel=r"$p(\tau \mid y)$", ylim=(0, None))
    for ax in axes[:-1, 0]:
        ax.sharex(axes[-1, 0])
        ax.tick_params(labelbottom=False)
    axes[-1, 0].set(xscale="log" if log_x else "linear", xlim=(t[0], t[-1]),
                    xlabel=r"population sd $\tau$ (points" + (", log scale)" if log_x else ")"))
    return fig


def shrinkage(
    names: Sequence[str], y: ArrayLike, post_mean: ArrayLike, post_lower: ArrayLike,
    post_upper: ArrayLike, *, separate: tuple[ArrayLike, ArrayLike] | None = None,
    pooled: tuple[float, float, float] | None = None, population_mean: float | None = None,
    paths: bool = False, xlabel: str | None = None,
) -> Figure:
    r"""Shrinkage: each group's estimate :math:`y_j`, an arrow to its posterior mean, intervals.

    One row per group: the estimate (open circle), an arrow to the posterior mean
    :math:`E(\theta_j \mid y)` (square), the 95% posterior interval below it (thick) and the
    separate interval :math:`y_j \pm 1.96\,\sigma_j` above it (thin). With ``paths``, a panel
    above joins each estimate (upper row) to its posterior mean (lower row).

    Parameters
    ----------
    names : sequence of str
        Group names, first group at the top.
    y, post_mean, post_lower, post_upper : array_like, shape (J,)
        Estimates, posterior means and 95% posterior intervals.
    separate : (array_like, array_like), optional
        Separate 95% intervals: lower and upper ends, shape (J,) each.
    pooled : (mean, lower, upper), optional
        The complete-pooling estimate (dashed) and its 95% interval (grey band).
    population_mean : float, optional
        The posterior mean of :math:`\mu` (dashed).
    paths : bool, optional
    xlabel : str, optional
        By default ``style.EFFECT_LABEL``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = shrinkage(["A", "B"], [1, 2], [1.2, 1.8], [0, 1], [2, 3], paths=True)
    >>> len(fig.axes), [t.get_text() for t in fig.axes[1].get_yticklabels()]
    (2, ['A', 'B'])
    """
    n = len(names)
    est, pm, lo, hi = (checked(a, k, (n,)) for a, k in (
        (y, "y"), (post_mean, "post_mean"), (post_lower, "post_lower"), (post_upper, "post_upper")))
    fig, axes = new_figure(2 if paths else 1, 1, height=0.45 * n + 1.9 + 3.0 * paths, grid="x")
    centre = pooled[0] if pooled is not None else population_mean
    if paths:
        top = axes[0, 0]
        top.get_gridspec().set_height_ratios([2.5, 0.45 * n])
        for rank, j in enumerate(np.argsort(est)):
            top.plot([est[j], pm[j]], [1.0, 0.0], color=group_color(j), lw=1.8)
            top.plot(est[j], 1.0, "o", mfc="white", mec=group_color(j), mew=1.5, ms=7)
            top.plot(pm[j], 0.0, "s", color=group_color(j), mec="black", mew=0.6, ms=6)
            top.annotate(names[j], (est[j], 1.0), xytext=(0, 7 + 11 * (rank % 2)),
                         textcoords="offset points", ha="center", fontsize=style.SMALL,
                         color=group_color(j), fontweight="bold")  # alternating heights
        if centre is not None:
            top.axvline(centre, color=GREY, ls="--", lw=1.2)
        top.set(yticks=[0, 1], yticklabels=["posterior\nmean", "estimate\n$y_j$"],
                ylim=(-0.15, 1.35), title="Each estimate moves towards the others")
    ax = axes[-1, 0]
    rows = np.arange(n)[::-1]
    if pooled is not None:
        ax.axvspan(pooled[1], pooled[2], color=GREY, alpha=0.15, lw=0, label="pooled 95% interval")
    if centre is not None:
        ax.axvline(centre, color=GREY, ls="--", lw=1.2, label="pooled estimate" if pooled
                   else r"posterior mean of $\mu$")
    ax.axvline(0.0, color="black", lw=0.8)
    if separate is not None:
        for j, (a, b) in enumerate(zip(*separate, strict=True)):
            ax.plot([a, b], [rows[j] + 0.22] * 2, color=group_color(j), lw=1.0)
        ax.plot([], [], color=GREY, lw=1.0, label="separate 95% interval")
    for j in range(n):
        ax.plot([lo[j], hi[j]], [rows[j] - 0.22] * 2, color=group_color(j), lw=3.0,
                solid_capstyle="butt")
        ax.annotate("", xy=(pm[j], rows[j]), xytext=(est[j], rows[j]),
                    arrowprops={"arrowstyle": "->", "color": group_color(j), "lw": 1.5})
        ax.plot(est[j], rows[j], "o", mfc="white", mec=group_color(j), mew=1.5, ms=7)
        ax.plot(pm[j], rows[j], "s", color=group_color(j), mec="black", mew=0.6, ms=6)
    ax.plot([], [], color=GREY, lw=3.0, label="posterior 95% interval")
    ax.plot([], [], "o", mfc="white", mec="black", label="estimate $y_j$")
    ax.plot([], [], "s", color=GREY, mec="black", label="posterior mean")
    ax.set(yticks=rows, yticklabels=names, ylim=(-0.7, n - 0.3),
           xlabel=style.EFFECT_LABEL if xlabel is None else xlabel)
    fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def effect_densities(grid: ArrayLike, density: ArrayLike, names: Sequence[str]) -> Figure:
    r"""The marginal posterior densities :math:`p(\theta_j \mid y)`, one panel per group.

    Each panel draws the other groups' densities in light grey behind its own.

    Parameters
    ----------
    grid : array_like, shape (G,)
        Values of :math:`\theta` (points).
    density : array_like, shape (G, J)
        The densities, one column per group.
    names : sequence of str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = effect_densities(np.linspace(-1, 1, 5), np.ones((5, 2)), ["A", "B"])
    >>> len(fig.axes), fig.axes[1].texts[0].get_text()
    (2, 'B')
    """
    x = np.asarray(grid, dtype=float)
    n = len(names)
    d = checked(density, "density", (x.size, n))
    ncols = min(n, 2)
    nrows = -(-n // ncols)  # n / ncols, rounded up
    fig, axes = new_figure(nrows, ncols, height=1.7 * nrows + 0.5, grid=None)
    for k, ax in enumerate(axes.flat[1:], start=1):
        ax.sharex(axes[0, 0])
        ax.sharey(axes[0, 0])
        ax.set_visible(k < n)
    for k, ax in enumerate(axes.flat[:n]):
        ax.plot(x, np.delete(d, k, axis=1), color="#cccccc", lw=0.8)
        ax.fill_between(x, d[:, k], color=group_color(k), alpha=0.35, lw=0)
        ax.plot(x, d[:, k], color=group_color(k), lw=1.8)
        ax.axvline(0.0, color="black", lw=0.6)
        ax.text(0.04, 0.9, names[k], transform=ax.transAxes, fontweight="bold",
                color=group_color(k), va="top")
        bottom, left = k >= n - ncols, k % ncols == 0
        ax.tick_params(labelbottom=bottom, labelleft=left)
        ax.set(ylim=(0, None), xlabel=r"$\theta_j$ (points)" if bottom else "",
               ylabel="density" if left else "")
    return fig


def new_school_densities(
    theta_new: ArrayLike, y_new: ArrayLike, sigma_new: float, observed: ArrayLike, *,
    limits: tuple[float, float] = (-40.0, 60.0),
) -> Figure:
    r"""Predictive densities of a new group's effect :math:`\tilde\theta` and of its estimate.

    Parameters
    ----------
    theta_new, y_new : array_like
        Draws of :math:`\tilde\theta` and of :math:`\tilde y \sim N(\tilde\theta, \tilde\sigma^2)`.
    sigma_new : float
        :math:`\tilde\sigma`, shown in the legend.
    observed : array_like, shape (J,)
        The groups' estimates, marked as ticks in their colours.
    limits : (float, float), optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> fig = new_school_densities(rng.normal(size=99), rng.normal(size=99), 11.0, [0.0, 1.0])
    >>> len(fig.axes[0].get_legend().get_texts())
    3
    """
    fig, axes = new_figure(height=4.0)
    ax = axes[0, 0]
    style.density_histogram(ax, theta_new, *limits, bins=80, histtype="stepfilled",
                            color=CHAIN_COLORS[0], alpha=0.35, label=r"true effect $\tilde\theta$")
    estimate = rf"its estimate $\tilde y$ ($\tilde\sigma$ = {sigma_new:g})"
    style.density_histogram(ax, y_new, *limits, bins=80, histtype="step", color=style.APPROX,
                            lw=2.0, label=estimate)
    tick = 0.08 * ax.get_ylim()[1]
    for j, v in enumerate(np.ravel(observed)):
        ax.plot([v, v], [0, tick], color=group_color(j), lw=2.5)
    ax.plot([], [], color=GREY, lw=2.5, label="the groups' estimates $y_j$")
    ax.axvline(0.0, color="black", lw=0.6)
    ax.set(xlim=limits, ylim=(0, None), xlabel=style.EFFECT_LABEL, ylabel="predictive density")
    ax.legend(frameon=False, loc="upper right")
    return fig


def predictive_checks(
    replicated: Sequence[ArrayLike], observed: ArrayLike, labels: Sequence[str],
    p_values: ArrayLike, *, discrete: Sequence[bool] | None = None,
) -> Figure:
    r"""Histograms of test quantities :math:`T(y^{\mathrm{rep}})`, with :math:`T(y)` marked.

    Parameters
    ----------
    replicated : sequence of array_like
        For each test quantity, its values over the replicated data sets.
    observed, p_values : array_like, shape (K,)
        :math:`T(y)` (a red line) and :math:`P(T(y^{\mathrm{rep}}) \ge T(y) \mid y)`.
    labels : sequence of str
        Axis labels, with units.
    discrete : sequence of bool, optional
        Which quantities are counts, drawn as bars at whole numbers.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = predictive_checks([np.arange(10.0)], [3.0], ["T"], [0.7])
    >>> len(fig.axes), fig.axes[0].get_xlabel()
    (1, 'T')
    """
    k = len(replicated)
    obs, p = checked(observed, "observed", (k,)), checked(p_values, "p_values", (k,))
    discrete = [False] * k if discrete is None else discrete
    ncols = min(k, 2)
    nrows = -(-k // ncols)  # k / ncols, rounded up
    fig, axes = new_figure(nrows, ncols, height=2.2 * nrows + 0.2, grid=None)
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for i, ax in enumerate(axes.flat[:k]):
        r = np.ravel(replicated[i])
        if discrete[i]:
            values, counts = np.unique(r, return_counts=True)
            ax.bar(values, counts / r.size, width=0.8, color=style.PALE, edgecolor=CHAIN_COLORS[0])
        else:
            ax.hist(r, bins=50, density=True, color=style.PALE, edgecolor=CHAIN_COLORS[0], lw=0.3)
        ax.axvline(obs[i], color=CHAIN_COLORS[3], lw=2.2)
        ax.text(0.97, 0.95, f"$T(y)$ = {obs[i]:.4g}\n$p$ = {p[i]:.2f}", transform=ax.transAxes,
                ha="right", va="top", fontsize=style.SMALL, bbox={"fc": "white", "ec": "none"})
        ax.set(xlabel=labels[i], yticks=[], ylabel="replications" if i % ncols == 0 else "",
               ylim=(0, 1.3 * ax.get_ylim()[1]))  # room for the text above the bars
    return fig
