r"""The exact posterior of the hierarchical normal model, by quadrature over :math:`\log\tau`.

Given :math:`\tau`, :math:`\mu \mid \tau, y \sim \mathrm{N}(\hat\mu, V_\mu)` (BDA3 eq. 5.20),
so the marginal posterior of :math:`\tau` (BDA3 eq. 5.21) and each effect are closed forms:

.. math::

    p(\tau \mid y) \propto p(\tau) f(\tau), \quad f(\tau) = V_\mu^{1/2} \prod_{j=1}^J
    (\sigma_j^2 + \tau^2)^{-1/2} \exp\Big\{-\frac12 \sum_j \frac{(y_j - \hat\mu)^2}
    {\sigma_j^2 + \tau^2}\Big\},

    \theta_j \mid \tau, y \sim \mathrm{N}\big(y_j + B_j (\hat\mu - y_j),\, V_j + B_j^2
    V_\mu\big), \quad B_j = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2}, \quad V_j = (1 - B_j)
    \sigma_j^2 .

Every summary is an integral over :math:`u = \log\tau` of :math:`g(u) = e^u p(e^u) f(e^u)`,
done by the trapezoid rule (:func:`trapezoid_weights`) on an even grid that covers where
:math:`\log g + k u` is within 50 of its maximum (:math:`k = 0, 1, 2`, the moments that
exist). The closed forms are evaluated in the standard units of
:func:`eightschools.posterior.standardise`, so data of any size or offset keep their digits.

**The tail bound.** As :math:`\tau` grows, :math:`V_\mu` and :math:`\prod_j (\sigma_j^2 +
\tau^2)` increase and :math:`\sum_j (y_j - \hat\mu)^2 / (\sigma_j^2 + \tau^2)` decreases, so

.. math::

    \int_{t_1}^{t_2} \tau^k p f\, d\tau \le (t_2 - t_1)\, t_2^k \sup_{[t_1, t_2]} p \;
    f(t_2) \prod_j \Big(\frac{\sigma_j^2 + t_2^2}{\sigma_j^2 + t_1^2}\Big)^{1/2},

and above :math:`T \ge \max_j \sigma_j`, with :math:`p(\tau) \le C \tau^{-a}`, the integral is
at most :math:`\sqrt{2/J}\, C\, T^{k + 2 - J - a} / (J + a - k - 2)`. Summed over intervals
covering the rest of :math:`[0, \infty)` (halved until each is small), divided by the grid's
integral and enlarged by :math:`10^{-6}` for rounding, they give ``tail_bound`` (:math:`k = 0`).

**Which moments exist.** As :math:`\tau \to \infty`, :math:`f(\tau) \sim J^{-1/2} \tau^{1-J}`:
:math:`E(\tau^k \mid y)` and :math:`E(|\mu|^k \mid y)` exist if and only if :math:`k < J + a -
2` (:func:`moment_exists`); those of :math:`\log\tau` and :math:`\theta_j` always do.

References
----------
Gelman, A. et al. (2013), *Bayesian Data Analysis*, 3rd ed. (BDA3), sections 5.4 and 5.7.
Gelman, A. (2006), Prior distributions for variance parameters in hierarchical models, *Bayesian
Analysis* 1(3), 515-534. Trefethen, L. N. and Weideman, J. A. C. (2014), The exponentially
convergent trapezoidal rule, *SIAM Review* 56(3), 385-458.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from eightschools import posterior
from eightschools.data import check_y_sigma

__all__ = [
    "QUANTILE_LEVELS", "ExactDraws", "ExactPosterior", "ExactSummary", "GroupMarginals",
    "Marginal", "TauPrior", "exact_posterior", "flat_prior", "half_cauchy_prior",
    "inverse_gamma_prior", "moment_exists", "trapezoid_weights",
]

FloatArray = NDArray[np.float64]

#: The quantile levels of every summary: 2.5%, 25%, 50%, 75% and 97.5%.
QUANTILE_LEVELS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)

_TOL = 1e-12  # target for each relative tail bound
_REPORT_TOL = 1e-10  # a moment whose tail bound exceeds this is not reported
_DROP = 50.0  # the grid covers where log g + k u is within this of its maximum
_U_MAX = 350.0  # |log tau'| below this keeps tau'^2 a normal float
_CHUNK = 131_072  # elements per temporary (nodes x groups) array
_MAX_NODES = 200_000  # the most nodes of the grid (times the resolution)
_MAX_OUTER_NODES = 4000  # the most nodes outside the grid, to bound the tails
_ROUNDING = 1e-6  # relative margin of the bounds for rounding in their evaluation
_BEST_WORK = 1e8  # prob_best coarsens its t-grids to about this many normal CDFs
_BEST_ROWS = 1000  # ... and uses at most this many nodes


def trapezoid_weights(log_g: ArrayLike, spacing: float) -> tuple[FloatArray, float]:
    r"""The trapezoid rule over :math:`u = \log\tau`: normalised weights and :math:`\log Z`.

    On nodes :math:`u_i = u_0 + i h` that reach where :math:`g` is negligible (so the rule's
    half weights at the ends make no difference),

    .. math::

        Z = \int g(u)\, du \approx h \sum_i g(u_i), \qquad
        E\{r(u) \mid y\} \approx \sum_i w_i\, r(u_i), \quad w_i = \frac{h\, g(u_i)}{Z},

    with an error that falls geometrically as :math:`h` shrinks when :math:`g` is analytic near
    the real axis and decays exponentially (Trefethen and Weideman 2014).

    Parameters
    ----------
    log_g : array_like, shape (n,)
        :math:`\log g(u_i)`, up to a constant.
    spacing : float
        :math:`h`.

    Returns
    -------
    weights : numpy.ndarray, shape (n,)
        The :math:`w_i`, summing to 1.
    log_z : float
        :math:`\log Z`, up to the constant of ``log_g``.

    Examples
    --------
    >>> u = np.linspace(-10.0, 10.0, 201)  # h = 0.1, g(u) = exp(-u^2 / 2)
    >>> w, log_z = trapezoid_weights(-0.5 * u**2, 0.1)
    >>> print(f"E(u^2) = {w @ u**2:.15f}, Z = {np.exp(log_z):.15f}")
    E(u^2) = 1.000000000000000, Z = 2.506628274631000
    """
    log_g = np.asarray(log_g, dtype=np.float64)
    if log_g.ndim != 1 or not np.isfinite(np.max(log_g, initial=-np.inf)):
        raise ValueError("log_g must be one-dimensional, with at least one finite value")
    if not (math.isfinite(spacing) and spacing > 0):
        raise ValueError(f"spacing must be a positive number; got {spacing}")
    top = np.max(log_g)
    g = np.exp(log_g - top)  # the largest is 1: nothing overflows
    total = g.sum()
    return g / total, float(top + math.log(spacing * total))


# --------------------------------------------------------------------------- priors
@dataclass(frozen=True)
class TauPrior:
    r"""A prior density on :math:`\tau`, up to a constant; made by the three functions below."""

    kind: str  # "flat", "half-cauchy" (with its scale A) or "inverse-gamma" (with its eps)
    scale: float = 0.0
    eps: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("flat", "half-cauchy", "inverse-gamma"):
            raise ValueError(
                f"kind must be 'flat', 'half-cauchy' or 'inverse-gamma'; got {self.kind!r}"
            )
        for name, kind in (("scale", "half-cauchy"), ("eps", "inverse-gamma")):
            value = getattr(self, name)
            if self.kind == kind and not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive finite number; got {value}")

    def __str__(self) -> str:
        if self.kind == "half-cauchy":
            return f"half-Cauchy(scale {self.scale:g}) on tau"
        if self.kind == "inverse-gamma":
            return f"inverse-gamma({self.eps:g}, {self.eps:g}) on tau^2"
        return "flat on tau"

    def log_density(self, log_tau: ArrayLike) -> FloatArray:
        r"""Log prior density of :math:`\tau` (up to a constant) at :math:`\tau = e^u`.

        Flat: 0. Half-Cauchy: :math:`-\log(1 + \tau^2/A^2)`. Inverse-gamma on :math:`\tau^2`,
        as a density of :math:`\tau`: :math:`-(1 + 2\epsilon)\log\tau - \epsilon/\tau^2`.
        """
        u = np.asarray(log_tau, dtype=np.float64)
        if self.kind == "half-cauchy":
            return -np.logaddexp(0.0, 2.0 * (u - math.log(self.scale)))
        if self.kind == "inverse-gamma":
            with np.errstate(over="ignore"):  # exp(-2u) = inf near tau = 0: density 0
                return -(1.0 + 2.0 * self.eps) * u - self.eps * np.exp(-2.0 * u)
        return np.zeros_like(u)

    def _log_sup(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Log of the largest density on [e^u1, e^u2]: each prior is unimodal in log tau."""
        u_mode = -np.inf  # the half-Cauchy decreases (and the flat prior is constant)
        if self.kind == "inverse-gamma":
            u_mode = 0.5 * math.log(2.0 * self.eps / (1.0 + 2.0 * self.eps))
        return self.log_density(np.clip(u_mode, u1, u2))

    def _tail(self) -> tuple[float, float]:
        """(log C, a) with p(tau) <= C tau^(-a) for every tau > 0."""
        if self.kind == "half-cauchy":
            return 2.0 * math.log(self.scale), 2.0
        if self.kind == "inverse-gamma":
            return 0.0, 1.0 + 2.0 * self.eps
        return 0.0, 0.0


