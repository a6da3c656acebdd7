r"""The school effects from draws of :math:`(\mu, \log\tau)`: summaries, probabilities, checks.

Given :math:`(\mu, \tau)` the effects are independent normals (BDA3 eq. 5.17), so one normal
vector per sampler draw gives draws of the joint posterior. Draws come in chain order, shape
``(n, k)`` or ``(chains, n, k)``; every estimate carries its Monte Carlo standard error
(:func:`eightschools.diagnostics.mcse` of its draws; 0 for a probability estimated as 0 or 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools import diagnostics
from eightschools.data import check_y_sigma
from eightschools.posterior import conditional_theta, mu_given_tau, shrinkage_factor
from eightschools.tables import Table

__all__ = ["QUANTILE_PROBS", "STATISTICS", "EffectSummary", "Estimate", "NewSchool",
           "PredictiveCheck", "effect_summary", "mean_shrinkage", "new_school",
           "predictive_check", "prob_best", "prob_exceeds", "prob_pairwise", "replicate",
           "theta_density", "theta_draws", "theta_given_tau"]

FloatArray = NDArray[np.float64]

#: The quantiles reported by :func:`effect_summary`.
QUANTILE_PROBS: tuple[float, ...] = diagnostics.SUMMARY_PROBS


def _check_draws(x: ArrayLike, name: str, width=0, min_width=1, chains=False) -> FloatArray:
    """Draws (n, k) or (chains, n, k): finite, MIN_DRAWS per chain; (chains, n, k) if chains."""
    arr = np.asarray(x, dtype=np.float64)
    k, n = width or "J", diagnostics.MIN_DRAWS
    if arr.ndim not in (2, 3) or arr.shape[-1] != (width or arr.shape[-1]):
        raise ValueError(f"{name} must have shape (n, {k}) or (chains, n, {k}); got {arr.shape}")
    if arr.shape[-2] < n:
        raise ValueError(f"{name} must hold at least {n} draws per chain; got {arr.shape[-2]}")
    if arr.shape[-1] < min_width:
        raise ValueError(f"{name} must hold at least {min_width} groups; got {arr.shape[-1]}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr[np.newaxis] if chains and arr.ndim == 2 else arr


def _check_rng(rng: object) -> None:
    if not callable(getattr(rng, "standard_normal", None)):
        raise ValueError(f"rng must have a standard_normal method; got {type(rng).__name__}")


def _tau(lam: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):  # a huge log tau gives tau = inf: no pooling, allowed
        return np.exp(lam[..., 1])


def _mean_with_mcse(x: FloatArray) -> Estimate:
    """The mean of x (chains, n, ...) over chains and draws, with each entry's MCSE."""
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    mcse = [diagnostics.mcse(flat[:, :, k]) for k in range(flat.shape[2])]
    return Estimate(x.mean(axis=(0, 1)), np.reshape(mcse, x.shape[2:]))


