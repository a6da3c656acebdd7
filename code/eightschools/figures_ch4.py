"""Figures of chapter 4 (random-walk Metropolis), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: the log density on a grid, the
draws, acceptance rates, effective sample sizes and densities are computed elsewhere and
passed in. A chain is not a school, so chains are drawn in a colour outside the schools'
palette (the first chain colour of chapter 5, Paul Tol's "vibrant" blue).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, new_figure

__all__ = [
    "CHAIN_COLOR",
    "REFERENCE_COLOR",
    "draws_on_contour",
    "marginal_densities",
    "traces",
    "tuning_curves",
]

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
    efficiency: ArrayLike,
    *,
    efficiency_se: ArrayLike | None = None,
    efficiency_labels: Sequence[str] = (r"$\mu$", r"$\log\tau$"),
    reference_accept: ArrayLike | None = None,
    marks: Sequence[tuple[float, str]] = (),
) -> Figure:
    r"""Acceptance rate and effective draws per iteration against the proposal scale.

    Two panels over a logarithmic scale axis: the acceptance rate (with an optional
    reference curve, e.g. the closed form for a normal target), and the effective sample
    size per iteration, :math:`\widehat{S}_{\text{eff}} / S`, of one or more quantities,
    with optional error bars of plus or minus one standard error.

    Parameters
    ----------
    scales : array_like, shape (k,)
        Proposal scales :math:`s`, increasing.
    accept_rate : array_like, shape (k,)
        The acceptance rate at each scale.
    efficiency : array_like, shape (k, m)
        Effective draws per iteration of ``m`` quantities at each scale.
    efficiency_se : array_like, shape (k, m), optional
        Their standard errors, drawn as error bars.
    efficiency_labels : sequence of str, optional
        One legend label per quantity (default :math:`\mu` and :math:`\log\tau`).
    reference_accept : array_like, shape (k,), optional
        A reference acceptance curve, drawn dashed.
    marks : sequence of (float, str), optional
        Scales to mark with vertical lines in both panels, each with a label; the first
        label is written left of its line, the others right of theirs.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the arrays' shapes disagree, or there are not as many labels as quantities.

    Examples
    --------
    >>> s = np.array([0.5, 1.0, 2.0])
    >>> eff = np.array([[0.03, 0.02], [0.08, 0.05], [0.12, 0.08]])
    >>> fig = tuning_curves(s, [0.8, 0.6, 0.3], eff, marks=[(1.7, "rule"), (2.0, "post")])
    >>> len(fig.axes), fig.axes[1].get_ylabel()
    (2, 'effective draws per iteration')
    """
    s = np.asarray(scales, dtype=float)
    a = np.asarray(accept_rate, dtype=float)
    e = np.asarray(efficiency, dtype=float)
    if e.ndim == 1:
        e = e[:, np.newaxis]
    if s.ndim != 1 or a.shape != s.shape or e.ndim != 2 or e.shape[0] != s.size:
        raise ValueError(
            f"scales and accept_rate must be 1-D of one length k and efficiency of shape "
            f"(k, m); got shapes {s.shape}, {a.shape}, {e.shape}"
        )
    se = None if efficiency_se is None else np.asarray(efficiency_se, dtype=float)
    if se is not None and se.ndim == 1:
        se = se[:, np.newaxis]
    if se is not None and se.shape != e.shape:
        raise ValueError(
            f"efficiency_se must have the shape of efficiency {e.shape}; got {se.shape}"
        )
    if len(efficiency_labels) != e.shape[1]:
        raise ValueError(
            f"efficiency_labels must have one label per quantity ({e.shape[1]}); "
            f"got {len(efficiency_labels)}"
        )
    fig, axes = new_figure(1, 2, figsize=(7.6, 3.8))
    ax_a, ax_e = axes[0]
    ax_a.plot(s, a, "o-", color=CHAIN_COLOR, label="eight schools posterior")
    if reference_accept is not None:
        ax_a.plot(
            s, np.asarray(reference_accept, dtype=float), "--", color=REFERENCE_COLOR,
            label="normal target, closed form",
        )
        ax_a.legend(fontsize="small", frameon=False, loc="lower left")
    ax_a.set_ylim(0.0, 1.0)
    ax_a.set_ylabel("acceptance rate")
    styles = (("o-", CHAIN_COLOR), ("s--", REFERENCE_COLOR), ("^:", POOLED_COLOR))
    for i, label in enumerate(efficiency_labels):
        fmt, color = styles[i % len(styles)]
        yerr = None if se is None else se[:, i]
        ax_e.errorbar(s, e[:, i], yerr=yerr, fmt=fmt, color=color, ms=4, capsize=2, label=label)
    ax_e.set_ylim(bottom=0.0)
    ax_e.set_ylabel("effective draws per iteration")
    ax_e.legend(fontsize="small", frameon=False, loc="upper left")
    ticks = [t for t in (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0) if s.min() <= t <= s.max()]
    for ax, label_y in ((ax_a, 0.55), (ax_e, 0.03)):
        ax.set_xscale("log")
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("proposal scale $s$ (log axis)")
        ax.grid(color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        for i, (x, text) in enumerate(marks):
            ax.axvline(x, color=POOLED_COLOR, ls=":" if i else "-.", lw=1.2)
            if text:
                ax.annotate(
                    text, (x, label_y), xycoords=("data", "axes fraction"),
                    xytext=(-3 if i == 0 else 3, 0), textcoords="offset points",
                    ha="right" if i == 0 else "left", va="bottom", fontsize="small",
                    rotation=90, bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1},
                )
    return fig


def marginal_densities(
    draws: ArrayLike,
    grid: ArrayLike,
    kde: ArrayLike,
    normal: ArrayLike,
    *,
    labels: Sequence[str] = (_MU_LABEL, _LOG_TAU_LABEL),
    bins: int = 60,
) -> Figure:
    r"""Marginal posterior densities of each coordinate: histogram, kernel density, normal.

    One panel per coordinate: a histogram of the draws scaled to a density (area 1), the
    kernel density estimate evaluated on a grid (solid), and a reference density such as
    the normal approximation's marginal :math:`\mathrm{N}(\hat\lambda_i, \Sigma_{ii})`
    (dashed). The densities are computed elsewhere and passed in.

    Parameters
    ----------
    draws : array_like, shape (n, p)
        The draws, one column per coordinate.
    grid : array_like, shape (p, m)
        For each coordinate, the points at which the densities were evaluated.
    kde, normal : array_like, shape (p, m)
        The kernel density estimate and the reference density on ``grid``.
    labels : sequence of str, optional
        The horizontal axis label of each panel, with units.
    bins : int, optional
        The number of histogram bins.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the shapes disagree.

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((500, 2))
    >>> g = np.tile(np.linspace(-4, 4, 81), (2, 1))
    >>> pdf = np.exp(-0.5 * g**2) / np.sqrt(2 * np.pi)
    >>> fig = marginal_densities(x, g, pdf, pdf)
    >>> len(fig.axes), fig.axes[0].get_ylabel()
    (2, 'density (per unit)')
    """
    x = np.asarray(draws, dtype=float)
    g = np.asarray(grid, dtype=float)
    k = np.asarray(kde, dtype=float)
    r = np.asarray(normal, dtype=float)
    if x.ndim != 2 or g.ndim != 2 or g.shape[0] != x.shape[1] or not g.shape == k.shape == r.shape:
        raise ValueError(
            f"draws must have shape (n, p) and grid, kde and normal shape (p, m); got shapes "
            f"{x.shape}, {g.shape}, {k.shape}, {r.shape}"
        )
    if len(labels) != x.shape[1]:
        raise ValueError(
            f"labels must have one entry per coordinate ({x.shape[1]}); got {len(labels)}"
        )
    fig, axes = new_figure(1, x.shape[1], figsize=(3.8 * x.shape[1], 3.4))
    for i, ax in enumerate(axes[0]):
        ax.hist(x[:, i], bins=bins, density=True, color="#BBCCEE", edgecolor="white", lw=0.3,
                label="histogram of the draws")
        ax.plot(g[i], k[i], "-", color=CHAIN_COLOR, lw=1.8, label="kernel density estimate")
        ax.plot(g[i], r[i], "--", color=REFERENCE_COLOR, lw=1.6, label="normal approximation")
        ax.set_xlim(g[i, 0], g[i, -1])
        ax.set_ylim(bottom=0.0)
        ax.set_xlabel(labels[i])
        ax.grid(color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[0, 0].set_ylabel("density (per unit)")
    axes[0, -1].legend(fontsize="small", frameon=False, loc="upper left")
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
