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
from scipy import stats

from eightschools.data import check_y_sigma

__all__ = [
    "HomogeneityTest",
    "PooledEstimate",
    "homogeneity_test",
    "pooled_estimate",
    "pooled_interval",
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
    z = stats.norm.ppf(0.5 + _check_level(level) / 2.0)
    return y_arr - z * s_arr, y_arr + z * s_arr


def pooled_estimate(y: ArrayLike, sigma: ArrayLike) -> PooledEstimate:
    r"""The precision-weighted mean of the estimates and its variance.

    .. math::

        \bar y_{\cdot\cdot} = \frac{\sum_j y_j / \sigma_j^2}{\sum_j 1/\sigma_j^2},
        \qquad V_{\text{pool}} = \Big(\sum_j 1/\sigma_j^2\Big)^{-1}

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
    precision = 1.0 / s_arr**2
    total = precision.sum()
    return PooledEstimate(float(np.dot(precision, y_arr) / total), float(1.0 / total))


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
    z = stats.norm.ppf(0.5 + _check_level(level) / 2.0)
    half = z * np.sqrt(est.variance)
    return float(est.mean - half), float(est.mean + half)


def homogeneity_test(y: ArrayLike, sigma: ArrayLike) -> HomogeneityTest:
    r"""Cochran's test that all groups share one effect.

    .. math::

        Q = \sum_j \frac{(y_j - \bar y_{\cdot\cdot})^2}{\sigma_j^2}
        \sim \chi^2_{J-1} \text{ under } \theta_1 = \dots = \theta_J,

    and the p-value is :math:`P(\chi^2_{J-1} \ge Q)`.

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
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=2)
    mean = pooled_estimate(y_arr, s_arr).mean
    q = float(np.sum(((y_arr - mean) / s_arr) ** 2))
    df = y_arr.size - 1
    return HomogeneityTest(q, df, float(stats.chi2.sf(q, df)))
