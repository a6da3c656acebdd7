"""Figures of chapter 7 (the exact posterior), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: densities come from
:mod:`eightschools.exact`, draws from :mod:`eightschools.runs`, and are passed in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, new_figure

__all__ = ["PRIOR_COLORS", "prior_comparison", "tau_posterior", "z_scores"]

#: Colours for the priors on tau (Paul Tol's "bright" scheme, colour-blind safe).
PRIOR_COLORS: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#AA3377")
_DRAW_COLOR = "#BBBBBB"


def tau_posterior(
    tau: ArrayLike,
    density: ArrayLike,
    log_tau: ArrayLike,
    log_density: ArrayLike,
    *,
    draws_log_tau: ArrayLike | None = None,
    normal: tuple[float, float] | None = None,
) -> Figure:
    r"""The exact marginal posterior of :math:`\tau` (left) and of :math:`\log\tau` (right).

    Parameters
    ----------
    tau, density : array_like, shape (n,)
        A grid of :math:`\tau` and :math:`p(\tau \mid y)` on it.
    log_tau, log_density : array_like, shape (m,)
        A grid of :math:`\log\tau` and :math:`p(\log\tau \mid y) = \tau\, p(\tau \mid y)`.
    draws_log_tau : array_like, optional
        Monte Carlo draws of :math:`\log\tau`, shown as histograms on both panels.
    normal : (float, float), optional
        Mean and sd of a normal approximation of :math:`\log\tau`, drawn dashed on the right.

    Examples
    --------
    >>> t = np.linspace(0, 10, 11); u = np.linspace(-2, 2, 5)
    >>> fig = tau_posterior(t, np.exp(-t), u, np.exp(-u * u), normal=(0.0, 1.0))
    >>> len(fig.axes)
    2
    """
    t, d = np.asarray(tau, dtype=float), np.asarray(density, dtype=float)
    u, g = np.asarray(log_tau, dtype=float), np.asarray(log_density, dtype=float)
    fig, axes = new_figure(1, 2, figsize=(9.0, 3.6))
    left, right = axes[0]
    if draws_log_tau is not None:
        x = np.asarray(draws_log_tau, dtype=float)
        left.hist(np.exp(x), bins=np.linspace(t.min(), t.max(), 41), density=True,
                  color=_DRAW_COLOR, label="Metropolis draws")
        right.hist(x, bins=np.linspace(u.min(), u.max(), 41), density=True,
                   color=_DRAW_COLOR, label="Metropolis draws")
    left.plot(t, d, color=PRIOR_COLORS[0], lw=2, label="exact")
    right.plot(u, g, color=PRIOR_COLORS[0], lw=2, label="exact")
    if normal is not None:
        m, s = normal
        right.plot(u, np.exp(-0.5 * ((u - m) / s) ** 2) / (s * np.sqrt(2 * np.pi)),
                   color=POOLED_COLOR, ls="--", label="normal approximation")
    left.set_xlabel("tau (points)")
    left.set_ylabel("p(tau | y)")
    right.set_xlabel("log tau")
    right.set_ylabel("p(log tau | y)")
    left.set_xlim(t.min(), t.max())
    right.set_xlim(u.min(), u.max())
    for ax in (left, right):
        ax.set_ylim(bottom=0)
        ax.legend(frameon=False, fontsize="small")
    return fig


def prior_comparison(
    x: ArrayLike,
    densities: Mapping[str, ArrayLike],
    *,
    xlabel: str = "tau (points)",
    ylabel: str = "p(tau | y)",
) -> Figure:
    r"""An exact posterior density under several priors, one line each.

    Parameters
    ----------
    x : array_like, shape (n,)
        The grid (of :math:`\tau` or :math:`\log\tau`).
    densities : mapping of str to array_like, shape (n,)
        Label of each prior and the posterior density on the grid.
    xlabel, ylabel : str, optional
        Axis labels.

    Examples
    --------
    >>> t = np.linspace(0, 5, 6)
    >>> fig = prior_comparison(t, {"a": np.exp(-t), "b": np.exp(-2 * t)})
    >>> len(fig.axes[0].lines)
    2
    """
    t = np.asarray(x, dtype=float)
    fig, axes = new_figure(1, 1, figsize=(6.4, 3.6))
    ax = axes[0, 0]
    for k, (label, dens) in enumerate(densities.items()):
        ax.plot(t, np.asarray(dens, dtype=float), color=PRIOR_COLORS[k % len(PRIOR_COLORS)],
                lw=2, ls=("-", "--", "-.", ":", "-")[k % 5], label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(t.min(), t.max())
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize="small")
    return fig


def z_scores(groups: Sequence[str], z: ArrayLike) -> Figure:
    """Each Monte Carlo estimate's distance from its exact value, in MCSE, by group.

    Parameters
    ----------
    groups : sequence of str
        The group (row of the plot) of each estimate.
    z : array_like, shape (len(groups),)
        ``(estimate - exact) / MCSE``.

    Examples
    --------
    >>> fig = z_scores(["a", "a", "b"], [0.5, -1.0, 2.0])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b']
    """
    zs = np.asarray(z, dtype=float)
    labels = list(dict.fromkeys(groups))
    fig, axes = new_figure(1, 1, figsize=(6.4, 0.45 * len(labels) + 1.2))
    ax = axes[0, 0]
    rows = np.array([labels.index(g) for g in groups], dtype=float)
    jitter = np.linspace(-0.2, 0.2, 7)
    offsets = np.array([jitter[i % 7] for i in range(rows.size)])
    ax.scatter(zs, rows + offsets, s=14, color=PRIOR_COLORS[0], zorder=3)
    for x, style in ((-4, ":"), (-2, "--"), (2, "--"), (4, ":")):
        ax.axvline(x, color=POOLED_COLOR, ls=style, lw=1)
    ax.axvline(0, color=POOLED_COLOR, lw=0.8)
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.invert_yaxis()
    lim = max(4.5, float(np.abs(zs).max()) + 0.5)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel("(Monte Carlo estimate - exact value) / MCSE")
    return fig
