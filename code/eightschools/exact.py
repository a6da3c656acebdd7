r"""The exact posterior of the hierarchical normal model, by one-dimensional quadrature.

Given :math:`\tau`, the population mean is normal, :math:`\mu \mid \tau, y \sim
\mathrm{N}(\hat\mu, V_\mu)` (BDA3 eq. 5.20), so the whole posterior reduces to the
one-dimensional marginal of :math:`\tau` (BDA3 eq. 5.21), known up to a constant:

.. math::

    p(\tau \mid y) \propto p(\tau)\, V_\mu^{1/2} \prod_{j=1}^J (\sigma_j^2 + \tau^2)^{-1/2}
    \exp\Big\{-\frac12 \sum_j \frac{(y_j - \hat\mu)^2}{\sigma_j^2 + \tau^2}\Big\}
    = p(\tau)\, f(\tau).

Every summary is an integral over :math:`\tau` of a closed form: :math:`\mu` given
:math:`\tau` is normal, and so is each school effect,

.. math::

    \theta_j \mid \tau, y \sim \mathrm{N}\big((1 - B_j) y_j + B_j \hat\mu,\;
    V_j + B_j^2 V_\mu\big), \qquad B_j = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2}, \quad
    V_j = (1 - B_j)\sigma_j^2 .

**Standard units.** The closed forms are evaluated for the data in the standard units of
:func:`eightschools.posterior.standardise`, :math:`y' = (y - c)/k` and :math:`\sigma' =
\sigma/k` (so :math:`\tau' = \tau/k`), where every square stays a normal float and no
residual cancels digits, for data of any size or offset. The grid stays in the data's
:math:`u = \log\tau`, the prior is evaluated there, and each summary is mapped back:
:math:`c + k x` for means and quantiles of :math:`\mu` and :math:`\theta_j`, :math:`k x`
for standard deviations and for :math:`\tau`; probabilities and shrinkage are unchanged.
Variances are always centred moments, :math:`\sum_i w_i (x_i - \bar x)^2`.

**Quadrature.** With :math:`u = \log\tau` the integrand :math:`g(u) = e^u p(e^u) f(e^u)` is
analytic in a strip around the real axis and decays exponentially at both ends, so the
trapezoid rule on a uniform grid converges geometrically (Trefethen and Weideman 2014). The
grid spacing is :math:`h = \min(0.1, w/3)` divided by ``resolution``, where :math:`w` is the
curvature width of :math:`\log g` at its mode, and the grid covers every point where
:math:`\log g + k u` (:math:`k = 0, 1, 2`, for the moments that exist) is within 50 of its
maximum. On a fine grid (:math:`h \le 0.025`, many groups) the integrals over the school
effects, the costliest, use every second node. Cumulative probabilities (for quantiles and
for the sampler) use the sinc interpolant of the same nodes, whose integral is

.. math::

    F(x) = \frac{h}{Z} \sum_i g(u_i) \Big[\frac12 + \frac1\pi
        \operatorname{Si}\Big(\frac{\pi (x - u_i)}{h}\Big)\Big], \qquad Z = h \sum_i g(u_i).

**Bound on what the grid leaves out.** Three facts give an upper bound for the mass of
any interval :math:`[t_1, t_2]` of :math:`\tau` from values at its two ends only:
:math:`V_\mu(\tau)` increases with :math:`\tau`; :math:`\sum_j \log(\sigma_j^2 + \tau^2)`
increases; and :math:`Q(\tau) = \sum_j (y_j - \hat\mu)^2 / (\sigma_j^2 + \tau^2) =
\min_m \sum_j (y_j - m)^2 / (\sigma_j^2 + \tau^2)` decreases (a minimum of decreasing
functions). Hence

.. math::

    \int_{t_1}^{t_2} \tau^k p(\tau) f(\tau)\, d\tau \le (t_2 - t_1)\, t_2^k
    \sup_{[t_1, t_2]} p \;\cdot\; V_\mu(t_2)^{1/2}
    \prod_j (\sigma_j^2 + t_1^2)^{-1/2} e^{-Q(t_2)/2},

which covers :math:`[0, t_{\mathrm{lo}}]` with :math:`t_1 = 0`. Above
:math:`T \ge \max_j \sigma_j`, :math:`V_\mu \le 2\tau^2/J` and the product is at most
:math:`\tau^{-J}`; with a prior :math:`p(\tau) \le C \tau^{-a}`,

.. math::

    \int_T^\infty \tau^k p(\tau) f(\tau)\, d\tau \le \sqrt{2/J}\; C\,
    \frac{T^{k + 2 - J - a}}{J + a - k - 2}.

Outside the grid, the range :math:`[0, \infty)` is cut into intervals (split until each
bound is small), and the sum of their bounds divided by the grid's integral, enlarged by a
relative :math:`10^{-6}` for rounding, is reported as ``tail_bound`` (for :math:`k = 0`,
the probability mass the grid leaves out).

**Which moments exist.** As :math:`\tau \to \infty`, :math:`f(\tau) \sim J^{-1/2}
\tau^{1 - J}`, so :math:`E(\tau^k \mid y)` exists if and only if
:math:`k < J + a - 2`; the same holds for :math:`E|\mu|^k`, because
:math:`E(|\mu|^k \mid \tau)` lies between multiples of :math:`V_\mu^{k/2}` and
:math:`V_\mu^{k/2} + \max_j|y_j|^k`, and :math:`\tau^2/J \le V_\mu \le (\max_j\sigma_j^2 +
\tau^2)/J`. Under the flat prior (:math:`a = 0`) means exist from :math:`J = 4` and
standard deviations from :math:`J = 5`. With the half-Cauchy (:math:`a = 2`) or the
inverse-gamma on :math:`\tau^2` (:math:`a = 1 + 2\epsilon`) both exist from :math:`J = 3`.
The moments of :math:`\log\tau` and of every :math:`\theta_j` always exist
(:math:`E(\theta_j^2 \mid \tau)` stays bounded as :math:`\tau \to \infty`). A moment that
does not exist is ``None``, with a note.

References
----------
Gelman, A. et al. (2013), *Bayesian Data Analysis*, 3rd edition (BDA3), section 5.4
(eqs. 5.17-5.21) and section 5.7. Gelman, A. (2006), Prior distributions for variance
parameters in hierarchical models, *Bayesian Analysis* 1(3), 515-534. Trefethen, L. N. and
Weideman, J. A. C. (2014), The exponentially convergent trapezoidal rule, *SIAM Review*
56(3), 385-458.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from eightschools.data import check_y_sigma
from eightschools.posterior import conditional_theta, mu_given_tau, standardise

__all__ = [
    "QUANTILE_LEVELS",
    "ExactDraws",
    "ExactPosterior",
    "ExactSummary",
    "GroupMarginals",
    "Marginal",
    "TauPrior",
    "exact_posterior",
    "flat_prior",
    "half_cauchy_prior",
    "inverse_gamma_prior",
    "moment_exists",
]

FloatArray = NDArray[np.float64]

#: The quantile levels of every summary: 2.5%, 25%, 50%, 75% and 97.5%.
QUANTILE_LEVELS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)

_TOL = 1e-12  # target for each relative tail bound
_REPORT_TOL = 1e-10  # a moment whose tail bound exceeds this is not reported
_DROP = 50.0  # the grid covers where log g + k u is within this of its maximum
_U_MAX = 350.0  # |log tau'| below this keeps tau'^2 a normal float
_CHUNK = 131_072  # elements per temporary array (1 MB: they stay in cache)
_N_T_MIN = 96  # fewest points of the t-grid in prob_best
_MARGIN = 20.0  # coarse points near the bulk are widened by min(0.5, _MARGIN w)
_FINE = 0.025  # on grids this fine the school effects use every second node
_MAX_OUTER_NODES = 2000  # the most nodes on either side of the core, to bound the tails
_MAX_NODES = 200_000  # the most nodes of the core grid (times the resolution)
_ROUNDING = 1e-6  # relative margin added to the bounds for rounding in their evaluation
_BEST_WORK = 1e8  # prob_best coarsens its t-grids to about this many normal CDFs
_BEST_ROWS = 1000  # ... and keeps at most this many nodes of log tau
_TINY = np.finfo(np.float64).tiny
_SQRT_2PI = math.sqrt(2.0 * math.pi)


# --------------------------------------------------------------------------- priors
@dataclass(frozen=True)
class TauPrior:
    r"""A prior density on :math:`\tau`, known up to a constant.

    Build one with :func:`flat_prior`, :func:`half_cauchy_prior` or
    :func:`inverse_gamma_prior`.

    Attributes
    ----------
    kind : str
        ``"flat"``, ``"half-cauchy"`` or ``"inverse-gamma"``.
    scale : float
        The half-Cauchy scale :math:`A` (0 otherwise).
    eps : float
        The inverse-gamma's shape and rate :math:`\epsilon` (0 otherwise).
    """

    kind: str
    scale: float = 0.0
    eps: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("flat", "half-cauchy", "inverse-gamma"):
            raise ValueError(
                f"kind must be 'flat', 'half-cauchy' or 'inverse-gamma'; got {self.kind!r}"
            )
        if self.kind == "half-cauchy" and not (math.isfinite(self.scale) and self.scale > 0):
            raise ValueError(f"scale must be a positive finite number; got {self.scale}")
        if self.kind == "inverse-gamma" and not (math.isfinite(self.eps) and self.eps > 0):
            raise ValueError(f"eps must be a positive finite number; got {self.eps}")

    def __str__(self) -> str:
        if self.kind == "half-cauchy":
            return f"half-Cauchy(scale {self.scale:g}) on tau"
        if self.kind == "inverse-gamma":
            return f"inverse-gamma({self.eps:g}, {self.eps:g}) on tau^2"
        return "flat on tau"

    def log_density(self, log_tau: ArrayLike) -> FloatArray:
        r"""Log prior density of :math:`\tau` (up to a constant) at :math:`\tau = e^u`.

        Flat: 0. Half-Cauchy: :math:`-\log(1 + \tau^2/A^2)`. Inverse-gamma
        :math:`(\epsilon, \epsilon)` on :math:`\tau^2`, as a density of :math:`\tau`:
        :math:`-(1 + 2\epsilon)\log\tau - \epsilon/\tau^2`.

        Examples
        --------
        >>> print(half_cauchy_prior(1.0).log_density(0.0).round(4))
        -0.6931
        """
        u = np.asarray(log_tau, dtype=np.float64)
        if self.kind == "half-cauchy":
            return -np.logaddexp(0.0, 2.0 * (u - math.log(self.scale)))
        if self.kind == "inverse-gamma":
            with np.errstate(over="ignore"):  # exp(-2u) = inf near tau = 0: density 0
                return -(1.0 + 2.0 * self.eps) * u - self.eps * np.exp(-2.0 * u)
        return np.zeros_like(u)

    def _log_sup(self, u1: FloatArray, u2: FloatArray) -> FloatArray:
        """Log of the supremum of the density over [exp(u1), exp(u2)] (u1 may be -inf)."""
        if self.kind == "flat":
            return np.zeros(np.broadcast(u1, u2).shape)
        if self.kind == "half-cauchy":  # decreasing in tau
            return np.where(np.isneginf(u1), 0.0, self.log_density(np.maximum(u1, -700.0)))
        # unimodal, mode at tau^2 = 2 eps / (1 + 2 eps)
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

    Gelman (2006) recommends it, with a scale a little above the expected :math:`\tau`,
    when there are few groups.

    Examples
    --------
    >>> str(half_cauchy_prior(25))
    'half-Cauchy(scale 25) on tau'
    """
    return TauPrior("half-cauchy", scale=float(scale))


