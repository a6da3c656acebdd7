r"""The school effects from draws of :math:`(\mu, \log\tau)`: summaries, probabilities, checks.

A sampler (chapter 4) draws only the two hyperparameters :math:`\lambda = (\mu, \log\tau)`.
Given them, the school effects are independent normals (BDA3 eq. 5.17),

.. math::

    \theta_j \mid \mu, \tau, y \sim \mathrm{N}(\hat\theta_j, V_j), \qquad
    \hat\theta_j = (1 - B_j) y_j + B_j \mu, \qquad V_j = (1 - B_j)\sigma_j^2, \qquad
    B_j = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2},

so one normal vector :math:`\theta` drawn for each :math:`(\mu, \tau)` draw gives draws from
the joint posterior :math:`p(\theta, \mu, \tau \mid y)` (:func:`theta_draws`). Everything
else here is computed from such draws:

- :func:`effect_summary`: each school's posterior mean, sd and quantiles;
- :func:`prob_exceeds`, :func:`prob_pairwise`, :func:`prob_best`: posterior probabilities;
- :func:`mean_shrinkage`: the posterior mean of each :math:`B_j`;
- :func:`new_school`: the posterior predictive distribution of a ninth school;
- :func:`replicate` and :func:`predictive_check`: replicated data sets and posterior
  predictive p-values (BDA3 chapter 6).

Every estimate carries its Monte Carlo standard error (MCSE). Draws come in chain order, as
``(n, 2)`` for one chain or ``(chains, n, 2)``; the theta draws keep that order, because
they inherit the chain's autocorrelation through :math:`(\mu, \tau)`, and each MCSE is
:func:`eightschools.diagnostics.mcse` of the quantity's draws (its sd over the square root
of its effective sample size). An estimated probability of exactly 0 or 1 has MCSE 0: the
draws cannot tell how small the probability really is.

:func:`theta_given_tau` is the one closed form here: the mean and variance of
:math:`\theta_j` given :math:`\tau` alone (BDA3 figures 5.6 and 5.7).
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

__all__ = [
    "QUANTILE_PROBS",
    "STATISTICS",
    "EffectSummary",
    "Estimate",
    "NewSchool",
    "PredictiveCheck",
    "effect_summary",
    "mean_shrinkage",
    "new_school",
    "predictive_check",
    "prob_best",
    "prob_exceeds",
    "prob_pairwise",
    "replicate",
    "theta_density",
    "theta_draws",
    "theta_given_tau",
]

FloatArray = NDArray[np.float64]

#: The quantiles reported by :func:`effect_summary` (those of the post's and ArviZ's tables).
QUANTILE_PROBS: tuple[float, ...] = diagnostics.SUMMARY_PROBS


# --------------------------------------------------------------------------- validation
def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            "rng must be a numpy.random.Generator (numpy.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_finite(arr: FloatArray, name: str) -> None:
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        where = ", ".join(str(int(i)) for i in bad[0])
        raise ValueError(f"{name} must be finite (no NaN or infinity); {name}[{where}] is not")


def _check_draws(draws: ArrayLike) -> FloatArray:
    """(mu, log tau) draws of shape (n, 2) or (chains, n, 2), finite, n >= MIN_DRAWS."""
    arr = np.array(draws, dtype=np.float64, copy=True)
    if arr.ndim not in (2, 3) or arr.shape[-1] != 2:
        raise ValueError(
            "draws must have shape (n, 2) or (chains, n, 2), holding (mu, log tau) in the "
            f"last axis; got shape {arr.shape}"
        )
    if arr.shape[-2] < diagnostics.MIN_DRAWS:
        raise ValueError(
            f"draws must hold at least {diagnostics.MIN_DRAWS} draws per chain; "
            f"got {arr.shape[-2]}"
        )
    _check_finite(arr, "draws")
    return arr


def _check_theta(theta: ArrayLike, *, name: str = "theta", min_groups: int = 1) -> FloatArray:
    """Effect draws of shape (n, J) or (chains, n, J), returned as (chains, n, J)."""
    arr = np.array(theta, dtype=np.float64, copy=True)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"{name} must have shape (n, J) or (chains, n, J), one row of effects per draw; "
            f"got shape {arr.shape}"
        )
    if arr.shape[-2] < diagnostics.MIN_DRAWS:
        raise ValueError(
            f"{name} must hold at least {diagnostics.MIN_DRAWS} draws per chain; "
            f"got {arr.shape[-2]}"
        )
    if arr.shape[-1] < min_groups:
        raise ValueError(f"{name} must hold at least {min_groups} groups; got {arr.shape[-1]}")
    _check_finite(arr, name)
    return arr if arr.ndim == 3 else arr[np.newaxis]


def _check_names(names: Sequence[str] | None, J: int) -> tuple[str, ...]:
    if names is None:
        return tuple(str(j + 1) for j in range(J))
    out = tuple(str(n) for n in names)
    if len(out) != J:
        raise ValueError(f"names must give one name per group; got {len(out)} for {J} groups")
    return out


def _tau(lam: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):  # a huge log tau gives tau = inf: no pooling, allowed
        return np.exp(lam[..., 1])


# --------------------------------------------------------------------------- MCSE helpers
def _mcse_of_means(x: FloatArray) -> FloatArray:
    """MCSE of the mean of each quantity in x, shape (chains, n, ...) -> (...)."""
    flat = x.reshape(x.shape[0], x.shape[1], -1)
    out = np.array([diagnostics.mcse(flat[:, :, k], "mean") for k in range(flat.shape[2])])
    return out.reshape(x.shape[2:])


def _mean_with_mcse(x: FloatArray) -> Estimate:
    return Estimate(x.mean(axis=(0, 1)), _mcse_of_means(x))


@dataclass(frozen=True)
class Estimate:
    r"""A Monte Carlo estimate and its Monte Carlo standard error, of the same shape.

    Attributes
    ----------
    value : numpy.ndarray
        The estimate (a mean or a probability over the draws).
    mcse : numpy.ndarray
        Its Monte Carlo standard error, :math:`s/\sqrt{\widehat S_{\text{eff}}}` of the
        quantity's draws (:func:`eightschools.diagnostics.mcse`).
    """

    value: FloatArray
    mcse: FloatArray


# --------------------------------------------------------------------------- theta draws
def theta_draws(
    draws: ArrayLike, y: ArrayLike, sigma: ArrayLike, rng: np.random.Generator
) -> FloatArray:
    r"""Draw every school effect once for each draw of :math:`(\mu, \log\tau)`.

    For draw :math:`s`, with :math:`\tau^{(s)} = e^{\lambda_2^{(s)}}` and
    :math:`B_j^{(s)} = \sigma_j^2/(\sigma_j^2 + \tau^{(s)2})`,

    .. math::

        \theta_j^{(s)} = (1 - B_j^{(s)}) y_j + B_j^{(s)} \mu^{(s)}
                         + \sqrt{(1 - B_j^{(s)})\sigma_j^2}\; z_j^{(s)},
        \qquad z_j^{(s)} \sim \mathrm{N}(0, 1),

    independently over :math:`j` and :math:`s` (BDA3 eq. 5.17, through
    :func:`eightschools.posterior.conditional_theta`). The rows keep the order of ``draws``.
    The deviates are drawn school by school, all of school 1's first, as the blog post's loop
    over schools draws them, so that :class:`eightschools.rstream.RStream` replays its draws.

    Parameters
    ----------
    draws : array_like, shape (n, 2) or (chains, n, 2)
        Draws of :math:`(\mu, \log\tau)` in chain order, at least 4 per chain.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    rng : numpy.random.Generator
        The source of the normal deviates (``n * J`` of them, or ``chains * n * J``), or any
        object with its ``standard_normal(size)`` method.

    Returns
    -------
    numpy.ndarray, shape (n, J) or (chains, n, J)
        One vector of effects per draw.

    Raises
    ------
    ValueError
        If ``draws`` has the wrong shape, too few draws or a value that is not finite;
        if ``(y, sigma)`` fail :func:`eightschools.data.check_y_sigma` with
        ``min_groups=3``; or if ``rng`` is not a Generator.

    References
    ----------
    BDA3 section 5.4, eq. 5.17; the blog post, section "MCMC Sampling".

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> lam = np.array([[8.0, np.log(5.0)]] * 4)          # four draws of (mu, log tau)
    >>> theta = theta_draws(lam, [28, 8, -3], [15, 10, 16], rng)
    >>> theta.shape
    (4, 3)
    >>> big = theta_draws(np.tile([[8.0, 30.0]], (20_000, 1)), [28, 8, -3], [15, 10, 16], rng)
    >>> print(big.mean(axis=0).round(0), big.std(axis=0).round(0))   # tau huge: N(y, sigma^2)
    [28.  8. -3.] [15. 10. 16.]
    """
    lam = _check_draws(draws)
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    if not callable(getattr(rng, "standard_normal", None)):
        raise ValueError(f"rng must have a standard_normal method; got {type(rng).__name__}")
    mean, var = conditional_theta(lam[..., 0], _tau(lam), y_arr, s_arr)
    z = np.moveaxis(rng.standard_normal((mean.shape[-1], *mean.shape[:-1])), 0, -1)
    return mean + np.sqrt(var) * z


def theta_given_tau(
    tau: ArrayLike, y: ArrayLike, sigma: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r"""Mean and variance of each school effect given :math:`\tau`, with :math:`\mu` integrated out.

    With :math:`\mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu)` (BDA3 eq. 5.20,
    :func:`eightschools.posterior.mu_given_tau`) and :math:`B_j = \sigma_j^2/(\sigma_j^2 +
    \tau^2)`, the laws of total expectation and variance applied to eq. 5.17 give

    .. math::

        E(\theta_j \mid \tau, y) = (1 - B_j) y_j + B_j \hat\mu, \qquad
        \operatorname{var}(\theta_j \mid \tau, y) = (1 - B_j)\sigma_j^2 + B_j^2 V_\mu .

    At :math:`\tau = 0` both are the complete-pooling mean and variance; as :math:`\tau` grows
    they tend to :math:`y_j` and :math:`\sigma_j^2`. These are the curves of BDA3 figures 5.6
    and 5.7.

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, finite and :math:`\ge 0`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors.

    Returns
    -------
    mean, var : numpy.ndarray, shape (..., J)
        :math:`E(\theta_j \mid \tau, y)` and :math:`\operatorname{var}(\theta_j \mid \tau, y)`.

    Raises
    ------
    ValueError
        If ``(y, sigma)`` fail :func:`eightschools.data.check_y_sigma`, or ``tau`` is
        negative, NaN or infinite.

    References
    ----------
    BDA3 section 5.5, figures 5.6 and 5.7.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> mean, var = theta_given_tau([0.0, 10.0, 1e6], y, sigma)
    >>> print(mean[:, 0].round(2), np.sqrt(var[:, 0]).round(2))   # school A
    [ 7.69 14.24 28.  ] [ 4.07  9.16 15.  ]
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    t = np.asarray(tau, dtype=np.float64)
    if np.isnan(t).any() or (t < 0).any() or np.isinf(t).any():
        raise ValueError("tau must be finite and >= 0 everywhere")
    mu_hat, v_mu = mu_given_tau(t, y_arr, s_arr)
    mean, v_cond = conditional_theta(mu_hat, t, y_arr, s_arr)
    b = shrinkage_factor(t, s_arr)
    with np.errstate(over="ignore", invalid="ignore"):
        extra = b * b * np.asarray(v_mu)[..., np.newaxis]
    # For tau beyond the float range V_mu overflows while B_j^2 V_mu -> 0.
    extra = np.where(np.isfinite(extra), extra, 0.0)
    return mean, v_cond + extra