class _ShownAsTable:
    """Prints as the text of ``self.table()`` and shows as its HTML in a notebook."""

    def __repr__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table().to_html(compact=True)


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate ``value`` and its Monte Carlo standard error ``mcse``."""

    value: FloatArray
    mcse: FloatArray


def theta_draws(
    draws: ArrayLike, y: ArrayLike, sigma: ArrayLike, rng: np.random.Generator
) -> FloatArray:
    r"""Draw every school effect once for each draw of :math:`(\mu, \log\tau)`.

    Each row of the (n, J) or (chains, n, J) result is

    .. math:: \theta_j = (1 - B_j) y_j + B_j \mu + \sqrt{(1 - B_j)\sigma_j^2}\, z_j,

    with :math:`B_j = \sigma_j^2/(\sigma_j^2 + \tau^2)` and :math:`z_j \sim \mathrm{N}(0, 1)`
    (BDA3 eq. 5.17), drawn school by school as the blog post's loop draws them, so that
    :class:`eightschools.rstream.RStream` replays them.

    Parameters
    ----------
    draws : array_like, (n, 2) or (chains, n, 2) draws of :math:`(\mu, \log\tau)`
    y, sigma : array_like, shape (J,), with :math:`J \ge 3`
    rng : numpy.random.Generator, or any object with its ``standard_normal(size)``

    Examples
    --------
    >>> lam = np.array([[8.0, np.log(5.0)]] * 4)  # four draws of (mu, log tau)
    >>> theta_draws(lam, [28, 8, -3], [15, 10, 16], np.random.default_rng(0)).shape
    (4, 3)
    """
    lam = _check_draws(draws, "draws", width=2)
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    _check_rng(rng)
    mean, var = conditional_theta(lam[..., 0], _tau(lam), y_arr, s_arr)
    z = rng.standard_normal((y_arr.size, *lam.shape[:-1]))  # school by school
    return mean + np.sqrt(var) * np.moveaxis(z, 0, -1)


def theta_given_tau(tau: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, ...]:
    r"""Mean and variance of each school effect given :math:`\tau`, with :math:`\mu` integrated out.

    With :math:`\mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu)` (BDA3 eq. 5.20), eq. 5.17 gives
    ``mean`` :math:`E(\theta_j \mid \tau, y) = (1 - B_j) y_j + B_j \hat\mu` and ``var``
    :math:`\operatorname{var}(\theta_j \mid \tau, y) = (1 - B_j)\sigma_j^2 + B_j^2 V_\mu`, of
    shape (..., J) (BDA3 figures 5.6 and 5.7).

    Parameters
    ----------
    tau : array_like, shape (...), finite and :math:`\ge 0`
    y, sigma : array_like, shape (J,)

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> mean, var = theta_given_tau([0.0, 10.0, 1e6], y, sigma)
    >>> print(mean[:, 0].round(2), np.sqrt(var[:, 0]).round(2))  # school A
    [ 7.69 14.24 28.  ] [ 4.07  9.16 15.  ]
    """
    mu_hat, v_mu = mu_given_tau(tau, y, sigma)
    mean, var = conditional_theta(mu_hat, tau, y, sigma)
    b = shrinkage_factor(tau, sigma)
    with np.errstate(over="ignore", invalid="ignore"):
        extra = b * b * np.asarray(v_mu)[..., np.newaxis]
    # Past tau = 1e154 V_mu overflows to inf while B_j^2 V_mu tends to 0.
    return mean, var + np.where(np.isfinite(extra), extra, 0.0)


def theta_density(grid: ArrayLike, draws: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Each school's marginal posterior density on a grid, averaged over the draws of :math:`\tau`.

    The (G, J) Rao-Blackwellised estimate (Gelfand & Smith 1990, *JASA* 85, 398-409) with
    :math:`m_j, v_j` of :func:`theta_given_tau`:

    .. math:: \hat p(\theta_j \mid y) = \frac1S \sum_s
              \mathrm{N}(\theta_j \mid m_j(\tau^{(s)}), v_j(\tau^{(s)})).

    Given :math:`\tau` alone no
    component is narrower than :math:`B_j\sqrt{V_\mu}`, so small :math:`\tau` makes no spikes.

    Parameters
    ----------
    grid : array_like, shape (G,), finite values of :math:`\theta`
    draws : array_like, (n, 2) or (chains, n, 2) draws of :math:`(\mu, \log\tau)`
    y, sigma : array_like, shape (J,)

    Examples
    --------
    >>> lam = np.array([[0.0, 50.0]] * 4)  # tau huge: theta_j ~ N(y_j, sigma_j^2)
    >>> print(theta_density([0.0, 10.0], lam, [0.0, 0.0, 10.0], [1.0, 2.0, 1.0]).round(4))
    [[0.3989 0.1995 0.    ]
     [0.     0.     0.3989]]
    """
    g = np.asarray(grid, dtype=np.float64)
    if g.ndim != 1 or not np.isfinite(g).all():
        raise ValueError(f"grid must be one-dimensional and finite; got shape {g.shape}")
    lam = _check_draws(draws, "draws", width=2).reshape(-1, 2)
    mean, var = theta_given_tau(_tau(lam), y, sigma)  # (S, J)
    sd = np.sqrt(var)
    out = np.empty((g.size, mean.shape[1]))
    for i, t in enumerate(g):  # one grid value at a time keeps memory at S x J
        out[i] = (np.exp(-0.5 * ((t - mean) / sd) ** 2) / sd).mean(axis=0)
    return out / np.sqrt(2.0 * np.pi)


@dataclass(frozen=True, repr=False)
class EffectSummary(_ShownAsTable):
    """Each school's posterior summaries with their MCSE (from :func:`effect_summary`).

    ``names``, ``mean``, ``mcse_mean``, ``sd``, ``mcse_sd``, ``ess``: shape (J,);
    ``quantiles``, ``mcse_quantiles``: shape (J, 5), at :data:`QUANTILE_PROBS`.
    """

    names: tuple[str, ...]
    mean: FloatArray
    mcse_mean: FloatArray
    sd: FloatArray
    mcse_sd: FloatArray
    quantiles: FloatArray
    mcse_quantiles: FloatArray
    ess: FloatArray

    def table(self, digits: int = 2) -> Table:
        """The summary as a table, ``digits`` decimals (the ESS whole)."""
        q = {f"{100 * p:g}%": self.quantiles[:, k] for k, p in enumerate(QUANTILE_PROBS)}
        cols = {"school": self.names, "mean": self.mean, "mcse": self.mcse_mean, "sd": self.sd,
                "mcse(sd)": self.mcse_sd, **q, "ess": self.ess}
        return Table.from_columns(cols, formats={c: f".{digits}f" for c in cols} | {"ess": ".0f"})


