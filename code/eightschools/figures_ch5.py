"""Figures of chapter 5 (convergence diagnostics), one function each, returning a Figure.

Like :mod:`eightschools.plots`, these functions only draw: the draws, autocorrelations and
R-hat values are computed by :mod:`eightschools.diagnostics` and passed in. Chains are not
schools, so they get their own colour-blind-safe colours (Paul Tol's "vibrant" scheme) rather
than the schools' palette.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, new_figure

__all__ = ["CHAIN_COLORS", "autocorrelation_bars", "chain_color", "rhat_path", "trace"]

# The smallest R-hat - 1 drawn by rhat_path (log axis).
_RHAT_FLOOR = 1e-4

#: Colours for chains (Paul Tol's "vibrant" scheme); the palette repeats after six chains.
CHAIN_COLORS: tuple[str, ...] = ("#0077BB", "#EE7733", "#009988", "#CC3311", "#33BBEE", "#EE3377")


def chain_color(c: int) -> str:
    """Return the colour of chain ``c`` (0-based).

    Examples
    --------
    >>> chain_color(0)
    '#0077BB'
    """
    return CHAIN_COLORS[c % len(CHAIN_COLORS)]


def _check_labels(labels: Sequence[str], count: int, what: str) -> list[str]:
    out = [str(s) for s in labels]
    if len(out) != count:
        raise ValueError(f"labels must give one label per {what}; got {len(out)} for {count}")
    return out


def trace(
    draws: ArrayLike,
    labels: Sequence[str],
    *,
    first_iteration: int = 1,
    title: str = "",
) -> Figure:
    """Trace plot: each parameter's draws against the iteration, one panel per parameter.

    Parameters
    ----------
    draws : array_like, shape (chains, draws, params)
        The draws; each chain is drawn as a line in its own colour.
    labels : sequence of str
        The vertical-axis label of each panel (the parameter and its units).
    first_iteration : int, optional
        The iteration number of the first draw (e.g. 5001 after a burn-in of 5000).
    title : str, optional
        A title over the panels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((2, 50, 2))
    >>> fig = trace(x, ["a", "b"])
    >>> len(fig.axes), len(fig.axes[0].lines)
    (2, 2)
    """
    arr = np.asarray(draws, dtype=float)
    if arr.ndim != 3:
        raise ValueError(f"draws must have shape (chains, draws, params); got {arr.shape}")
    chains, n, params = arr.shape
    names = _check_labels(labels, params, "parameter")
    fig, axes = new_figure(params, 1, figsize=(6.4, 1.9 * params + 0.6))
    it = np.arange(first_iteration, first_iteration + n)
    width = 0.5 if chains * n > 4000 else 0.8
    for p, ax in enumerate(axes[:, 0]):
        for c in range(chains):
            ax.plot(it, arr[c, :, p], color=chain_color(c), lw=width, alpha=0.85)
        ax.set_ylabel(names[p])
        ax.set_xlim(it[0], it[-1])
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[-1, 0].set_xlabel("iteration")
    if title:
        fig.suptitle(title)
    return fig


def autocorrelation_bars(
    acf: ArrayLike,
    labels: Sequence[str],
    *,
    reference: ArrayLike | None = None,
    reference_label: str = "",
    title: str = "",
) -> Figure:
    r"""Autocorrelation against lag, as vertical bars, one panel per parameter.

    Parameters
    ----------
    acf : array_like, shape (params, lags)
        :math:`\hat\rho_0 = 1, \hat\rho_1, \dots` for each parameter.
    labels : sequence of str
        One panel title per parameter.
    reference : array_like, shape (params, lags), optional
        A curve to compare with (for instance :math:`\hat\rho_1^t`, the autocorrelation of an
        AR(1) chain with the same lag-1 value), drawn dashed.
    reference_label : str, optional
        The legend entry for the reference curve.
    title : str, optional
        A title over the panels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = autocorrelation_bars([[1.0, 0.5, 0.25]], ["mu"], reference=[[1.0, 0.5, 0.25]],
    ...                            reference_label="AR(1)")
    >>> fig.axes[0].get_title()
    'mu'
    """
    rho = np.atleast_2d(np.asarray(acf, dtype=float))
    params, lags = rho.shape
    names = _check_labels(labels, params, "parameter")
    ref = None if reference is None else np.atleast_2d(np.asarray(reference, dtype=float))
    if ref is not None and ref.shape != rho.shape:
        raise ValueError(f"reference must have the shape of acf {rho.shape}; got {ref.shape}")
    fig, axes = new_figure(1, params, figsize=(3.2 * params + 0.4, 3.2))
    low = min(0.0, float(rho.min()), 0.0 if ref is None else float(ref.min()))
    t = np.arange(lags)
    for p, ax in enumerate(axes[0]):
        ax.vlines(t, 0.0, rho[p], color=chain_color(0), lw=2.0, label="sample autocorrelation")
        if ref is not None:
            ax.plot(t, ref[p], color=POOLED_COLOR, ls="--", lw=1.2, label=reference_label)
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_title(names[p])
        ax.set_xlabel("lag (iterations)")
        ax.set_xlim(-0.5, lags - 0.5)
        ax.set_ylim(low - 0.05, 1.05)
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[0, 0].set_ylabel("autocorrelation")
    if ref is not None and reference_label:
        handles, texts = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, texts, loc="outside lower center", ncols=2, fontsize="small",
                   frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def rhat_path(
    iterations: ArrayLike,
    rhat_values: ArrayLike,
    labels: Sequence[str],
    *,
    threshold: float = 1.01,
    title: str = "",
) -> Figure:
    r"""R-hat computed from the first ``n`` iterations, against ``n``, one line per parameter.

    Parameters
    ----------
    iterations : array_like, shape (k,)
        The numbers of iterations ``n`` (drawn on a logarithmic axis).
    rhat_values : array_like, shape (k, params)
        :math:`\hat R` of each parameter from the first ``n`` iterations of every chain.
    labels : sequence of str
        One legend entry per parameter.
    threshold : float, optional
        The value below which chains count as mixed, drawn as a dashed line.
    title : str, optional
        A title over the plot.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    The vertical axis is :math:`\hat R - 1` on a logarithmic scale, labelled with
    :math:`\hat R`, so that 1.1, 1.01 and 1.001 are equally far apart; values below 1.0001
    (including the occasional value just under 1) are drawn at 1.0001.

    Examples
    --------
    >>> fig = rhat_path([10, 100, 1000], [[2.0, 3.0], [1.1, 1.2], [1.0, 1.0]], ["mu", "tau"])
    >>> fig.axes[0].get_xscale(), len(fig.axes[0].lines)
    ('log', 3)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['1.0001', '1.001', '1.01', '1.1', '2', '4']
    """
    n = np.asarray(iterations, dtype=float)
    values = np.asarray(rhat_values, dtype=float)
    if values.ndim != 2 or values.shape[0] != n.size:
        raise ValueError(
            f"rhat_values must have shape (len(iterations), params) = ({n.size}, params); "
            f"got {values.shape}"
        )
    names = _check_labels(labels, values.shape[1], "parameter")
    fig, axes = new_figure(figsize=(6.4, 3.6))
    ax = axes[0, 0]
    excess = np.maximum(values - 1.0, _RHAT_FLOOR)  # R-hat - 1 on a log axis
    markers = ("o", "s", "^", "D")
    for p, name in enumerate(names):
        ax.plot(n, excess[:, p], marker=markers[p % len(markers)], ms=4, color=chain_color(p),
                lw=1.5, label=name)
    ax.axhline(threshold - 1.0, color=POOLED_COLOR, ls="--", lw=1.0,
               label=f"R-hat = {threshold:g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    top = max(float(np.nanmax(excess)), 0.1)
    ticks = [t for t in (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 3.0, 10.0) if t <= top * 1.5]
    ax.set_yticks(ticks, [f"{1.0 + t:g}" for t in ticks])
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(_RHAT_FLOOR / 1.5, top * 1.5)
    ax.set_xlabel("iterations per chain used (log scale)")
    ax.set_ylabel("R-hat (log scale of R-hat - 1)")
    ax.grid(color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize="small")
    if title:
        ax.set_title(title)
    return fig
