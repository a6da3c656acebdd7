r"""Figures of the posterior of the hyperparameters :math:`(\mu, \tau)`: joint and marginal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.figures import style
from eightschools.figures.style import APPROX, CHAIN_COLORS, EXACT, checked, new_figure


def posterior_contours(
    mu: ArrayLike, log_tau: ArrayLike, log_post: ArrayLike, *, approx: ArrayLike | None = None,
    draws: ArrayLike | None = None, mode: Sequence[float] | None = None,
    drops: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
) -> Figure:
    r"""Contours of the log posterior of :math:`(\mu, \log\tau)`, with draws or an approximation.

    Each field is contoured ``drops`` below its largest value on the grid. For a bivariate
    normal, the contour :math:`d` below the peak encloses probability :math:`1 - e^{-d}` (the
    squared Mahalanobis distance is :math:`\chi^2_2`): that labels the approximation's contours.

    Parameters
    ----------
    mu, log_tau : array_like, shapes (m,) and (k,)
    log_post, approx : array_like, shape (k, m)
        The log posterior (solid) and, optionally, the log density of a normal approximation
        (dashed), ``[i, j]`` at ``(mu[j], log_tau[i])``.
    draws : array_like, shape (n, 2), optional
        Draws of :math:`(\mu, \log\tau)`, drawn as dots.
    mode : (float, float), optional
        The posterior mode, marked with a cross.
    drops : sequence of float, optional
        Positive drops below the maximum at which to draw contours.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> m, lt = np.linspace(-3, 3, 31), np.linspace(-2, 2, 21)
    >>> z = -0.5 * (m[None, :] ** 2 + lt[:, None] ** 2)
    >>> fig = posterior_contours(m, lt, z, approx=z, draws=np.zeros((5, 2)), mode=(0, 0))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['draws', 'exact posterior', 'normal approximation', 'mode']
    """
    m, lt = np.asarray(mu, dtype=float), np.asarray(log_tau, dtype=float)
    z = checked(log_post, "log_post", (lt.size, m.size))
    d = np.sort(np.asarray(drops, dtype=float))[::-1]  # so that the levels increase
    fig, axes = new_figure(height=4.4)
    ax = axes[0, 0]
    if draws is not None:
        x = checked(draws, "draws", (len(draws), 2))
        ax.plot(x[:, 0], x[:, 1], ".", color=CHAIN_COLORS[0], ms=2.0, alpha=0.35, label="draws")
    # The levels may be negative, which matplotlib would draw dashed unless told otherwise.
    ax.contour(m, lt, z, levels=z.max() - d, colors=EXACT, linewidths=1.2, linestyles="solid")
    ax.plot([], [], color=EXACT, lw=1.2, label="exact posterior")
    if approx is not None:
        za = checked(approx, "approx", z.shape)
        top = za.max()
        ca = ax.contour(m, lt, za, levels=top - d, colors=APPROX, linewidths=1.2, linestyles="--")
        ax.clabel(ca, fmt=lambda level: f"{1.0 - np.exp(level - top):.0%}", fontsize=style.SMALL)
        ax.plot([], [], color=APPROX, lw=1.2, ls="--", label="normal approximation")
    if mode is not None:
        ax.plot(mode[0], mode[1], "x", color=EXACT, ms=9, mew=2, label="mode")
    ax.set(xlim=(m[0], m[-1]), ylim=(lt[0], lt[-1]), xlabel=style.MU_LABEL,
           ylabel=style.LOG_TAU_LABEL)
    ax.legend(loc="lower right", framealpha=1.0)
    return fig


def marginal_densities(
    grids: Sequence[ArrayLike], densities: Sequence[ArrayLike], *,
    draws: Sequence[ArrayLike | None] | None = None,
    approx: Sequence[ArrayLike | None] | None = None, label: str = "exact",
    xlabels: Sequence[str] | None = None, titles: Sequence[str] | None = None,
) -> Figure:
    r"""Marginal posterior densities one above the other, each with draws and an approximation.

    Each panel draws a density on its grid (solid), optionally over a histogram of draws
    (scaled to a density) and beside an approximation (dashed).

    Parameters
    ----------
    grids, densities : sequence of array_like, each shape (n_i,)
        Per panel, a grid and the density on it.
    draws, approx : sequence of (array_like or None), optional
        Per panel, draws for a histogram, and an approximation's density on the grid.
    label : str, optional
        The legend entry of the solid curves (e.g. "kernel density estimate").
    xlabels, titles : sequence of str, optional
        Per panel, the horizontal axis label (with units) and a title. By default, the labels
        of :math:`\tau` and of :math:`\log\tau` (``style.TAU_LABEL``,
        ``style.LOG_TAU_LABEL``), for :math:`p(\tau \mid y)` and
        :math:`p(\log\tau \mid y) = \tau\, p(\tau \mid y)`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t, u = np.linspace(0, 5, 11), np.linspace(-2, 2, 9)
    >>> fig = marginal_densities([t, u], [np.exp(-t), np.exp(-u * u)], approx=[None, u])
    >>> len(fig.axes), len(fig.axes[1].lines)
    (2, 2)
    """
    k = len(grids)
    draws = [None] * k if draws is None else draws
    approx = [None] * k if approx is None else approx
    titles = [""] * k if titles is None else titles
    xlabels = (style.TAU_LABEL, style.LOG_TAU_LABEL) if xlabels is None else xlabels
    if not len(densities) == len(draws) == len(approx) == len(xlabels) == len(titles) == k:
        raise ValueError(f"densities, draws, approx, xlabels and titles need {k} entries, one "
                         f"per grid")
    fig, axes = new_figure(k, 1, height=2.7 * k + 0.2)
    for i, ax in enumerate(axes[:, 0]):
        g = np.asarray(grids[i], dtype=float)
        if draws[i] is not None:
            style.density_histogram(ax, draws[i], g[0], g[-1], color=style.PALE,
                                    ec=CHAIN_COLORS[0], lw=0.4, label="histogram of the draws")
        ax.plot(g, checked(densities[i], f"densities[{i}]", g.shape), color=EXACT, label=label)
        if approx[i] is not None:
            ax.plot(g, checked(approx[i], f"approx[{i}]", g.shape), color=APPROX, ls="--",
                    label="normal approximation")
        ax.set(xlim=(g[0], g[-1]), ylim=(0.0, None), xlabel=xlabels[i])
        ax.set(title=titles[i], ylabel="posterior density")
    axes[-1, 0].legend(frameon=False, loc="best")
    return fig


def prior_comparison(
    x: ArrayLike, densities: Mapping[str, ArrayLike], *, xlabel: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    r"""A posterior density under several priors, one line each.

    Parameters
    ----------
    x : array_like, shape (n,)
        The grid (of :math:`\tau` or :math:`\log\tau`).
    densities : mapping of str to array_like, shape (n,)
        The label of each prior and the posterior density on the grid.
    xlabel, ylabel : str, optional
        Axis labels; by default ``style.TAU_LABEL`` and
        :math:`p(\tau \mid y)`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = np.linspace(0, 5, 6)
    >>> fig = prior_comparison(t, {"a": np.exp(-t), "b": np.exp(-2 * t)})
    >>> len(fig.axes[0].lines)
    2
    """
    t = np.asarray(x, dtype=float)
    fig, axes = new_figure(height=3.6)
    ax = axes[0, 0]
    for k, (label, dens) in enumerate(densities.items()):
        ax.plot(t, checked(dens, label, t.shape), color=CHAIN_COLORS[k], lw=2,
                ls=("-", "--", "-.", ":", (0, (8, 2, 1, 2, 1, 2)))[k % 5], label=label)
    xlabel = style.TAU_LABEL if xlabel is None else xlabel
    ylabel = r"$p(\tau \mid y)$" if ylabel is None else ylabel
    ax.set(xlabel=xlabel, ylabel=ylabel, xlim=(t[0], t[-1]), ylim=(0, None))
    ax.legend(frameon=False)
    return fig
