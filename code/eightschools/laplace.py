r"""The normal (Laplace) approximation to the posterior of :math:`\lambda = (\mu, \log\tau)`.

Near its mode :math:`\hat\lambda` the log posterior is close to a quadratic, so the posterior
is close to a normal distribution (BDA3 section 4.1):

.. math::

    p(\lambda \mid y) \approx \mathrm{N}\big(\lambda \mid \hat\lambda,\ \Sigma\big), \qquad
    \Sigma = \big[-\nabla^2 \log p(\hat\lambda \mid y)\big]^{-1}.

:func:`laplace_fit` finds :math:`\hat\lambda` by Newton's method on the analytic gradient and
Hessian of :class:`eightschools.posterior.LogPosterior`. :func:`nelder_mead_fit` redoes the
blog post's R ``optim()`` call (Nelder-Mead and a finite-difference Hessian) for comparison.
With :math:`J \ge 3` a mode exists: :math:`\partial \log p / \partial\lambda_2` tends to 1 as
:math:`\lambda_2 \to -\infty` and to :math:`1 - J < 0` as :math:`\lambda_2 \to \infty`.

References
----------
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd edition (BDA3), sections 4.1 and 5.4.
Nocedal, J. and Wright, S. J. (2006). *Numerical Optimization*, 2nd edition, chapter 3.
R Core Team. ``optim`` and ``optimHess``, in *R: A Language and Environment for Statistical
Computing*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.posterior import LogPosterior, mu_given_tau, standardise

__all__ = ["LaplaceFit", "NelderMeadFit", "laplace_fit", "nelder_mead_fit"]

FloatArray = NDArray[np.float64]


def _covariance(hessian: FloatArray) -> FloatArray:
    """Sigma = (-H)^-1, symmetrised; ValueError unless -H is positive definite (a maximum)."""
    neg = -np.asarray(hessian, dtype=np.float64)
    if not (np.isfinite(neg).all() and (np.linalg.eigvalsh(neg) > 0).all()):
        raise ValueError(f"the negative Hessian {neg.tolist()} is not positive definite: no mode")
    cov = np.linalg.inv(neg)
    return 0.5 * (cov + cov.T)


@dataclass(frozen=True, eq=False)
class LaplaceFit:
    r"""The normal approximation :math:`\mathrm{N}(\hat\lambda, \Sigma)` to the posterior.

    Parameters
    ----------
    mode, cov : numpy.ndarray, shapes (2,) and (2, 2)
        The mode :math:`\hat\lambda = (\hat\mu, \log\hat\tau)` and :math:`\Sigma` (positive
        definite).
    log_density, grad_norm : float
        The log posterior (as :func:`eightschools.posterior.log_posterior`) at the mode and the
        norm of its gradient there.
    n_iter : int
        The number of Newton iterations taken.
    """

    mode: FloatArray
    cov: FloatArray
    log_density: float
    grad_norm: float
    n_iter: int
    _chol: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        mode = np.array(self.mode, dtype=np.float64)
        cov = np.array(self.cov, dtype=np.float64)
        if mode.shape != (2,) or cov.shape != (2, 2) or not np.array_equal(cov, cov.T):
            raise ValueError(f"mode must have shape (2,) and cov be symmetric 2 x 2; got {cov}")
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError(f"cov must be positive definite; got {cov.tolist()}") from None
        for name, arr in (("mode", mode), ("cov", cov), ("_chol", chol)):
            arr.flags.writeable = False
            object.__setattr__(self, name, arr)

    @property
    def sd(self) -> FloatArray:
        r"""Approximate posterior standard deviations :math:`\sqrt{\Sigma_{ii}}`, shape (2,)."""
        return np.sqrt(np.diag(self.cov))

    def logpdf(self, lam: ArrayLike) -> FloatArray:
        r"""Log density of the normal approximation at points ``lam`` of shape (..., 2).

        .. math::

            \log \mathrm{N}(\lambda \mid \hat\lambda, \Sigma)
            = -\log(2\pi) - \tfrac12 \log\det\Sigma
              - \tfrac12 (\lambda - \hat\lambda)^\top \Sigma^{-1} (\lambda - \hat\lambda)
        """
        arr = np.asarray(lam, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != 2:
            raise ValueError(f"lam must have shape (..., 2); got shape {arr.shape}")
        dev = arr - self.mode  # below, z = L^-1 dev with L L' = Sigma, so z'z is the quadratic form
        l11, l21, l22 = self._chol[0, 0], self._chol[1, 0], self._chol[1, 1]
        z1 = dev[..., 0] / l11
        z2 = (dev[..., 1] - l21 * z1) / l22
        return (-math.log(2.0 * math.pi) - np.log(l11 * l22) - 0.5 * (z1 * z1 + z2 * z2))[()]

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        r"""Draw ``n >= 1`` points :math:`\hat\lambda + Lz`, :math:`z \sim \mathrm{N}(0, I)`."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n must be an integer >= 1; got {n!r}")
        return self.mode + rng.standard_normal((int(n), 2)) @ self._chol.T


