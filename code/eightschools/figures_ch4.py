"""Figures of chapter 4 (random-walk Metropolis), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: the log density on a grid, the
draws, acceptance rates and jump distances are computed elsewhere and passed in. A chain is
not a school, so chains are drawn in a colour outside the schools' palette (the first chain
colour of chapter 5, Paul Tol's "vibrant" blue).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, new_figure

__all__ = ["CHAIN_COLOR", "draws_on_contour", "traces", "tuning_curves"]

#: The colour of a chain's draws (Paul Tol's "vibrant" blue, chain 1 in chapter 5).
CHAIN_COLOR = "#0077BB"
#: A second colour, for a reference curve (Paul Tol's "vibrant" orange).
REFERENCE_COLOR = "#EE7733"

_MU_LABEL = r"$\mu$ = $\lambda_1$ (points)"
_LOG_TAU_LABEL = r"$\log\tau$ = $\lambda_2$ ($\tau$ in points)"


def draws_on_contour(
    mu: ArrayLike,
    log_tau: ArrayLike,
    log_density: ArrayLike,
    draws: ArrayLike,
    *,
    mode: Sequence[float] | None = None,
    drops: Sequence[float] = (0.5, 1.0, 2.0, 4.0, 8.0),
    title: str = "",
) -> Figure:
    r"""Draws of :math:`(\mu, \log\tau)` over contours of the log posterior.

    Contours are drawn where the log density is ``drops`` below its largest value on the
    grid (for a normal density, drops of 0.5, 2 and 4.5 would be the 1, 2 and 3 standard
    deviation ellipses).

    Parameters
    ----------
    mu : array_like, shape (m,)
        Grid of :math:`\mu` values.
    log_tau : array_like, shape (k,)
        Grid of :math:`\log\tau` values.
    log_density : array_like, shape (k, m)
        The log posterior at each grid point, ``log_density[i, j]`` at
        ``(mu[j], log_tau[i])``.
    draws : array_like, shape (n, 2)
        Draws of :math:`(\mu, \log\tau)`.
    mode : (float, float), optional
        A point to mark with a cross (the posterior mode).
    drops : sequence of float, optional
        Positive drops of the log density below its maximum at which to draw contours.
    title : str, optional
        A title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> m, lt = np.linspace(-5, 5, 30), np.linspace(-3, 3, 20)
    >>> z = -0.5 * (m[None, :] ** 2 + lt[:, None] ** 2)
    >>> fig = draws_on_contour(m, lt, z, np.zeros((10, 2)), mode=(0.0, 0.0))
    >>> fig.axes[0].get_xlabel()
    '$\\mu$ = $\\lambda_1$ (points)'
    """
    m = np.asarray(mu, dtype=float)
    lt = np.asarray(log_tau, dtype=float)
    z = np.asarray(log_density, dtype=float)
    x = np.asarray(draws, dtype=float)
    if z.shape != (lt.size, m.size):
        raise ValueError(
            f"log_density must have shape (len(log_tau), len(mu)) = ({lt.size}, {m.size}); "
            f"got {z.shape}"
        )
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"draws must have shape (n, 2); got {x.shape}")
    levels = np.sort(np.nanmax(z) - np.asarray(drops, dtype=float))
    fig, axes = new_figure(figsize=(6.4, 4.4))
    ax = axes[0, 0]
    ax.plot(x[:, 0], x[:, 1], ".", color=CHAIN_COLOR, ms=2.0, alpha=0.35, zorder=1)
    ax.contour(
        m, lt, z, levels=levels, colors="black", linewidths=0.9, linestyles="solid", zorder=2
    )
    if mode is not None:
        ax.plot(mode[0], mode[1], "x", color="black", ms=9, mew=2, zorder=3)
        ax.annotate(
            "mode", (mode[0], mode[1]), xytext=(8, 8), textcoords="offset points", zorder=3,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    ax.set_xlim(m[0], m[-1])
    ax.set_ylim(lt[0], lt[-1])
    ax.set_xlabel(_MU_LABEL)
    ax.set_ylabel(_LOG_TAU_LABEL)
    if title:
        ax.set_title(title)
    return fig


def tuning_curves(
    scales: ArrayLike,
    accept_rate: ArrayLike,
    jump: ArrayLike,
    *,
    reference_accept: ArrayLike | None = None,
    mark: float | None = None,
    mark_label: str = "",
) -> Figure:
    r"""Acceptance rate and mean squared jump distance against the proposal scale.

    Two panels over a logarithmic scale axis: the acceptance rate (with an optional
    reference curve, e.g. the closed form for a normal target), and the mean squared jump
    distance in the metric of the proposal covariance.

    Parameters
    ----------
    scales : array_like, shape (k,)
        Proposal scales :math:`s`, increasing.
    accept_rate, jump : array_like, shape (k,)
        The acceptance rate and mean squared jump distance at each scale.
    reference_accept : array_like, shape (k,), optional
        A reference acceptance curve, drawn dashed.
    mark : float, optional
        A scale to mark with a vertical line (the post's scale).
    mark_label : str, optional
        The label written beside that line.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> s = np.array([0.5, 1.0, 2.0])
    >>> fig = tuning_curves(s, [0.8, 0.6, 0.3], [0.2, 0.6, 1.0], mark=2.0, mark_label="post")
    >>> len(fig.axes)
    2
    """
    s = np.asarray(scales, dtype=float)
    a = np.asarray(accept_rate, dtype=float)
    j = np.asarray(jump, dtype=float)
    if not s.shape == a.shape == j.shape or s.ndim != 1:
        raise ValueError(
            f"scales, accept_rate and jump must be 1-D of one length; got shapes "
            f"{s.shape}, {a.shape}, {j.shape}"
        )
    fig, axes = new_figure(1, 2, figsize=(7.2, 3.4))
    ax_a, ax_j = axes[0]
    ax_a.plot(s, a, "o-", color=CHAIN_COLOR, label="eight schools posterior")
    if reference_accept is not None:
        ax_a.plot(
            s, np.asarray(reference_accept, dtype=float), "--", color=REFERENCE_COLOR,
            label="normal target, closed form",
        )
        ax_a.legend(fontsize="small", frameon=False, loc="upper right")
    ax_a.set_ylim(0.0, 1.0)
    ax_a.set_ylabel("acceptance rate")
    ax_j.plot(s, j, "o-", color=CHAIN_COLOR)
    ax_j.set_ylim(bottom=0.0)
    ax_j.set_ylabel("mean squared jump (whitened units)")
    for ax, label_y in ((ax_a, 0.6), (ax_j, 0.03)):
        ax.set_xscale("log")
        ax.set_xlabel("proposal scale $s$")
        ax.grid(color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        if mark is not None:
            ax.axvline(mark, color=POOLED_COLOR, ls=":", lw=1.2)
            if mark_label:
                ax.annotate(
                    mark_label, (mark, label_y), xycoords=("data", "axes fraction"),
                    xytext=(4, 0), textcoords="offset points", va="bottom", fontsize="small",
                )
    return fig


def traces(
    series: Sequence[ArrayLike],
    labels: Sequence[str],
    *,
    ylabel: str = _LOG_TAU_LABEL,
) -> Figure:
    """Trace plots of one parameter from several runs, one panel per run, stacked.

    Parameters
    ----------
    series : sequence of array_like, each shape (n,)
        The draws of each run, against the iteration number 1, ..., n.
    labels : sequence of str
        A title for each panel (e.g. the proposal scale and acceptance rate).
    ylabel : str, optional
        The label of the vertical axes, with units.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = traces([np.zeros(5), np.ones(5)], ["a", "b"])
    >>> [ax.get_title(loc="left") for ax in fig.axes]
    ['a', 'b']
    """
    runs = [np.asarray(x, dtype=float) for x in series]
    if len(runs) != len(labels) or not runs:
        raise ValueError(
            f"series and labels must have one entry per run; got {len(runs)} and {len(labels)}"
        )
    fig, axes = new_figure(len(runs), 1, figsize=(6.4, 1.5 * len(runs) + 0.8))
    lo = min(float(x.min()) for x in runs)
    hi = max(float(x.max()) for x in runs)
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    for ax, x, label in zip(axes[:, 0], runs, labels, strict=True):
        ax.plot(np.arange(1, x.size + 1), x, color=CHAIN_COLOR, lw=0.8)
        ax.set_title(label, fontsize="medium", loc="left")
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel(ylabel, fontsize="small")
        ax.grid(color="#eeeeee", linewidth=0.8)
    axes[-1, 0].set_xlabel("iteration")
    return fig
