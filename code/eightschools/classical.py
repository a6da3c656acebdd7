r"""The two non-hierarchical analyses of estimates ``y`` with standard errors ``sigma``, shape (J,).

*Separate estimates* take each group alone, :math:`\theta_j \mid y_j \sim \mathrm{N}(y_j,
\sigma_j^2)`. *Complete pooling* assumes one common effect, whose posterior is the hierarchical
model's :math:`\mu \mid \tau, y` at :math:`\tau = 0` (BDA3 section 5.5): normal with the
precision-weighted mean :math:`\bar y_{\cdot\cdot} = \sum_j y_j \sigma_j^{-2} / \sum_j
\sigma_j^{-2}` and variance :math:`V_{\text{pool}} = (\sum_j \sigma_j^{-2})^{-1}`. Cochran's
:math:`Q = \sum_j (y_j - \bar y_{\cdot\cdot})^2 / \sigma_j^2`, :math:`\chi^2_{J-1}` when the
effects are equal, asks whether the data contradict pooling.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from eightschools.data import check_y_sigma
from eightschools.posterior import conditional_theta, mu_given_tau, shrinkage_factor, standardise

__all__ = ["HomogeneityTest", "PooledEstimate", "homogeneity_test", "pooled_estimate",
           "pooled_interval", "prob_less_given_tau", "separate_intervals"]


class PooledEstimate(NamedTuple):
    """The complete-pooling posterior: its mean and variance."""

    mean: float
    variance: float


class HomogeneityTest(NamedTuple):
    """Cochran's test of a common effect: statistic, degrees of freedom and p-value."""

    statistic: float
    df: int
    p_value: float


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level}")
    return float(special.ndtri(0.5 + level / 2.0))


def separate_intervals(
    y: ArrayLike, sigma: ArrayLike, level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Central intervals :math:`y_j \pm z\,\sigma_j` of probability ``level`` in (0, 1).

    Examples
    --------
    >>> lo, hi = separate_intervals([28.0], [15.0])
    >>> print(f"{lo[0]:.5f} {hi[0]:.5f}")
    -1.39946 57.39946
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    z = _z(level)
    return y_arr - z * s_arr, y_arr + z * s_arr


def pooled_estimate(y: ArrayLike, sigma: ArrayLike) -> PooledEstimate:
    r"""The precision-weighted mean of the estimates and its variance.

    :func:`eightschools.posterior.mu_given_tau` at :math:`\tau = 0`, computed in the standard
    units of :func:`eightschools.posterior.standardise` so that nothing overflows (the variance
    is 0 or ``inf`` only when it is itself beyond the float64 range).

    Examples
    --------
    >>> est = pooled_estimate([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"{est.mean:.6f} {est.variance:.5f}")
    7.685617 16.58053
    """
    y_std, s_std, centre, scale = standardise(y, sigma)
    mean_std, var_std = mu_given_tau(0.0, y_std, s_std)
    with np.errstate(over="ignore", under="ignore"):
        variance = float(var_std * scale * scale)
    return PooledEstimate(centre + scale * float(mean_std), variance)


def pooled_interval(y: ArrayLike, sigma: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    r"""The complete-pooling interval :math:`\bar y_{\cdot\cdot} \pm z\sqrt{V_{\text{pool}}}`.

    Examples
    --------
    >>> lo, hi = pooled_interval([1.0, 3.0], [1.0, 1.0])
    >>> print(f"{lo:.4f} {hi:.4f}")
    0.6141 3.3859
    """
    est = pooled_estimate(y, sigma)
    half = _z(level) * np.sqrt(est.variance)
    return float(est.mean - half), float(est.mean + half)


def homogeneity_test(y: ArrayLike, sigma: ArrayLike) -> HomogeneityTest:
    r"""Cochran's test that all groups (at least two) share one effect.

    The p-value is :math:`P(\chi^2_{J-1} \ge Q)`. :math:`Q` does not change with the units, so
    it is computed in standard units, without cancellation; it is ``inf`` only beyond float64.

    Examples
    --------
    >>> q = homogeneity_test([0.0, 2.0], [1.0, 1.0])
    >>> print(f"{q.statistic:.1f} {q.df} {q.p_value:.4f}")
    2.0 1 0.1573
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=2)
    y_std, s_std, _, _ = standardise(y_arr, s_arr)
    mean_std = mu_given_tau(0.0, y_std, s_std)[0]
    with np.errstate(over="ignore"):
        q = float(np.sum(((y_std - mean_std) / s_std) ** 2))
    df = y_arr.size - 1
    return HomogeneityTest(q, df, float(special.chdtrc(df, q)))


def prob_less_given_tau(
    y: ArrayLike, sigma: ArrayLike, tau: ArrayLike, i: int, k: int
) -> NDArray[np.float64]:
    r"""Probability that group ``i``'s effect is below group ``k``'s, for each fixed :math:`\tau`.

    A preview of the hierarchical model, :math:`\mu` integrated out: with :math:`\hat\mu, V_\mu`
    of :func:`eightschools.posterior.mu_given_tau` and :math:`\hat\theta_j, V_j` of
    :func:`eightschools.posterior.conditional_theta` at :math:`\mu = \hat\mu`,
    :math:`\theta_i - \theta_k` has mean :math:`m = \hat\theta_i - \hat\theta_k` and variance
    :math:`v = (B_i - B_k)^2 V_\mu + V_i + V_k`, so the probability (of the shape of ``tau``)
    is :math:`\Phi(-m/\sqrt{v})`; it tends to 1/2 as :math:`\tau \to 0`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,), with :math:`J \ge 2`
    tau : array_like, any shape, finite and :math:`> 0`
    i, k : int, two distinct group indices (0-based)

    Examples
    --------
    >>> p = prob_less_given_tau([28, -3, 8], [15, 16, 10], [1e-4, 1e4], 0, 1)
    >>> print(np.round(p, 3))
    [0.5   0.079]
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=2)
    t = np.asarray(tau, dtype=np.float64)
    if not np.all(np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("tau must be finite and > 0 (at tau = 0 the two effects coincide)")
    for name, idx in (("i", i), ("k", k)):
        if not 0 <= idx < y_arr.size:
            raise ValueError(f"{name} must index a group, 0 <= {name} < {y_arr.size}; got {idx}")
    if i == k:
        raise ValueError("i and k must be different groups")
    mu_hat, v_mu = mu_given_tau(t, y_arr, s_arr)
    mean, var = conditional_theta(mu_hat, t, y_arr, s_arr)
    b = shrinkage_factor(t, s_arr)
    m = mean[..., i] - mean[..., k]
    v = (b[..., i] - b[..., k]) ** 2 * v_mu + var[..., i] + var[..., k]
    return special.ndtr(-m / np.sqrt(v))