def effect_summary(theta: ArrayLike, names: Sequence[str] | None = None) -> EffectSummary:
    r"""Each school's posterior mean, sd and quantiles from effect draws, with their MCSE.

    The mean's MCSE is :math:`s_j/\sqrt{\widehat S_{\text{eff}}}`; the sd :math:`s_j` (``ddof=1``)
    has ArviZ's delta-method MCSE :math:`\mathrm{MCSE}(\overline{d^2}) / (2 s_j)`, :math:`d =
    \theta_j - \bar\theta_j`; the quantiles have :func:`eightschools.diagnostics.mcse`.

    Parameters
    ----------
    theta : array_like, (n, J) or (chains, n, J) effect draws
    names : sequence of str, optional, one per school (default ``"1", "2", ...``)

    Examples
    --------
    >>> s = effect_summary(np.random.default_rng(4).normal([0, 10], [1, 2], size=(4000, 2)))
    >>> print(s.mean.round(1), s.sd.round(1), s.mcse_mean.round(2))
    [ 0. 10.] [1. 2.] [0.02 0.03]
    """
    x = _check_draws(theta, "theta", chains=True)
    J = x.shape[2]
    labels = tuple(str(j + 1) for j in range(J)) if names is None else tuple(map(str, names))
    if len(labels) != J:
        raise ValueError(f"names must give one name per school; got {len(labels)} for {J}")
    flat = x.reshape(-1, J)
    mean = flat.mean(axis=0)
    sd = flat.std(axis=0, ddof=1)
    ess = np.array([diagnostics.ess(x[:, :, j], "mean") for j in range(J)])
    mcse_var = _mean_with_mcse((x - mean) ** 2).mcse
    with np.errstate(divide="ignore", invalid="ignore"):
        mcse_sd = np.where(sd > 0, mcse_var / (2.0 * sd), 0.0)
    mcse_q = np.array([[diagnostics.mcse(x[:, :, j], "quantile", prob=p)
                        for p in QUANTILE_PROBS] for j in range(J)])
    quantiles = np.quantile(flat, QUANTILE_PROBS, axis=0).T.copy()
    return EffectSummary(labels, mean, sd / np.sqrt(ess), sd, mcse_sd, quantiles, mcse_q, ess)


def prob_exceeds(theta: ArrayLike, c: ArrayLike) -> Estimate:
    r"""The posterior probability that each school's effect exceeds a threshold.

    The (J,) estimate :math:`\widehat P(\theta_j > c_j \mid y) = \frac1S \sum_s
    \mathbb 1[\theta_j^{(s)} > c_j]`.

    Parameters
    ----------
    theta : array_like, (n, J) or (chains, n, J) effect draws
    c : float or array_like of shape (J,), one threshold for all schools or one each

    Examples
    --------
    >>> prob_exceeds(np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 7.0], [4.0, 8.0]]), 2.5).value
    array([0.5, 1. ])
    """
    x = _check_draws(theta, "theta", chains=True)
    t = np.asarray(c, dtype=np.float64)
    if not np.isfinite(t).all() or t.shape not in ((), (1,), x.shape[2:]):
        raise ValueError(f"c must be finite, one number or one per school; got shape {t.shape}")
    return _mean_with_mcse((x > t).astype(np.float64))


def prob_pairwise(theta: ArrayLike) -> Estimate:
    r"""The posterior probability that one school's effect exceeds another's, for every pair.

    From effect draws ``theta``, (n, J) or (chains, n, J) with :math:`J \ge 2`, the (J, J)
    estimate :math:`\widehat P_{ik} = \frac1S \sum_s \mathbb 1[\theta_i^{(s)} > \theta_k^{(s)}]`
    of :math:`P(\theta_i > \theta_k \mid y)`; the diagonal is 0.

    Examples
    --------
    >>> prob_pairwise(np.array([[1.0, 0.0], [1.0, 2.0], [3.0, 2.0], [4.0, 0.0]])).value
    array([[0.  , 0.75],
           [0.25, 0.  ]])
    """
    x = _check_draws(theta, "theta", min_width=2, chains=True)
    beats = x[..., :, np.newaxis] > x[..., np.newaxis, :]
    return _mean_with_mcse(beats.astype(np.float64))