def flat_prior() -> TauPrior:
    r"""The flat prior :math:`p(\tau) \propto 1` of the blog post and BDA3 section 5.5.

    Examples
    --------
    >>> str(flat_prior())
    'flat on tau'
    """
    return TauPrior("flat")


def half_cauchy_prior(scale: float) -> TauPrior:
    r"""The half-Cauchy prior :math:`p(\tau) \propto (1 + \tau^2/A^2)^{-1}`, :math:`A` = scale.

    Examples
    --------
    >>> str(half_cauchy_prior(25))
    'half-Cauchy(scale 25) on tau'
    """
    return TauPrior("half-cauchy", scale=float(scale))


def inverse_gamma_prior(eps: float) -> TauPrior:
    r"""The inverse-gamma :math:`(\epsilon, \epsilon)` prior on :math:`\tau^2`.

    As a density of :math:`\tau`: :math:`p(\tau) \propto \tau^{-1-2\epsilon}
    e^{-\epsilon/\tau^2}` (Gelman 2006 shows how much it matters for small :math:`\epsilon`).

    Examples
    --------
    >>> str(inverse_gamma_prior(0.001))
    'inverse-gamma(0.001, 0.001) on tau^2'
    """
    return TauPrior("inverse-gamma", eps=float(eps))


def moment_exists(order: int, J: int, prior: TauPrior | None = None) -> bool:
    r"""Whether :math:`E(\tau^k \mid y)` and :math:`E(|\mu|^k \mid y)` are finite.

    They are if and only if :math:`k < J + a - 2`, where :math:`p(\tau) \sim \tau^{-a}` as
    :math:`\tau \to \infty` (flat: 0; half-Cauchy: 2; inverse-gamma: :math:`1 + 2\epsilon`).

    Examples
    --------
    >>> [moment_exists(1, J) for J in (3, 4)], moment_exists(2, 3, half_cauchy_prior(5.0))
    ([False, True], True)
    """
    a = (prior or flat_prior())._tail()[1]
    return order < J + a - 2


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Marginal:
    """Posterior mean, sd and quantiles of one scalar (``None``: the moment does not exist)."""

    mean: float | None
    sd: float | None
    q025: float
    q25: float
    q50: float
    q75: float
    q975: float

    def as_dict(self) -> dict[str, float | None]:
        """The fields as a dictionary (for JSON)."""
        return asdict(self)