def inverse_gamma_prior(eps: float) -> TauPrior:
    r"""The inverse-gamma :math:`(\epsilon, \epsilon)` prior on :math:`\tau^2`.

    As a density of :math:`\tau`: :math:`p(\tau) \propto \tau^{-1-2\epsilon}
    e^{-\epsilon/\tau^2}`. Gelman (2006) shows that for small :math:`\epsilon` the
    posterior depends strongly on :math:`\epsilon` when the data allow :math:`\tau` near 0.

    Examples
    --------
    >>> str(inverse_gamma_prior(0.001))
    'inverse-gamma(0.001, 0.001) on tau^2'
    """
    return TauPrior("inverse-gamma", eps=float(eps))


def moment_exists(order: int, J: int, prior: TauPrior | None = None) -> bool:
    r"""Whether :math:`E(\tau^k \mid y)` and :math:`E(|\mu|^k \mid y)` are finite.

    They are if and only if :math:`k < J + a - 2`, where :math:`p(\tau) \sim \tau^{-a}`
    as :math:`\tau \to \infty` (flat: :math:`a = 0`; half-Cauchy: 2; inverse-gamma on
    :math:`\tau^2`: :math:`1 + 2\epsilon`).

    Examples
    --------
    >>> [moment_exists(1, J) for J in (3, 4)], [moment_exists(2, J) for J in (4, 5)]
    ([False, True], [False, True])
    >>> moment_exists(2, 3, half_cauchy_prior(5.0))
    True
    """
    a = (prior or flat_prior())._tail()[1]
    return order < J + a - 2


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Marginal:
    """Posterior mean, standard deviation and quantiles of one scalar.

    ``mean`` or ``sd`` is ``None`` when that moment does not exist (or cannot be bounded).
    """

    mean: float | None
    sd: float | None
    q025: float
    q25: float
    q50: float
    q75: float
    q975: float

    def as_dict(self) -> dict[str, float | None]:
        """The fields as a dictionary (for JSON)."""
        return {
            "mean": self.mean,
            "sd": self.sd,
            "q025": self.q025,
            "q25": self.q25,
            "q50": self.q50,
            "q75": self.q75,
            "q975": self.q975,
        }


@dataclass(frozen=True, eq=False)
class GroupMarginals:
    r"""Posterior summaries of every :math:`\theta_j`, each field an array of shape (J,).

    ``shrinkage`` is :math:`E(B_j \mid y)`.
    """

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
    r"""Exact summaries of :math:`\mu`, :math:`\tau`, :math:`\log\tau` and :math:`\theta`.

    ``notes`` explains every missing value.
    """

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


# --------------------------------------------------------------------------- kernels
@dataclass(frozen=True)
class _Nodes:
    """Closed forms at nodes u = log tau: log f's pieces, mu | tau, and log g."""

    u: FloatArray
    log_vmu: FloatArray
    mu_hat: FloatArray
    s_sum: FloatArray  # sum_j log(sigma_j^2 + tau^2)
    q: FloatArray  # sum_j (y_j - mu_hat)^2 / (sigma_j^2 + tau^2)
    log_g: FloatArray  # log f + log prior + u


