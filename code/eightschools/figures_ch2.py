r"""Figures of chapter 2 (the hierarchical model and its completed square).

Like :mod:`eightschools.plots`, these functions only draw: every number they show is computed
elsewhere (:func:`eightschools.posterior.conditional_theta`) and passed in. Each school keeps
its colour from :func:`eightschools.plots.group_color`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.plots import POOLED_COLOR, group_color, new_figure

__all__ = ["shrinkage_paths"]


def _spread_labels(y: np.ndarray, gap: float) -> np.ndarray:
    """Label heights near ``y``, at least ``gap`` apart, in the same order as ``y``."""
    order = np.argsort(y, kind="stable")
    out = np.empty_like(y)
    last = -np.inf
    for k in order:
        last = max(float(y[k]), last + gap)
        out[k] = last
    # centre the block so that the labels do not all drift upwards
    shift = float(np.mean(out - y))
    return out - shift


def shrinkage_paths(
    tau: ArrayLike,
    theta_hat: ArrayLike,
    names: Sequence[str],
    *,
    mu: float | None = None,
    title: str = "",
) -> Figure:
    r"""Draw each group's conditional posterior mean :math:`\hat\theta_j` against :math:`\tau`.

    One line per group, :math:`\tau` on a logarithmic axis, each group's name written at the
    right-hand end of its line (where :math:`\hat\theta_j` has nearly reached :math:`y_j`);
    an optional dashed line marks the value :math:`\mu` that every path starts from as
    :math:`\tau \to 0`.

    Parameters
    ----------
    tau : array_like, shape (K,)
        Increasing, strictly positive values of :math:`\tau` (points).
    theta_hat : array_like, shape (K, J)
        :math:`\hat\theta_j` at each :math:`\tau` (points).
    names : sequence of str, length J
        Group names, in data order (colours follow that order).
    mu : float, optional
        The common value the paths start from, drawn as a dashed grey line.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``tau`` is not one-dimensional, positive and increasing, or ``theta_hat`` does not
        have shape ``(len(tau), len(names))``.

    Examples
    --------
    >>> fig = shrinkage_paths([1.0, 10.0, 100.0], [[0.0, 0.0], [1.0, -1.0], [2.0, -2.0]],
    ...                       ["A", "B"], mu=0.0)
    >>> [t.get_text() for t in fig.axes[0].texts], fig.axes[0].get_xscale()
    (['$\\mu$', 'A', 'B'], 'log')
    """
    t = np.asarray(tau, dtype=float)
    th = np.asarray(theta_hat, dtype=float)
    if t.ndim != 1 or t.size < 2 or not np.all(t > 0) or not np.all(np.diff(t) > 0):
        raise ValueError("tau must be one-dimensional, strictly positive and increasing")
    if th.shape != (t.size, len(names)):
        raise ValueError(
            f"theta_hat must have shape (len(tau), len(names)) = {(t.size, len(names))}; "
            f"got {th.shape}"
        )
    fig, axes = new_figure(figsize=(6.4, 4.2))
    ax = axes[0, 0]
    if mu is not None:
        ax.axhline(mu, color=POOLED_COLOR, lw=1.2, ls="--")
        ax.annotate(r"$\mu$", (t[0], mu), xytext=(2, 4), textcoords="offset points",
                    color=POOLED_COLOR)
    label_y = _spread_labels(th[-1], gap=0.05 * float(np.ptp(th)) if th.size else 0.0)
    for j, name in enumerate(names):
        c = group_color(j)
        ax.plot(t, th[:, j], color=c, lw=2.0)
        ax.annotate(str(name), (t[-1], th[-1, j]), xytext=(t[-1] * 1.12, label_y[j]),
                    textcoords="data", va="center", color=c, fontweight="bold")
    ax.set_xscale("log")
    ax.set_xlim(t[0], t[-1])
    ax.set_xlabel(r"population standard deviation $\tau$ (points, log scale)")
    ax.set_ylabel(r"$E(\theta_j \mid \mu, \tau, y)$ (points)")
    ax.grid(color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title)
    return fig
