r"""The two non-hierarchical analyses: separate estimates and complete pooling.

*Separate estimates* take each group alone, :math:`\theta_j \mid y_j \sim
\mathrm{N}(y_j, \sigma_j^2)` under a flat prior. *Complete pooling* assumes one common
effect :math:`\theta_1 = \dots = \theta_J = \theta`, whose posterior under a flat prior is
normal with the precision-weighted mean and variance (BDA3 section 5.5)

.. math::

    \bar y_{\cdot\cdot} = \frac{\sum_j y_j / \sigma_j^2}{\sum_j 1/\sigma_j^2},
    \qquad
    V_{\text{pool}} = \Big(\sum_j 1/\sigma_j^2\Big)^{-1}.

Whether the data contradict a common effect is asked by Cochran's homogeneity statistic
:math:`Q = \sum_j (y_j - \bar y_{\cdot\cdot})^2 / \sigma_j^2`, which is
:math:`\chi^2_{J-1}` when the effects are equal.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from eightschools.data import check_y_sigma
from eightschools.posterior import standardise

__all__ = [
    "HomogeneityTest",
    "PooledEstimate",
    "homogeneity_test",
    "pooled_estimate",
    "pooled_interval",
    "prob_less_given_tau",
    "separate_intervals",
]


class PooledEstimate(NamedTuple):
    """The complete-pooling posterior: its mean and variance."""

    mean: float
    variance: float


class HomogeneityTest(NamedTuple):
    """Cochran's test of a common effect: statistic, degrees of freedom and p-value."""

    statistic: float
    df: int
    p_value: float


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level}")
    return float(level)


def separate_intervals(
    y: ArrayLike, sigma: ArrayLike, level: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Central intervals for each group taken alone.

    The interval is :math:`y_j \pm z_{(1+\text{level})/2}\,\sigma_j`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and their standard errors.
    level : float, optional
        Probability content of each interval, in (0, 1).

    Returns
    -------
    lower, upper : numpy.ndarray, shape (J,)
        The interval ends.

    Examples
    --------
    >>> lo, hi = separate_intervals([28.0], [15.0])
    >>> print(f"{lo[0]:.5f} {hi[0]:.5f}")
    -1.39946 57.39946
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    z = special.ndtri(0.5 + _check_level(level) / 2.0)
    return y_arr - z * s_arr, y_arr + z * s_arr


def pooled_estimate(y: ArrayLike, sigma: ArrayLike) -> PooledEstimate:
    r"""The precision-weighted mean of the estimates and its variance.

    .. math::

        \bar y_{\cdot\cdot} = \frac{\sum_j y_j / \sigma_j^2}{\sum_j 1/\sigma_j^2},
        \qquad V_{\text{pool}} = \Big(\sum_j 1/\sigma_j^2\Big)^{-1}

    Computed in the standard units of :func:`eightschools.posterior.standardise`
    (:math:`y' = (y - c)/k`, :math:`\sigma' = \sigma/k`), with the precisions relative to the
    largest, :math:`w_j = (\sigma_{\min}/\sigma_j)^2 \in (0, 1]`, so that nothing overflows:
    :math:`\bar y_{\cdot\cdot} = c + k \sum_j w_j y'_j / \sum_j w_j` and
    :math:`V_{\text{pool}} = \sigma_{\min}^2 / \sum_j w_j` (0 or ``inf`` only when the
    variance itself is beyond the float64 range).

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and their standard errors.

    Returns
    -------
    PooledEstimate
        ``(mean, variance)``.

    Examples
    --------
    >>> est = pooled_estimate([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"{est.mean:.6f} {est.variance:.5f}")
    7.685617 16.58053
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    y_std, s_std, centre, scale = standardise(y_arr, s_arr)
    mean_std, total = _pooled_standard(y_std, s_std)
    with np.errstate(over="ignore", under="ignore"):
        variance = float(np.square(s_arr.min()) / total)
    return PooledEstimate(centre + scale * mean_std, variance)


def _pooled_standard(y_std: NDArray[np.float64], s_std: NDArray[np.float64]) -> tuple[float, float]:
    """The pooled mean in standard units, and the sum of w_j = (min sigma / sigma_j)^2."""
    w = (s_std.min() / s_std) ** 2
    total = float(w.sum())
    return float(np.dot(w, y_std)) / total, total


def pooled_interval(
    y: ArrayLike, sigma: ArrayLike, level: float = 0.95
) -> tuple[float, float]:
    r"""Central interval of the complete-pooling posterior.

    The interval is :math:`\bar y_{\cdot\cdot} \pm z\sqrt{V_{\text{pool}}}`.

    Examples
    --------
    >>> lo, hi = pooled_interval([1.0, 3.0], [1.0, 1.0])
    >>> print(f"{lo:.4f} {hi:.4f}")
    0.6141 3.3859
    """
    est = pooled_estimate(y, sigma)
    z = special.ndtri(0.5 + _check_level(level) / 2.0)
    half = z * np.sqrt(est.variance)
    return float(est.mean - half), float(est.mean + half)


def homogeneity_test(y: ArrayLike, sigma: ArrayLike) -> HomogeneityTest:
    r"""Cochran's test that all groups share one effect.

    .. math::

        Q = \sum_j \frac{(y_j - \bar y_{\cdot\cdot})^2}{\sigma_j^2}
        \sim \chi^2_{J-1} \text{ under } \theta_1 = \dots = \theta_J,

    and the p-value is :math:`P(\chi^2_{J-1} \ge Q)`. :math:`Q` does not change when the data
    are shifted or rescaled, so it is computed in standard units (see
    :func:`pooled_estimate`), where each residual is formed without cancellation. It is
    ``inf`` (p-value 0) only when :math:`Q` itself exceeds the float64 range, about
    :math:`1.8 \times 10^{308}`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and their standard errors; at least two groups.

    Returns
    -------
    HomogeneityTest
        ``(statistic, df, p_value)``.

    Examples
    --------
    >>> q = homogeneity_test([0.0, 2.0], [1.0, 1.0])
    >>> print(f"{q.statistic:.1f} {q.df} {q.p_value:.4f}")
    2.0 1 0.1573
    >>> homogeneity_test([-1e300, 1e300], [1e-100, 1e-100]).statistic
    inf
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=2)
    y_std, s_std, _, _ = standardise(y_arr, s_arr)
    mean_std, _ = _pooled_standard(y_std, s_std)
    with np.errstate(over="ignore"):
        q = float(np.sum(((y_std - mean_std) / s_std) ** 2))
    df = y_arr.size - 1
    return HomogeneityTest(q, df, float(special.chdtrc(df, q)))