def _start(lp: LogPosterior) -> FloatArray:
    """Pooled mean for mu; for log tau, the best of a coarse grid at that mu."""
    mu0 = float(mu_given_tau(0.0, lp.y, lp.sigma)[0])
    spread = max(float(np.ptp(lp.y)), float(lp.sigma.max()))
    grid = np.linspace(np.log(lp.sigma.min()) - 8.0, np.log(spread) + 4.0, 121)
    with np.errstate(over="ignore"):  # far from the mode the log density may be below -1e308
        values = [float(lp(np.array([mu0, u]))) for u in grid]  # one point at a time: O(J) memory
    return np.array([mu0, grid[np.argmax(values)]])


def _ascent_direction(g: FloatArray, h: FloatArray) -> FloatArray:
    """Newton step (-H)^-1 g if -H is positive definite, else g scaled by |diag H|."""
    try:
        chol = np.linalg.cholesky(-h)
    except np.linalg.LinAlgError:
        scale = np.abs(np.diag(h))
        return g / np.where(scale > 0.0, scale, 1.0)
    return np.linalg.solve(chol.T, np.linalg.solve(chol, g))


def laplace_fit(y: ArrayLike, sigma: ArrayLike, *, max_iter: int = 100) -> LaplaceFit:
    r"""Posterior mode and covariance of :math:`(\mu, \log\tau)`: the normal approximation.

    Newton's method, :math:`\lambda \leftarrow \lambda + t\,(-H)^{-1} g`, from the pooled mean
    and the best :math:`\log\tau` of a grid, halving :math:`t` until the log density rises
    enough (Armijo rule; a scaled gradient step where :math:`-H` is not positive definite). It
    stops when :math:`g^\top(-H)^{-1}g < 10^{-24}` or a full step no longer shrinks :math:`g`
    (rounding reached); then :math:`\Sigma = (-H)^{-1}`. It runs in the standard units of
    :func:`eightschools.posterior.standardise`, mapped back at the end.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    max_iter : int, optional
        The most Newton iterations to take.

    Returns
    -------
    LaplaceFit

    Raises
    ------
    ValueError
        If Newton's method fails, or :math:`\Sigma_{11}` is outside the float64 range.

    Examples
    --------
    >>> fit = laplace_fit([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"mode {fit.mode[0]:.6f} {fit.mode[1]:.6f}, {fit.n_iter} iterations")
    mode 7.924412 1.841398, 4 iterations
    >>> fit.cov.round(5)
    array([[22.32145,  0.19294],
           [ 0.19294,  0.53535]])
    """
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    y_std, s_std, centre, scale = standardise(y, sigma)
    lp = LogPosterior(y_std, s_std)  # refuses J < 3
    x = _start(lp)
    for n_iter in range(1, max_iter + 1):
        g, h = lp.grad(x), lp.hessian(x)
        step = _ascent_direction(g, h)  # the Newton step (-H)^-1 g where -H is positive definite
        decrement = g @ step  # the Newton decrement g'(-H)^-1 g
        if decrement <= 1e-24:
            break  # the log density is within about 1e-24 of its maximum
        if decrement < 1e-12:  # near the mode, rises are rounding noise: take the full step
            if not np.linalg.norm(lp.grad(x + step)) < np.linalg.norm(g):
                break  # it no longer shrinks the gradient: rounding reached
            x = x + step
            continue
        t = 1.0  # far from the mode: halve the step until the log density rises enough (Armijo)
        while lp(x + t * step) < lp(x) + 1e-4 * t * decrement:
            t /= 2.0
            if t < 1e-12:
                raise ValueError(f"the line search failed at step {n_iter}; no mode found")
        x = x + t * step
    else:
        raise ValueError(f"Newton's method did not converge in max_iter = {max_iter} iterations")
    units = np.array([scale, 1.0])  # back to the data's units: d mu / d mu', d log tau / d log tau'
    with np.errstate(over="ignore", under="ignore"):
        cov = _covariance(h) * np.outer(units, units)  # Sigma = (-H)^-1 at the mode
        grad_norm = float(np.linalg.norm(g / units))
    if not np.finfo(np.float64).tiny <= cov[0, 0] < np.inf:
        raise ValueError(f"the posterior variance of mu, {cov[0, 0]}, is outside the float64 range")
    mode = np.array([centre + scale * x[0], x[1] + math.log(scale)])
    log_density = float(lp(x)) - (lp.J - 1) * math.log(scale)  # minus the change of units
    return LaplaceFit(mode, cov, log_density, grad_norm, n_iter)