def prob_best(theta: ArrayLike) -> Estimate:
    r"""The posterior probability that each school has the largest effect.

    From effect draws ``theta``, (n, J) or (chains, n, J) with :math:`J \ge 2`, the (J,)
    estimate: the share of draws in which school :math:`j` is largest (ties go to the first).

    Examples
    --------
    >>> prob_best(np.array([[1.0, 0.0], [1.0, 2.0], [3.0, 2.0], [4.0, 0.0]])).value
    array([0.75, 0.25])
    """
    x = _check_draws(theta, "theta", min_width=2, chains=True)
    best = np.eye(x.shape[2])[np.argmax(x, axis=2)]
    return _mean_with_mcse(best)


def mean_shrinkage(draws: ArrayLike, sigma: ArrayLike) -> Estimate:
    r"""The posterior mean of each school's shrinkage factor, with its MCSE.

    The (J,) estimate :math:`\widehat E(B_j \mid y) = \frac1S\sum_s B_j(\tau^{(s)})`, with
    :math:`B_j(\tau) = \sigma_j^2/(\sigma_j^2 + \tau^2)`
    (:func:`eightschools.posterior.shrinkage_factor`).

    Parameters
    ----------
    draws : array_like, (n, 2) or (chains, n, 2) draws of :math:`(\mu, \log\tau)`
    sigma : array_like, shape (J,)

    Examples
    --------
    >>> mean_shrinkage(np.array([[0.0, np.log(10.0)]] * 4), [10.0, 20.0]).value  # tau = 10
    array([0.5, 0.8])
    """
    lam = _check_draws(draws, "draws", width=2, chains=True)
    return _mean_with_mcse(shrinkage_factor(_tau(lam), sigma))


@dataclass(frozen=True)
class NewSchool:
    """Predictive draws for a new school (from :func:`new_school`).

    ``theta`` and ``y``, shape (n,) or (chains, n): its true effect and its observed estimate;
    ``sigma``: the standard error assumed for that estimate.
    """

    theta: FloatArray
    y: FloatArray
    sigma: float


def new_school(draws: ArrayLike, sigma_new: float, rng: np.random.Generator) -> NewSchool:
    r"""Posterior predictive draws of a new school's effect and of its observed estimate.

    For each draw of :math:`(\mu, \tau)`, :math:`\tilde\theta = \mu + \tau z_1` and
    :math:`\tilde y = \tilde\theta + \tilde\sigma z_2`, with :math:`z_1, z_2 \sim
    \mathrm{N}(0, 1)` (BDA3 section 5.4).

    Parameters
    ----------
    draws : array_like, (n, 2) or (chains, n, 2) draws of :math:`(\mu, \log\tau)`
    sigma_new : float, the new estimate's standard error :math:`\tilde\sigma \ge 0`
    rng : numpy.random.Generator

    Examples
    --------
    >>> lam = np.tile([[5.0, np.log(3.0)]], (40_000, 1))  # mu = 5, tau = 3
    >>> new = new_school(lam, 4.0, np.random.default_rng(5))
    >>> print(f"{new.theta.std():.1f} {new.y.std():.1f}")  # 3 and sqrt(3^2 + 4^2) = 5
    3.0 5.0
    """
    lam = _check_draws(draws, "draws", width=2)
    s = float(sigma_new)
    if not (np.isfinite(s) and s >= 0.0):
        raise ValueError(f"sigma_new must be a finite number >= 0; got {sigma_new}")
    _check_rng(rng)
    z = rng.standard_normal(lam.shape)
    theta = lam[..., 0] + _tau(lam) * z[..., 0]
    return NewSchool(theta=theta, y=theta + s * z[..., 1], sigma=s)


def replicate(theta: ArrayLike, sigma: ArrayLike, rng: np.random.Generator) -> FloatArray:
    r"""Replicated data sets, one per draw of the effects (BDA3 section 6.3).

    :math:`y_j^{\text{rep}} = \theta_j + \sigma_j z_j`, :math:`z_j \sim \mathrm{N}(0, 1)`,
    the shape of ``theta``: the same schools measured again with the same standard errors.

    Parameters
    ----------
    theta : array_like, (n, J) or (chains, n, J) effect draws
    sigma : array_like, shape (J,)
    rng : numpy.random.Generator

    Examples
    --------
    >>> y_rep = replicate(np.zeros((50_000, 2)), [1.0, 3.0], np.random.default_rng(6))
    >>> print(y_rep.std(axis=0).round(1))
    [1. 3.]
    """
    x = _check_draws(theta, "theta")
    s_arr = np.asarray(sigma, dtype=np.float64)
    if s_arr.shape != x.shape[-1:] or not (np.isfinite(s_arr).all() and (s_arr > 0).all()):
        raise ValueError(f"sigma must have one value per group ({x.shape[-1]}), each finite "
                         f"and > 0; got {sigma}")
    _check_rng(rng)
    return x + s_arr * rng.standard_normal(x.shape)