@dataclass(frozen=True, eq=False)
class GroupMarginals:
    r"""Summaries of every :math:`\theta_j`, shape (J,); ``shrinkage`` is :math:`E(B_j \mid y)`."""

    mean: FloatArray
    sd: FloatArray
    q025: FloatArray
    q25: FloatArray
    q50: FloatArray
    q75: FloatArray
    q975: FloatArray
    shrinkage: FloatArray


@dataclass(frozen=True)
class ExactSummary:
    r"""Summaries of :math:`\mu, \tau, \log\tau, \theta`; ``notes`` explain missing values."""

    mu: Marginal
    tau: Marginal
    log_tau: Marginal
    theta: GroupMarginals
    notes: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ExactDraws:
    r"""Independent posterior draws: ``mu`` and ``tau`` of shape (n,), ``theta`` (n, J)."""

    mu: FloatArray
    tau: FloatArray
    theta: FloatArray


# --------------------------------------------------------------------------- closed forms
@dataclass(frozen=True, eq=False)
class _Model:
    """The data in standard units (y', sigma', log k) and the prior, at nodes u = log tau."""

    y: FloatArray
    s: FloatArray
    log_k: float
    prior: TauPrior

    def chunks(self, u: FloatArray) -> list[FloatArray]:
        """Tau' = e^u / k in chunks, so that no (chunk, J) array exceeds _CHUNK elements."""
        tau, step = np.exp(u - self.log_k), max(1, _CHUNK // self.y.size)
        return [tau[a : a + step] for a in range(0, max(tau.size, 1), step)]

    def log_f(self, u: FloatArray) -> FloatArray:
        with np.errstate(over="ignore"):  # -inf where the squares overflow: f = 0
            return np.concatenate([posterior.log_p_tau(t, self.y, self.s) for t in self.chunks(u)])

    def log_g(self, u: FloatArray) -> FloatArray:
        return self.log_f(u) + self.prior.log_density(u) + u

    def log_det(self, u: FloatArray) -> FloatArray:
        """Sum_j log(sigma_j^2 + tau^2), which increases with tau."""
        return np.array([2.0 * np.log(np.hypot(self.s, t)).sum() for t in np.exp(u - self.log_k)])

    def mu_given_tau(self, u: FloatArray) -> tuple[FloatArray, FloatArray]:
        parts = [posterior.mu_given_tau(t, self.y, self.s) for t in self.chunks(u)]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


# --------------------------------------------------------------------------- the tail bound
def _interval_log_bounds(
    u: FloatArray, log_f: FloatArray, log_det: FloatArray, prior: TauPrior, k: int
) -> FloatArray:
    """Log bounds of the integral of tau^k p f over each [e^u_i, e^u_i+1] (u_0 may be -inf)."""
    u1, u2 = u[:-1], u[1:]
    with np.errstate(divide="ignore"):
        log_length = u2 + np.log1p(-np.exp(u1 - u2))  # log(t2 - t1)
    return log_length + k * u2 + prior._log_sup(u1, u2) + log_f[1:] + 0.5 * np.diff(log_det)


def _upper_log_bound(u_hi: float, J: int, prior: TauPrior, k: int, log_k: float = 0.0) -> float:
    """Log bound of the integral of tau^k p f above tau = e^u_hi >= max sigma (f in std units)."""
    log_c, a = prior._tail()
    e = J + a - k - 2  # > 0: the moment exists
    return 0.5 * math.log(2.0 / J) + log_c + (J - 1) * log_k - e * u_hi - math.log(e)


def _outer_nodes(start: float, stop: float, h: float) -> FloatArray:
    """Nodes from start (excluded) to stop, in steps h, 1.2 h, 1.44 h, ... (the last shorter)."""
    length = abs(stop - start)
    n = math.ceil(math.log1p(0.2 * length / h) / math.log(1.2))
    steps = np.minimum(h * (1.2 ** np.arange(1, n + 1) - 1.0) / 0.2, length)
    return start + math.copysign(1.0, stop - start) * steps


def _outside_log_bounds(
    model: _Model, lo: float, hi: float, u_lo: float, u_hi: float, h: float,
    log_z: FloatArray, ks: list[int],
) -> FloatArray:
    """Log bounds, per k in ks, of the integral of tau^k p f outside [e^lo, e^hi]."""
    u_hi = max(u_hi, hi)
    u = np.concatenate([[-np.inf, lo, hi], _outer_nodes(lo, min(u_lo, lo), h),
                        _outer_nodes(hi, u_hi, h)])
    log_f, log_det = model.log_f(u), model.log_det(u)
    while True:  # halve the intervals whose bound is too large, within a budget of nodes
        order = np.argsort(u)
        u, log_f, log_det = u[order], log_f[order], log_det[order]
        bounds = np.array([_interval_log_bounds(u, log_f, log_det, model.prior, k) for k in ks])
        bounds[:, (u[:-1] >= lo) & (u[1:] <= hi)] = -np.inf  # the grid's own interval
        big = np.isfinite(u[:-1]) & (bounds > (log_z + math.log(_TOL) - 12.0)[:, None]).any(0)
        if not big.any() or u.size + big.sum() > _MAX_OUTER_NODES:
            break
        middle = 0.5 * (u[:-1][big] + u[1:][big])
        u = np.append(u, middle)
        log_f = np.append(log_f, model.log_f(middle))
        log_det = np.append(log_det, model.log_det(middle))
    # the bound above u_hi needs tau' >= max sigma' there (not so if _U_MAX cut the range)
    ok = u_hi - model.log_k >= math.log(float(model.s.max()))
    up = [_upper_log_bound(u_hi, model.y.size, model.prior, k, model.log_k) if ok else np.inf
          for k in ks]
    return np.logaddexp.reduce(np.column_stack([bounds, up]), axis=1)


# --------------------------------------------------------------------------- the posterior
def _mixture_quantiles(
    weights: FloatArray, means: FloatArray, sds: FloatArray, levels: FloatArray,
    start: FloatArray,
) -> FloatArray:
    """Quantiles (levels, groups) of sum_i w_i N(means[i, g], sds[i, g]^2): safeguarded Newton."""
    lo = np.broadcast_to((means - 40.0 * sds).min(axis=0), start.shape)
    hi = np.broadcast_to((means + 40.0 * sds).max(axis=0), start.shape)
    x, p, tol = np.clip(start, lo, hi), levels[:, None], 1e-12 * sds.min(axis=0)
    for _ in range(100):
        z = (x - means[:, None, :]) / sds[:, None, :]  # (n, levels, groups)
        cdf = np.tensordot(weights, special.ndtr(z), axes=1)
        lo, hi = np.where(cdf < p, x, lo), np.where(cdf < p, hi, x)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            pdf = np.tensordot(weights, np.exp(-0.5 * z * z) / sds[:, None, :], axes=1)
            step = (cdf - p) / pdf * math.sqrt(2.0 * math.pi)
        done = np.abs(step) <= tol + 1e-12 * np.abs(x)
        inside = np.isfinite(step) & (x - step >= lo) & (x - step <= hi)
        x = np.where(inside | done, x - step, 0.5 * (lo + hi))
        if done.all():
            break
    return x


@dataclass(frozen=True, eq=False)
class ExactPosterior:
    r"""The posterior of the hierarchical normal model, as quadrature over :math:`\log\tau`.

    Made by :func:`exact_posterior`. ``centre`` and ``scale`` are :math:`c, k` of the standard
    units :math:`y' = (y - c)/k`; ``log_tau`` is the grid, ``weights`` and ``log_norm`` its
    trapezoid weights and :math:`\log Z` (:math:`f` in standard units). ``tail_bound`` is a
    proven bound of the probability outside the grid, and ``moment_tail_bounds`` of the share of
    :math:`E(\tau^k \mid y)`, :math:`k = 0, 1, 2`, outside it (``inf``: no such moment).
    """

    y: FloatArray
    sigma: FloatArray
    prior: TauPrior
    centre: float
    scale: float
    log_tau: FloatArray
    weights: FloatArray
    spacing: float
    tail_bound: float
    moment_tail_bounds: tuple[float, float, float]
    log_norm: float
    _model: _Model = field(repr=False)

    @property
    def J(self) -> int:
        """The number of groups."""
        return int(self.y.size)

    @cached_property
    def _tau_std(self) -> FloatArray:
        return np.exp(self.log_tau - self._model.log_k)

    @cached_property
    def _mu_v(self) -> tuple[FloatArray, FloatArray]:
        """Mu_hat and V_mu at the nodes, in standard units."""
        return self._model.mu_given_tau(self.log_tau)

    @property
    def mu_hat(self) -> FloatArray:
        r""":math:`\hat\mu` at each node."""
        with np.errstate(over="ignore"):
            return self.centre + self.scale * self._mu_v[0]

    @property
    def v_mu(self) -> FloatArray:
        r""":math:`V_\mu` at each node (``inf`` beyond the float64 range)."""
        with np.errstate(over="ignore", under="ignore"):
            return self._mu_v[1] * self.scale * self.scale

    def tau_pdf(self, tau: ArrayLike) -> FloatArray:
        r"""The density :math:`p(\tau \mid y) = p(\tau) f(\tau) / Z` at ``tau`` (``>= 0``)."""
        t = np.asarray(tau, dtype=np.float64)
        if not (np.isfinite(t).all() and (t >= 0).all()):
            raise ValueError("tau must be finite and >= 0")
        # at tau = 0 use the smallest float, 5e-324: tau'^2 then underflows to exactly 0
        u = np.log(np.maximum(t, 5e-324)).ravel()
        log_pf = self._model.log_f(u) + self.prior.log_density(u)
        return np.exp(log_pf - self.log_norm).reshape(t.shape)

    def _sinc_cdf(self, u: ArrayLike) -> FloatArray:
        """F(x) = sum_i w_i [1/2 + Si(pi (x - u_i) / h) / pi], the sinc interpolant's CDF."""
        x = np.asarray(u, dtype=np.float64)
        flat, step = x.ravel(), max(1, _CHUNK // self.log_tau.size)  # chunks of (x, nodes)
        parts = [special.sici(np.pi * (flat[a : a + step, None] - self.log_tau) / self.spacing)[0]
                 @ self.weights for a in range(0, max(flat.size, 1), step)]
        return np.clip(0.5 + np.concatenate(parts) / np.pi, 0.0, 1.0).reshape(x.shape)

    def tau_cdf(self, tau: ArrayLike) -> FloatArray:
        r"""The posterior CDF :math:`P(\tau \le t \mid y)` (sinc-interpolated quadrature)."""
        t = np.asarray(tau, dtype=np.float64)
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError("tau must be >= 0")
        with np.errstate(divide="ignore"):
            return self._sinc_cdf(np.log(t))

    def tau_quantile(self, prob: ArrayLike) -> FloatArray:
        r"""Quantiles of :math:`\tau` for probabilities in (0, 1), by Newton's method."""
        with np.errstate(over="ignore"):
            return np.exp(self._log_tau_quantile(prob))

    def _log_tau_quantile(self, prob: ArrayLike) -> FloatArray:
        p = np.asarray(prob, dtype=np.float64)
        if not ((p > 0) & (p < 1)).all():
            raise ValueError("prob must lie strictly between 0 and 1")
        u = np.interp(p, np.cumsum(self.weights), self.log_tau)
        for _ in range(30):  # Newton's method, with the sinc interpolant's density
            pdf = np.sinc((u[..., None] - self.log_tau) / self.spacing) @ self.weights
            step = (self._sinc_cdf(u) - p) / pdf * self.spacing
            u = u - np.clip(step, -self.spacing, self.spacing)
            if np.all(np.abs(step) < 1e-14):
                break
        return u

    def _theta_given_tau(self, rows: ArrayLike, cols: ArrayLike) -> tuple[FloatArray, ...]:
        """B_j, E(theta_j | tau, y) - y_j (apart from y_j, to keep its digits) and V_j."""
        y, s = self._model.y[cols], self._model.s[cols]
        tau, mu_hat = self._tau_std[rows], self._mu_v[0][rows]
        b = posterior.shrinkage_factor(tau, s)
        _, v = posterior.conditional_theta(mu_hat, tau, y, s)
        return b, b * (mu_hat[:, None] - y), v

    def prob_above(self, c: float) -> FloatArray:
        r"""Exact :math:`P(\theta_j > c \mid y)` for every group, shape (J,).

        .. math:: \int \Phi\{(m_j(\tau) - c)/s_j(\tau)\}\, p(\tau \mid y)\, d\tau,

        with :math:`m_j, s_j^2` the mean and variance of :math:`\theta_j \mid \tau, y`.
        """
        if not math.isfinite(c):
            raise ValueError(f"c must be a finite number; got {c}")
        with np.errstate(over="ignore"):
            gap = (self.y - c) / self.scale  # y_j - c in standard units
        rows = np.flatnonzero(self.weights > 1e-17)
        v_mu, out = self._mu_v[1][rows, None], np.empty(self.J)
        step = max(1, _CHUNK // rows.size)
        for a in range(0, self.J, step):
            cols = slice(a, a + step)
            b, shift, v = self._theta_given_tau(rows, cols)
            sd = np.sqrt(v + b * b * v_mu)
            out[cols] = self.weights[rows] @ special.ndtr((gap[cols] + shift) / sd)
        return out

    def prob_greater(self, i: int, j: int) -> float:
        r"""Exact :math:`P(\theta_i > \theta_j \mid y)` (0-based group indices).

        Given :math:`\tau`, :math:`\theta_i - \theta_j` is normal with mean
        :math:`y_i - y_j + B_i(\hat\mu - y_i) - B_j(\hat\mu - y_j)` and variance
        :math:`(B_i - B_j)^2 V_\mu + V_i + V_j` (the two share :math:`\mu`).
        """
        for name, idx in (("i", i), ("j", j)):
            if not (isinstance(idx, int | np.integer) and 0 <= idx < self.J):
                raise ValueError(f"{name} must index a group, 0 <= {name} < {self.J}; got {idx}")
        if i == j:
            raise ValueError("i and j must be different groups")
        y = self._model.y
        b, shift, v = self._theta_given_tau(np.arange(self.log_tau.size), [i, j])
        mean = (y[i] - y[j]) + (shift[:, 0] - shift[:, 1])
        var = (b[:, 0] - b[:, 1]) ** 2 * self._mu_v[1] + v.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(var > 0, mean / np.sqrt(var), 0.0)
        return float(self.weights @ special.ndtr(z))

    def prob_best(self, *, n_mu: int = 10) -> FloatArray:
        r"""Exact probability that each group has the largest effect, shape (J,).

        Given :math:`(\mu, \tau)` the effects are independent, :math:`\mathrm{N}(m_k, s_k^2)`;
        with :math:`z_k = (t - m_k)/s_k`,

        .. math:: P(j \text{ best} \mid \mu, \tau)
                  = \int \phi(z_j) \prod_{k \ne j} \Phi(z_k)\, dt / s_j,

        by the trapezoid rule in :math:`t`
        over :math:`\max_k(m_k \pm 8 s_k)` (32 points per ratio of the largest :math:`s_k` to
        the smallest, at least 96), then over :math:`\mu` (Gauss-Hermite, ``n_mu`` nodes) and
        :math:`\tau` (at most 1,000 nodes), within about :math:`10^8` normal CDFs. NaN if the
        probabilities given :math:`(\mu, \tau)` miss 1 by over :math:`10^{-9}`.
        """
        if isinstance(n_mu, bool) or not isinstance(n_mu, int) or n_mu < 2:
            raise ValueError(f"n_mu must be an integer >= 2; got {n_mu!r}")
        rows = np.flatnonzero(self.weights > 1e-15)
        rows = rows[:: math.ceil(rows.size / _BEST_ROWS)]
        weights = self.weights[rows] / self.weights[rows].sum()
        gh_x, gh_w = special.roots_hermitenorm(n_mu)
        gh_w = gh_w / gh_w.sum()
        y, (mu_hat, v_mu) = self._model.y, self._mu_v
        b, _, v = self._theta_given_tau(rows, slice(None))
        sd = np.maximum(np.sqrt(v), np.finfo(np.float64).tiny)  # of theta | mu, tau: (n, J)
        n_t = np.clip(32.0 * sd.max(axis=1) / sd.min(axis=1), 96, 2**16)
        n_t = np.maximum(n_t * min(1.0, _BEST_WORK / (n_mu * self.J * n_t.sum())), 96)
        out, worst = np.zeros(self.J), 0.0
        for i, row in enumerate(rows):
            mu = mu_hat[row] + np.sqrt(v_mu[row]) * gh_x  # (n_mu,)
            shift = b[i] * (mu[:, None] - y)  # E(theta_j | mu, tau) - y_j: (n_mu, J)
            # the means relative to that of a group near the top, to keep their digits
            top = np.argmax(y + shift + 8.0 * sd[i], axis=1)[:, None]
            m = (y - y[top]) + (shift - np.take_along_axis(shift, top, axis=1))
            lo, hi = (m - 8.0 * sd[i]).max(axis=1), (m + 8.0 * sd[i]).max(axis=1)
            grid = np.linspace(0.0, 1.0, int(n_t[i]))
            t = lo[:, None] + (hi - lo)[:, None] * grid  # (n_mu, n_t)
            with np.errstate(over="ignore"):  # beyond |z| = 37, Phi is 0 or 1 in float64
                z = np.clip((t[..., None] - m[:, None, :]) / sd[i], -37.0, 37.0)
            cdf = special.ndtr(z)
            integrand = np.exp(-0.5 * z * z) / cdf * cdf.prod(axis=2, keepdims=True)
            inner = integrand.sum(axis=1) - 0.5 * (integrand[:, 0] + integrand[:, -1])
            dt = (hi - lo) / (grid.size - 1)
            given = gh_w @ (inner * dt[:, None]) / (sd[i] * math.sqrt(2.0 * math.pi))
            out += weights[i] * given
            worst = max(worst, abs(float(given.sum()) - 1.0))
        return out if worst <= 1e-9 else np.full(self.J, np.nan)

    def _new_group_given_tau(self, sigma_new: float) -> tuple[FloatArray, FloatArray]:
        """Mean and sd of a new group's effect (or estimate) given tau, in standard units."""
        if not (math.isfinite(sigma_new) and sigma_new >= 0):
            raise ValueError(f"sigma_new must be finite and >= 0; got {sigma_new}")
        mu_hat, v_mu = self._mu_v
        return mu_hat, np.sqrt(v_mu + self._tau_std**2 + (sigma_new / self.scale) ** 2)

    def new_group(self, sigma_new: float = 0.0) -> Marginal:
        r"""The posterior predictive distribution of a new group's effect or estimate.

        Given :math:`\tau`, :math:`\tilde\theta \sim \mathrm{N}(\hat\mu, V_\mu + \tau^2)`; its
        estimate :math:`\tilde y` adds ``sigma_new**2`` to the variance (BDA3 section 5.4).
        """
        has_mean = moment_exists(1, self.J, self.prior)
        has_sd = has_mean and moment_exists(2, self.J, self.prior)
        return self._mixture(*self._new_group_given_tau(float(sigma_new)), has_mean, has_sd)

    def prob_new_below(self, c: float, sigma_new: float = 0.0) -> float:
        r"""Exact :math:`P(\tilde\theta < c \mid y)` (:math:`\tilde y` if ``sigma_new`` > 0)."""
        if not math.isfinite(c):
            raise ValueError(f"c must be a finite number; got {c}")
        mean, sd = self._new_group_given_tau(float(sigma_new))
        c_std = (c - self.centre) / self.scale
        return float(self.weights @ special.ndtr((c_std - mean) / sd))

    def _mixture(self, mean: FloatArray, sd: FloatArray, has_mean: bool, has_sd: bool) -> Marginal:
        """The marginal of a quantity that is N(mean, sd^2) at each node (standard units)."""
        w, levels = self.weights, np.array(QUANTILE_LEVELS)
        rows = np.flatnonzero(w > 1e-17)
        m1 = float(w @ mean)
        s1 = math.sqrt(float(w @ (sd * sd + (mean - m1) ** 2)))
        start = np.full((levels.size, 1), m1)
        q = _mixture_quantiles(w[rows], mean[rows, None], sd[rows, None], levels, start)[:, 0]
        c, k = self.centre, self.scale
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return Marginal(c + k * m1 if has_mean else None, k * s1 if has_sd else None,
                            *(float(x) for x in c + k * q))

    def summary(self) -> ExactSummary:
        r"""Exact means, sds and quantiles (:data:`QUANTILE_LEVELS`) of every parameter.

        Covers :math:`\mu`, :math:`\tau`, :math:`\log\tau`, every :math:`\theta_j` and
        :math:`E(B_j \mid y)`. A moment that does not exist, or whose tail beyond the grid
        cannot be bounded below ``1e-10``, is ``None``, with a note.
        """
        notes: list[str] = []

        def moment_ok(k: int, what: str) -> bool:
            a, bound = self.prior._tail()[1], self.moment_tail_bounds[k]
            if not moment_exists(k, self.J, self.prior):
                notes.append(
                    f"the posterior {what} of mu and tau does not exist: with J = {self.J} "
                    f"groups and the prior {self.prior}, p(tau | y) falls like tau^"
                    f"{1 - self.J - a:g}, so {'E(tau)' if k == 1 else f'E(tau^{k})'} diverges "
                    f"(it needs J > {k + 2 - a:g})"
                )
                return False
            if bound > _REPORT_TOL:
                notes.append(
                    f"the posterior {what} of mu and tau exists but is not reported: the part "
                    f"of E(tau^{k}) beyond the grid is bounded only by {bound:.1e} of it"
                )
                return False
            return True

        has_mean = moment_ok(1, "mean")
        has_sd = has_mean and moment_ok(2, "sd")
        w, u, tau = self.weights, self.log_tau, self._tau_std
        tau_mean, lt_mean = float(w @ tau), float(w @ u)
        tau_sd = math.sqrt(float(w @ (tau - tau_mean) ** 2))
        lt_sd = math.sqrt(float(w @ (u - lt_mean) ** 2))
        lt_q = self._log_tau_quantile(np.array(QUANTILE_LEVELS))
        (mu_hat, v_mu), k = self._mu_v, self.scale
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return ExactSummary(
                mu=self._mixture(mu_hat, np.sqrt(v_mu), has_mean, has_sd),
                tau=Marginal(k * tau_mean if has_mean else None, k * tau_sd if has_sd else None,
                             *(float(x) for x in np.exp(lt_q))),
                log_tau=Marginal(lt_mean, lt_sd, *(float(x) for x in lt_q)),
                theta=self._theta_summary(),
                notes=tuple(notes),
            )

    def _theta_summary(self) -> GroupMarginals:
        rows = np.flatnonzero(self.weights > 1e-17)
        wr, v_mu = self.weights[rows] / self.weights[rows].sum(), self._mu_v[1][rows, None]
        levels = np.array(QUANTILE_LEVELS)
        mean, sd, shrinkage = np.empty(self.J), np.empty(self.J), np.empty(self.J)
        qs = np.empty((levels.size, self.J))
        step = max(1, _CHUNK // (rows.size * levels.size))
        for a in range(0, self.J, step):
            cols = slice(a, a + step)
            b, shift, v = self._theta_given_tau(rows, cols)
            sd_given = np.sqrt(v + b * b * v_mu)
            mean[cols] = wr @ shift
            sd[cols] = np.sqrt(wr @ (sd_given**2 + (shift - mean[cols]) ** 2))
            shrinkage[cols] = wr @ b
            start = mean[cols] + special.ndtri(levels)[:, None] * sd[cols]
            qs[:, cols] = _mixture_quantiles(wr, shift, sd_given, levels, start)
        y, k = self.y, self.scale  # each effect is y_j + k x, x its shift in standard units
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return GroupMarginals(y + k * mean, k * sd, *(y + k * q for q in qs), shrinkage)

    def sample(self, n: int, rng: np.random.Generator) -> ExactDraws:
        r"""``n`` (at least 1) independent draws from the exact posterior, made with ``rng``.

        :math:`\log\tau = F^{-1}(U)`, :math:`U \sim \mathrm{U}(0, 1)`, then :math:`\mu \mid
        \tau` (BDA3 eq. 5.20) and :math:`\theta_j \mid \mu, \tau` (eq. 5.17).
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n must be an integer >= 1; got {n!r}")
        u = np.asarray(self._inverse_cdf(rng.random(int(n))), dtype=np.float64)
        y, s = self._model.y, self._model.s
        tau = np.exp(u - self._model.log_k)
        mu_hat, v_mu = posterior.mu_given_tau(tau, y, s)
        mu = mu_hat + np.sqrt(v_mu) * rng.standard_normal(tau.size)
        mean, var = posterior.conditional_theta(mu, tau, y, s)
        theta = mean + np.sqrt(var) * rng.standard_normal(mean.shape)
        c, k = self.centre, self.scale
        with np.errstate(over="ignore"):
            return ExactDraws(mu=c + k * mu, tau=np.exp(u), theta=c + k * theta)

    @cached_property
    def _inverse_cdf(self) -> Callable[[FloatArray], FloatArray]:
        """The inverse CDF of log tau, tabulated 16 times finer than the grid."""
        from scipy import interpolate  # imported here, so that the command line does not load it

        u = self.log_tau
        fine = np.linspace(u[0], u[-1], 16 * (u.size - 1) + 1)
        cdf = np.maximum.accumulate(self._sinc_cdf(fine))
        keep = np.concatenate([[True], np.diff(cdf) > 1e-15])
        cdf, fine = cdf[keep], fine[keep]
        cdf[0], cdf[-1] = 0.0, 1.0
        return interpolate.PchipInterpolator(cdf, fine)


# --------------------------------------------------------------------------- construction
def exact_posterior(
    y: ArrayLike, sigma: ArrayLike, prior: TauPrior | None = None, *, resolution: float = 1.0
) -> ExactPosterior:
    r"""The exact posterior of :math:`(\mu, \tau, \theta)` by quadrature over :math:`\log\tau`.

    Model: :math:`y_j \sim \mathrm{N}(\theta_j, \sigma_j^2)`, :math:`\theta_j \sim
    \mathrm{N}(\mu, \tau^2)`, :math:`p(\mu, \tau) \propto p(\tau)`. A coarse scan of
    :math:`\log g` finds the bulk, a finer search the mode and a second difference its width
    :math:`w`; the grid's spacing is :math:`h = \min(0.1, w/3)/\text{resolution}`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    prior : TauPrior, optional
        The prior on :math:`\tau`; :func:`flat_prior` by default.
    resolution : float, optional
        Divides the grid spacing.

    Raises
    ------
    ValueError
        If the data fail :func:`eightschools.posterior.standardise`, or the grid would need
        more than 200,000 nodes (times ``resolution``).

    Examples
    --------
    >>> post = exact_posterior([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> s = post.summary()
    >>> print(f"E[mu] {s.mu.mean:.3f}  E[tau] {s.tau.mean:.3f}  E[theta_A] {s.theta.mean[0]:.3f}")
    E[mu] 7.932  E[tau] 6.575  E[theta_A] 11.400
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    prior = flat_prior() if prior is None else prior
    if not isinstance(prior, TauPrior):
        raise ValueError(f"prior must be a TauPrior; got {type(prior).__name__}")
    if not (isinstance(resolution, int | float) and math.isfinite(resolution) and resolution > 0):
        raise ValueError(f"resolution must be a positive number; got {resolution!r}")
    y_std, s_std, centre, scale = posterior.standardise(y_arr, s_arr)
    log_k = math.log(scale)
    model = _Model(y_std, s_std, log_k, prior)
    ks = [k for k in (0, 1, 2) if moment_exists(k, y_arr.size, prior)]

    # 1. a coarse scan (far enough that tau^k p f has fallen a long way), the mode, its width
    e_min = y_arr.size + prior._tail()[1] - 2 - max(ks)  # tau^k p f falls like tau^(-1-e_min)
    spread = max(float(np.ptp(y_std)), float(s_std.max()))
    u_hi = min(_U_MAX, math.log(spread) + 2.0 + (-math.log(_TOL) + 15.0) / e_min) + log_k
    u_lo = max(-_U_MAX, math.log(float(s_std.min())) - 40.0)
    if prior.kind == "inverse-gamma":
        u_lo = max(-_U_MAX, min(u_lo, 0.5 * math.log(prior.eps) - 5.0 - log_k))
    u_lo += log_k
    coarse_u = np.arange(u_lo, u_hi + 0.25, 0.5)
    coarse = model.log_g(coarse_u)
    u_mode = float(coarse_u[np.argmax(coarse)])
    lo, hi = max(u_mode - 0.5, u_lo), min(u_mode + 0.5, u_hi)
    for _ in range(13):  # zoom in on the largest of 11 values, to within 1e-9
        x = np.linspace(lo, hi, 11)
        u_mode = float(x[np.argmax(model.log_g(x))])
        lo, hi = max(u_mode - (hi - lo) / 10, u_lo), min(u_mode + (hi - lo) / 10, u_hi)
    d = 1e-4
    trio = model.log_g(np.array([u_mode - d, u_mode, u_mode + d]))
    curv = -(trio[0] - 2.0 * trio[1] + trio[2]) / d**2
    width = min(1.0, 1.0 / math.sqrt(curv)) if curv > 0 else 1.0
    h = min(0.1, width / 3.0) / float(resolution)

    # 2. the grid: the mode and the coarse points where some log g + k u is within _DROP of
    #    its maximum, widened by min(0.5, 20 w) and to at least 12 w either side of the mode
    weighted = np.array([coarse + k * coarse_u for k in ks])
    peak = np.maximum(weighted.max(axis=1), [trio[1] + k * u_mode for k in ks])
    near = np.append(coarse_u[(weighted - peak[:, None] > -_DROP).any(axis=0)], u_mode)
    margin = min(0.5, 20.0 * width)
    a = max(u_lo, min(float(near.min()) - margin, u_mode - 12.0 * width))
    b = min(u_hi, max(float(near.max()) + margin, u_mode + 12.0 * width))
    n = int(math.ceil((b - a) / h))
    if n > _MAX_NODES * resolution or a + h == a:  # too many nodes, or finer than float64
        raise ValueError(f"the posterior of log tau is beyond the quadrature's reach: its mode "
                         f"is {width:.2g} wide, in a bulk {b - a:.3g} wide at log tau = {a:.4g}")
    u = a + h * np.arange(n + 1)
    log_g = model.log_g(u)
    weights, log_norm = trapezoid_weights(log_g, h)

    # 3. the proven bound on what the grid leaves out, for each moment that exists
    log_z = np.array([trapezoid_weights(log_g + k * u, h)[1] for k in ks])
    rel = np.exp(np.minimum(_outside_log_bounds(model, a, u[-1], u_lo, u_hi, h, log_z, ks)
                            - log_z, 700.0)) * (1.0 + _ROUNDING)
    bounds = [float(rel[ks.index(k)]) if k in ks else math.inf for k in (0, 1, 2)]
    return ExactPosterior(
        y=y_arr, sigma=s_arr, prior=prior, centre=centre, scale=scale, log_tau=u,
        weights=weights, spacing=h, tail_bound=bounds[0], moment_tail_bounds=tuple(bounds),
        log_norm=log_norm, _model=model,
    )
