r"""Figures of chapter 3 (the posterior of :math:`(\mu, \log\tau)` and its normal approximation).

Like :mod:`eightschools.plots`, these functions only draw: every density they show is computed
by :mod:`eightschools.posterior` and :mod:`eightschools.laplace` and passed in. The exact
posterior is drawn in black, solid; the normal approximation in orange (Paul Tol's "vibrant"
orange, colour-blind safe), dashed, so the two differ in line style as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from eightschools.plots import new_figure

__all__ = ["APPROX_COLOR", "EXACT_COLOR", "log_tau_densities", "posterior_contours"]

#: Colour of the exact posterior.
EXACT_COLOR = "#000000"
#: Colour of the normal (Laplace) approximation.
APPROX_COLOR = "#EE7733"

_MU_LABEL = r"$\mu = \lambda_1$ (points)"
_LOG_TAU_LABEL = r"$\log\tau = \lambda_2$ ($\tau$ in points)"


def posterior_contours(
    lambda1: ArrayLike,
    lambda2: ArrayLike,
    rel_log_post: ArrayLike,
    rel_log_approx: ArrayLike,
    mode: Sequence[float],
    *,
    contents: Sequence[float] = (0.5, 0.9, 0.99),
    title: str = "",
) -> Figure:
    r"""Contours of the log posterior of :math:`(\mu, \log\tau)` and of its normal approximation.

    Both fields are given relative to their maximum, and both are contoured at the levels
    :math:`\log(1 - p)` for each content :math:`p`: for a bivariate normal the contour at
    that level encloses probability :math:`p` exactly (the squared Mahalanobis distance is
    :math:`\chi^2_2`, whose survival function is :math:`e^{-q/2}`), so the dashed curves are
    the approximation's 50%, 90%, ... regions (labelled) and the solid ones the same density
    ratios of the exact posterior (unlabelled: their contents differ).

    Parameters
    ----------
    lambda1 : array_like, shape (n1,)
        Grid of :math:`\mu` values.
    lambda2 : array_like, shape (n2,)
        Grid of :math:`\log\tau` values.
    rel_log_post, rel_log_approx : array_like, shape (n1, n2)
        Log posterior and log normal approximation on the grid (``[i, k]`` at
        ``(lambda1[i], lambda2[k])``), each minus its value at its mode.
    mode : (float, float)
        The posterior mode, marked with a cross.
    contents : sequence of float, optional
        The probabilities :math:`p` in (0, 1) whose levels are drawn.
    title : str, optional
        A title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> l1, l2 = np.linspace(-3, 3, 31), np.linspace(-3, 3, 41)
    >>> field = -0.5 * (l1[:, None] ** 2 + l2[None, :] ** 2)
    >>> fig = posterior_contours(l1, l2, field, field, (0.0, 0.0))
    >>> fig.axes[0].get_xlabel()
    '$\\mu = \\lambda_1$ (points)'
    """
    x = np.asarray(lambda1, dtype=float)
    z_post = np.asarray(rel_log_post, dtype=float)
    z_approx = np.asarray(rel_log_approx, dtype=float)
    yv = np.asarray(lambda2, dtype=float)
    if z_post.shape != (x.size, yv.size) or z_approx.shape != z_post.shape:
        raise ValueError(
            "rel_log_post and rel_log_approx must have shape (len(lambda1), len(lambda2)) = "
            f"{(x.size, yv.size)}; got {z_post.shape} and {z_approx.shape}"
        )
    probs = sorted(float(p) for p in contents)
    if not probs or not all(0.0 < p < 1.0 for p in probs):
        raise ValueError(f"contents must be probabilities strictly between 0 and 1; got {contents}")
    levels = [float(np.log1p(-p)) for p in reversed(probs)]  # increasing, as contour wants
    labels = {lev: f"{p:.0%}" for lev, p in zip(levels, reversed(probs), strict=True)}
    fig, axes = new_figure(figsize=(6.4, 4.6))
    ax = axes[0, 0]
    # Every level is negative, which matplotlib would draw dashed unless told otherwise.
    ax.contour(
        x, yv, z_post.T, levels=levels, colors=EXACT_COLOR, linewidths=1.4, linestyles="solid"
    )
    ca = ax.contour(
        x, yv, z_approx.T, levels=levels, colors=APPROX_COLOR, linewidths=1.4, linestyles="--"
    )
    ax.clabel(ca, fmt=labels, fontsize="small")
    ax.plot(mode[0], mode[1], "x", color=EXACT_COLOR, ms=9, mew=2)
    handles = [
        Line2D([], [], color=EXACT_COLOR, lw=1.4, label="exact posterior"),
        Line2D([], [], color=APPROX_COLOR, lw=1.4, ls="--", label="normal approximation"),
        Line2D([], [], color=EXACT_COLOR, ls="", marker="x", ms=8, mew=2, label="mode"),
    ]
    ax.set_xlabel(_MU_LABEL)
    ax.set_ylabel(_LOG_TAU_LABEL)
    ax.grid(color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(handles=handles, loc="lower right", fontsize="small", framealpha=1.0)
    if title:
        ax.set_title(title)
    return fig


def log_tau_densities(
    tau: ArrayLike,
    p_tau: ArrayLike,
    log_tau: ArrayLike,
    p_log_tau: ArrayLike,
    p_log_tau_approx: ArrayLike,
    *,
    title: str = "",
) -> Figure:
    r"""The marginal posterior of :math:`\tau` and of :math:`\log\tau`, side by side.

    Left: :math:`p(\tau \mid y)`. Right: :math:`p(\log\tau \mid y) = \tau\, p(\tau \mid y)`
    (the Jacobian at work) with the normal approximation's marginal for :math:`\log\tau`.

    Parameters
    ----------
    tau, p_tau : array_like, shape (n,)
        Grid of :math:`\tau \ge 0` (points) and the normalised density on it.
    log_tau, p_log_tau, p_log_tau_approx : array_like, shape (m,)
        Grid of :math:`\log\tau`, the exact normalised density and the approximation's.
    title : str, optional
        A title over both panels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> t = np.linspace(0, 5, 11)
    >>> lt = np.linspace(-2, 2, 9)
    >>> fig = log_tau_densities(t, np.exp(-t), lt, np.exp(-lt**2), np.exp(-lt**2))
    >>> len(fig.axes)
    2
    """
    t, pt = np.asarray(tau, dtype=float), np.asarray(p_tau, dtype=float)
    lt = np.asarray(log_tau, dtype=float)
    plt_, pla = np.asarray(p_log_tau, dtype=float), np.asarray(p_log_tau_approx, dtype=float)
    if t.shape != pt.shape or t.ndim != 1:
        raise ValueError(f"tau and p_tau must be 1-D of one length; got {t.shape}, {pt.shape}")
    if not lt.shape == plt_.shape == pla.shape or lt.ndim != 1:
        raise ValueError(
            "log_tau, p_log_tau and p_log_tau_approx must be 1-D of one length; got "
            f"{lt.shape}, {plt_.shape}, {pla.shape}"
        )
    fig, axes = new_figure(1, 2, figsize=(7.6, 3.4))
    left, right = axes[0]
    left.plot(t, pt, color=EXACT_COLOR, lw=1.6)
    left.set_xlabel(r"$\tau$ (points)")
    left.set_ylabel("posterior density")
    left.set_title(r"$p(\tau \mid y)$", fontsize="medium")
    left.set_xlim(t.min(), t.max())
    left.set_ylim(bottom=0.0)
    right.plot(lt, plt_, color=EXACT_COLOR, lw=1.6, label="exact")
    right.plot(lt, pla, color=APPROX_COLOR, lw=1.6, ls="--", label="normal approximation")
    right.set_xlabel(_LOG_TAU_LABEL)
    right.set_title(r"$p(\log\tau \mid y)$", fontsize="medium")
    right.set_xlim(lt.min(), lt.max())
    right.set_ylim(bottom=0.0)
    right.legend(loc="upper left", fontsize="small", framealpha=1.0)
    for ax in (left, right):
        ax.grid(color="#eeeeee", linewidth=0.8)
        ax.set_axisbelow(True)
    if title:
        fig.suptitle(title)
    return fig
