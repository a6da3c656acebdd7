"""Figures of Markov chains and their Monte Carlo error (:mod:`eightschools.diagnostics`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from eightschools.figures.style import APPROX, CHAIN_COLORS, GREY, SMALL, checked, new_figure


def traces(
    draws: ArrayLike, ylabels: Sequence[str], *, titles: Sequence[str] | None = None,
    first_iteration: int = 1, sharey: bool = False,
) -> Figure:
    """Trace plots: draws against the iteration, one panel per parameter, one line per chain.

    Parameters
    ----------
    draws : array_like, shape (chains, n, panels)
        The draws; a panel may also hold one parameter of another run.
    ylabels : sequence of str
        The vertical axis label of each panel, with units.
    titles : sequence of str, optional
        A title for each panel (e.g. the run's proposal scale).
    first_iteration : int, optional
        The iteration number of the first draw (e.g. 5001 after a burn-in of 5000).
    sharey : bool, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = traces(np.zeros((2, 50, 3)), ["a", "b", "c"], titles=["1", "2", "3"])
    >>> len(fig.axes), len(fig.axes[0].lines)
    (3, 2)
    """
    x = np.asarray(draws, dtype=float)
    if x.ndim != 3 or len(ylabels) != x.shape[2]:
        raise ValueError(f"draws must have shape (chains, n, len(ylabels)); got {x.shape}")
    chains, n, panels = x.shape
    fig, axes = new_figure(panels, 1, height=1.7 * panels + 0.8, grid="y")
    iteration = np.arange(first_iteration, first_iteration + n)
    for p, ax in enumerate(axes[:, 0]):
        if sharey and p > 0:
            ax.sharey(axes[0, 0])
        for c in range(chains):
            ax.plot(iteration, x[c, :, p], color=CHAIN_COLORS[c], lw=0.5 if n > 4000 else 0.8)
        ax.set(xlim=(iteration[0], iteration[-1]), ylabel=ylabels[p])
        ax.set_title(titles[p] if titles else "", loc="left")
    axes[-1, 0].set_xlabel("iteration")
    return fig


def autocorrelation_bars(
    acf: ArrayLike, labels: Sequence[str], *, reference: ArrayLike | None = None,
) -> Figure:
    r"""Autocorrelation :math:`\hat\rho_t` against the lag :math:`t`, one panel per parameter.

    Parameters
    ----------
    acf : array_like, shape (params, lags)
        :math:`\hat\rho_0 = 1, \hat\rho_1, \dots` of each parameter, drawn as bars.
    labels : sequence of str
        The title of each panel.
    reference : array_like, shape (params, lags), optional
        :math:`\hat\rho_1^t`, the autocorrelation of an AR(1) chain with the same lag 1, dashed.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = autocorrelation_bars([[1.0, 0.5, 0.25]], ["mu"], reference=[[1.0, 0.5, 0.25]])
    >>> fig.axes[0].get_title(), len(fig.axes[0].lines)
    ('mu', 2)
    """
    rho = np.asarray(acf, dtype=float)
    params, lags = rho.shape
    if len(labels) != params:
        raise ValueError(f"labels must have one entry per row of acf ({params})")
    ref = None if reference is None else checked(reference, "reference", rho.shape)
    fig, axes = new_figure(1, params, height=3.4, grid="y")
    low = min(0.0, rho.min(), np.inf if ref is None else ref.min()) - 0.05
    for p, ax in enumerate(axes[0]):
        ax.vlines(np.arange(lags), 0.0, rho[p], color=CHAIN_COLORS[0], lw=2.0,
                  label="sample autocorrelation")
        if ref is not None:
            ax.plot(np.arange(lags), ref[p], color=GREY, ls="--", lw=1.2,
                    label="AR(1) with the same lag-1 value")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set(title=labels[p], xlabel="lag (iterations)", xlim=(-0.5, lags - 0.5),
               ylim=(low, 1.05))
    axes[0, 0].set_ylabel("autocorrelation")
    if ref is not None:
        fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center",
                   frameon=False)
    return fig


def rhat_path(
    iterations: ArrayLike, rhat: ArrayLike, labels: Sequence[str], *, threshold: float = 1.01,
) -> Figure:
    r"""R-hat from the first :math:`n` iterations of every chain, against :math:`n`.

    The vertical axis is :math:`\widehat R - 1` on a log scale, labelled with
    :math:`\widehat R`, so that 1.1, 1.01 and 1.001 are equally far apart; values below 1.0001
    are drawn at 1.0001.

    Parameters
    ----------
    iterations : array_like, shape (k,)
        The numbers of iterations :math:`n` (log axis).
    rhat : array_like, shape (k, params)
        :math:`\widehat R` of each parameter from the first :math:`n` iterations.
    labels : sequence of str
        One legend entry per parameter.
    threshold : float, optional
        The value below which chains count as mixed, drawn dashed.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = rhat_path([10, 100, 1000], [[2.0, 3.0], [1.1, 1.2], [1.0, 1.0]], ["mu", "tau"])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['1.0001', '1.001', '1.01', '1.1', '2', '4']
    """
    n = np.asarray(iterations, dtype=float)
    excess = np.maximum(checked(rhat, "rhat", (n.size, len(labels))) - 1.0, 1e-4)
    fig, axes = new_figure(height=3.6)
    ax = axes[0, 0]
    for p, name in enumerate(labels):
        ax.plot(n, excess[:, p], marker="osD^"[p % 4], ms=5, color=CHAIN_COLORS[p], label=name)
    ax.axhline(threshold - 1.0, color=GREY, ls="--", label=rf"$\widehat{{R}}$ = {threshold:g}")
    top = max(float(excess.max()), 0.1) * 1.5
    ticks = [t for t in (1e-4, 1e-3, 1e-2, 1e-1, 1.0, 3.0, 10.0) if t <= top]
    ax.set(xscale="log", yscale="log", ylim=(1e-4 / 1.5, top), yticks=ticks,
           yticklabels=[f"{1.0 + t:g}" for t in ticks],
           ylabel=r"$\widehat{R}$ (log scale of $\widehat{R} - 1$)",
           xlabel="iterations per chain (log scale)")
    ax.minorticks_off()
    ax.legend(frameon=False)
    return fig


def tuning_curves(
    scales: ArrayLike, accept_rate: ArrayLike, efficiency: ArrayLike, *,
    efficiency_se: ArrayLike | None = None, reference_accept: ArrayLike | None = None,
    marks: Sequence[tuple[float, str]] = (),
) -> Figure:
    r"""Acceptance rate and effective draws per iteration against the proposal scale.

    Top: the acceptance rate, with an optional reference curve (dashed). Bottom:
    :math:`\mathrm{ESS}/S` of each quantity, with error bars of one standard error.

    Parameters
    ----------
    scales : array_like, shape (k,)
        Proposal scales :math:`s`, increasing (log axis).
    accept_rate, reference_accept : array_like, shape (k,)
        The acceptance rate at each scale, and an optional reference (e.g. a closed form).
    efficiency, efficiency_se : array_like, shape (k, 2)
        Effective draws per iteration of :math:`\mu` and :math:`\log\tau`, and standard errors.
    marks : sequence of (float, str), optional
        Scales marked by vertical lines with a label (the first dash-dotted, the others dotted).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> eff = np.array([[0.03, 0.02], [0.08, 0.05], [0.12, 0.08]])
    >>> fig = tuning_curves([0.5, 1.0, 2.0], [0.8, 0.6, 0.3], eff, marks=[(1.7, "rule")])
    >>> len(fig.axes), fig.axes[1].get_ylabel()
    (2, 'effective draws per iteration')
    """
    s = np.asarray(scales, dtype=float)
    a = checked(accept_rate, "accept_rate", s.shape)
    e = checked(efficiency, "efficiency", (s.size, 2))
    se = None if efficiency_se is None else checked(efficiency_se, "efficiency_se", e.shape)
    fig, axes = new_figure(2, 1, height=6.4)
    ax_a, ax_e = axes[:, 0]
    ax_a.plot(s, a, "o-", color=CHAIN_COLORS[0], label="eight schools posterior")
    if reference_accept is not None:
        ax_a.plot(s, checked(reference_accept, "reference_accept", s.shape), "--", color=APPROX,
                  label="normal target, closed form")
        ax_a.legend(frameon=False, loc="lower left")
    ax_a.set(ylim=(0.0, 1.0), ylabel="acceptance rate")
    styles = (("o-", CHAIN_COLORS[0], r"$\mu$"), ("s--", APPROX, r"$\log\tau$"))
    for i, (fmt, color, label) in enumerate(styles):
        yerr = None if se is None else se[:, i]
        ax_e.errorbar(s, e[:, i], yerr=yerr, fmt=fmt, color=color, ms=4, capsize=2, label=label)
    ax_e.set(ylim=(0.0, None), ylabel="effective draws per iteration")
    ax_e.legend(frameon=False, loc="upper left")
    ticks = [t for t in (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0) if s.min() <= t <= s.max()]
    for ax, label_height in ((ax_a, 0.55), (ax_e, 0.03)):
        ax.set(xscale="log", xticks=ticks, xticklabels=[f"{t:g}" for t in ticks])
        ax.minorticks_off()
        for i, (x, text) in enumerate(marks):
            ax.axvline(x, color=GREY, ls=":" if i else "-.", lw=1.2)
            ax.annotate(text, (x, label_height), xycoords=("data", "axes fraction"),
                        xytext=(3 if i else -3, 0), textcoords="offset points",
                        ha="left" if i else "right", va="bottom", fontsize=SMALL, rotation=90,
                        bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    ax_e.set_xlabel("proposal scale $s$ (log axis)")
    return fig


def z_scores(groups: Sequence[str], z: ArrayLike) -> Figure:
    """Monte Carlo estimates' distances from their exact values, in MCSE, one row per group.

    Parameters
    ----------
    groups : sequence of str
        The group (row) of each estimate.
    z : array_like, shape (len(groups),)
        ``(estimate - exact) / MCSE``; dashed lines mark 2 MCSE, dotted ones 4.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = z_scores(["a", "a", "b"], [0.5, -1.0, 2.0])
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['a', 'b']
    """
    zs = checked(z, "z", (len(groups),))
    rows = list(dict.fromkeys(groups))
    fig, axes = new_figure(height=0.45 * len(rows) + 1.3, grid=None)
    ax = axes[0, 0]
    jitter = np.resize(np.linspace(-0.2, 0.2, 7), zs.size)  # spread the dots within a row
    ax.scatter(zs, [rows.index(g) for g in groups] + jitter, s=14, color=CHAIN_COLORS[0], zorder=3)
    for x, style in ((-4, ":"), (-2, "--"), (0, "-"), (2, "--"), (4, ":")):
        ax.axvline(x, color=GREY, ls=style, lw=1)
    lim = max(4.5, float(np.abs(zs).max()) + 0.5)
    ax.set(yticks=range(len(rows)), yticklabels=rows, xlim=(-lim, lim),
           xlabel="(Monte Carlo estimate - exact value) / MCSE")
    ax.invert_yaxis()
    return fig


def funnel(
    x: Sequence[ArrayLike], log_tau: Sequence[ArrayLike], xlabels: Sequence[str], *,
    divergent: Sequence[ArrayLike | None] | None = None, titles: Sequence[str] | None = None,
) -> Figure:
    r"""Draws of one coordinate against :math:`\log\tau`, one panel per sampler or coordinate.

    Divergent transitions, if given, are drawn in red: they show where a sampler fails.
    Per panel k, ``x[k]`` (e.g. :math:`\theta_1` or :math:`z_1`) and ``log_tau[k]`` hold one
    value per draw, ``xlabels[k]`` labels the axis and ``divergent[k]`` (bool per draw, or None)
    marks the draws that began a divergent transition.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lt = rng.normal(1.0, 1.0, 500)
    >>> fig = funnel([np.exp(lt) * rng.normal(size=500), rng.normal(size=500)], [lt, lt],
    ...              ["theta", "z"], divergent=[lt < -1.0, None])
    >>> len(fig.axes), len(fig.axes[0].collections)
    (2, 2)
    """
    if not len(x) == len(log_tau) == len(xlabels):
        raise ValueError("x, log_tau and xlabels must have one entry per panel")
    divergent = divergent if divergent is not None else [None] * len(x)
    fig, axes = new_figure(1, len(x), height=3.2)
    for k, ax in enumerate(axes[0]):
        xs = np.asarray(x[k], dtype=float)
        ys = checked(log_tau[k], "log_tau", xs.shape)
        ax.scatter(xs, ys, s=3, color=CHAIN_COLORS[0], alpha=0.35, linewidths=0, label="draws")
        if divergent[k] is not None:
            bad = np.asarray(divergent[k], dtype=bool)
            ax.scatter(xs[bad], ys[bad], s=12, color=CHAIN_COLORS[3], label="divergent")
            legend = ax.get_legend_handles_labels()
        ax.set_xlabel(xlabels[k])
        ax.set_title(titles[k] if titles else "")
    axes[0, 0].set_ylabel(r"$\log\tau$")
    if any(d is not None for d in divergent):
        fig.legend(*legend, loc="outside lower center", ncols=2, frameon=False, markerscale=2.5)
    return fig