def theta_density(grid: ArrayLike, draws: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Each school's marginal posterior density on a grid, averaged over the draws of :math:`\tau`.

    The Rao-Blackwellised estimate (Gelfand & Smith 1990), conditioning on :math:`\tau` alone:
    with the mean :math:`m_j(\tau)` and variance :math:`v_j(\tau)` of :func:`theta_given_tau`
    (:math:`\mu` integrated out),

    .. math::

        \hat p(\theta_j \mid y) = \frac1S \sum_{s=1}^S
        \mathrm{N}\big(\theta_j \mid m_j(\tau^{(s)}), v_j(\tau^{(s)})\big),

    a smooth density with no bandwidth to choose, whose mean is exactly the average of the
    :math:`m_j(\tau^{(s)})`. Conditioning on :math:`\tau` rather than on :math:`(\mu, \tau)`
    keeps every component wide: :math:`v_j(\tau) \ge B_j^2 V_\mu`, which tends to the pooled
    variance as :math:`\tau \to 0`, whereas the variance :math:`(1 - B_j)\sigma_j^2` given
    :math:`(\mu, \tau)` vanishes there, and draws of small :math:`\tau` would put spikes on the
    curve.

    Parameters
    ----------
    grid : array_like, shape (G,)
        Values of :math:`\theta`, finite.
    draws : array_like, shape (n, 2) or (chains, n, 2)
        Draws of :math:`(\mu, \log\tau)`; only :math:`\tau` is used.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (G, J)
        The density of each school's effect at each grid value.

    Raises
    ------
    ValueError
        If ``grid`` is not a finite one-dimensional array, or ``draws`` or ``(y, sigma)``
        fail the checks of :func:`theta_draws`.

    References
    ----------
    Gelfand, A. E. and Smith, A. F. M. (1990), Sampling-based approaches to calculating
    marginal densities, *JASA* 85, 398--409.

    Examples
    --------
    >>> lam = np.array([[0.0, 50.0]] * 4)                 # tau huge: theta_j ~ N(y_j, sigma_j^2)
    >>> dens = theta_density([0.0, 10.0], lam, [0.0, 0.0, 10.0], [1.0, 2.0, 1.0])
    >>> print(dens.round(4))
    [[0.3989 0.1995 0.    ]
     [0.     0.     0.3989]]
    """
    g = np.array(grid, dtype=np.float64)
    if g.ndim != 1 or not np.isfinite(g).all():
        raise ValueError(f"grid must be a one-dimensional array of finite values; got shape "
                         f"{g.shape}")
    lam = _check_draws(draws).reshape(-1, 2)
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    mean, var = theta_given_tau(_tau(lam), y_arr, s_arr)  # (S, J)
    sd = np.sqrt(var)
    out = np.empty((g.size, y_arr.size))
    for i, t in enumerate(g):  # one grid value at a time keeps memory at S x J
        z = (t - mean) / sd
        out[i] = (np.exp(-0.5 * z * z) / sd).mean(axis=0)
    return out / np.sqrt(2.0 * np.pi)


# --------------------------------------------------------------------------- summaries
@dataclass(frozen=True, repr=False)
class EffectSummary:
    r"""Posterior summaries of the school effects, each with its Monte Carlo standard error.

    Returned by :func:`effect_summary`; prints as a fixed-width table and shows as HTML in a
    notebook (:meth:`table`).

    Attributes
    ----------
    names : tuple of str
        The schools.
    mean, mcse_mean : numpy.ndarray, shape (J,)
        Posterior means and their MCSE.
    sd, mcse_sd : numpy.ndarray, shape (J,)
        Posterior standard deviations (``ddof=1``) and their MCSE.
    quantiles, mcse_quantiles : numpy.ndarray, shape (J, 5)
        The 2.5, 25, 50, 75 and 97.5% quantiles (:data:`QUANTILE_PROBS`) and their MCSE.
    ess : numpy.ndarray, shape (J,)
        The effective sample size of each school's draws (``"mean"`` method), which sets
        ``mcse_mean``.
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
        """The summary as a :class:`~eightschools.tables.Table`, ``digits`` decimals.

        Columns: mean, its MCSE, sd, its MCSE, the five quantiles and the ESS (whole).
        """
        if int(digits) != digits or not 0 <= digits <= 6:
            raise ValueError(f"digits must be an integer from 0 to 6; got {digits}")
        fmt = f".{int(digits)}f"
        cols: dict[str, Sequence[object]] = {
            "school": list(self.names),
            "mean": self.mean.tolist(),
            "mcse": self.mcse_mean.tolist(),
            "sd": self.sd.tolist(),
            "mcse(sd)": self.mcse_sd.tolist(),
        }
        for k, p in enumerate(QUANTILE_PROBS):
            cols[f"{100 * p:g}%"] = self.quantiles[:, k].tolist()
        cols["ess"] = self.ess.tolist()
        formats = {c: fmt for c in cols if c not in ("school", "ess")}
        formats["ess"] = ".0f"
        return Table.from_columns(cols, formats=formats)

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table().to_html(compact=True)


def effect_summary(theta: ArrayLike, names: Sequence[str] | None = None) -> EffectSummary:
    r"""Each school's posterior mean, sd and quantiles from effect draws, with their MCSE.

    Over all :math:`S` draws :math:`\theta_j^{(s)}`: the mean
    :math:`\bar\theta_j` with :math:`\mathrm{MCSE} = s_j/\sqrt{\widehat S_{\text{eff}}}`; the
    standard deviation :math:`s_j` (``ddof=1``) with the delta-method MCSE

    .. math::

        \mathrm{MCSE}(s_j) = \frac{\mathrm{MCSE}\big(\overline{d^2}\big)}{2 s_j}, \qquad
        d^{(s)2} = \big(\theta_j^{(s)} - \bar\theta_j\big)^2,

    where :math:`\mathrm{MCSE}(\overline{d^2})` uses the ESS of the squared deviations
    (as ArviZ's ``mcse(method="sd")`` does); and the quantiles (linear interpolation) with the
    MCSE of :func:`eightschools.diagnostics.mcse` ``(method="quantile")``.

    Parameters
    ----------
    theta : array_like, shape (n, J) or (chains, n, J)
        Effect draws in chain order (from :func:`theta_draws`), at least 4 per chain.
    names : sequence of str, optional
        One name per school; ``"1", "2", ...`` by default.

    Returns
    -------
    EffectSummary

    Raises
    ------
    ValueError
        If ``theta`` has the wrong shape, fewer than 4 draws per chain or a value that is not
        finite, or ``names`` has the wrong length.

    References
    ----------
    Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), *Bayesian Analysis* 16(2),
    section 4; the blog post's table of theta means and sds.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> theta = rng.normal([0.0, 10.0], [1.0, 2.0], size=(4000, 2))   # iid draws
    >>> s = effect_summary(theta, ["a", "b"])
    >>> print(s.mean.round(1), s.sd.round(1), s.mcse_mean.round(2))
    [ 0. 10.] [1. 2.] [0.02 0.03]
    >>> print(s.table(digits=1))
    school  mean  mcse   sd  mcse(sd)  2.5%   25%   50%   75%  97.5%   ess
    ------  ----  ----  ---  --------  ----  ----  ----  ----  -----  ----
    a        0.0   0.0  1.0       0.0  -1.9  -0.6   0.0   0.7    1.9  3645
    b       10.0   0.0  2.0       0.0   6.1   8.6  10.0  11.4   13.9  3591
    """
    x = _check_theta(theta)
    J = x.shape[2]
    labels = _check_names(names, J)
    flat = x.reshape(-1, J)
    mean = flat.mean(axis=0)
    sd = flat.std(axis=0, ddof=1)
    quantiles = np.quantile(flat, QUANTILE_PROBS, axis=0).T
    ess = np.array([diagnostics.ess(x[:, :, j], "mean") for j in range(J)])
    mcse_mean = sd / np.sqrt(ess)
    mcse_var = _mcse_of_means((x - mean) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        mcse_sd = np.where(sd > 0, mcse_var / (2.0 * sd), 0.0)
    mcse_q = np.array(
        [[diagnostics.mcse(x[:, :, j], "quantile", prob=p) for p in QUANTILE_PROBS]
         for j in range(J)]
    )
    return EffectSummary(
        names=labels,
        mean=mean,
        mcse_mean=mcse_mean,
        sd=sd,
        mcse_sd=mcse_sd,
        quantiles=np.ascontiguousarray(quantiles),
        mcse_quantiles=mcse_q,
        ess=ess,
    )


# --------------------------------------------------------------------------- probabilities
def prob_exceeds(theta: ArrayLike, c: ArrayLike) -> Estimate:
    r"""The posterior probability that each school's effect exceeds a threshold.

    .. math::

        \widehat P(\theta_j > c_j \mid y) = \frac1S \sum_{s=1}^S
        \mathbb 1\big[\theta_j^{(s)} > c_j\big],

    with the MCSE of the mean of the indicator draws.

    Parameters
    ----------
    theta : array_like, shape (n, J) or (chains, n, J)
        Effect draws in chain order.
    c : float or array_like, shape (J,)
        The threshold, one for all schools or one each.

    Returns
    -------
    Estimate
        ``value`` and ``mcse`` of shape (J,).

    Raises
    ------
    ValueError
        If ``theta`` fails the checks of :func:`effect_summary`, or ``c`` is not finite or
        does not broadcast to (J,).

    References
    ----------
    The blog post computes :math:`P(\theta_A > 28 \mid y)` this way.

    Examples
    --------
    >>> theta = np.array([[1.0, 5.0], [2.0, 6.0], [3.0, 7.0], [4.0, 8.0]])
    >>> prob_exceeds(theta, 2.5).value
    array([0.5, 1. ])
    """
    x = _check_theta(theta)
    t = np.asarray(c, dtype=np.float64)
    if not np.isfinite(t).all():
        raise ValueError("c must be finite")
    try:
        t = np.broadcast_to(t, (x.shape[2],))
    except ValueError:
        raise ValueError(
            f"c must be a number or have one value per group ({x.shape[2]}); got shape {t.shape}"
        ) from None
    return _mean_with_mcse((x > t).astype(np.float64))


def prob_pairwise(theta: ArrayLike) -> Estimate:
    r"""The posterior probability that one school's effect exceeds another's, for every pair.

    .. math::

        \widehat P_{ik} = \frac1S \sum_{s=1}^S \mathbb 1\big[\theta_i^{(s)} > \theta_k^{(s)}\big],

    so :math:`\widehat P_{ik} + \widehat P_{ki} = 1` off the diagonal (ties have probability
    zero) and the diagonal is 0.

    Parameters
    ----------
    theta : array_like, shape (n, J) or (chains, n, J)
        Effect draws in chain order, :math:`J \ge 2`.

    Returns
    -------
    Estimate
        ``value`` and ``mcse`` of shape (J, J); row ``i``, column ``k`` is
        :math:`P(\theta_i > \theta_k \mid y)`.

    Raises
    ------
    ValueError
        If ``theta`` fails the checks of :func:`effect_summary` or has fewer than 2 groups.

    Examples
    --------
    >>> theta = np.array([[1.0, 0.0], [1.0, 2.0], [3.0, 2.0], [4.0, 0.0]])
    >>> prob_pairwise(theta).value
    array([[0.  , 0.75],
           [0.25, 0.  ]])
    """
    x = _check_theta(theta, min_groups=2)
    ind = (x[..., :, np.newaxis] > x[..., np.newaxis, :]).astype(np.float64)
    return _mean_with_mcse(ind)


def prob_best(theta: ArrayLike) -> Estimate:
    r"""The posterior probability that each school has the largest effect.

    .. math::

        \widehat P\big(\theta_j = \max_k \theta_k \mid y\big) = \frac1S \sum_{s=1}^S
        \mathbb 1\big[\theta_j^{(s)} = \max_k \theta_k^{(s)}\big];

    the probabilities add up to 1 (ties, of probability zero, go to the first school).

    Parameters
    ----------
    theta : array_like, shape (n, J) or (chains, n, J)
        Effect draws in chain order, :math:`J \ge 2`.

    Returns
    -------
    Estimate
        ``value`` and ``mcse`` of shape (J,).

    Raises
    ------
    ValueError
        If ``theta`` fails the checks of :func:`effect_summary` or has fewer than 2 groups.

    Examples
    --------
    >>> theta = np.array([[1.0, 0.0], [1.0, 2.0], [3.0, 2.0], [4.0, 0.0]])
    >>> prob_best(theta).value
    array([0.75, 0.25])
    """
    x = _check_theta(theta, min_groups=2)
    J = x.shape[2]
    best = np.eye(J)[np.argmax(x, axis=2)]
    return _mean_with_mcse(best)


def mean_shrinkage(draws: ArrayLike, sigma: ArrayLike) -> Estimate:
    r"""The posterior mean of each school's shrinkage factor, with its MCSE.

    .. math::

        \widehat E(B_j \mid y) = \frac1S\sum_{s=1}^S B_j\big(\tau^{(s)}\big), \qquad
        B_j(\tau) = \frac{\tau^{-2}}{\tau^{-2} + \sigma_j^{-2}}
                  = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2}
        \quad(\text{:func:`eightschools.posterior.shrinkage_factor`}).

    For every :math:`\tau`, :math:`B_j(\tau)` increases with :math:`\sigma_j`, so the
    estimates are ranked exactly as the standard errors, draw by draw, whatever the
    Monte Carlo error.

    Parameters
    ----------
    draws : array_like, shape (n, 2) or (chains, n, 2)
        Draws of :math:`(\mu, \log\tau)` in chain order.
    sigma : array_like, shape (J,)
        Standard errors, each :math:`> 0`.

    Returns
    -------
    Estimate
        ``value`` and ``mcse`` of shape (J,).

    Raises
    ------
    ValueError
        If ``draws`` fails the checks of :func:`theta_draws` or ``sigma`` is not a
        one-dimensional array of positive numbers.

    References
    ----------
    BDA3 section 5.5; the blog post, section "Shrinkage".

    Examples
    --------
    >>> lam = np.array([[0.0, np.log(10.0)]] * 4)       # tau = 10 in every draw
    >>> mean_shrinkage(lam, [10.0, 20.0]).value
    array([0.5, 0.8])
    """
    lam = _check_draws(draws)
    s_arr = check_y_sigma(np.zeros(np.shape(sigma)), sigma)[1]
    b = shrinkage_factor(_tau(lam), s_arr)
    return _mean_with_mcse(b if b.ndim == 3 else b[np.newaxis])


# --------------------------------------------------------------------------- prediction
@dataclass(frozen=True)
class NewSchool:
    r"""Posterior predictive draws for a new school, returned by :func:`new_school`.

    Attributes
    ----------
    theta : numpy.ndarray, shape (n,) or (chains, n)
        Draws of the new school's true effect, :math:`\tilde\theta \sim \mathrm{N}(\mu,
        \tau^2)`.
    y : numpy.ndarray, shape (n,) or (chains, n)
        Draws of its observed estimate, :math:`\tilde y \sim \mathrm{N}(\tilde\theta,
        \tilde\sigma^2)`.
    sigma : float
        The standard error :math:`\tilde\sigma` assumed for the new estimate.
    """

    theta: FloatArray
    y: FloatArray
    sigma: float


def new_school(draws: ArrayLike, sigma_new: float, rng: np.random.Generator) -> NewSchool:
    r"""Posterior predictive draws of a new school's effect and of its observed estimate.

    For each draw :math:`(\mu^{(s)}, \tau^{(s)})`,

    .. math::

        \tilde\theta^{(s)} = \mu^{(s)} + \tau^{(s)} z_1^{(s)}, \qquad
        \tilde y^{(s)} = \tilde\theta^{(s)} + \tilde\sigma z_2^{(s)}, \qquad
        z_1, z_2 \sim \mathrm{N}(0, 1),

    so that, given :math:`(\mu, \tau)`, :math:`\tilde\theta \sim \mathrm{N}(\mu, \tau^2)` and
    :math:`\tilde y \sim \mathrm{N}(\mu, \tau^2 + \tilde\sigma^2)` (BDA3 section 5.4). The
    eight schools' own data enter only through the draws of :math:`(\mu, \tau)`.

    Parameters
    ----------
    draws : array_like, shape (n, 2) or (chains, n, 2)
        Draws of :math:`(\mu, \log\tau)` in chain order.
    sigma_new : float
        The new estimate's standard error :math:`\tilde\sigma \ge 0` (0 gives
        :math:`\tilde y = \tilde\theta`).
    rng : numpy.random.Generator
        The source of the deviates (``2 n`` of them, or ``2 chains n``).

    Returns
    -------
    NewSchool

    Raises
    ------
    ValueError
        If ``draws`` fails the checks of :func:`theta_draws`, ``sigma_new`` is negative or
        not finite, or ``rng`` is not a Generator.

    References
    ----------
    BDA3 section 5.4 ("posterior predictive distributions" for a new group).

    Examples
    --------
    >>> rng = np.random.default_rng(5)
    >>> lam = np.tile([[5.0, np.log(3.0)]], (40_000, 1))     # mu = 5, tau = 3
    >>> new = new_school(lam, 4.0, rng)
    >>> print(f"{new.theta.std():.1f} {new.y.std():.1f}")   # 3 and sqrt(3^2 + 4^2) = 5
    3.0 5.0
    """
    lam = _check_draws(draws)
    s = float(sigma_new)
    if not (np.isfinite(s) and s >= 0.0):
        raise ValueError(f"sigma_new must be a finite number >= 0; got {sigma_new}")
    gen = _check_rng(rng)
    z = gen.standard_normal(lam.shape)
    theta = lam[..., 0] + _tau(lam) * z[..., 0]
    return NewSchool(theta=theta, y=theta + s * z[..., 1], sigma=s)


def replicate(theta: ArrayLike, sigma: ArrayLike, rng: np.random.Generator) -> FloatArray:
    r"""Replicated data sets :math:`y^{\text{rep}}`, one per draw of the effects.

    .. math::

        y_j^{\text{rep}(s)} = \theta_j^{(s)} + \sigma_j z_j^{(s)}, \qquad
        z_j^{(s)} \sim \mathrm{N}(0, 1),

    the same schools measured again with the same standard errors: draws from the
    posterior predictive distribution :math:`p(y^{\text{rep}} \mid y)` (BDA3 section 6.3).

    Parameters
    ----------
    theta : array_like, shape (n, J) or (chains, n, J)
        Effect draws (from :func:`theta_draws`).
    sigma : array_like, shape (J,)
        The standard errors of the replicated estimates.
    rng : numpy.random.Generator
        The source of the deviates.

    Returns
    -------
    numpy.ndarray, the shape of ``theta``
        One replicated data set per row.

    Raises
    ------
    ValueError
        If ``theta`` fails the checks of :func:`effect_summary`, its last axis does not match
        ``sigma``, ``sigma`` is not positive, or ``rng`` is not a Generator.

    Examples
    --------
    >>> rng = np.random.default_rng(6)
    >>> y_rep = replicate(np.zeros((50_000, 2)), [1.0, 3.0], rng)
    >>> print(y_rep.std(axis=0).round(1))
    [1. 3.]
    """
    arr = np.asarray(theta)
    x = _check_theta(theta)
    s_arr = check_y_sigma(np.zeros(np.shape(sigma)), sigma)[1]
    if s_arr.size != x.shape[2]:
        raise ValueError(
            f"sigma must have one value per group; theta has {x.shape[2]} groups and sigma "
            f"{s_arr.size} values"
        )
    gen = _check_rng(rng)
    out = x + s_arr * gen.standard_normal(x.shape)
    return out if arr.ndim == 3 else out[0]


def _stat_max(y: FloatArray) -> FloatArray:
    return y.max(axis=-1)


def _stat_min(y: FloatArray) -> FloatArray:
    return y.min(axis=-1)


def _stat_spread(y: FloatArray) -> FloatArray:
    return y.max(axis=-1) - y.min(axis=-1)


def _stat_sd(y: FloatArray) -> FloatArray:
    return y.std(axis=-1, ddof=1)


def _stat_n_negative(y: FloatArray) -> FloatArray:
    return (y < 0).sum(axis=-1).astype(np.float64)


#: Test quantities :math:`T(y)` of a data set (over its last axis), by name: the largest
#: and smallest estimates, the spread (largest minus smallest), the sample standard deviation
#: (``ddof=1``) and the number of negative estimates.
STATISTICS: Mapping[str, Callable[[FloatArray], FloatArray]] = MappingProxyType(
    {
        "max": _stat_max,
        "min": _stat_min,
        "spread": _stat_spread,
        "sd": _stat_sd,
        "n_negative": _stat_n_negative,
    }
)


@dataclass(frozen=True, repr=False)
class PredictiveCheck:
    r"""Test quantities of the data and of replicated data sets, with p-values.

    Returned by :func:`predictive_check`; prints as a table.

    Attributes
    ----------
    names : tuple of str
        The test quantities, keys of :data:`STATISTICS`.
    observed : numpy.ndarray, shape (K,)
        :math:`T(y)` for each quantity.
    replicated : numpy.ndarray, shape (chains, n, K)
        :math:`T(y^{\text{rep}(s)})` for each draw and quantity, in chain order.
    p_value, mcse : numpy.ndarray, shape (K,)
        :math:`\widehat P\big(T(y^{\text{rep}}) \ge T(y) \mid y\big)` and its MCSE.
    """

    names: tuple[str, ...]
    observed: FloatArray
    replicated: FloatArray
    p_value: FloatArray
    mcse: FloatArray

    def draws(self, name: str) -> FloatArray:
        """All replicated values of one test quantity, flattened over chains.

        Raises
        ------
        ValueError
            If ``name`` is not one of :attr:`names`.
        """
        if name not in self.names:
            raise ValueError(f"name must be one of {', '.join(self.names)}; got {name!r}")
        return self.replicated[..., self.names.index(name)].ravel()

    def table(self) -> Table:
        """The observed values, the replicated means and the p-values with their MCSE."""
        flat = self.replicated.reshape(-1, len(self.names))
        return Table.from_columns(
            {
                "T": list(self.names),
                "T(y)": self.observed.tolist(),
                "mean T(y_rep)": flat.mean(axis=0).tolist(),
                "p-value": self.p_value.tolist(),
                "mcse": self.mcse.tolist(),
            },
            formats={"T(y)": ".2f", "mean T(y_rep)": ".2f", "p-value": ".3f", "mcse": ".3f"},
        )

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return str(self.table())

    def _repr_html_(self) -> str:
        return self.table().to_html(compact=True)


def predictive_check(
    y_rep: ArrayLike,
    y: ArrayLike,
    statistics: Sequence[str] = ("max", "spread", "sd", "n_negative"),
) -> PredictiveCheck:
    r"""Posterior predictive p-values of test quantities (BDA3 section 6.3).

    For each test quantity :math:`T` in :data:`STATISTICS`,

    .. math::

        p_T = P\big(T(y^{\text{rep}}) \ge T(y) \mid y\big)
        \approx \frac1S \sum_{s=1}^S \mathbb 1\big[T(y^{\text{rep}(s)}) \ge T(y)\big],

    with the MCSE of that mean. A p-value near 0 or 1 says the model rarely reproduces the
    data's value of :math:`T`. For a count such as ``"n_negative"`` the event includes ties,
    so :math:`p_T` and :math:`P(T(y^{\text{rep}}) \le T(y))` can add up to more than 1.

    Parameters
    ----------
    y_rep : array_like, shape (n, J) or (chains, n, J)
        Replicated data sets (from :func:`replicate`), in chain order.
    y : array_like, shape (J,)
        The observed estimates.
    statistics : sequence of str, optional
        Keys of :data:`STATISTICS`.

    Returns
    -------
    PredictiveCheck

    Raises
    ------
    ValueError
        If ``y_rep`` fails the checks of :func:`effect_summary`, ``y`` is not finite or does
        not match its last axis, or a statistic is unknown or repeated.

    References
    ----------
    BDA3 section 6.3 (posterior predictive p-values); BDA3 section 6.5 checks the eight
    schools with the largest, the smallest and the spread of the effects.

    Examples
    --------
    >>> rng = np.random.default_rng(7)
    >>> y_rep = rng.standard_normal((4000, 3))
    >>> check = predictive_check(y_rep, [0.0, 0.5, 3.0], ["max"])
    >>> print(f"{check.observed[0]:.1f} {check.p_value[0]:.2f}")   # 3 is rare as a max
    3.0 0.00
    """
    x = _check_theta(y_rep, name="y_rep")
    y_arr = np.array(y, dtype=np.float64)
    if y_arr.ndim != 1 or y_arr.size != x.shape[2]:
        raise ValueError(
            f"y must be one-dimensional with one value per group ({x.shape[2]}); "
            f"got shape {y_arr.shape}"
        )
    _check_finite(y_arr, "y")
    names = tuple(str(s) for s in statistics)
    if not names:
        raise ValueError("statistics must name at least one test quantity")
    for s in names:
        if s not in STATISTICS:
            raise ValueError(f"statistics must be keys of STATISTICS ({', '.join(STATISTICS)}); "
                             f"got {s!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"statistics must not repeat a name; got {names}")
    observed = np.array([float(STATISTICS[s](y_arr)) for s in names])
    replicated = np.stack([STATISTICS[s](x) for s in names], axis=-1)
    est = _mean_with_mcse((replicated >= observed).astype(np.float64))
    return PredictiveCheck(
        names=names,
        observed=observed,
        replicated=replicated,
        p_value=est.value,
        mcse=est.mcse,
    )