def _eval_nodes(
    u: FloatArray, y: FloatArray, s2: FloatArray, prior: TauPrior, log_k: float = 0.0
) -> _Nodes:
    """The closed forms at u = log tau, for data in standard units (y, s2 = sigma^2) of scale k.

    The precisions 1/v_j, v_j = sigma_j^2 + tau^2, are taken relative to the largest,
    w_j = v_min / v_j in (0, 1], so that no sum overflows; Q is +inf only where it exceeds
    the float64 range (the density there is 0 to double precision).
    """
    u = np.asarray(u, dtype=np.float64)
    n = u.size
    out = {k: np.empty(n) for k in ("log_vmu", "mu_hat", "s_sum", "q")}
    step = max(1, _CHUNK // y.size)
    for a in range(0, n, step):
        t2 = np.exp(2.0 * (u[a : a + step] - log_k))  # tau'^2
        v_min = t2 + s2.min()
        v = t2[:, None] + s2  # (m, J)
        w = v_min[:, None] / v
        total = w.sum(axis=1)
        mu_hat = (w @ y) / total
        np.log(v, out=v)
        out["s_sum"][a : a + step] = v.sum(axis=1)
        r = np.subtract(y, mu_hat[:, None], out=v)
        with np.errstate(over="ignore"):
            r *= r
            r *= w
            out["q"][a : a + step] = r.sum(axis=1) / v_min
        out["mu_hat"][a : a + step] = mu_hat
        out["log_vmu"][a : a + step] = np.log(v_min) - np.log(total)
    log_g = 0.5 * (out["log_vmu"] - out["s_sum"] - out["q"]) + prior.log_density(u) + u
    return _Nodes(u=u, log_g=log_g, **out)


def _join(a: _Nodes, b: _Nodes) -> _Nodes:
    """The nodes of ``a`` and ``b`` together, in increasing u."""
    order = np.argsort(np.concatenate([a.u, b.u]))
    fields = _Nodes.__dataclass_fields__
    return _Nodes(*(np.concatenate([getattr(a, f), getattr(b, f)])[order] for f in fields))


def _logsumexp(a: FloatArray) -> float:
    if a.size == 0:
        return -math.inf
    m = float(np.max(a))
    if not math.isfinite(m):
        return m
    return m + math.log(float(np.sum(np.exp(a - m))))


def _interval_log_bounds(
    lo: _Nodes, hi: _Nodes, prior: TauPrior, k: int
) -> FloatArray:
    """Log upper bound of the integral of tau^k p f over [exp(lo.u), exp(hi.u)], elementwise."""
    with np.errstate(divide="ignore"):
        log_len = hi.u + np.log1p(-np.exp(lo.u - hi.u))
    return (
        log_len
        + k * hi.u
        + 0.5 * (hi.log_vmu - lo.s_sum - hi.q)
        + prior._log_sup(lo.u, hi.u)
    )


def _lower_log_bound(
    first: _Nodes, log_s2_sum: float, prior: TauPrior, k: int
) -> float:
    """Log bound of the integral of tau^k p f over [0, exp(first.u[0])]."""
    u0 = float(first.u[0])
    return float(
        (k + 1) * u0
        + 0.5 * (first.log_vmu[0] - log_s2_sum - first.q[0])
        + prior._log_sup(np.array(-np.inf), np.array(u0))
    )


def _upper_log_bound(
    u_hi: float, J: int, prior: TauPrior, k: int, log_k: float = 0.0
) -> float:
    """Log bound of the integral of tau^k p f over [exp(u_hi), inf); +inf if it diverges.

    f is evaluated in standard units (tau' = tau / scale, log scale = log_k), where
    f <= sqrt(2/J) tau'^(1-J) = sqrt(2/J) scale^(J-1) tau^(1-J) above max sigma'.
    """
    log_c, a = prior._tail()
    e = J + a - k - 2
    if e <= 0:
        return math.inf
    return 0.5 * math.log(2.0 / J) + log_c + (J - 1) * log_k - e * u_hi - math.log(e)


def _mixture_quantiles(
    weights: FloatArray, means: FloatArray, sds: FloatArray, levels: FloatArray,
    start: FloatArray,
) -> FloatArray:
    """Quantiles of sum_i w_i N(means[i, g], sds[i, g]^2) for each level and group g.

    Safeguarded Halley iteration (Newton's with the second derivative, which converges
    cubically, so two passes usually suffice from a normal approximation): a step that leaves
    the current bracket is replaced by bisection. A group drops out once its every level has
    converged. ``start`` has shape (L, G). Returns shape (L, G).
    """
    lo = np.broadcast_to((means - 40.0 * sds).min(axis=0), start.shape).copy()
    hi = np.broadcast_to((means + 40.0 * sds).max(axis=0), start.shape).copy()
    x = np.clip(start, lo, hi)
    p = levels[:, None]
    inv_sd = 1.0 / sds
    pdf_weights = weights[:, None] * inv_sd / math.sqrt(2 * math.pi)
    scale = sds.max(axis=0)
    todo = np.arange(x.shape[1])  # the groups still iterating
    for _ in range(100):
        x_g, lo_g, hi_g = x[:, todo], lo[:, todo], hi[:, todo]
        z = (x_g - means[:, None, todo]) * inv_sd[:, None, todo]  # (n, L, G)
        cdf = np.tensordot(weights, special.ndtr(z), axes=1)
        below = cdf < p
        lo[:, todo] = lo_g = np.where(below, x_g, lo_g)
        hi[:, todo] = hi_g = np.where(below, hi_g, x_g)
        # a step that is not finite (extreme data) falls back on bisection below
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            phi = np.exp(-0.5 * z * z)
            phi *= pdf_weights[:, None, todo]
            pdf = phi.sum(axis=0)  # F'
            phi *= z
            phi *= inv_sd[:, None, todo]
            newton = (cdf - p) / pdf
            bend = 0.5 * newton * phi.sum(axis=0) / pdf  # -F'' (F - p) / (2 F'^2)
            step = np.where(np.abs(bend) < 0.5, newton / (1.0 + bend), newton)
        done = np.abs(step) <= 1e-12 * (scale[todo] + np.abs(x_g))
        ok = np.isfinite(step) & (x_g - step >= lo_g) & (x_g - step <= hi_g)
        x[:, todo] = np.where(ok | done, x_g - step, 0.5 * (lo_g + hi_g))
        todo = todo[~done.all(axis=0)]
        if todo.size == 0:
            break
    return x


# --------------------------------------------------------------------------- the posterior
@dataclass(frozen=True, eq=False)
class ExactPosterior:
    r"""The posterior of the hierarchical normal model, as quadrature over :math:`\log\tau`.

    Made by :func:`exact_posterior`; see the module documentation for the method.

    Attributes
    ----------
    y, sigma : numpy.ndarray, shape (J,)
        The data.
    prior : TauPrior
        The prior on :math:`\tau` (flat on :math:`\mu` always).
    centre, scale : float
        :math:`c` and :math:`k` of the standard units :math:`y' = (y - c)/k`,
        :math:`\sigma' = \sigma/k` in which the closed forms are evaluated.
    weights : numpy.ndarray, shape (n,)
        Normalised trapezoid weights :math:`h\,g(u_i)/Z`, summing to 1.
    spacing : float
        The grid spacing :math:`h`.
    tail_bound : float
        Proven upper bound of the posterior probability outside the grid.
    moment_tail_bounds : tuple of float
        The same bound for :math:`\int \tau^k p(\tau \mid y)\,d\tau`, :math:`k = 0, 1, 2`,
        relative to the grid's value (``inf`` where the moment does not exist).
    log_norm : float
        :math:`\log Z`, the log of the grid integral of :math:`p(\tau) f(\tau)`, with
        :math:`f` evaluated in standard units.

    The properties ``log_tau`` (the uniform grid of :math:`u = \log\tau`), ``mu_hat`` and
    ``v_mu`` (:math:`\hat\mu` and :math:`V_\mu` at each node, BDA3 eq. 5.20, in the data's
    units; ``v_mu`` is ``inf`` where it exceeds the float64 range) describe the grid.
    """

    y: FloatArray
    sigma: FloatArray
    prior: TauPrior
    centre: float
    scale: float
    weights: FloatArray
    spacing: float
    tail_bound: float
    moment_tail_bounds: tuple[float, float, float]
    log_norm: float
    _nodes: _Nodes = field(repr=False)  # the closed forms at the grid, in standard units

    @cached_property
    def _inverse_cdf(self) -> Callable[[FloatArray], FloatArray]:
        """The inverse CDF of log tau, tabulated 16 times finer than the grid (Hermite)."""
        from scipy import interpolate  # imported here, so that the command line does not load it

        u = self.log_tau
        fine = np.linspace(u[0], u[-1], 16 * (u.size - 1) + 1)
        cdf = np.maximum.accumulate(self._sinc_cdf(fine))
        keep = np.concatenate([[True], np.diff(cdf) > 1e-15])
        cdf, fine = cdf[keep], fine[keep]
        cdf[0], cdf[-1] = 0.0, 1.0
        return interpolate.PchipInterpolator(cdf, fine)

    @cached_property
    def _std(self) -> tuple[FloatArray, FloatArray, float]:
        """The data in standard units, y' and sigma', and log k."""
        y_std, s_std, _, _ = standardise(self.y, self.sigma)
        return y_std, s_std, math.log(self.scale)

    @cached_property
    def _tau_std(self) -> FloatArray:
        """The nodes' tau in standard units, tau / k."""
        return np.exp(self.log_tau - self._std[2])

    @cached_property
    def _v_std(self) -> FloatArray:
        """V_mu in standard units at the nodes."""
        return np.exp(self._nodes.log_vmu)

    @property
    def J(self) -> int:
        """The number of groups."""
        return int(self.y.size)

    @property
    def log_tau(self) -> FloatArray:
        r"""The uniform grid of :math:`u = \log\tau`, shape (n,)."""
        return self._nodes.u

    @property
    def mu_hat(self) -> FloatArray:
        r""":math:`\hat\mu` at each node (BDA3 eq. 5.20), in the data's units."""
        with np.errstate(over="ignore"):
            return self.centre + self.scale * self._nodes.mu_hat

    @property
    def v_mu(self) -> FloatArray:
        r""":math:`V_\mu` at each node, in the data's units (``inf`` beyond the float64 range)."""
        with np.errstate(over="ignore", under="ignore"):
            return np.exp(self._nodes.log_vmu + 2.0 * self._std[2])

    # ---------------------------------------------------------------- tau
    def tau_pdf(self, tau: ArrayLike) -> FloatArray:
        r"""The normalised density :math:`p(\tau \mid y)` at ``tau`` (any shape, :math:`\ge 0`).

        Evaluated exactly (not interpolated): :math:`p(\tau) f(\tau) / Z`.
        """
        t = np.asarray(tau, dtype=np.float64)
        if not (np.isfinite(t).all() and (t >= 0).all()):
            raise ValueError("tau must be finite and >= 0")
        y_std, s_std, log_k = self._std
        # at tau = 0 use the smallest float, 5e-324: tau'^2 then underflows to exactly 0
        u = np.log(np.maximum(t, 5e-324)).ravel()
        nodes = _eval_nodes(u, y_std, s_std**2, self.prior, log_k)
        return np.exp(nodes.log_g - nodes.u - self.log_norm).reshape(t.shape)

    def _sinc_cdf(self, u: FloatArray) -> FloatArray:
        x = np.asarray(u, dtype=np.float64)
        out = np.empty(x.shape)
        flat_x, flat_out = x.ravel(), out.reshape(-1)
        step = max(1, _CHUNK // self.log_tau.size)
        for a in range(0, flat_x.size, step):
            arg = np.pi * (flat_x[a : a + step, None] - self.log_tau) / self.spacing
            si = special.sici(arg)[0]
            flat_out[a : a + step] = (0.5 + si / np.pi) @ self.weights
        return np.clip(out, 0.0, 1.0)

    def _sinc_pdf(self, u: FloatArray) -> FloatArray:
        x = np.asarray(u, dtype=np.float64)
        arg = (x[..., None] - self.log_tau) / self.spacing
        return (np.sinc(arg) @ self.weights) / self.spacing

    def tau_cdf(self, tau: ArrayLike) -> FloatArray:
        r"""The posterior CDF :math:`P(\tau \le t \mid y)` (sinc-interpolated quadrature)."""
        t = np.asarray(tau, dtype=np.float64)
        if np.isnan(t).any() or (t < 0).any():
            raise ValueError("tau must be >= 0")
        with np.errstate(divide="ignore"):
            return self._sinc_cdf(np.log(t))

    def tau_quantile(self, prob: ArrayLike) -> FloatArray:
        r"""Posterior quantiles of :math:`\tau` for probabilities in (0, 1).

        Newton's method on the sinc-interpolated CDF of :math:`\log\tau`, started from the
        cumulative weights (``inf`` if a quantile exceeds the float64 range).
        """
        with np.errstate(over="ignore"):
            return np.exp(self._log_tau_quantile(prob))

    def _log_tau_quantile(self, prob: ArrayLike) -> FloatArray:
        p = np.asarray(prob, dtype=np.float64)
        if not ((p > 0) & (p < 1)).all():
            raise ValueError("prob must lie strictly between 0 and 1")
        u = np.interp(p, np.cumsum(self.weights), self.log_tau)
        for _ in range(30):
            step = (self._sinc_cdf(u) - p) / self._sinc_pdf(u)
            u = u - np.clip(step, -self.spacing, self.spacing)
            if np.all(np.abs(step) < 1e-14):
                break
        return u

    # ---------------------------------------------------------------- school effects
    def _theta_given_tau(self, rows: FloatArray, cols: slice) -> tuple[FloatArray, ...]:
        """B, shift and sd of theta_j | tau, y in standard units, at grid rows, groups cols.

        The mean is y_j + shift, shift = B_j (mu_hat - y_j): kept apart from y_j, so that an
        effect far from the centre keeps every digit of its spread.
        """
        y_std, s_std, _ = self._std
        t2 = self._tau_std[rows, None] ** 2
        s2 = s_std[cols] ** 2
        v = s2 + t2
        b = s2 / v
        shift = b * (self._nodes.mu_hat[rows, None] - y_std[cols])
        var = t2 / v * s2 + b * b * self._v_std[rows, None]
        return b, shift, np.sqrt(var)

    def _active(self, tol: float = 1e-17) -> FloatArray:
        """Indices of nodes that carry weight above ``tol`` (for the costlier integrals)."""
        return np.flatnonzero(self.weights > tol)

    def _effect_rows(self, tol: float) -> tuple[FloatArray, FloatArray]:
        """The nodes for integrals over the school effects, and their weights (sum 1).

        The nodes of weight above ``tol``; on a fine grid (h <= 0.025, a narrow posterior of
        log tau) every second one of them, at half the cost. That trapezoid rule, of spacing
        2h <= min(0.05, 2w/3), still leaves errors at the level of rounding: about
        exp(-2 pi^2 (w/2h)^2) < 1e-19 from the normal-shaped bulk, and from the integrands'
        own strip of analyticity no more than the spacing 0.1 of the eight schools' grid
        leaves (tests: within 4e-14 of the sd of every effect, against twice the nodes).
        """
        rows = self._active(tol)
        if self.spacing <= _FINE:
            rows = rows[(rows - rows[np.argmax(self.weights[rows])]) % 2 == 0]
        return rows, self.weights[rows] / self.weights[rows].sum()

    def prob_above(self, c: float) -> FloatArray:
        r"""Exact :math:`P(\theta_j > c \mid y)` for every group, shape (J,).

        .. math:: P(\theta_j > c \mid y) = \int \Phi\Big(\frac{m_j(\tau) - c}{s_j(\tau)}\Big)
            p(\tau \mid y)\, d\tau,

        with :math:`m_j, s_j^2` the mean and variance of :math:`\theta_j \mid \tau, y`.
        """
        if not math.isfinite(c):
            raise ValueError(f"c must be a finite number; got {c}")
        with np.errstate(over="ignore"):
            gap = (self.y - c) / self.scale  # y_j - c in standard units
        rows = self._active()
        out = np.empty(self.J)
        step = max(1, _CHUNK // rows.size)
        for a in range(0, self.J, step):
            cols = slice(a, a + step)
            _, shift, sd = self._theta_given_tau(rows, cols)
            out[cols] = self.weights[rows] @ special.ndtr((gap[cols] + shift) / sd)
        return out

    def prob_greater(self, i: int, j: int) -> float:
        r"""Exact :math:`P(\theta_i > \theta_j \mid y)` (0-based group indices).

        Given :math:`\tau`, :math:`\theta_i - \theta_j` is normal with mean
        :math:`y_i - y_j + B_i(\hat\mu - y_i) - B_j(\hat\mu - y_j)` and variance
        :math:`(B_i - B_j)^2 V_\mu + V_i + V_j` (the two effects share :math:`\mu`);
        integrate :math:`\Phi(\text{mean}/\text{sd})` over :math:`p(\tau \mid y)`.
        """
        for name, idx in (("i", i), ("j", j)):
            if not (isinstance(idx, int | np.integer) and 0 <= idx < self.J):
                raise ValueError(f"{name} must index a group, 0 <= {name} < {self.J}; got {idx}")
        if i == j:
            raise ValueError("i and j must be different groups")
        y_std, s_std, _ = self._std
        t2 = self._tau_std[:, None] ** 2
        s2 = s_std[[i, j]] ** 2
        v = s2 + t2
        b = s2 / v
        shift = b * (self._nodes.mu_hat[:, None] - y_std[[i, j]])  # the means less y
        m = (y_std[i] - y_std[j]) + (shift[:, 0] - shift[:, 1])
        var = (b[:, 0] - b[:, 1]) ** 2 * self._v_std + (t2 / v * s2).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(var > 0, m / np.sqrt(var), 0.0)
        return float(self.weights @ special.ndtr(z))

    def prob_best(self, *, n_mu: int = 10) -> FloatArray:
        r"""Exact probability that each group has the largest effect, shape (J,).

        Given :math:`(\mu, \tau)` the effects are independent normals
        :math:`\mathrm{N}(m_k, s_k^2)`; with :math:`z_k = (t - m_k)/s_k` and
        :math:`F(t) = \prod_k \Phi(z_k)`, the distribution function of the largest,

        .. math::

            P(j \text{ best} \mid \mu, \tau) = \int \frac{\phi(z_j)}{s_j}
            \prod_{k \ne j} \Phi(z_k)\, dt
            = \int F(t)\, \frac{\phi(z_j)}{s_j\, \Phi(z_j)}\, dt,

        integrated over :math:`t` (trapezoid rule over :math:`[\max_k(m_k - 8 s_k),
        \max_k(m_k + 8 s_k)]` with at least 96 and at most 65,536 points, 32 per ratio of the
        largest :math:`s_k` to the smallest), over :math:`\mu` (Gauss-Hermite, ``n_mu`` nodes:
        the integrand is smooth in :math:`\mu`, and for the book's data sets 10 nodes agree
        with 40 to :math:`3 \times 10^{-15}`) and over :math:`\tau` (the grid). The means are
        taken relative to a group near the top, and each :math:`z_k` is clipped to
        :math:`[-37, 37]`, beyond which the factors are 0 or 1 to double precision. Cost
        :math:`O(n\, n_\mu\, n_t\, J)`: meant for :math:`J` up to a few thousand. For data
        beyond the grids' reach it is bounded (about :math:`10^8` normal CDFs and 1,000 nodes
        of :math:`\tau`, one to three seconds) by coarser grids. The grid of
        :math:`t` must resolve the narrowest effect: it does while the :math:`s_k` differ by
        less than a factor of about 2,000 for a few groups (300 or more for a thousand). Given
        :math:`(\mu, \tau)` the probabilities sum to 1 exactly; where the grid's sum misses
        by more than :math:`10^{-9}`, the result is NaN rather than wrong.

        Returns
        -------
        numpy.ndarray, shape (J,)
            The probabilities, summing to 1; NaN if the grid of :math:`t` fails its check.
        """
        if isinstance(n_mu, bool) or not isinstance(n_mu, int) or n_mu < 2:
            raise ValueError(f"n_mu must be an integer >= 2; got {n_mu!r}")
        rows, weights = self._effect_rows(1e-15)
        # Data beyond the grids' reach trade accuracy for time: a posterior of log tau
        # hundreds of units wide keeps every s-th of its nodes, at most _BEST_ROWS of them, and
        # effects whose sds are far apart get coarser t-grids, to about _BEST_WORK normal CDFs.
        stride = math.ceil(rows.size / _BEST_ROWS)
        rows, weights = rows[::stride], weights[::stride] / weights[::stride].sum()
        gh_x, gh_w = special.roots_hermitenorm(n_mu)
        gh_w = gh_w / gh_w.sum()
        y_std, s_std, _ = self._std
        t2 = self._tau_std[rows, None] ** 2  # (n, 1)
        b = s_std**2 / (s_std**2 + t2)  # (n, J)
        sd_all = np.maximum(s_std * np.sqrt(t2 / (s_std**2 + t2)), _TINY)
        n_t_all = np.clip(32.0 * sd_all.max(axis=1) / sd_all.min(axis=1), _N_T_MIN, 2**16)
        work = n_mu * self.J * float(n_t_all.sum())
        n_t_all = np.maximum(n_t_all * min(1.0, _BEST_WORK / work), _N_T_MIN)
        out = np.zeros(self.J)
        worst = 0.0
        grid_cache: dict[int, FloatArray] = {}
        order = np.argsort(n_t_all)
        pos = 0
        while pos < rows.size:
            n_t = int(n_t_all[order[pos]])
            batch = max(1, _CHUNK // (n_mu * n_t * self.J))
            sel = order[pos : pos + batch]
            sel = sel[n_t_all[sel] <= n_t * 1.5]
            n_t = int(n_t_all[sel].max())
            pos += sel.size
            grid = grid_cache.setdefault(n_t, np.linspace(0.0, 1.0, n_t))
            sd = sd_all[sel][:, None, :]  # (m, 1, J)
            mu = self._nodes.mu_hat[rows[sel], None] + np.sqrt(self._v_std[rows[sel], None]) * gh_x
            shift = b[sel][:, None, :] * (mu[:, :, None] - y_std)  # the means less y
            # the means relative to that of a group near the top, to keep their digits
            top = np.argmax(y_std + shift + 8.0 * sd, axis=2)[..., None]
            m = (y_std - y_std[top]) + (shift - np.take_along_axis(shift, top, axis=2))
            lo = (m - 8.0 * sd).max(axis=2)  # (m, n_mu)
            hi = (m + 8.0 * sd).max(axis=2)
            t = lo[..., None] + (hi - lo)[..., None] * grid  # (m, n_mu, n_t)
            with np.errstate(over="ignore"):
                z = (t[..., None] - m[:, :, None, :]) / sd[:, :, None, :]  # (m, n_mu, n_t, J)
            np.clip(z, -37.0, 37.0, out=z)
            cdf = special.ndtr(z)
            z *= z
            z *= -0.5
            integrand = np.exp(z, out=z)  # phi(z_j) up to 1/sqrt(2 pi)
            integrand /= cdf
            integrand *= cdf.prod(axis=3, keepdims=True)
            dt = (hi - lo) / (n_t - 1)
            inner = integrand.sum(axis=2) - 0.5 * (integrand[:, :, 0] + integrand[:, :, -1])
            per_node = np.einsum("k,mkj->mj", gh_w, inner * dt[..., None]) / sd[:, 0, :]
            out += weights[sel] @ per_node
            # given (mu, tau) the probabilities sum to 1 exactly: a check of the t-grid
            worst = max(worst, float(np.abs(per_node.sum(axis=1) / _SQRT_2PI - 1.0).max()))
        return out / _SQRT_2PI if worst <= 1e-9 else np.full(self.J, np.nan)

    # ---------------------------------------------------------------- a new group
    def _new_group_given_tau(self, sigma_new: float) -> tuple[FloatArray, FloatArray]:
        """Mean and sd of a new group's effect (or estimate) given tau, in standard units."""
        if not (math.isfinite(sigma_new) and sigma_new >= 0):
            raise ValueError(f"sigma_new must be finite and >= 0; got {sigma_new}")
        var = self._v_std + self._tau_std**2 + (sigma_new / self.scale) ** 2
        return self._nodes.mu_hat, np.sqrt(var)

    def new_group(self, sigma_new: float = 0.0) -> Marginal:
        r"""The posterior predictive distribution of a new group's effect or estimate.

        Given :math:`\tau`, a new effect :math:`\tilde\theta \sim \mathrm{N}(\mu, \tau^2)`
        with :math:`\mu \sim \mathrm{N}(\hat\mu, V_\mu)`, so :math:`\tilde\theta \mid \tau, y
        \sim \mathrm{N}(\hat\mu, V_\mu + \tau^2)`; its estimate :math:`\tilde y` adds
        :math:`\tilde\sigma^2` = ``sigma_new**2`` to the variance (BDA3 section 5.4).
        Mean and sd exist exactly when those of :math:`\mu` do (``None`` otherwise).
        """
        mean, sd = self._new_group_given_tau(float(sigma_new))
        m1 = float(self.weights @ mean)
        rows = self._active()
        levels = np.array(QUANTILE_LEVELS)
        q = _mixture_quantiles(
            self.weights[rows], mean[rows, None], sd[rows, None], levels,
            np.full((levels.size, 1), m1),
        )[:, 0]
        s1 = math.sqrt(float(self.weights @ (sd * sd + (mean - m1) ** 2)))
        has_mean = moment_exists(1, self.J, self.prior)
        has_sd = has_mean and moment_exists(2, self.J, self.prior)
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return _marginal(
                self.centre + self.scale * m1 if has_mean else None,
                self.scale * s1 if has_sd else None,
                self.centre + self.scale * q,
            )

    def prob_new_below(self, c: float, sigma_new: float = 0.0) -> float:
        r"""Exact probability that a new group's effect (or estimate) is below ``c``.

        :math:`P(\tilde\theta < c \mid y)`, or :math:`P(\tilde y < c \mid y)` when
        ``sigma_new`` > 0 (see :meth:`new_group`).
        """
        if not math.isfinite(c):
            raise ValueError(f"c must be a finite number; got {c}")
        mean, sd = self._new_group_given_tau(float(sigma_new))
        c_std = (c - self.centre) / self.scale
        return float(self.weights @ special.ndtr((c_std - mean) / sd))

    # ---------------------------------------------------------------- summaries
    def summary(self) -> ExactSummary:
        r"""Exact means, standard deviations and quantiles of every parameter.

        Covers :math:`\mu`, :math:`\tau`, :math:`\log\tau`, every :math:`\theta_j`, and
        :math:`E(B_j \mid y)`. Quantile levels are :data:`QUANTILE_LEVELS`. A moment that
        does not exist, or whose cut-off tail cannot be bounded below ``1e-10``, is ``None``
        with a note.
        """
        w = self.weights
        levels = np.array(QUANTILE_LEVELS)
        notes: list[str] = []

        def moment_ok(k: int, what: str) -> bool:
            if not moment_exists(k, self.J, self.prior):
                log_c, a = self.prior._tail()
                tail = 1 - self.J - a
                power = "E(tau)" if k == 1 else f"E(tau^{k})"
                notes.append(
                    f"the posterior {what} of mu and tau does not exist: with J = {self.J} "
                    f"groups and the prior {self.prior}, p(tau | y) falls like tau^{tail:g}, "
                    f"so {power} diverges (it needs J > {k + 2 - a:g})"
                )
                return False
            if self.moment_tail_bounds[k] > _REPORT_TOL:
                notes.append(
                    f"the posterior {what} of mu and tau exists but is not reported: the part "
                    f"of E(tau^{k}) beyond the grid is bounded only by "
                    f"{self.moment_tail_bounds[k]:.1e} of it"
                )
                return False
            return True

        has_mean = moment_ok(1, "mean")
        has_sd = has_mean and moment_ok(2, "sd")
        rows = self._active()
        mu, tau = self._nodes.mu_hat, self._tau_std  # standard units
        mu_mean, tau_mean = float(w @ mu), float(w @ tau)
        mu_sd = math.sqrt(float(w @ (self._v_std + (mu - mu_mean) ** 2)))
        tau_sd = math.sqrt(float(w @ (tau - tau_mean) ** 2))
        mu_q = _mixture_quantiles(
            w[rows], mu[rows, None], np.sqrt(self._v_std[rows, None]), levels,
            np.full((levels.size, 1), mu_mean),
        )[:, 0]
        lt_mean = float(w @ self.log_tau)
        lt_sd = math.sqrt(float(w @ (self.log_tau - lt_mean) ** 2))
        lt_q = self._log_tau_quantile(levels)
        c, k = self.centre, self.scale
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return ExactSummary(
                mu=_marginal(c + k * mu_mean if has_mean else None,
                             k * mu_sd if has_sd else None, c + k * mu_q),
                tau=_marginal(k * tau_mean if has_mean else None,
                              k * tau_sd if has_sd else None, np.exp(lt_q)),
                log_tau=_marginal(lt_mean, lt_sd, lt_q),
                theta=self._theta_summary(levels),
                notes=tuple(notes),
            )

    def _theta_summary(self, levels: FloatArray) -> GroupMarginals:
        rows, wr = self._effect_rows(1e-17)
        J = self.J
        fields = {k: np.empty(J) for k in ("mean", "sd", "shrinkage")}
        qs = np.empty((levels.size, J))
        z0 = special.ndtri(levels)[:, None]
        step = max(1, _CHUNK // (rows.size * levels.size))
        for a in range(0, J, step):
            cols = slice(a, a + step)
            b, shift, sd = self._theta_given_tau(rows, cols)
            m1 = wr @ shift
            var = wr @ (sd * sd + (shift - m1) ** 2)
            fields["mean"][cols] = m1
            fields["sd"][cols] = np.sqrt(var)
            fields["shrinkage"][cols] = wr @ b
            qs[:, cols] = _mixture_quantiles(wr, shift, sd, levels, m1 + z0 * np.sqrt(var))
        y, k = self.y, self.scale  # each effect is y_j + k x, x its shift in standard units
        with np.errstate(over="ignore"):  # inf where a summary exceeds the float64 range
            return GroupMarginals(
                mean=y + k * fields["mean"], sd=k * fields["sd"], q025=y + k * qs[0],
                q25=y + k * qs[1], q50=y + k * qs[2], q75=y + k * qs[3], q975=y + k * qs[4],
                shrinkage=fields["shrinkage"],
            )

    # ---------------------------------------------------------------- sampler
    def sample(self, n: int, rng: np.random.Generator) -> ExactDraws:
        r"""Independent draws from the exact posterior.

        :math:`\log\tau = F^{-1}(U)`, :math:`U \sim \mathrm{U}(0, 1)`, with the inverse of
        the CDF tabulated on a grid 16 times finer than the quadrature's and interpolated by
        monotone cubic Hermite splines; then :math:`\mu \mid \tau \sim \mathrm{N}(\hat\mu,
        V_\mu)` (BDA3 eq. 5.20) and :math:`\theta_j \mid \mu, \tau \sim \mathrm{N}(\hat\theta_j,
        V_j)` (BDA3 eq. 5.17), both evaluated at each drawn :math:`\tau` in standard units and
        mapped back.

        Parameters
        ----------
        n : int
            Number of draws, at least 1.
        rng : numpy.random.Generator
            The source of randomness.
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                "rng must be a numpy.random.Generator (numpy.random.default_rng(seed)); "
                f"got {type(rng).__name__}"
            )
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n must be an integer >= 1; got {n!r}")
        u = np.asarray(self._inverse_cdf(rng.random(int(n))), dtype=np.float64)
        y_std, s_std, log_k = self._std
        tau_std = np.exp(u - log_k)
        mu_hat, v_mu = mu_given_tau(tau_std, y_std, s_std)
        mu = mu_hat + np.sqrt(v_mu) * rng.standard_normal(tau_std.size)
        mean, var = conditional_theta(mu, tau_std, y_std, s_std)
        theta = mean + np.sqrt(var) * rng.standard_normal(mean.shape)
        c, k = self.centre, self.scale
        with np.errstate(over="ignore"):
            return ExactDraws(mu=c + k * mu, tau=np.exp(u), theta=c + k * theta)


def _marginal(mean: float | None, sd: float | None, q: FloatArray) -> Marginal:
    return Marginal(mean, sd, *(float(x) for x in q))


# --------------------------------------------------------------------------- construction
def _scan_range(
    y: FloatArray, sigma: FloatArray, prior: TauPrior, log_k: float
) -> tuple[float, float]:
    """The range of u = log tau to scan, for data (y, sigma) in standard units of scale k."""
    J = y.size
    a = prior._tail()[1]
    spread = max(float(np.ptp(y)), float(sigma.max()))
    exponents = [J + a - 2 - k for k in (0, 1, 2) if J + a - 2 - k > 0]
    e_min = min(exponents)
    u_hi = min(_U_MAX, math.log(spread) + 2.0 + (-math.log(_TOL) + 15.0) / e_min)
    u_lo = max(-_U_MAX, math.log(float(sigma.min())) - 40.0)
    if prior.kind == "inverse-gamma":
        u_lo = max(-_U_MAX, min(u_lo, 0.5 * math.log(prior.eps) - 5.0 - log_k))
    return u_lo + log_k, u_hi + log_k


def _golden_max(f: Callable[[float], float], lo: float, hi: float, tol: float) -> float:
    """Where f is largest on [lo, hi], to within tol, by golden-section search.

    Each step keeps the part of the bracket that holds the larger of two inner values, whose
    points divide it in the golden ratio, so one of them is reused (Kiefer 1953).
    """
    r = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = hi - r * (hi - lo), lo + r * (hi - lo)
    fa, fb = f(a), f(b)
    while hi - lo > tol:
        if fa >= fb:
            hi, b, fb = b, a, fa
            a = hi - r * (hi - lo)
            fa = f(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + r * (hi - lo)
            fb = f(b)
    return 0.5 * (lo + hi)


def _outer_nodes(start: float, stop: float, first: float, ratio: float) -> FloatArray:
    """Nodes from ``start`` towards ``stop`` with steps first, first*ratio, ... (excl. start)."""
    direction = 1.0 if stop > start else -1.0
    length = abs(stop - start)
    if length <= 0:
        return np.empty(0)
    steps = []
    pos, step = 0.0, first
    while pos + step < length:
        pos += step
        steps.append(pos)
        step *= ratio
    steps.append(length)
    return start + direction * np.array(steps)


def _outer_bounds(
    core: _Nodes, u_lo: float, u_hi: float, h: float, y: FloatArray, s2: FloatArray,
    prior: TauPrior, log_k: float, log_z: FloatArray, ks: list[int],
) -> tuple[FloatArray, FloatArray]:
    """Log bounds, per k, of the integral outside the core; and bad interval ends."""
    J = y.size
    u_lo, u_hi = min(u_lo, float(core.u[0])), max(u_hi, float(core.u[-1]))
    left = _outer_nodes(float(core.u[0]), u_lo, h, 1.2)[::-1]
    right = _outer_nodes(float(core.u[-1]), u_hi, h, 1.2)
    pieces = []
    for side in (np.append(left, core.u[0]), np.insert(right, 0, core.u[-1])):
        nodes = _eval_nodes(side, y, s2, prior, log_k)
        while True:  # halve every interval whose bound is too large, within a budget
            lo = _Nodes(*(getattr(nodes, f)[:-1] for f in _Nodes.__dataclass_fields__))
            hi = _Nodes(*(getattr(nodes, f)[1:] for f in _Nodes.__dataclass_fields__))
            bounds = np.array([_interval_log_bounds(lo, hi, prior, k) for k in ks])
            too_big = (bounds > (log_z[:, None] + math.log(_TOL) - 12.0)).any(axis=0)
            if not too_big.any() or nodes.u.size + too_big.sum() > _MAX_OUTER_NODES:
                break
            middle = 0.5 * (lo.u[too_big] + hi.u[too_big])
            nodes = _join(nodes, _eval_nodes(middle, y, s2, prior, log_k))
        pieces.append((nodes, bounds, lo.u[too_big], hi.u[too_big]))
    log_s2_sum = float(np.log(s2).sum())
    # the upper bound needs tau' >= max sigma' there (not so only if _U_MAX cut the range)
    upper_ok = u_hi - log_k >= 0.5 * math.log(float(s2.max()))
    left_nodes = pieces[0][0]
    total = []
    for idx, k in enumerate(ks):
        terms = np.concatenate(
            [
                pieces[0][1][idx],
                pieces[1][1][idx],
                [
                    _lower_log_bound(left_nodes, log_s2_sum, prior, k),
                    _upper_log_bound(u_hi, J, prior, k, log_k) if upper_ok else math.inf,
                ],
            ]
        )
        total.append(_logsumexp(terms))
    bad = np.concatenate([pieces[0][2], pieces[1][2], pieces[0][3], pieces[1][3]])
    return np.array(total), bad


def exact_posterior(
    y: ArrayLike,
    sigma: ArrayLike,
    prior: TauPrior | None = None,
    *,
    resolution: float = 1.0,
) -> ExactPosterior:
    r"""The exact posterior of :math:`(\mu, \tau, \theta)` by quadrature over :math:`\log\tau`.

    Model: :math:`y_j \sim \mathrm{N}(\theta_j, \sigma_j^2)`, :math:`\theta_j \sim
    \mathrm{N}(\mu, \tau^2)`, :math:`p(\mu, \tau) \propto p(\tau)` (flat in :math:`\mu`).
    Steps: a scan of :math:`\log g` on a coarse grid finds the bulk; a golden-section search
    finds the mode and a second difference its width :math:`w`; a uniform grid of spacing
    :math:`h = \min(0.1, w/3)/\text{resolution}` covers the bulk (see the module
    documentation), and the proven bound on what lies outside is computed. If that bound
    exceeds :math:`10^{-12}` the grid is widened (up to three times).

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3` (the flat prior's posterior is
        improper for fewer; the same minimum is kept for every prior).
    prior : TauPrior, optional
        The prior on :math:`\tau`; :func:`flat_prior` (the post's) by default.
    resolution : float, optional
        Divides the grid spacing; 2 doubles the number of nodes.

    Returns
    -------
    ExactPosterior

    Raises
    ------
    ValueError
        If ``(y, sigma)`` fail :func:`eightschools.data.check_y_sigma` with
        ``min_groups=3`` or :func:`eightschools.posterior.standardise`, if ``resolution`` is
        not a positive number, or if the grid would need more than 200,000 nodes (times the
        resolution): a posterior of :math:`\log\tau` with a sharp mode in a bulk hundreds of
        thousands of widths wide, which only data spread over hundreds of orders of
        magnitude produce.

    Examples
    --------
    >>> post = exact_posterior([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> s = post.summary()
    >>> print(f"E[mu] {s.mu.mean:.3f}  E[tau] {s.tau.mean:.3f}  median tau {s.tau.q50:.3f}")
    E[mu] 7.932  E[tau] 6.575  median tau 5.239
    >>> print(f"E[theta_A] {s.theta.mean[0]:.3f}  P(theta_A > 28) {post.prob_above(28)[0]:.4f}")
    E[theta_A] 11.400  P(theta_A > 28) 0.0435
    >>> bool(post.tail_bound < 1e-10)
    True
    >>> exact_posterior([28, 8, -3, 7], [15, 10, 16, 11]).summary().tau.sd is None
    True
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    if prior is None:
        prior = flat_prior()
    if not isinstance(prior, TauPrior):
        raise ValueError(f"prior must be a TauPrior; got {type(prior).__name__}")
    if not (isinstance(resolution, int | float) and math.isfinite(resolution) and resolution > 0):
        raise ValueError(f"resolution must be a positive number; got {resolution!r}")
    J = y_arr.size
    y_std, s_std, centre, scale = standardise(y_arr, s_arr)
    log_k = math.log(scale)
    s2 = s_std**2

    def nodes(u: ArrayLike) -> _Nodes:
        return _eval_nodes(np.asarray(u, dtype=np.float64), y_std, s2, prior, log_k)

    ks = [k for k in (0, 1, 2) if moment_exists(k, J, prior)]
    u_lo, u_hi = _scan_range(y_std, s_std, prior, log_k)

    # 1. coarse scan, the mode and its width
    coarse = nodes(np.arange(u_lo, u_hi + 0.25, 0.5))
    i0 = int(np.argmax(coarse.log_g))
    u0 = float(coarse.u[i0])

    def log_g(x: float) -> float:
        return float(nodes([x]).log_g[0])

    u_mode = _golden_max(log_g, max(u0 - 0.5, u_lo), min(u0 + 0.5, u_hi), 1e-9)
    d = 1e-4
    trio = nodes([u_mode - d, u_mode, u_mode + d]).log_g
    curv = -(trio[0] - 2.0 * trio[1] + trio[2]) / d**2
    width = min(1.0, 1.0 / math.sqrt(curv)) if curv > 0 else 1.0
    h = min(0.1, width / 3.0) / float(resolution)

    # 2. the core: the mode, and the coarse points where some weighted integrand is within
    #    _DROP of its maximum (the mode's value included), widened by min(0.5, 20 w)
    weighted = np.array([coarse.log_g + k * coarse.u for k in ks])
    peak = np.maximum(weighted.max(axis=1), [trio[1] + k * u_mode for k in ks])
    near = np.append(coarse.u[(weighted - peak[:, None] > -_DROP).any(axis=0)], u_mode)
    margin = min(0.5, _MARGIN * width)
    a = min(float(near.min()) - margin, u_mode - 12.0 * width)
    b = max(float(near.max()) + margin, u_mode + 12.0 * width)
    for _ in range(4):
        a, b = max(a, u_lo), min(b, u_hi)
        n = int(math.ceil((b - a) / h))
        if n > _MAX_NODES * resolution:
            raise ValueError(
                f"the posterior of log tau is beyond the quadrature's reach: its mode is "
                f"{width:.2g} wide but its bulk spans {b - a:.3g}, which would need {n:,} "
                f"nodes (at most {_MAX_NODES:,}); y spans [{y_arr.min():g}, {y_arr.max():g}] "
                f"and sigma [{s_arr.min():g}, {s_arr.max():g}]"
            )
        core = nodes(a + h * np.arange(n + 1))
        log_z = np.array([_logsumexp(core.log_g + k * core.u) + math.log(h) for k in ks])
        bounds, bad = _outer_bounds(core, u_lo, u_hi, h, y_std, s2, prior, log_k, log_z, ks)
        rel = np.exp(np.minimum(bounds - log_z, 700.0))
        if (rel <= _TOL).all() or bad.size == 0:
            break
        a, b = min(a, float(bad.min())), max(b, float(bad.max()))
    moment_bounds = [math.inf, math.inf, math.inf]
    for k, r in zip(ks, rel, strict=True):
        moment_bounds[k] = float(r) * (1.0 + _ROUNDING)

    log_z0 = log_z[0]
    weights = np.exp(core.log_g + math.log(h) - log_z0)
    weights /= weights.sum()
    return ExactPosterior(
        y=y_arr, sigma=s_arr, prior=prior, centre=centre, scale=scale, weights=weights,
        spacing=h, tail_bound=moment_bounds[0],
        moment_tail_bounds=(moment_bounds[0], moment_bounds[1], moment_bounds[2]),
        log_norm=float(log_z0), _nodes=core,
    )