def prob_less_given_tau(
    y: ArrayLike, sigma: ArrayLike, tau: ArrayLike, i: int, k: int
) -> NDArray[np.float64]:
    r"""Probability that group ``i``'s effect is below group ``k``'s, for a fixed :math:`\tau`.

    A preview of the hierarchical model of chapter 2, :math:`\theta_j \sim \mathrm{N}(\mu,
    \tau^2)`, with :math:`\mu` integrated out under a flat prior. Given :math:`\tau`, write
    :math:`B_j = \sigma_j^2/(\sigma_j^2+\tau^2)`,
    :math:`V_j = \sigma_j^2\tau^2/(\sigma_j^2+\tau^2)`, and
    :math:`\mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu)` (BDA3 eq. 5.20). Then
    :math:`\theta_i - \theta_k` is normal with

    .. math::

        m = (1-B_i) y_i - (1-B_k) y_k + (B_i - B_k)\hat\mu, \qquad
        v = (B_i - B_k)^2 V_\mu + V_i + V_k,

    and the probability is :math:`\Phi(-m/\sqrt{v})`. As :math:`\tau \to 0`, :math:`m/\sqrt{v}
    \to 0` and the probability tends to 1/2: the second of BDA3's statements about the pooled
    model.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors; at least two groups.
    tau : array_like
        Values of the population sd :math:`\tau > 0`, any shape.
    i, k : int
        Two distinct group indices (0-based).

    Returns
    -------
    numpy.ndarray
        :math:`P(\theta_i < \theta_k \mid \tau, y)`, with the shape of ``tau``.

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
    J = y_arr.size
    for name, idx in (("i", i), ("k", k)):
        if not 0 <= idx < J:
            raise ValueError(f"{name} must index a group, 0 <= {name} < {J}; got {idx}")
    if i == k:
        raise ValueError("i and k must be different groups")
    s2 = s_arr**2
    t2 = t[..., None] ** 2
    w = 1.0 / (s2 + t2)
    mu_hat = np.sum(w * y_arr, axis=-1) / np.sum(w, axis=-1)
    v_mu = 1.0 / np.sum(w, axis=-1)
    b = s2 * w
    v = s2 * t2 * w
    m = (1 - b[..., i]) * y_arr[i] - (1 - b[..., k]) * y_arr[k] + (b[..., i] - b[..., k]) * mu_hat
    var = (b[..., i] - b[..., k]) ** 2 * v_mu + v[..., i] + v[..., k]
    return special.ndtr(-m / np.sqrt(var))