#: Test quantities :math:`T(y)` over the last axis of a data set, by name.
STATISTICS: Mapping[str, Callable[[FloatArray], FloatArray]] = MappingProxyType({
    "max": lambda y: y.max(axis=-1),
    "min": lambda y: y.min(axis=-1),
    "spread": lambda y: y.max(axis=-1) - y.min(axis=-1),
    "sd": lambda y: y.std(axis=-1, ddof=1),
    "n_negative": lambda y: (y < 0).sum(axis=-1).astype(np.float64),
})


@dataclass(frozen=True, repr=False)
class PredictiveCheck(_ShownAsTable):
    r"""Test quantities of the data and of replicated data, with p-values.

    From :func:`predictive_check`: ``names``, keys of :data:`STATISTICS`; ``observed``
    :math:`T(y)`; ``replicated`` :math:`T(y^{\text{rep}})`, shape (chains, n, K); ``p_value``
    and ``mcse``.
    """

    names: tuple[str, ...]
    observed: FloatArray
    replicated: FloatArray
    p_value: FloatArray
    mcse: FloatArray

    def draws(self, name: str) -> FloatArray:
        """All replicated values of test quantity ``name``, flattened over chains."""
        if name not in self.names:
            raise ValueError(f"name must be one of {', '.join(self.names)}; got {name!r}")
        return self.replicated[..., self.names.index(name)].ravel()

    def table(self) -> Table:
        """The observed values, the replicated means and the p-values with their MCSE."""
        cols = {"T": self.names, "T(y)": self.observed,
                "mean T(y_rep)": self.replicated.mean(axis=(0, 1)), "p-value": self.p_value,
                "mcse": self.mcse}
        formats = {"T(y)": ".2f", "mean T(y_rep)": ".2f", "p-value": ".3f", "mcse": ".3f"}
        return Table.from_columns(cols, formats=formats)


def predictive_check(y_rep: ArrayLike, y: ArrayLike,
                     statistics: Sequence[str] = ("max", "spread", "sd", "n_negative"),
                     ) -> PredictiveCheck:
    r"""Posterior predictive p-values of test quantities (BDA3 section 6.3).

    For each :math:`T` of :data:`STATISTICS`, the share of draws with :math:`T(y^{\text{rep}})
    \ge T(y)` estimates :math:`p_T = P(T(y^{\text{rep}}) \ge T(y) \mid y)`. A p-value near 0
    or 1 says the model rarely reproduces the data's :math:`T`.

    Parameters
    ----------
    y_rep : array_like, (n, J) or (chains, n, J) replicated data sets (:func:`replicate`)
    y : array_like, shape (J,), the observed estimates
    statistics : sequence of str, optional, distinct keys of :data:`STATISTICS`

    Examples
    --------
    >>> y_rep = np.random.default_rng(7).standard_normal((4000, 3))
    >>> check = predictive_check(y_rep, [0.0, 0.5, 3.0], ["max"])
    >>> print(f"{check.observed[0]:.1f} {check.p_value[0]:.2f}")  # 3 is rare as a max
    3.0 0.00
    """
    x = _check_draws(y_rep, "y_rep", chains=True)
    y_arr = np.asarray(y, dtype=np.float64)
    if y_arr.shape != x.shape[2:] or not np.isfinite(y_arr).all():
        raise ValueError(f"y must be finite, one value per group ({x.shape[2]}); got {y}")
    names = tuple(statistics)
    if not names or len(set(names)) != len(names) or not set(names) <= set(STATISTICS):
        raise ValueError(f"statistics must be keys of STATISTICS ({', '.join(STATISTICS)}), "
                         f"at least one and none twice; got {names}")
    observed = np.array([float(STATISTICS[s](y_arr)) for s in names])
    replicated = np.stack([STATISTICS[s](x) for s in names], axis=-1)
    est = _mean_with_mcse((replicated >= observed).astype(np.float64))
    return PredictiveCheck(names, observed, replicated, est.value, est.mcse)
