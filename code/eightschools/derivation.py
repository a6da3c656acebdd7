r"""The hierarchical model's algebra, derived step by step and checked exactly with SymPy.

For one school :math:`j` the model of BDA3 section 5.4 is

.. math::

    y_j \mid \theta_j \sim \mathrm{N}(\theta_j, \sigma_j^2), \qquad
    \theta_j \mid \mu, \tau \sim \mathrm{N}(\mu, \tau^2), \qquad
    p(\mu, \tau) \propto 1 .

Completing the square in :math:`\theta_j` splits the joint density of
:math:`(y_j, \theta_j)` into the conditional posterior of :math:`\theta_j` and the
marginal likelihood of :math:`(\mu, \tau)`:

.. math::

    \mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)
    = \mathrm{N}(\theta_j \mid \hat\theta_j, V_j)\,
      \mathrm{N}(y_j \mid \mu, \sigma_j^2 + \tau^2),
    \qquad
    \hat\theta_j = \frac{y_j/\sigma_j^2 + \mu/\tau^2}{1/\sigma_j^2 + 1/\tau^2},
    \quad
    V_j = \frac{1}{1/\sigma_j^2 + 1/\tau^2}.

Each function below returns one step of that argument as SymPy objects that a chapter can
display, in the order the chapter tells it: the joint density, the quadratic in
:math:`\theta_j`, the completed square, the factorisation and the integral over
:math:`\theta_j`, the shrinkage form, the two limits of :math:`\tau`, and the change of
variables :math:`(\lambda_1, \lambda_2) = (\mu, \log\tau)` whose log posterior the sampler
uses. :func:`post_lines` transcribes the blog post's completing-the-square display line by
line and says which lines hold.

The symbols are module constants, so that expressions from different functions combine:
:data:`y_j`, :data:`mu`, :data:`theta_j`, :data:`lambda1`, :data:`lambda2` are real and
:data:`sigma_j`, :data:`tau`, :data:`V_j` are positive.

References
----------
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A. and Rubin, D. B. (2013).
*Bayesian Data Analysis*, 3rd edition (BDA3), section 5.4, eqs. 5.17-5.18.

*Learning Bayesian Hierarchical Modeling from 8 Schools* (blog post, 2020), the sections
"Bayesian Hierarchical Modeling", "Parameter Estimation" and "Shrinkage".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import sympy as sp
from numpy.typing import ArrayLike

from eightschools.data import check_y_sigma

__all__ = [
    "B_j",
    "CompletedSquare",
    "Factorisation",
    "LogPosteriorLambda",
    "PARAMETERS",
    "PoolingLimits",
    "PostLine",
    "QuadraticInTheta",
    "Shrinkage",
    "V_j",
    "completed_square",
    "factorisation",
    "joint_density",
    "lambda1",
    "lambda2",
    "log_posterior_lambda",
    "log_posterior_lambda_generic",
    "log_tau_jacobian",
    "marginal_by_integration",
    "mu",
    "normal_pdf",
    "pooling_limits",
    "post_lines",
    "quadratic_in_theta",
    "relation_holds",
    "shrinkage",
    "sigma_j",
    "tau",
    "theta_hat_j",
    "theta_j",
    "y_j",
]

# ------------------------------------------------------------------------------ symbols
#: School j's estimate :math:`y_j` (real).
y_j = sp.Symbol("y_j", real=True)
#: School j's standard error :math:`\sigma_j` (positive).
sigma_j = sp.Symbol("sigma_j", positive=True)
#: School j's true effect :math:`\theta_j` (real).
theta_j = sp.Symbol("theta_j", real=True)
#: The population mean :math:`\mu` (real).
mu = sp.Symbol("mu", real=True)
#: The population standard deviation :math:`\tau` (positive).
tau = sp.Symbol("tau", positive=True)
#: A name for the conditional posterior variance :math:`V_j` (positive), for display.
V_j = sp.Symbol("V_j", positive=True)
#: A name for the conditional posterior mean :math:`\hat\theta_j` (real), for display.
theta_hat_j = sp.Symbol("thetahat_j", real=True)
#: A name for the shrinkage factor :math:`B_j` (positive), for display.
B_j = sp.Symbol("B_j", positive=True)
#: The sampler's first coordinate :math:`\lambda_1 = \mu` (real).
lambda1 = sp.Symbol("lambda_1", real=True)
#: The sampler's second coordinate :math:`\lambda_2 = \log\tau` (real).
lambda2 = sp.Symbol("lambda_2", real=True)

#: The unknowns; "proportional" in :func:`relation_holds` means "up to a factor free of these".
PARAMETERS: tuple[sp.Symbol, ...] = (theta_j, mu, tau, lambda1, lambda2)

# The post writes a bare sigma where it means sigma_j in three places; this symbol lets
# :func:`post_lines` transcribe those typos faithfully.
_sigma_bare = sp.Symbol("sigma", positive=True)
# The number of schools and the summation index of the generic log posterior.
_J = sp.Symbol("J", integer=True, positive=True)
_j = sp.Symbol("j", integer=True, positive=True)
_y_idx = sp.IndexedBase("y", real=True)
_sigma_idx = sp.IndexedBase("sigma", positive=True)


def normal_pdf(x: sp.Expr, mean: sp.Expr, variance: sp.Expr) -> sp.Expr:
    r"""The normal density :math:`\mathrm{N}(x \mid m, v)`, parametrised by its variance.

    .. math::

        \mathrm{N}(x \mid m, v) = \frac{1}{\sqrt{2\pi v}}
        \exp\Big(-\frac{(x - m)^2}{2 v}\Big)

    Parameters
    ----------
    x, mean : sympy.Expr
        The argument and the mean (real).
    variance : sympy.Expr
        The variance (positive).

    Returns
    -------
    sympy.Expr
        The density as an expression in the symbols of its arguments.

    Examples
    --------
    >>> normal_pdf(y_j, mu, sigma_j**2)
    sqrt(2)*exp(-(-mu + y_j)**2/(2*sigma_j**2))/(2*sqrt(pi)*sigma_j)
    """
    return sp.exp(-((x - mean) ** 2) / (2 * variance)) / sp.sqrt(2 * sp.pi * variance)


# ------------------------------------------------------------------- step 1: the joint
def joint_density() -> sp.Expr:
    r"""Step 1: the joint density of :math:`(y_j, \theta_j)` given :math:`(\mu, \tau)`.

    .. math::

        p(y_j, \theta_j \mid \mu, \tau)
        = \mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)

    Under the flat prior :math:`p(\mu, \tau) \propto 1` this is also school j's factor of
    the unnormalised full posterior :math:`p(\theta, \mu, \tau \mid y)` (BDA3 section 5.4).

    Returns
    -------
    sympy.Expr
        An expression in ``y_j, theta_j, mu, tau, sigma_j``.

    Examples
    --------
    >>> p = joint_density()
    >>> sorted(str(s) for s in p.free_symbols)
    ['mu', 'sigma_j', 'tau', 'theta_j', 'y_j']
    >>> sp.integrate(p, (y_j, -sp.oo, sp.oo), (theta_j, -sp.oo, sp.oo))
    1
    """
    return normal_pdf(theta_j, mu, tau**2) * normal_pdf(y_j, theta_j, sigma_j**2)


# ------------------------------------------------------- step 2: quadratic and square
class QuadraticInTheta(NamedTuple):
    r"""The joint's exponent as a quadratic in :math:`\theta_j`.

    ``exponent == -(precision*theta_j**2 - 2*linear*theta_j + constant) / 2``.
    """

    exponent: sp.Expr
    collected: sp.Expr
    precision: sp.Expr
    linear: sp.Expr
    constant: sp.Expr


@lru_cache(maxsize=1)
def quadratic_in_theta() -> QuadraticInTheta:
    r"""Step 2a: the exponent of the joint density, collected in powers of :math:`\theta_j`.

    .. math::

        -\frac12\Big[\frac{(\theta_j - \mu)^2}{\tau^2} + \frac{(y_j - \theta_j)^2}{\sigma_j^2}\Big]
        = -\frac12\Big[P_j\,\theta_j^2 - 2 L_j\,\theta_j + K_j\Big],

    with precision :math:`P_j = 1/\sigma_j^2 + 1/\tau^2`, linear coefficient
    :math:`L_j = y_j/\sigma_j^2 + \mu/\tau^2` and constant
    :math:`K_j = y_j^2/\sigma_j^2 + \mu^2/\tau^2`. Over the common denominator
    :math:`\tau^2\sigma_j^2` the linear coefficient reads :math:`\mu\sigma_j^2 + y_j\tau^2`.

    Returns
    -------
    QuadraticInTheta
        ``(exponent, collected, precision, linear, constant)``: the exponent as written
        from the two densities, the same expanded and collected in ``theta_j``, and
        :math:`P_j, L_j, K_j`, read off as coefficients.

    Examples
    --------
    >>> q = quadratic_in_theta()
    >>> q.precision
    tau**(-2) + sigma_j**(-2)
    >>> sp.factor(q.linear)
    (mu*sigma_j**2 + tau**2*y_j)/(sigma_j**2*tau**2)
    """
    half = sp.Rational(1, 2)
    exponent = -half * ((theta_j - mu) ** 2 / tau**2 + (y_j - theta_j) ** 2 / sigma_j**2)
    collected = sp.collect(sp.expand(exponent), theta_j)
    precision = sp.expand(-2 * collected.coeff(theta_j, 2))
    linear = sp.expand(collected.coeff(theta_j, 1))
    constant = sp.expand(-2 * collected.coeff(theta_j, 0))
    return QuadraticInTheta(exponent, collected, precision, linear, constant)


class CompletedSquare(NamedTuple):
    r"""The exponent written as :math:`-\frac12[(\theta_j - \hat\theta_j)^2/V_j + R_j]`."""

    theta_hat: sp.Expr
    V: sp.Expr
    remainder: sp.Expr
    exponent: sp.Expr


@lru_cache(maxsize=1)
def completed_square() -> CompletedSquare:
    r"""Step 2b: complete the square in :math:`\theta_j`.

    From :math:`P\theta^2 - 2L\theta + K = P(\theta - L/P)^2 + K - L^2/P`:

    .. math::

        \hat\theta_j = \frac{L_j}{P_j}
        = \frac{y_j/\sigma_j^2 + \mu/\tau^2}{1/\sigma_j^2 + 1/\tau^2}, \qquad
        V_j = \frac{1}{P_j} = \frac{1}{1/\sigma_j^2 + 1/\tau^2}, \qquad
        R_j = K_j - \frac{L_j^2}{P_j} = \frac{(y_j - \mu)^2}{\sigma_j^2 + \tau^2}.

    Returns
    -------
    CompletedSquare
        ``(theta_hat, V, remainder, exponent)`` with
        ``exponent = -((theta_j - theta_hat)**2 / V + remainder) / 2``; the remainder is free
        of :math:`\theta_j`.

    Examples
    --------
    >>> c = completed_square()
    >>> c.theta_hat
    (mu/tau**2 + y_j/sigma_j**2)/(tau**(-2) + sigma_j**(-2))
    >>> c.remainder
    (mu - y_j)**2/(sigma_j**2 + tau**2)
    """
    q = quadratic_in_theta()
    theta_hat = q.linear / q.precision
    V = 1 / q.precision
    remainder = sp.factor(sp.cancel(q.constant - q.linear**2 / q.precision))
    exponent = -sp.Rational(1, 2) * ((theta_j - theta_hat) ** 2 / V + remainder)
    return CompletedSquare(theta_hat, V, remainder, exponent)


# ------------------------------------------------------------- step 3: factorisation
def _log_expanded(expr: sp.Expr) -> sp.Expr:
    """Return ``log(expr)`` with every logarithm split into logs of factors.

    All symbols are real or positive, so ``log(exp(x)) = x`` and
    ``log(a*b) = log(a) + log(b)`` for positive ``a, b``.
    """
    out = sp.expand_log(sp.log(expr), force=True)
    return sp.expand_log(out.replace(sp.log, lambda a: sp.log(sp.factor(a))), force=True)


class Factorisation(NamedTuple):
    r"""The joint as conditional posterior of :math:`\theta_j` times marginal likelihood."""

    conditional: sp.Expr
    marginal: sp.Expr
    log_difference: sp.Expr


@lru_cache(maxsize=1)
def factorisation() -> Factorisation:
    r"""Step 3a: the joint density factorises into two normal densities.

    .. math::

        \mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)
        = \underbrace{\mathrm{N}(\theta_j \mid \hat\theta_j, V_j)}_{p(\theta_j \mid \mu, \tau, y_j)}
          \;\underbrace{\mathrm{N}(y_j \mid \mu, \sigma_j^2 + \tau^2)}_{p(y_j \mid \mu, \tau)}

    (BDA3 eqs. 5.17-5.18). The second factor is a density in :math:`y_j`, the marginal
    likelihood; the marginal posterior of :math:`(\mu, \tau)` is the prior times the product
    of these factors over the schools.

    Returns
    -------
    Factorisation
        ``(conditional, marginal, log_difference)``, where ``log_difference`` is
        :math:`\log p(y_j, \theta_j \mid \mu, \tau) - \log(\text{conditional}\times
        \text{marginal})` after expansion and cancellation: exactly 0.

    Examples
    --------
    >>> f = factorisation()
    >>> f.marginal
    sqrt(2)*exp(-(-mu + y_j)**2/(2*sigma_j**2 + 2*tau**2))/(2*sqrt(pi)*sqrt(sigma_j**2 + tau**2))
    >>> f.log_difference
    0
    """
    c = completed_square()
    conditional = normal_pdf(theta_j, c.theta_hat, c.V)
    marginal = normal_pdf(y_j, mu, sigma_j**2 + tau**2)
    diff = _log_expanded(joint_density()) - _log_expanded(conditional * marginal)
    return Factorisation(conditional, marginal, sp.cancel(sp.together(sp.expand(diff))))


@lru_cache(maxsize=1)
def marginal_by_integration() -> sp.Expr:
    r"""Step 3b: integrate :math:`\theta_j` out of the joint density with ``sympy.integrate``.

    .. math::

        \int_{-\infty}^{\infty}
        \mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)
        \,d\theta_j = \mathrm{N}(y_j \mid \mu, \sigma_j^2 + \tau^2)

    SymPy's raw answer holds error functions that cancel; the result is simplified and its
    exponent factored, so it prints as the normal density it is. This takes about two
    seconds and is computed once.

    Returns
    -------
    sympy.Expr
        The integral, an expression in ``y_j, mu, sigma_j, tau``.

    Examples
    --------
    >>> m = marginal_by_integration()
    >>> sp.simplify(m / factorisation().marginal)
    1
    """
    raw = sp.integrate(joint_density(), (theta_j, -sp.oo, sp.oo))
    simple = sp.simplify(sp.expand(raw))
    return simple.replace(sp.exp, lambda arg: sp.exp(sp.factor(sp.cancel(arg))))


# ------------------------------------------------------------------ step 4: shrinkage
class Shrinkage(NamedTuple):
    r"""The shrinkage factor :math:`B_j` and the posterior mean written with it."""

    B: sp.Expr
    mean: sp.Expr
    difference: sp.Expr


@lru_cache(maxsize=1)
def shrinkage() -> Shrinkage:
    r"""Step 4: the conditional posterior mean as a compromise between :math:`y_j` and :math:`\mu`.

    .. math::

        E[\theta_j \mid \mu, \tau, y] = \hat\theta_j = (1 - B_j)\,y_j + B_j\,\mu,
        \qquad B_j = \frac{\tau^{-2}}{\tau^{-2} + \sigma_j^{-2}}
                   = \frac{\sigma_j^2}{\sigma_j^2 + \tau^2}

    (BDA3 section 5.5). :math:`B_j` is the share of the precision that comes from the
    population, so noisier schools (large :math:`\sigma_j`) are pulled harder towards
    :math:`\mu`.

    Returns
    -------
    Shrinkage
        ``(B, mean, difference)``: the factor, :math:`(1 - B_j) y_j + B_j \mu`, and its
        difference from :math:`\hat\theta_j` after cancellation, exactly 0.

    Examples
    --------
    >>> s = shrinkage()
    >>> sp.factor(s.B)
    sigma_j**2/(sigma_j**2 + tau**2)
    >>> s.difference
    0
    """
    B = tau**-2 / (tau**-2 + sigma_j**-2)
    mean = (1 - B) * y_j + B * mu
    return Shrinkage(B, mean, sp.cancel(mean - completed_square().theta_hat))


# --------------------------------------------------------------------- step 5: limits
class PoolingLimits(NamedTuple):
    r"""Limits of :math:`\hat\theta_j` and :math:`V_j` as :math:`\tau` goes to 0 and to infinity."""

    theta_hat_tau_to_zero: sp.Expr
    theta_hat_tau_to_infinity: sp.Expr
    V_tau_to_zero: sp.Expr
    V_tau_to_infinity: sp.Expr


@lru_cache(maxsize=1)
def pooling_limits() -> PoolingLimits:
    r"""Step 5: the two extremes of :math:`\tau` are the two classical analyses.

    .. math::

        \lim_{\tau \to 0} \hat\theta_j = \mu,\ \lim_{\tau \to 0} V_j = 0
        \quad\text{(complete pooling)};\qquad
        \lim_{\tau \to \infty} \hat\theta_j = y_j,\ \lim_{\tau \to \infty} V_j = \sigma_j^2
        \quad\text{(no pooling)}.

    Returns
    -------
    PoolingLimits
        The four limits, computed with ``sympy.limit``.

    Examples
    --------
    >>> lim = pooling_limits()
    >>> lim.theta_hat_tau_to_zero, lim.theta_hat_tau_to_infinity
    (mu, y_j)
    >>> lim.V_tau_to_zero, lim.V_tau_to_infinity
    (0, sigma_j**2)
    """
    c = completed_square()
    return PoolingLimits(
        sp.limit(c.theta_hat, tau, 0, "+"),
        sp.limit(c.theta_hat, tau, sp.oo),
        sp.limit(c.V, tau, 0, "+"),
        sp.limit(c.V, tau, sp.oo),
    )


# ---------------------------------------------------------- step 6: (mu, log tau) scale
def log_tau_jacobian() -> sp.Expr:
    r"""Step 6a: the Jacobian of :math:`\tau = e^{\lambda_2}`.

    .. math::

        \Big|\frac{d\tau}{d\lambda_2}\Big| = e^{\lambda_2},
        \qquad p(\lambda_1, \lambda_2 \mid y) = p(\mu, \tau \mid y)\,e^{\lambda_2}
        \ \text{ at } (\mu, \tau) = (\lambda_1, e^{\lambda_2}),

    so the log density gains the term :math:`+\lambda_2`.

    Returns
    -------
    sympy.Expr
        ``exp(lambda_2)``, computed as ``Abs(diff(exp(lambda_2), lambda_2))``.

    Examples
    --------
    >>> log_tau_jacobian()
    exp(lambda_2)
    """
    return sp.Abs(sp.diff(sp.exp(lambda2), lambda2))


def _term(y: sp.Expr, s: sp.Expr) -> sp.Expr:
    """One school's term of the log posterior of (lambda1, lambda2), in the post's form."""
    v = s**2 + sp.exp(2 * lambda2)
    return -sp.log(v) / 2 - (lambda1 - y) ** 2 / (2 * v)


class LogPosteriorLambda(NamedTuple):
    r"""The log posterior of :math:`(\lambda_1, \lambda_2)` for symbolic data."""

    term: sp.Expr
    total: sp.Expr
    from_model: sp.Expr
    dropped: sp.Expr


@lru_cache(maxsize=1)
def log_posterior_lambda_generic() -> LogPosteriorLambda:
    r"""Step 6b: the log posterior of :math:`(\lambda_1, \lambda_2)` for symbolic data.

    Under :math:`p(\mu, \tau) \propto 1` the marginal posterior is
    :math:`p(\mu, \tau \mid y) \propto \prod_j \mathrm{N}(y_j \mid \mu, \sigma_j^2 + \tau^2)`
    (BDA3 eq. 5.18). With :math:`\mu = \lambda_1, \tau = e^{\lambda_2}` and the Jacobian
    :math:`e^{\lambda_2}`,

    .. math::

        \log p(\lambda_1, \lambda_2 \mid y) = \sum_{j=1}^{J} \Big[
            -\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
            - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big]
          + \lambda_2 + \text{const},

    the post's formula, with the post's "proportional to" read as "equal up to an additive
    constant" (on the log scale a dropped factor becomes a dropped term).

    Returns
    -------
    LogPosteriorLambda
        ``(term, total, from_model, dropped)``: the summand in ``y_j, sigma_j``; the whole
        sum over :math:`j = 1, \dots, J` with indexed ``y[j], sigma[j]`` plus
        :math:`\lambda_2`; the model's own log density of school j,
        :math:`\log\mathrm{N}(y_j \mid \lambda_1, \sigma_j^2 + e^{2\lambda_2})`; and
        ``from_model - term``, which simplifies to the constant :math:`-\log(2\pi)/2`.

    Examples
    --------
    >>> g = log_posterior_lambda_generic()
    >>> g.dropped
    -log(pi)/2 - log(2)/2
    >>> g.total.free_symbols >= {lambda1, lambda2}
    True
    """
    term = _term(y_j, sigma_j)
    total = (
        sp.Sum(_term(_y_idx[_j], _sigma_idx[_j]), (_j, 1, _J))
        + sp.log(log_tau_jacobian())
    )
    from_model = sp.expand_log(
        sp.log(normal_pdf(y_j, mu, sigma_j**2 + tau**2).subs({mu: lambda1, tau: sp.exp(lambda2)})),
        force=True,
    )
    dropped = sp.expand(sp.cancel(from_model - term))
    return LogPosteriorLambda(term, total, from_model, dropped)


def _exact(value: float) -> sp.Rational:
    # The shortest decimal that reads back as the same float, as an exact rational.
    return sp.Rational(repr(value))


def log_posterior_lambda(
    y: ArrayLike, sigma: ArrayLike
) -> tuple[sp.Expr, sp.Symbol, sp.Symbol]:
    r"""Step 6c: the log posterior of :math:`(\lambda_1, \lambda_2)` for given data, exactly.

    .. math::

        \sum_{j=1}^{J} \Big[ -\tfrac12 \log\big(\sigma_j^2 + e^{2\lambda_2}\big)
            - \frac{(\lambda_1 - y_j)^2}{2(\sigma_j^2 + e^{2\lambda_2})}\Big] + \lambda_2

    with each number replaced by the exact rational of its shortest decimal form (so
    ``float`` of it returns the same float) and no other constant: the normalisation that
    :mod:`eightschools.posterior` uses.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and their standard errors; at least 3 groups, ``sigma > 0``.

    Returns
    -------
    expr : sympy.Expr
        The log posterior in ``lambda_1`` and ``lambda_2`` (module symbols
        :data:`lambda1`, :data:`lambda2`).
    lambda1, lambda2 : sympy.Symbol
        Its two variables, to pass to ``sympy.lambdify``.

    Raises
    ------
    ValueError
        If ``y`` and ``sigma`` fail :func:`eightschools.data.check_y_sigma` with
        ``min_groups=3``.

    Examples
    --------
    >>> expr, l1, l2 = log_posterior_lambda([28, 8, -3, 7, -1, 1, 18, 12],
    ...                                     [15, 10, 16, 11, 9, 11, 10, 18])
    >>> f = sp.lambdify([l1, l2], expr)
    >>> print(f"{f(7.926685, 1.841525):.4f}")
    -20.9882
    >>> log_posterior_lambda([1.0, 2.0], [1.0, 1.0])
    Traceback (most recent call last):
    ...
    ValueError: at least 3 groups are needed; got 2 (with a flat prior on tau the posterior ...
    """
    y_arr, s_arr = check_y_sigma(y, sigma, min_groups=3)
    terms = [_term(_exact(float(a)), _exact(float(b))) for a, b in zip(y_arr, s_arr, strict=True)]
    return sp.Add(*terms) + lambda2, lambda1, lambda2


# ------------------------------------------------------------ step 7: the post, audited
def _nonzero_witness(expr: sp.Expr) -> bool:
    """True if ``expr`` is visibly nonzero at one of a few exact rational points."""
    points = (
        {y_j: sp.Rational(3, 2), sigma_j: 2, theta_j: sp.Rational(5, 7), mu: sp.Rational(-1, 3),
         tau: sp.Rational(3, 5), _sigma_bare: sp.Rational(7, 3), lambda1: sp.Rational(1, 2),
         lambda2: sp.Rational(1, 3)},
        {y_j: -4, sigma_j: sp.Rational(1, 3), theta_j: 2, mu: sp.Rational(5, 2), tau: 3,
         _sigma_bare: sp.Rational(11, 5), lambda1: -2, lambda2: sp.Rational(-3, 4)},
    )
    for k, point in enumerate(points):
        at = expr.subs(point)
        rest = sorted(at.atoms(sp.Indexed) | at.free_symbols, key=str)
        at = at.subs({v: sp.Rational(2 + i + k, 3 + k) for i, v in enumerate(rest)})
        value = sp.N(at, 40)
        if value.is_number and abs(value) > sp.Float("1e-25", 40):
            return True
    return False


def _is_zero(expr: sp.Expr) -> bool:
    """Decide exactly whether ``expr`` is identically zero; refuse to guess."""
    if _nonzero_witness(expr):
        return False
    fast = sp.cancel(sp.together(sp.expand(expr)))
    if fast == 0 or sp.simplify(fast) == 0:
        return True
    raise RuntimeError(f"could not decide whether this is identically zero: {fast}")


def relation_holds(line: sp.Expr, reference: sp.Expr, relation: str) -> bool:
    r"""Decide exactly whether ``line`` stands in ``relation`` to ``reference``.

    - ``"="``: :math:`\text{line} - \text{reference} \equiv 0` (integrals evaluated first);
    - ``"∝"``: :math:`\partial_p [\log \text{line} - \log \text{reference}] \equiv 0` for every
      parameter :math:`p` in :data:`PARAMETERS` (a factor free of the parameters is allowed);
    - ``"+const"``: :math:`\partial_p [\text{line} - \text{reference}] \equiv 0` for every
      :math:`p` (a term free of the parameters is allowed).

    "Identically zero" is decided in two ways, each conclusive: an expression that is
    nonzero at one of a few exact rational points (evaluated to 40 digits) is not zero;
    otherwise cancellation, then ``sympy.simplify``, must reduce it to 0, and if neither
    succeeds a ``RuntimeError`` is raised rather than a guess.

    Parameters
    ----------
    line, reference : sympy.Expr
        The expression claimed and the true one.
    relation : {"=", "∝", "+const"}
        The claimed relation.

    Returns
    -------
    bool
        Whether the relation holds identically.

    Raises
    ------
    ValueError
        If ``relation`` is not one of the three.

    Examples
    --------
    >>> relation_holds(2 * sp.exp(-mu**2), sp.exp(-mu**2), "∝")
    True
    >>> relation_holds(mu**2 + 1, mu**2, "=")
    False
    """
    if relation == "=":
        return _is_zero(line.doit() - reference.doit())
    if relation == "∝":
        plain = sp.log(line) - sp.log(reference)
        if any(_nonzero_witness(sp.diff(plain, p)) for p in PARAMETERS if plain.has(p)):
            return False
        d = _log_expanded(line) - _log_expanded(reference)
    elif relation == "+const":
        d = line - reference
    else:
        raise ValueError(f"relation must be one of '=', '∝', '+const'; got {relation!r}")
    return all(_is_zero(sp.diff(d, p)) for p in PARAMETERS if d.has(p))


@dataclass(frozen=True)
class PostLine:
    r"""One line of the post's derivation, transcribed and checked.

    The fields, in order:

    - ``label`` (str): where the line is and what it does;
    - ``post_line`` (SymPy expression): the line as the post prints it (one school's
      factor, without the product over j);
    - ``relation`` (str): the relation the post claims between ``post_line`` and
      ``reference``, one of ``"="``, ``"∝"``, ``"+const"`` (see :func:`relation_holds`);
    - ``reference`` (SymPy expression): the true expression it should match;
    - ``holds`` (bool): whether it does, decided by :func:`relation_holds`;
    - ``corrected`` (SymPy expression or None): the corrected line, when the post's fails;
    - ``corrected_relation`` (str or None): the relation the corrected line satisfies;
    - ``corrected_holds`` (bool or None): whether the correction holds (computed, not
      assumed);
    - ``reason`` (str): one sentence on what is right or wrong.
    """

    label: str
    post_line: sp.Expr
    relation: str
    reference: sp.Expr
    holds: bool
    corrected: sp.Expr | None
    corrected_relation: str | None
    corrected_holds: bool | None
    reason: str


def _line(
    label: str,
    post_line: sp.Expr,
    relation: str,
    reference: sp.Expr,
    reason: str,
    corrected: sp.Expr | None = None,
    corrected_relation: str | None = None,
) -> PostLine:
    fixed_rel = None if corrected is None else (corrected_relation or relation)
    return PostLine(
        label=label,
        post_line=post_line,
        relation=relation,
        reference=reference,
        holds=relation_holds(post_line, reference, relation),
        corrected=corrected,
        corrected_relation=fixed_rel,
        corrected_holds=(
            None if corrected is None else relation_holds(corrected, reference, fixed_rel)
        ),
        reason=reason,
    )


def _add(*terms: sp.Expr) -> sp.Expr:
    # A sum kept exactly as the post writes it: like terms are neither merged nor cancelled.
    return sp.Add(*terms, evaluate=False)


def _kernel(prefactor: sp.Expr, numerator: sp.Expr) -> sp.Expr:
    # The post's pattern prefactor * exp(-1/2 * numerator / (tau^2 sigma_j^2)).
    return prefactor * sp.exp(-sp.Rational(1, 2) * numerator / (tau**2 * sigma_j**2))


def _display_lines() -> list[PostLine]:
    s, t, y, m, th = sigma_j, tau, y_j, mu, theta_j
    truth = joint_density()
    pre = 1 / (t * s)
    lin_post = _add(m * s**2, y**2)
    lin_true = _add(m * s**2, y * t**2)

    def quadratic(linear: sp.Expr) -> sp.Expr:
        return _kernel(pre, _add(th**2 * (s**2 + t**2), -2 * th * linear, s**2 * m**2, t**2 * y**2))

    def regrouped(sigma_in_centre: sp.Expr, mu_power: int) -> sp.Expr:
        centre = (m / t**2 + y / s**2) / (1 / t**2 + 1 / sigma_in_centre**2)
        numerator = _add(
            -(m**2) * s**4, -2 * m * s**2 * y * t**2, -(y**2) * t**4, s**4 * m**mu_power,
            s**2 * m**2 * t**2, t**2 * y**2 * s**2, t**4 * y**2,
        )
        return sp.sqrt((1 / s**2 + 1 / t**2) / (t**2 + s**2)) * sp.exp(
            -sp.Rational(1, 2) * (1 / s**2 + 1 / t**2) * (th - centre) ** 2
            - 1 / (2 * t**2 * s**2) * numerator / (s**2 + t**2)
        )

    def split(sigma_in_centre: sp.Expr) -> sp.Expr:
        centre = (m / t**2 + y / s**2) / (1 / t**2 + 1 / sigma_in_centre**2)
        return (
            sp.sqrt(1 / s**2 + 1 / t**2)
            * sp.exp(-sp.Rational(1, 2) * (1 / s**2 + 1 / t**2) * (th - centre) ** 2)
            * (1 / sp.sqrt(t**2 + s**2))
            * sp.exp(-sp.Rational(1, 2) * (m - y) ** 2 / (s**2 + t**2))
        )

    root_2pi = sp.sqrt(2 * sp.pi)
    theta_hat_post = (y / s**2 + m / t**2) / (1 / s**2 + 1 / t**2)
    V_post = 1 / (1 / s**2 + 1 / t**2)
    return [
        _line(
            "posterior, densities written out",
            1 / (t * root_2pi) * sp.exp(-((th - m) ** 2) / (2 * t**2))
            * 1 / (s * root_2pi) * sp.exp(-((y - th) ** 2) / (2 * s**2)),
            "∝", truth,
            "Holds: the two normal densities of the model, written out.",
        ),
        _line(
            "posterior, 2π dropped",
            pre * sp.exp(-((th - m) ** 2) / (2 * t**2) - (y - th) ** 2 / (2 * s**2)),
            "∝", truth,
            "Holds: only the constant 1/(2π) is dropped.",
        ),
        _line(
            "identity for σ_j τ",
            sp.sqrt((t**2 + s**2) / (1 / s**2 + 1 / t**2)), "=", s * t,
            "Holds: since 1/σ_j² + 1/τ² = (τ² + σ_j²)/(σ_j² τ²), the ratio is σ_j² τ².",
        ),
        _line(
            "completing the square, line 1: exponent factored",
            pre * sp.exp(-sp.Rational(1, 2) * ((th - m) ** 2 / t**2 + (y - th) ** 2 / s**2)),
            "∝", truth, "Holds: -1/2 taken out of the exponent.",
        ),
        _line(
            "completing the square, line 2: common denominator",
            _kernel(pre, _add(s**2 * (th - m) ** 2, t**2 * (y - th) ** 2)),
            "∝", truth, "Holds: both fractions put over τ² σ_j².",
        ),
        _line(
            "completing the square, line 3: squares expanded",
            _kernel(pre, _add(s**2 * _add(th**2, -2 * m * th, m**2),
                              t**2 * _add(y**2, -2 * y * th, th**2))),
            "∝", truth, "Holds: both squares multiplied out.",
        ),
        _line(
            "completing the square, line 4: quadratic in θ_j",
            quadratic(lin_post), "∝", truth,
            "Fails: the coefficient of -2θ_j is printed μσ_j² + y_j², but the term -2 y_j θ_j τ² "
            "of the line above gives μσ_j² + y_j τ².",
            corrected=quadratic(lin_true),
        ),
        _line(
            "completing the square, line 5: the square completed",
            _kernel(pre, _add(
                (s**2 + t**2) * (th - lin_true / (s**2 + t**2)) ** 2,
                -(lin_true**2) / (s**2 + t**2), s**2 * m**2, t**2 * y**2,
            )),
            "∝", truth,
            "Holds: it completes the square of the true quadratic, with μσ_j² + y_j τ², so it "
            "does not follow from line 4 as printed but repairs it silently.",
        ),
        _line(
            "completing the square, line 6: regrouped and cancelled",
            regrouped(_sigma_bare, 4), "∝", truth,
            "Fails twice: the centre's denominator has 1/σ² for 1/σ_j², and the struck-out "
            "term σ_j⁴μ⁴ must be σ_j⁴μ² to cancel -μ²σ_j⁴.",
            corrected=regrouped(s, 2),
        ),
        _line(
            "completing the square, line 7: split into two normal kernels",
            split(_sigma_bare), "∝", truth,
            "Fails: the same 1/σ² for 1/σ_j² in the centre; with σ_j it holds, the leftover "
            "numerator being σ_j²τ²(μ - y_j)².",
            corrected=split(s),
        ),
        _line(
            "completing the square, line 8: named densities",
            normal_pdf(th, theta_hat_j, V_j).subs({theta_hat_j: theta_hat_post, V_j: V_post})
            * normal_pdf(y, m, s**2 + t**2),
            "∝", truth,
            "Holds, reading the post's 'θ_j | μ, τ, y, σ ~ N(θ̂_j, V_j)' as the density "
            "N(θ_j | θ̂_j, V_j); the product is line 7 divided by 2π.",
        ),
        _line(
            "definition of θ̂_j", theta_hat_post, "=",
            lin_true / (s**2 + t**2),
            "Holds: it is the centre (μσ_j² + y_j τ²)/(σ_j² + τ²) of the completed square.",
        ),
        _line(
            "definition of V_j", V_post, "=", t**2 * s**2 / (s**2 + t**2),
            "Holds: it is the inverse of the coefficient (σ_j² + τ²)/(τ² σ_j²) of the square.",
        ),
    ]


def _other_lines() -> list[PostLine]:
    s, t, y, m = sigma_j, tau, y_j, mu
    marginal = normal_pdf(y, m, s**2 + t**2)
    B_post = t**-2 / (t**-2 + _sigma_bare**-2)
    B_true = t**-2 / (t**-2 + s**-2)
    g = log_posterior_lambda_generic()
    log_post = g.total
    # The model's log density of (lambda1, lambda2) with the normal densities' constants kept.
    model = sp.Sum(
        g.from_model.subs({y_j: _y_idx[_j], sigma_j: _sigma_idx[_j]}), (_j, 1, _J)
    ) + lambda2
    three = {_J: 3}
    return [
        _line(
            "the second factor called the marginal posterior",
            sp.Integral(marginal, (m, -sp.oo, sp.oo), (t, 0, sp.oo)), "=", sp.Integer(1),
            "Fails: the factor is a density of y_j, the marginal likelihood p(y_j | μ, τ), "
            "and over (μ, τ) one factor does not even integrate to 1; the marginal posterior "
            "is p(μ, τ) times the product of these factors over j.",
            corrected=sp.Integral(marginal, (y, -sp.oo, sp.oo)),
        ),
        _line(
            "shrinkage factor B_j",
            (1 - B_post) * y + B_post * m, "=", completed_square().theta_hat,
            "Fails: B_j is printed with σ^-2 for σ_j^-2; with σ_j, (1 - B_j) y_j + B_j μ "
            "equals θ̂_j.",
            corrected=(1 - B_true) * y + B_true * m,
        ),
        _line(
            "log posterior of (λ_1, λ_2), J = 3",
            log_post.subs(three).doit(), "∝", model.subs(three).doit(),
            "Fails only in notation: on the log scale the dropped normalising factor becomes "
            "an additive constant, so '∝' must read '= ... + const'; the expression itself "
            "is right.",
            corrected=log_post.subs(three).doit(),
            corrected_relation="+const",
        ),
    ]


@lru_cache(maxsize=1)
def _post_lines() -> tuple[PostLine, ...]:
    return tuple(_display_lines() + _other_lines())


def post_lines() -> list[PostLine]:
    r"""Step 7: the post's derivation, transcribed line by line with its typos, and checked.

    Each line is school j's factor of the post's full-posterior display (the product over
    j left off), or one of its later formulas, written in SymPy as printed. It is checked
    against the truth with :func:`relation_holds`: a line of the posterior display must be
    proportional, as a function of :math:`(\theta_j, \mu, \tau)`, to
    :math:`\mathrm{N}(\theta_j \mid \mu, \tau^2)\,\mathrm{N}(y_j \mid \theta_j, \sigma_j^2)`.
    A bare :math:`\sigma`, where the post drops the subscript, is a separate symbol, so a
    line containing it can hold only if :math:`\sigma = \sigma_j`.

    The post's errors found this way: the linear coefficient :math:`y_j^2` for
    :math:`y_j\tau^2` (line 4); :math:`1/\sigma^2` for :math:`1/\sigma_j^2` in
    :math:`\hat\theta_j` (lines 6 and 7) and in :math:`B_j`; the cancelled term
    :math:`\sigma_j^4\mu^4` for :math:`\sigma_j^4\mu^2` (line 6); the marginal likelihood
    :math:`p(y_j \mid \mu, \tau)` called the marginal posterior; and "proportional" for
    "equal up to a constant" on the log scale. Computing all records takes a few seconds the
    first time; they are cached.

    Returns
    -------
    list of PostLine
        In the post's order.

    Examples
    --------
    >>> for r in post_lines():
    ...     if not r.holds:
    ...         print(r.label, "->", r.corrected_holds)
    completing the square, line 4: quadratic in θ_j -> True
    completing the square, line 6: regrouped and cancelled -> True
    completing the square, line 7: split into two normal kernels -> True
    the second factor called the marginal posterior -> True
    shrinkage factor B_j -> True
    log posterior of (λ_1, λ_2), J = 3 -> True
    """
    return list(_post_lines())
