r"""The hierarchical normal model's posterior, on the scale a sampler works on.

The model of BDA3 section 5.4 is

.. math::

    y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2), \qquad
    \theta_j \mid \mu, \tau \sim \mathrm{N}(\mu, \tau^2), \qquad
    p(\mu, \tau) \propto 1 .

Integrating out each :math:`\theta_j` leaves :math:`y_j \mid \mu, \tau \sim
\mathrm{N}(\mu, \sigma_j^2 + \tau^2)`, so the marginal posterior of :math:`(\mu, \tau)` is a
product of :math:`J` normal densities (BDA3 eq. 5.18). A sampler prefers unbounded
coordinates, so we write :math:`\lambda_1 = \mu` and :math:`\lambda_2 = \log\tau`; the
Jacobian :math:`|d\tau / d\lambda_2| = e^{\lambda_2}` adds :math:`\lambda_2` to the log
density:

.. math::

    \log p(\lambda_1, \lambda_2 \mid y)
    = \sum_{j=1}^J \Big[-\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
      - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big] + \lambda_2
      + \text{const}.

Every function here uses exactly this normalisation (the constant is dropped, nothing else).
With a flat prior on :math:`\tau` the posterior is proper only when :math:`J \ge 3`, because
:math:`p(\tau \mid y)` falls like :math:`\tau^{1-J}`; the functions of :math:`(\mu, \tau)`
refuse fewer groups.

Given :math:`(\mu, \tau)` the school effects are independent normals (BDA3 eq. 5.17), and given
:math:`\tau` the mean :math:`\mu` is normal (BDA3 eqs. 5.19-5.20): both are closed forms, so
nothing here samples :math:`\theta`.

References
----------
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A. and Rubin, D. B. (2013).
*Bayesian Data Analysis*, 3rd edition (BDA3), section 5.4.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.data import check_y_sigma

__all__ = [
    "LogPosterior",
    "conditional_theta",
    "log_p_tau",
    "log_posterior",
    "log_posterior_grad",
    "log_posterior_hessian",
    "mu_given_tau",
    "shrinkage_factor",
    "standardise",
]

FloatArray = NDArray[np.float64]

# Above this log tau, exp(2 log tau) comes near the float64 range: use the log-sum-exp path.
_LOG_TAU_FAST_MAX = 300.0
# A product of positive floats whose log stays below this in size is a normal float.
_LOG_PRODUCT_MAX = 700.0
_LN2 = math.log(2.0)
# The smallest sigma' of standard units (reached only by data spanning more than 2^940).
_SIGMA_STD_MIN = 2.0**-500


# --------------------------------------------------------------------------- validation
def _check_lam(lam: ArrayLike) -> FloatArray:
    arr = np.asarray(lam, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise ValueError(
            "lam must have shape (..., 2) holding (mu, log tau) in its last axis; "
            f"got shape {arr.shape}"
        )
    return arr


def _check_tau(tau: ArrayLike, *, allow_inf: bool) -> FloatArray:
    arr = np.asarray(tau, dtype=np.float64)
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError("tau must be >= 0 (and not NaN) everywhere")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError("tau must be finite")
    return arr


def _check_mu(mu: ArrayLike) -> FloatArray:
    arr = np.asarray(mu, dtype=np.float64)
    if not np.isfinite(arr).all():
        raise ValueError("mu must be finite (no NaN or infinity)")
    return arr


# --------------------------------------------------------------------------- the kernels
# The kernels trust their inputs: (y, sigma) validated, lam of shape (..., 2).
@dataclass(frozen=True)
class _Pieces:
    """Per-group quantities at each point, shapes (..., J) unless noted."""

    d: FloatArray  # lambda1 - y_j
    log_v: FloatArray  # log(sigma_j^2 + tau^2), without overflow
    inv_v: FloatArray  # 1 / (sigma_j^2 + tau^2)
    w: FloatArray  # tau^2 / (sigma_j^2 + tau^2), in [0, 1]
    one_minus_w: FloatArray  # sigma_j^2 / (sigma_j^2 + tau^2), computed without cancellation


def _pieces(lam: FloatArray, y: FloatArray, log_s2: FloatArray) -> _Pieces:
    two_l2 = 2.0 * lam[..., 1, None]
    log_v = np.logaddexp(two_l2, log_s2)
    return _Pieces(
        d=lam[..., 0, None] - y,
        log_v=log_v,
        inv_v=np.exp(-log_v),
        w=np.exp(two_l2 - log_v),
        one_minus_w=np.exp(log_s2 - log_v),
    )


def _finite_rows(lam: FloatArray) -> tuple[FloatArray, NDArray[np.bool_] | None]:
    """Replace points with a non-finite coordinate by (0, 0); return the mask of bad points."""
    ok = np.isfinite(lam).all(axis=-1)
    if ok.all():
        return lam, None
    return np.where(ok[..., None], lam, 0.0), ~ok


def _log_post_kernel(
    lam: FloatArray,
    y: FloatArray,
    s2: FloatArray,
    log_s2: FloatArray,
    log_s2_range: tuple[float, float] | None,
) -> FloatArray:
    l2 = lam[..., 1]
    if log_s2_range is not None and lam.size and np.isfinite(lam).all():
        l2_max = float(l2.max())
        if l2_max <= _LOG_TAU_FAST_MAX:
            return _log_post_direct(lam, y, s2, log_s2_range, l2_max)
    safe, bad = _finite_rows(lam)
    log_v = np.logaddexp(2.0 * safe[..., 1, None], log_s2)
    z = (safe[..., 0, None] - y) * np.exp(-0.5 * log_v)  # (mu - y_j) / sqrt(v_j)
    out = safe[..., 1] - 0.5 * (log_v + z * z).sum(axis=-1)
    if bad is not None:
        out[bad] = -np.inf
    return out


def _log_post_direct(
    lam: FloatArray,
    y: FloatArray,
    s2: FloatArray,
    log_s2_range: tuple[float, float],
    l2_max: float,
) -> FloatArray:
    """The common case, for finite points whose tau^2 = exp(2 l2) is far from overflow.

    Groups run along the first axis and points along the second, so each step is one pass
    over contiguous rows and the sums over groups add whole rows. When the product of the
    v_j = sigma_j^2 + tau^2 is certainly a normal float, sum_j log v_j is the log of that
    product: one log per point instead of one per group and point.
    """
    flat = lam.reshape(-1, 2)
    v = s2[:, None] + np.exp(2.0 * flat[:, 1])
    q = flat[:, 0] - y[:, None]
    q *= q
    q /= v
    quad = q.sum(axis=0)
    lo, hi = log_s2_range
    log_v_max = _LN2 + max(hi, 2.0 * l2_max)  # log(s^2 + t) <= log 2 + max(log s^2, log t)
    if y.size * max(-lo, log_v_max) < _LOG_PRODUCT_MAX:
        quad += np.log(np.multiply.reduce(v, axis=0))
    else:
        quad += np.log(v).sum(axis=0)
    return (flat[:, 1] - 0.5 * quad).reshape(lam.shape[:-1])


def _grad_kernel(lam: FloatArray, y: FloatArray, log_s2: FloatArray) -> FloatArray:
    safe, bad = _finite_rows(lam)
    p = _pieces(safe, y, log_s2)
    r = p.d * p.inv_v  # (lambda1 - y_j) / v_j
    g = np.empty(safe.shape)
    g[..., 0] = -r.sum(axis=-1)
    g[..., 1] = 1.0 + (p.w * (p.d * r - 1.0)).sum(axis=-1)
    if bad is not None:
        g[bad] = np.nan
    return g


def _hessian_kernel(lam: FloatArray, y: FloatArray, log_s2: FloatArray) -> FloatArray:
    safe, bad = _finite_rows(lam)
    p = _pieces(safe, y, log_s2)
    r = p.d * p.inv_v
    h = np.empty(safe.shape + (2,))
    h[..., 0, 0] = -p.inv_v.sum(axis=-1)
    h[..., 0, 1] = h[..., 1, 0] = 2.0 * (p.w * r).sum(axis=-1)
    h[..., 1, 1] = 2.0 * (p.w * (p.d * r * (p.one_minus_w - p.w) - p.one_minus_w)).sum(axis=-1)
    if bad is not None:
        h[bad] = np.nan
    return h


def _sigma_terms(
    sigma: FloatArray,
) -> tuple[FloatArray, FloatArray, tuple[float, float] | None]:
    """Return sigma^2, log sigma^2, and the range of log sigma^2.

    The range is None unless sigma^2 is a normal float everywhere; the direct path of the
    log density is then not used.
    """
    with np.errstate(over="ignore", under="ignore"):
        s2 = sigma * sigma
    log_s2 = 2.0 * np.log(sigma)
    normal = bool(s2.min() > 1e-280 and s2.max() < 1e280)
    return s2, log_s2, (float(log_s2.min()), float(log_s2.max())) if normal else None


def _shape_out(out: FloatArray) -> FloatArray:
    return out[()] if out.ndim == 0 else out


# --------------------------------------------------------------------------- public API
@dataclass(frozen=True, eq=False)
class LogPosterior:
    r"""The log posterior of :math:`(\mu, \log\tau)` for one data set, ready to evaluate.

    Validates ``(y, sigma)`` once and precomputes what every evaluation needs, so a sampler
    can call it many times. Calling it is :func:`log_posterior`; ``.grad`` and ``.hessian``
    are :func:`log_posterior_grad` and :func:`log_posterior_hessian`; ``.scalar`` evaluates
    one point in plain Python, which is several times faster than numpy for a single point.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Raises
    ------
    ValueError
        If ``(y, sigma)`` fail :func:`eightschools.data.check_y_sigma` with ``min_groups=3``
        (with a flat prior on :math:`\tau`, fewer groups give an improper posterior).

    Examples
    --------
    >>> lp = LogPosterior([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> lp.J
    8
    >>> print(f"{float(lp([8.0, 2.0])):.6f} {lp.scalar((8.0, 2.0)):.6f}")
    -21.013734 -21.013734
    >>> lp([[8.0, 2.0], [0.0, 0.0]]).shape
    (2,)
    >>> lp.scalar((float("nan"), 1.0))
    -inf
    """

    y: FloatArray
    sigma: FloatArray
    _s2: FloatArray = field(init=False, repr=False)
    _log_s2: FloatArray = field(init=False, repr=False)
    _log_s2_range: tuple[float, float] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        y, sigma = check_y_sigma(self.y, self.sigma, min_groups=3)
        y.flags.writeable = False
        sigma.flags.writeable = False
        s2, log_s2, log_s2_range = _sigma_terms(sigma)
        for name, value in (
            ("y", y),
            ("sigma", sigma),
            ("_s2", s2),
            ("_log_s2", log_s2),
            ("_log_s2_range", log_s2_range),
        ):
            object.__setattr__(self, name, value)

    @cached_property
    def _pairs(self) -> tuple[tuple[float, float], ...]:
        """(y_j, sigma_j^2) as Python floats, for :meth:`scalar` (built at its first call)."""
        return tuple(zip(self.y.tolist(), self._s2.tolist(), strict=True))

    @cached_property
    def _log_s2_tuple(self) -> tuple[float, ...]:
        """The log sigma_j^2 as Python floats, for :meth:`scalar`."""
        return tuple(self._log_s2.tolist())

    @property
    def J(self) -> int:
        """The number of groups :math:`J`."""
        return int(self.y.size)

    def __call__(self, lam: ArrayLike) -> FloatArray:
        """Log posterior at ``lam`` of shape (..., 2); returns shape (...)."""
        arr = _check_lam(lam)
        return _shape_out(_log_post_kernel(arr, self.y, self._s2, self._log_s2, self._log_s2_range))

    def grad(self, lam: ArrayLike) -> FloatArray:
        """Gradient at ``lam`` of shape (..., 2); returns shape (..., 2)."""
        return _grad_kernel(_check_lam(lam), self.y, self._log_s2)

    def hessian(self, lam: ArrayLike) -> FloatArray:
        """Hessian at ``lam`` of shape (..., 2); returns shape (..., 2, 2)."""
        return _hessian_kernel(_check_lam(lam), self.y, self._log_s2)

    def scalar(self, lam: Sequence[float]) -> float:
        r"""The log posterior at one point ``(mu, log tau)``, as a Python float.

        The same value as calling the object, written with the ``math`` module over precomputed
        floats for speed. A point with a NaN or infinite coordinate gives ``-inf`` (zero
        density), so a sampler rejects it.
        """
        l1 = float(lam[0])
        l2 = float(lam[1])
        if l1 - l1 != 0.0 or l2 - l2 != 0.0:  # NaN or infinity
            return -math.inf
        if l2 <= _LOG_TAU_FAST_MAX and self._log_s2_range is not None:
            t = math.exp(2.0 * l2)
            quad = 0.0
            prod = 1.0
            for yj, s2 in self._pairs:
                v = s2 + t
                d = l1 - yj
                quad += d * d / v
                prod *= v
            if 1e-290 < prod < 1e290:  # one log of the product, when it is a normal float
                return l2 - 0.5 * (quad + math.log(prod))
        # General case: log(s^2 + t) = m + log(exp(a - m) + exp(b - m)), m = max(a, b).
        total = 0.0
        a = 2.0 * l2
        for (yj, _), ls2 in zip(self._pairs, self._log_s2_tuple, strict=True):
            m = a if a > ls2 else ls2
            log_v = m + math.log(math.exp(a - m) + math.exp(ls2 - m))
            z = (l1 - yj) * math.exp(-0.5 * log_v)
            total += log_v + z * z
        return l2 - 0.5 * total


def log_posterior(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Log posterior of :math:`\lambda = (\mu, \log\tau)` under :math:`p(\mu, \tau) \propto 1`.

    .. math::

        \log p(\lambda \mid y) = \sum_{j=1}^J \Big[
          -\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
          - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big] + \lambda_2

    exactly (no other constant); the last term is the Jacobian of :math:`\tau = e^{\lambda_2}`.
    :math:`\log(\sigma_j^2 + e^{2\lambda_2})` is formed so that it cannot overflow, and a point
    with a NaN or infinite coordinate gets :math:`-\infty` (zero density).

    Parameters
    ----------
    lam : array_like, shape (..., 2)
        Points :math:`(\lambda_1, \lambda_2) = (\mu, \log\tau)` in the last axis.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (...)
        The log density at each point (a numpy scalar for a single point).

    Raises
    ------
    ValueError
        If ``lam``'s last axis is not of length 2, or ``(y, sigma)`` fail
        :func:`eightschools.data.check_y_sigma` (at least 3 groups: with a flat prior on
        :math:`\tau` fewer give an improper posterior).

    References
    ----------
    BDA3 section 5.4, eq. 5.18, with the change of variables to :math:`\log\tau`.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> print(f"{log_posterior([7.93, 1.84], y, sigma):.4f}")
    -20.9882
    >>> far = log_posterior([[0.0, 0.0], [0.0, 30.0], [1e6, -30.0]], y, sigma)
    >>> print(" ".join(f"{v:.6g}" for v in far))
    -24.1046 -210 -3.01554e+10
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    arr = _check_lam(lam)
    return _shape_out(_log_post_kernel(arr, y_arr, *_sigma_terms(s_arr)))


def log_posterior_grad(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Gradient of :func:`log_posterior` with respect to :math:`(\lambda_1, \lambda_2)`.

    With :math:`v_j = \sigma_j^2 + e^{2\lambda_2}`, :math:`d_j = \lambda_1 - y_j` and
    :math:`w_j = e^{2\lambda_2} / v_j = \tau^2/(\sigma_j^2 + \tau^2)`,

    .. math::

        \frac{\partial \log p}{\partial \lambda_1} = -\sum_j \frac{d_j}{v_j}, \qquad
        \frac{\partial \log p}{\partial \lambda_2} = 1 + \sum_j w_j\Big(\frac{d_j^2}{v_j} - 1\Big).

    Parameters
    ----------
    lam : array_like, shape (..., 2)
        Points :math:`(\mu, \log\tau)`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (..., 2)
        The gradient at each point; NaN at a point with a non-finite coordinate.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_posterior_grad([8.0, 2.0], y, sigma).round(4)
    array([-0.0006, -0.3347])
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    return _grad_kernel(_check_lam(lam), y_arr, 2.0 * np.log(s_arr))


def log_posterior_hessian(lam: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Hessian of :func:`log_posterior` with respect to :math:`(\lambda_1, \lambda_2)`.

    With :math:`v_j`, :math:`d_j`, :math:`w_j` as in :func:`log_posterior_grad` (so
    :math:`1 - w_j = \sigma_j^2 / v_j`),

    .. math::

        H_{11} = -\sum_j \frac{1}{v_j}, \qquad
        H_{12} = 2\sum_j \frac{w_j d_j}{v_j}, \qquad
        H_{22} = 2\sum_j w_j\Big[\frac{d_j^2}{v_j}\big(1 - 2 w_j\big) - (1 - w_j)\Big].

    Parameters
    ----------
    lam : array_like, shape (..., 2)
        Points :math:`(\mu, \log\tau)`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.

    Returns
    -------
    numpy.ndarray, shape (..., 2, 2)
        The symmetric Hessian at each point; NaN at a point with a non-finite coordinate.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_posterior_hessian([8.0, 2.0], y, sigma).round(4)
    array([[-0.0411,  0.0176],
           [ 0.0176, -2.3699]])
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    return _hessian_kernel(_check_lam(lam), y_arr, 2.0 * np.log(s_arr))


def shrinkage_factor(tau: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""The weight :math:`B_j(\tau)` that the mean of :math:`\theta_j` puts on :math:`\mu`.

    .. math::

        B_j(\tau) = \frac{\tau^{-2}}{\tau^{-2} + \sigma_j^{-2}}
                  = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2},

    so that :math:`E(\theta_j \mid \mu, \tau, y) = (1 - B_j) y_j + B_j \mu`. It is 1 at
    :math:`\tau = 0` (complete pooling) and tends to 0 as :math:`\tau \to \infty` (no pooling;
    ``tau = inf`` is accepted and gives 0).

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, each :math:`\ge 0`.
    sigma : array_like, shape (J,)
        Standard errors, each :math:`> 0`.

    Returns
    -------
    numpy.ndarray, shape (..., J)
        :math:`B_j` for each ``tau`` and each group.

    References
    ----------
    BDA3 section 5.5 (the shrinkage form of eq. 5.17).

    Examples
    --------
    >>> shrinkage_factor([0.0, 10.0, np.inf], [10.0, 20.0]).round(3)
    array([[1. , 1. ],
           [0.5, 0.8],
           [0. , 0. ]])
    """
    s_arr = check_y_sigma(np.zeros(np.shape(sigma)), sigma)[1]
    t = _check_tau(tau, allow_inf=True)[..., None]
    hyp = np.hypot(s_arr, t)  # sqrt(sigma^2 + tau^2) without overflow
    return (s_arr / hyp) ** 2


def conditional_theta(
    mu: ArrayLike, tau: ArrayLike, y: ArrayLike, sigma: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    r"""The normal distribution of each school effect given :math:`\mu`, :math:`\tau` and the data.

    .. math::

        \theta_j \mid \mu, \tau, y \sim \mathrm{N}(\hat\theta_j, V_j), \qquad
        \hat\theta_j = \frac{y_j/\sigma_j^2 + \mu/\tau^2}{1/\sigma_j^2 + 1/\tau^2}
                     = (1 - B_j) y_j + B_j \mu, \qquad
        V_j = \frac{1}{1/\sigma_j^2 + 1/\tau^2} = (1 - B_j)\sigma_j^2,

    with :math:`B_j` from :func:`shrinkage_factor`. At :math:`\tau = 0` this is the point mass
    :math:`\theta_j = \mu` (``var`` is 0); at ``tau = inf`` it is
    :math:`\mathrm{N}(y_j, \sigma_j^2)`.

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

    References
    ----------
    BDA3 eq. 5.17.

    Examples
    --------
    >>> mean, var = conditional_theta(0.0, 10.0, [20.0, 20.0], [10.0, 20.0])
    >>> mean.round(3), var.round(3)
    (array([10.,  4.]), array([50., 80.]))
    >>> mean, var = conditional_theta([1.0, 2.0], 0.0, [5.0, 6.0, 7.0], [1.0, 1.0, 1.0])
    >>> mean.shape, var.max()
    ((2, 3), np.float64(0.0))
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    m, t = np.broadcast_arrays(_check_mu(mu), _check_tau(tau, allow_inf=True))
    t = t[..., None]
    hyp = np.hypot(s_arr, t)  # sqrt(sigma^2 + tau^2) without overflow; inf at tau = inf
    b = (s_arr / hyp) ** 2
    # r = tau / sqrt(sigma^2 + tau^2), so 1 - B = r^2 without cancellation; r = 1 at tau = inf.
    r = np.divide(t, hyp, out=np.ones(hyp.shape), where=np.isfinite(t))
    mean = r * r * y_arr + b * m[..., None]
    var = (s_arr * r) ** 2
    return mean, var


def mu_given_tau(tau: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, FloatArray]:
    r"""The normal distribution of :math:`\mu` given :math:`\tau` and the data (flat prior).

    .. math::

        \mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu), \qquad
        \hat\mu = \frac{\sum_j y_j / (\sigma_j^2 + \tau^2)}{\sum_j 1 / (\sigma_j^2 + \tau^2)},
        \qquad V_\mu^{-1} = \sum_j \frac{1}{\sigma_j^2 + \tau^2}.

    At :math:`\tau = 0` this is the complete-pooling estimate. The weights are formed from
    :math:`\sqrt{\sigma_j^2 + \tau^2}` (``numpy.hypot``) relative to the largest, so none
    overflows or underflows to zero.

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, finite and :math:`\ge 0`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors.

    Returns
    -------
    mu_hat, v_mu : numpy.ndarray, shape (...)
        :math:`\hat\mu` and :math:`V_\mu` at each ``tau`` (``v_mu`` is ``inf`` where it
        exceeds the float64 range, about :math:`\tau > 10^{154}`).

    References
    ----------
    BDA3 eqs. 5.19-5.20.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> mu_hat, v_mu = mu_given_tau([0.0, 10.0], y, sigma)
    >>> mu_hat.round(4), v_mu.round(4)
    (array([7.6856, 8.1265]), array([16.5805, 30.4701]))
    """
    y_arr, s_arr = check_y_sigma(y, sigma)
    mu_hat, log_v_mu, _ = _pooled_given_tau(_check_tau(tau, allow_inf=False), y_arr, s_arr)
    with np.errstate(over="ignore"):  # V_mu is +inf once tau^2 exceeds the float64 range
        return _shape_out(mu_hat), _shape_out(np.exp(log_v_mu))


def _pooled_given_tau(
    t: FloatArray, y: FloatArray, s: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """mu_hat, log V_mu and hypot(sigma_j, tau) (shape (..., J)), none of them overflowing."""
    hyp = np.hypot(s, t[..., None])
    hyp_min = hyp.min(axis=-1)
    w = (hyp_min[..., None] / hyp) ** 2  # 1/(sigma_j^2 + tau^2) over its largest value, in (0, 1]
    total = w.sum(axis=-1)
    mu_hat = (w * y).sum(axis=-1) / total
    return mu_hat, 2.0 * np.log(hyp_min) - np.log(total), hyp


def log_p_tau(tau: ArrayLike, y: ArrayLike, sigma: ArrayLike) -> FloatArray:
    r"""Unnormalised log marginal posterior of :math:`\tau` under :math:`p(\mu, \tau) \propto 1`.

    .. math::

        \log p(\tau \mid y) = \tfrac12 \log V_\mu
            - \tfrac12 \sum_j \log(\sigma_j^2 + \tau^2)
            - \sum_j \frac{(y_j - \hat\mu)^2}{2(\sigma_j^2 + \tau^2)} + \text{const},

    with :math:`\hat\mu, V_\mu` from :func:`mu_given_tau` and the constant dropped (nothing
    else). It relates to :func:`log_posterior` by integrating out :math:`\mu`:

    .. math::

        \int \exp\{\log p(\mu, \log\tau \mid y)\}\, d\mu
        = \sqrt{2\pi}\, \tau \exp\{\log p(\tau \mid y)\},

    the factor :math:`\tau` being the Jacobian of :math:`\log\tau`. Every term is formed from
    :math:`h_j = \sqrt{\sigma_j^2 + \tau^2}` (``numpy.hypot``): :math:`\log(\sigma_j^2 +
    \tau^2) = 2\log h_j`, :math:`(y_j - \hat\mu)^2/(\sigma_j^2 + \tau^2) = ((y_j -
    \hat\mu)/h_j)^2` and :math:`\log V_\mu = 2\log h_{\min} - \log\sum_j (h_{\min}/h_j)^2`,
    so the value is finite for every finite :math:`\tau` and any legal data.

    Parameters
    ----------
    tau : array_like, shape (...)
        Population standard deviations, finite and :math:`\ge 0`.
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3` (fewer give an improper posterior).

    Returns
    -------
    numpy.ndarray, shape (...)
        The unnormalised log density at each ``tau``.

    References
    ----------
    BDA3 eq. 5.21.

    Examples
    --------
    >>> y = [28, 8, -3, 7, -1, 1, 18, 12]
    >>> sigma = [15, 10, 16, 11, 9, 11, 10, 18]
    >>> log_p_tau([0.0, 5.0, 30.0], y, sigma).round(4)
    array([-20.9186, -21.1397, -25.7826])
    >>> print(f"{log_p_tau(1e200, y, sigma):.4f}")  # tau^2 overflows; log p does not
    -3224.6589
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    mu_hat, log_v_mu, hyp = _pooled_given_tau(_check_tau(tau, allow_inf=False), y_arr, s_arr)
    scaled = (mu_hat[..., None] - y_arr) / hyp
    out = 0.5 * log_v_mu - np.log(hyp).sum(axis=-1) - 0.5 * (scaled * scaled).sum(axis=-1)
    return _shape_out(np.asarray(out))


def standardise(y: ArrayLike, sigma: ArrayLike) -> tuple[FloatArray, FloatArray, float, float]:
    r"""The data in standard units, :math:`y' = (y - c)/k` and :math:`\sigma' = \sigma/k`.

    The model is location-scale equivariant: with the data :math:`(y', \sigma')` the posterior
    of :math:`(\mu, \tau, \theta)` is that of :math:`((\mu - c)/k, \tau/k, (\theta - c)/k)`.
    So a summary can be computed in these units and mapped back: means and quantiles of
    :math:`\mu` and :math:`\theta_j` as :math:`c + k x`, standard deviations and quantities of
    :math:`\tau` as :math:`k x`; probabilities and shrinkage factors do not change.

    The centre :math:`c` is the median of :math:`y` (the lower one for even :math:`J`), so a
    residual :math:`y'_j - \hat\mu'` never cancels digits that the data carry, however far
    the data lie from zero, and an outlier far from the others does not swamp them. The
    scale :math:`k` is a power of two within a factor 2 of :math:`\sqrt{\sigma_{\min} S}`,
    with :math:`S = \max(\max_j |y_j - c|, \max_j\sigma_j)` the largest scale in the data:
    then :math:`\sigma'_{\min}` and :math:`S'` are near :math:`(\sigma_{\min}/S)^{\pm 1/2}`,
    so their squares stay normal floats for data whose scales span up to :math:`2^{880}
    \approx 10^{265}`. Beyond, :math:`k` is raised until :math:`S' \le 2^{440}`, and a
    :math:`\sigma'_j` below :math:`2^{-500}` (a group known to within :math:`10^{-283}` of
    the data's spread) is raised to it, a difference no computation in the package can
    resolve. Dividing by a power of two is exact, and both choices move with the data:
    adding :math:`a` to every :math:`y_j` adds :math:`a` to :math:`c`, and multiplying
    :math:`(y, \sigma)` by :math:`2^m` multiplies :math:`k` by :math:`2^m`.

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
        If ``(y, sigma)`` fail :func:`eightschools.data.check_y_sigma`, or some
        :math:`|y_j - c|` overflows float64 (estimates spread over more than :math:`10^{308}`,
        whose differences no float can hold).

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
    return (y_arr - centre) / scale, np.maximum(s_arr / scale, _SIGMA_STD_MIN), centre, scale
