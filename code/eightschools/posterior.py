r"""The hierarchical normal model of the eight schools: each of its formulas, once.

The model of BDA3 section 5.4 is

.. math::

    y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2), \qquad
    \theta_j \mid \mu, \tau \sim \mathrm{N}(\mu, \tau^2), \qquad
    p(\mu, \tau) \propto 1 .

Integrating out :math:`\theta_j` leaves :math:`y_j \mid \mu, \tau \sim \mathrm{N}(\mu,
\sigma_j^2 + \tau^2)` (BDA3 eq. 5.18). A sampler prefers unbounded coordinates,
:math:`\lambda = (\lambda_1, \lambda_2) = (\mu, \log\tau)`; the Jacobian
:math:`d\tau / d\lambda_2 = e^{\lambda_2}` adds :math:`\lambda_2` to the log density:

.. math::

    \log p(\lambda \mid y) = \sum_{j=1}^J \Big[-\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
      - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big] + \lambda_2,

the constant dropped. With a flat prior on :math:`\tau` the posterior is proper only for
:math:`J \ge 3` (:math:`p(\tau \mid y)` falls like :math:`\tau^{1-J}`), so these functions
refuse fewer groups. Given :math:`\tau`, :math:`\mu` is normal (BDA3 eqs. 5.19-5.20); given
:math:`(\mu, \tau)`, each :math:`\theta_j` is normal (eq. 5.17); :math:`p(\tau \mid y)` has a
closed form (eq. 5.21).

References
----------
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A. and Rubin, D. B. (2013).
*Bayesian Data Analysis*, 3rd edition (BDA3), section 5.4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.data import check_y_sigma

__all__ = [
    "LogPosterior", "conditional_theta", "log_p_tau", "log_posterior", "log_posterior_grad",
    "log_posterior_hessian", "mu_given_tau", "shrinkage_factor", "standardise",
]

FloatArray = NDArray[np.float64]


def _check_tau(tau: ArrayLike, *, allow_inf: bool) -> FloatArray:
    arr = np.asarray(tau, dtype=np.float64)
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError("tau must be >= 0 (and not NaN) everywhere")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError("tau must be finite")
    return arr


@dataclass(frozen=True, eq=False)
class LogPosterior:
    r"""The log posterior of :math:`\lambda = (\mu, \log\tau)` for one data set.

    Calling it, ``.grad`` and ``.hessian`` are :func:`log_posterior`, :func:`log_posterior_grad`
    and :func:`log_posterior_hessian`. :math:`\log(\sigma_j^2 + \tau^2)` is formed as
    ``logaddexp(2 log tau, 2 log sigma_j)``, which cannot overflow; a point with a NaN or
    infinite coordinate has log density :math:`-\infty` and NaN derivatives.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`; stored read-only.

    Examples
    --------
    >>> lp = LogPosterior([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"{lp([8.0, 2.0]):.6f} {lp.scalar((np.nan, 1.0))}")
    -21.013734 -inf
    """

    y: FloatArray
    sigma: FloatArray

    def __post_init__(self) -> None:
        checked = check_y_sigma(self.y, self.sigma, min_groups=3)
        for name, arr in zip(("y", "sigma"), checked, strict=True):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def J(self) -> int:
        """The number of groups :math:`J`."""
        return int(self.y.size)

    def _terms(self, lam: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """The log tau, mu - y_j, log(sigma_j^2 + tau^2) and the mask of finite points."""
        arr = np.asarray(lam, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != 2:
            raise ValueError(f"lam must have shape (..., 2), (mu, log tau) last; got {arr.shape}")
        ok = np.isfinite(arr).all(axis=-1)
        arr = np.where(ok[..., None], arr, 0.0)
        log_v = np.logaddexp(2.0 * arr[..., 1, None], 2.0 * np.log(self.sigma))
        return arr[..., 1], arr[..., 0, None] - self.y, log_v, ok

    def __call__(self, lam: ArrayLike) -> FloatArray:
        """Log posterior at ``lam`` of shape (..., 2); returns shape (...)."""
        l2, d, log_v, ok = self._terms(lam)
        z = d * np.exp(-0.5 * log_v)  # (mu - y_j) / sqrt(v_j)
        return np.where(ok, l2 - 0.5 * (log_v + z * z).sum(axis=-1), -np.inf)[()]

    def _derivative_terms(self, lam: ArrayLike) -> tuple[FloatArray, ...]:
        """The mu - y_j, 1 / v_j, w_j = tau^2 / v_j, 1 - w_j = sigma_j^2 / v_j, the finite mask."""
        l2, d, log_v, ok = self._terms(lam)
        w = np.exp(2.0 * l2[..., None] - log_v)
        one_minus_w = np.exp(2.0 * np.log(self.sigma) - log_v)  # without cancellation
        return d, np.exp(-log_v), w, one_minus_w, ok

    def grad(self, lam: ArrayLike) -> FloatArray:
        """Gradient at ``lam`` of shape (..., 2); returns shape (..., 2)."""
        d, inv_v, w, _, ok = self._derivative_terms(lam)
        r = d * inv_v
        g = np.stack([-r.sum(axis=-1), 1.0 + (w * (d * r - 1.0)).sum(axis=-1)], axis=-1)
        return np.where(ok[..., None], g, np.nan)

    def hessian(self, lam: ArrayLike) -> FloatArray:
        """Hessian at ``lam`` of shape (..., 2); returns shape (..., 2, 2)."""
        d, inv_v, w, one_minus_w, ok = self._derivative_terms(lam)
        r = d * inv_v
        h11 = -inv_v.sum(axis=-1)
        h12 = 2.0 * (w * r).sum(axis=-1)
        h22 = 2.0 * (w * (d * r * (one_minus_w - w) - one_minus_w)).sum(axis=-1)
        h = np.stack([h11, h12, h12, h22], axis=-1).reshape(h11.shape + (2, 2))
        return np.where(ok[..., None, None], h, np.nan)

    def scalar(self, lam: Sequence[float]) -> float:
        r"""The log posterior at one point ``(mu, log tau)`` as a float, the same on every CPU.

        Written with ``math``, whose rounding, unlike numpy's vectorised ``exp`` and ``log``,
        does not depend on the CPU (``nelder_mead_fit`` takes finite differences of it). Where
        :math:`\prod_j v_j` or the sum of squares would overflow it is ``float(self(lam))``.
        """
        l1, l2 = float(lam[0]), float(lam[1])
        if math.isfinite(l1) and abs(l2) <= 300.0:
            t = math.exp(2.0 * l2)
            quad, prod = 0.0, 1.0
            for yj, sj in zip(self.y.tolist(), self.sigma.tolist(), strict=True):
                v = sj * sj + t
                d = l1 - yj
                quad += d * d / v
                prod *= v
            if 1e-290 < prod < 1e290 and quad < math.inf:  # then sum_j log v_j = log prod_j v_j
                return l2 - 0.5 * (quad + math.log(prod))
        return float(self(lam))


def log_posterior(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Log posterior of :math:`\lambda = (\mu, \log\tau)` under :math:`p(\mu, \tau) \propto 1`.

    .. math::

        \log p(\lambda \mid y) = \sum_{j=1}^J \Big[
          -\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
          - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big] + \lambda_2

    exactly (BDA3 eq. 5.18; :math:`\lambda_2` is the Jacobian of :math:`\tau = e^{\lambda_2}`).
    It is ``LogPosterior(y, sigma)(lam)``: :math:`-\infty` at a non-finite point.

    Parameters
    ----------
    lam : array_like, shape (..., 2)
        Points :math:`(\mu, \log\tau)` in the last axis.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (...)
        The log density at each point (a numpy scalar for a single point).

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> print(f"{log_posterior([7.93, 1.84], y, sigma):.4f}")
    -20.9882
    """
    return LogPosterior(y, sigma)(lam)


def log_posterior_grad(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Gradient of :func:`log_posterior` with respect to :math:`(\lambda_1, \lambda_2)`.

    With :math:`v_j = \sigma_j^2 + e^{2\lambda_2}`, :math:`d_j = \lambda_1 - y_j` and
    :math:`w_j = e^{2\lambda_2} / v_j`,

    .. math::

        \frac{\partial \log p}{\partial \lambda_1} = -\sum_j \frac{d_j}{v_j}, \qquad
        \frac{\partial \log p}{\partial \lambda_2} = 1 + \sum_j w_j\Big(\frac{d_j^2}{v_j} - 1\Big).

    Parameters
    ----------
    lam, y, sigma : array_like
        As in :func:`log_posterior`.

    Returns
    -------
    numpy.ndarray, shape (..., 2)
        The gradient at each point; NaN at a point with a non-finite coordinate.

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_posterior_grad([8.0, 2.0], y, sigma).round(4)
    array([-0.0006, -0.3347])
    """
    return LogPosterior(y, sigma).grad(lam)


def log_posterior_hessian(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Hessian of :func:`log_posterior` with respect to :math:`(\lambda_1, \lambda_2)`.

    With :math:`v_j`, :math:`d_j`, :math:`w_j` as in :func:`log_posterior_grad`,

    .. math::

        H_{11} = -\sum_j \frac{1}{v_j}, \qquad
        H_{12} = 2\sum_j \frac{w_j d_j}{v_j}, \qquad
        H_{22} = 2\sum_j w_j\Big[\frac{d_j^2}{v_j}\big(1 - 2 w_j\big) - (1 - w_j)\Big].

    Parameters
    ----------
    lam, y, sigma : array_like
        Points :math:`(\mu, \log\tau)` of shape (..., 2) and data, as for :func:`log_posterior`.

    Returns
    -------
    numpy.ndarray, shape (..., 2, 2)
        The (symmetric) Hessian at each point, NaN at a non-finite one.

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_posterior_hessian([8.0, 2.0], y, sigma).round(4)
    array([[-0.0411,  0.0176],
           [ 0.0176, -2.3699]])
    """
    return LogPosterior(y, sigma).hessian(lam)


def _root_weights(t: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The square roots of B_j and of 1 - B_j = tau^2 / (sigma_j^2 + tau^2), safe at any tau."""
    hyp = np.hypot(s, t)  # sqrt(sigma^2 + tau^2) without overflow; inf at tau = inf
    return s / hyp, np.divide(t, hyp, out=np.ones(hyp.shape), where=np.isfinite(t))


def shrinkage_factor(tau: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""The weight :math:`B_j(\tau)` that the mean of :math:`\theta_j` puts on :math:`\mu`.

    .. math::

        B_j(\tau) = \frac{\tau^{-2}}{\tau^{-2} + \sigma_j^{-2}}
                  = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2},

    so that :math:`E(\theta_j \mid \mu, \tau, y) = (1 - B_j) y_j + B_j \mu` (BDA3 section 5.5).
    It is 1 at :math:`\tau = 0` (complete pooling) and 0 at ``tau = inf`` (no pooling).

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, each :math:`\ge 0` (``inf`` allowed).
    sigma : array_like, shape (J,)
        Standard errors, each :math:`> 0`.

    Returns
    -------
    numpy.ndarray, shape (..., J)
        :math:`B_j` for each ``tau`` and each group.

    Examples
    --------
    >>> shrinkage_factor([0.0, 10.0, np.inf], [10.0, 20.0]).round(3)
    array([[1. , 1. ],
           [0.5, 0.8],
           [0. , 0. ]])
    """
    s_arr = check_y_sigma(np.zeros(np.shape(sigma)), sigma)[1]
    return _root_weights(_check_tau(tau, allow_inf=True)[..., None], s_arr)[0] ** 2


def conditional_theta(
    mu: ArrayLike, tau: ArrayLike, y: ArrayLike, sigma: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r"""The normal distribution of each school effect given :math:`\mu`, :math:`\tau` and the data.

    .. math::

        \theta_j \mid \mu, \tau, y \sim \mathrm{N}(\hat\theta_j, V_j), \qquad
        \hat\theta_j = (1 - B_j) y_j + B_j \mu, \qquad V_j = (1 - B_j)\sigma_j^2,

    with :math:`B_j` of :func:`shrinkage_factor` (BDA3 eq. 5.17): the point mass at :math:`\mu`
    for :math:`\tau = 0`, :math:`\mathrm{N}(y_j, \sigma_j^2)` for ``tau = inf``.

    Parameters
    ----------
    mu, tau : array_like, broadcastable to a common shape (...)
        Population mean (finite) and standard deviation (:math:`\ge 0`).
    y, sigma : array_like, shape (J,)
        Estimates and standard errors.

    Returns
    -------
    mean, var : numpy.ndarray, shape (..., J)
        :math:`\hat\theta_j` and :math:`V_j` at each ``(mu, tau)``.

    Examples
    --------
    >>> mean, var = conditional_theta(0.0, 10.0, [20.0, 20.0], [10.0, 20.0])
    >>> mean.round(3), var.round(3)
    (array([10.,  4.]), array([50., 80.]))
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    if not np.isfinite(mu).all():
        raise ValueError("mu must be finite (no NaN or infinity)")
    m, t = np.broadcast_arrays(np.asarray(mu, dtype=np.float64), _check_tau(tau, allow_inf=True))
    root_b, root_1mb = _root_weights(t[..., None], s_arr)
    return root_1mb**2 * y_arr + root_b**2 * m[..., None], (s_arr * root_1mb) ** 2


def _mu_given_tau(t: FloatArray, y: FloatArray, s: FloatArray) -> tuple[FloatArray, ...]:
    """mu_hat, log V_mu and h_j = sqrt(sigma_j^2 + tau^2) of shape (..., J): none overflows."""
    h = np.hypot(s, t[..., None])
    h_min = h.min(axis=-1)
    w = (h_min[..., None] / h) ** 2  # 1/(sigma_j^2 + tau^2) over its largest value, in (0, 1]
    total = w.sum(axis=-1)
    return (w * y).sum(axis=-1) / total, 2.0 * np.log(h_min) - np.log(total), h


def mu_given_tau(tau: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""The normal distribution of :math:`\mu` given :math:`\tau` and the data (flat prior).

    .. math::

        \mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu), \qquad
        \hat\mu = V_\mu \sum_j \frac{y_j}{\sigma_j^2 + \tau^2}, \qquad
        V_\mu^{-1} = \sum_j \frac{1}{\sigma_j^2 + \tau^2}

    (BDA3 eqs. 5.19-5.20). At :math:`\tau = 0` this is the complete-pooling estimate.

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, finite and :math:`\ge 0`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors.

    Returns
    -------
    mu_hat, v_mu : numpy.ndarray, shape (...)
        :math:`\hat\mu` and :math:`V_\mu` at each ``tau`` (``inf`` beyond the float64 range).

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> mu_hat, v_mu = mu_given_tau([0.0, 10.0], y, sigma)
    >>> mu_hat.round(4), v_mu.round(4)
    (array([7.6856, 8.1265]), array([16.5805, 30.4701]))
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    mu_hat, log_v_mu, _ = _mu_given_tau(_check_tau(tau, allow_inf=False), y_arr, s_arr)
    with np.errstate(over="ignore"):
        return mu_hat[()], np.exp(log_v_mu)[()]


def log_p_tau(tau: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Unnormalised log marginal posterior of :math:`\tau` under :math:`p(\mu, \tau) \propto 1`.

    .. math::

        \log p(\tau \mid y) = \tfrac12 \log V_\mu
            - \tfrac12 \sum_j \log(\sigma_j^2 + \tau^2)
            - \sum_j \frac{(y_j - \hat\mu)^2}{2(\sigma_j^2 + \tau^2)},

    with :math:`\hat\mu, V_\mu` of :func:`mu_given_tau` (BDA3 eq. 5.21, the constant dropped):
    :math:`\int e^{\log p(\mu, \log\tau \mid y)} d\mu = \sqrt{2\pi}\,\tau\, p(\tau \mid y)`. It
    is finite for every finite :math:`\tau` (all is formed from :math:`\sqrt{\sigma_j^2 + \tau^2}`).

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, finite and :math:`\ge 0`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (...)
        The unnormalised log density at each ``tau``.

    Examples
    --------
    >>> y, sigma = [28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_p_tau([0.0, 5.0, 30.0], y, sigma).round(4)
    array([-20.9186, -21.1397, -25.7826])
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    mu_hat, log_v_mu, h = _mu_given_tau(_check_tau(tau, allow_inf=False), y_arr, s_arr)
    z = (mu_hat[..., None] - y_arr) / h
    return (0.5 * log_v_mu - np.log(h).sum(axis=-1) - 0.5 * (z * z).sum(axis=-1))[()]


def standardise(y: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, FloatArray, float, float]:
    r"""The data in standard units, :math:`y' = (y - c)/k` and :math:`\sigma' = \sigma/k`.

    The model is location-scale equivariant, so a summary computed from :math:`(y', \sigma')`
    maps back as :math:`c + kx` (locations) or :math:`kx` (scales). The centre :math:`c` is the
    (lower) median of :math:`y`, so residuals lose no digits. The scale :math:`k` is a power of
    two (exact division) near :math:`\sqrt{\sigma_{\min} S}`, :math:`S = \max(|y_j - c|,
    \sigma_j)`, so squares of the standard data are normal floats for data spanning up to
    :math:`2^{880}`; beyond, :math:`S' \le 2^{440}` and :math:`\sigma'_j \ge 2^{-500}`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors.

    Returns
    -------
    y_std, sigma_std : numpy.ndarray, shape (J,)
        :math:`y'` and :math:`\sigma'`.
    centre, scale : float
        :math:`c` and :math:`k`.

    Raises
    ------
    ValueError
        If some :math:`|y_j - c|` overflows float64 (or the data are invalid).

    Examples
    --------
    >>> y_std, s_std, c, k = standardise([1e12 + 28, 1e12 + 8, 1e12 - 3], [15, 10, 16])
    >>> c - 1e12, k, y_std.tolist(), s_std.tolist()
    (8.0, 16.0, [1.25, 0.0, -0.6875], [0.9375, 0.625, 1.0])
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    middle = (y_arr.size - 1) // 2
    centre = float(np.partition(y_arr, middle)[middle])  # the (lower) median
    with np.errstate(over="ignore"):
        top = max(float(np.abs(y_arr - centre).max()), float(s_arr.max()))
    if not math.isfinite(top):
        raise ValueError(
            "y must lie within a representable distance of its median: max |y_j - median| "
            f"overflows float64 (y from {y_arr.min():g} to {y_arr.max():g})"
        )
    low_exp, top_exp = math.frexp(float(s_arr.min()))[1], math.frexp(top)[1]
    scale = math.ldexp(1.0, min(max((low_exp + top_exp) // 2, top_exp - 440), 1023))
    s_std = np.maximum(s_arr / scale, 2.0**-500)  # only for data spanning more than 2^940
    return (y_arr - centre) / scale, s_std, centre, scale