@dataclass(frozen=True, eq=False)
class NelderMeadFit:
    """The blog post's optimisation, redone: Nelder-Mead mode and finite-difference covariance.

    Parameters
    ----------
    mode, cov : numpy.ndarray, shapes (2,) and (2, 2)
        Where the simplex stopped, and the inverse negative finite-difference Hessian there.
    log_density : float
        The log posterior at ``mode``.
    n_evaluations : int
        Log-posterior evaluations of the simplex (not counting the Hessian's).
    start : tuple of float
        The starting point.
    """

    mode: FloatArray
    cov: FloatArray
    log_density: float
    n_evaluations: int
    start: tuple[float, float]


def _optim_hess(f: Callable[[FloatArray], float], x: FloatArray, step: float) -> FloatArray:
    """Central differences of a central-difference gradient, symmetrised (R's optimHess)."""
    eye = np.eye(x.size) * step

    def grad(p: FloatArray) -> FloatArray:
        return np.array([(f(p + e) - f(p - e)) / (2.0 * step) for e in eye])

    h = np.array([(grad(x + e) - grad(x - e)) / (2.0 * step) for e in eye])
    return 0.5 * (h + h.T)


def nelder_mead_fit(
    y: ArrayLike, sigma: ArrayLike, start: Sequence[float] = (8.0, 2.0)
) -> NelderMeadFit:
    r"""Redo the blog post's ``optim()`` call: a Nelder-Mead mode and a numerical Hessian.

    R's ``optim(par, fn, control = list(fnscale = -1), hessian = TRUE)``, redone with SciPy's
    Nelder-Mead and R's defaults: the initial simplex moves the start by :math:`0.1 \max_i
    |\text{start}_i|` along each axis; it stops when the simplex's :math:`-\log p` differ by at
    most :math:`\epsilon(|\log p(\text{start})| + \epsilon)`, :math:`\epsilon = 2^{-26}`, or
    after 500 evaluations; the Hessian is ``optimHess``'s (central differences, step
    :math:`10^{-3}`, of central differences). The mode is thus only as accurate as a relative
    change of about :math:`10^{-8}` in the density allows; compare :func:`laplace_fit`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    start : sequence of two floats, optional
        The starting point :math:`(\mu, \log\tau)`; the post used ``(8, 2)``.

    Returns
    -------
    NelderMeadFit

    Examples
    --------
    >>> nm = nelder_mead_fit([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"mode {nm.mode[0]:.6f} {nm.mode[1]:.6f}")
    mode 7.926685 1.841525
    """
    from scipy import optimize  # imported here, so that the command line does not load it

    lp = LogPosterior(y, sigma)
    x0 = np.asarray(start, dtype=np.float64)
    if x0.shape != (2,) or not np.isfinite(x0).all():
        raise ValueError(f"start must be two finite numbers (mu, log tau); got {start!r}")

    def objective(p: FloatArray) -> float:
        return -lp.scalar(p)

    reltol = math.sqrt(2.0**-52)  # R's default, sqrt(.Machine$double.eps)
    size = 0.1 * float(np.abs(x0).max()) or 0.1
    simplex = np.vstack([x0, x0 + size * np.eye(2)])
    fatol = reltol * (abs(objective(x0)) + reltol)
    options = {"initial_simplex": simplex, "xatol": np.inf, "fatol": fatol, "maxfev": 500}
    result = optimize.minimize(objective, x0, method="Nelder-Mead", options=options)
    mode = np.asarray(result.x, dtype=np.float64)
    return NelderMeadFit(
        mode=mode,
        cov=_covariance(_optim_hess(lp.scalar, mode, 1e-3)),  # R's default step, ndeps
        log_density=lp.scalar(mode),
        n_evaluations=int(result.nfev),
        start=(float(x0[0]), float(x0[1])),
    )
