r"""The normal (Laplace) approximation to the posterior of :math:`\lambda = (\mu, \log\tau)`.

Near its mode :math:`\hat\lambda` the log posterior is close to a quadratic, so the posterior
is close to a normal distribution (BDA3 section 4.1):

.. math::

    p(\lambda \mid y) \approx \mathrm{N}\big(\lambda \mid \hat\lambda,\ \Sigma\big), \qquad
    \Sigma = \big[-\nabla^2 \log p(\hat\lambda \mid y)\big]^{-1}.

:func:`laplace_fit` finds :math:`\hat\lambda` with Newton's method on the analytic gradient
and Hessian of :mod:`eightschools.posterior`, to full double precision.
:func:`nelder_mead_fit` repeats what the blog post did instead, R's ``optim()`` with its
default Nelder-Mead simplex and a finite-difference Hessian, so that the two can be compared
digit by digit.

With the flat prior :math:`p(\mu, \tau) \propto 1` and :math:`J \ge 3` groups a mode always
exists in these coordinates: :math:`\partial \log p / \partial\lambda_2 \to 1` as
:math:`\lambda_2 \to -\infty` (the Jacobian) and :math:`\to 1 - J < 0` as
:math:`\lambda_2 \to \infty`, while for each :math:`\tau` the density is a normal curve in
:math:`\mu`. The errors raised below guard against numerical failure, not against a missing
mode.

References
----------
Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd edition (BDA3), sections 4.1 and 5.4.
R Core Team. ``optim`` and ``optimHess``, in *R: A Language and Environment for Statistical
Computing*: documentation of the defaults reproduced by :func:`nelder_mead_fit`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.classical import pooled_estimate
from eightschools.data import check_y_sigma
from eightschools.posterior import LogPosterior, standardise

__all__ = ["LaplaceFit", "NelderMeadFit", "laplace_fit", "nelder_mead_fit"]

FloatArray = NDArray[np.float64]

_LOG_2PI = float(np.log(2.0 * np.pi))

#: R's ``optim()`` default relative tolerance, ``sqrt(.Machine$double.eps)``.
R_RELTOL = float(np.sqrt(np.finfo(np.float64).eps))
#: R's default step for numerical derivatives in ``optim()``/``optimHess()`` (``ndeps``).
R_NDEPS = 1e-3


def _negative_hessian_cholesky(hessian: FloatArray) -> FloatArray:
    """Lower Cholesky factor of ``-hessian``; ValueError if it is not positive definite."""
    neg = -np.asarray(hessian, dtype=np.float64)
    if not np.isfinite(neg).all():
        raise ValueError(f"the Hessian at the mode is not finite: {neg.tolist()}")
    try:
        return np.linalg.cholesky(neg)
    except np.linalg.LinAlgError:
        eig = np.linalg.eigvalsh(neg)
        raise ValueError(
            "the negative Hessian at the point found is not positive definite "
            f"(eigenvalues {eig.tolist()}), so it is not a mode"
        ) from None


@dataclass(frozen=True, eq=False)
class LaplaceFit:
    r"""The normal approximation :math:`\mathrm{N}(\hat\lambda, \Sigma)` to the posterior.

    Parameters
    ----------
    mode : numpy.ndarray, shape (2,)
        The posterior mode :math:`\hat\lambda = (\hat\mu, \log\hat\tau)`.
    cov : numpy.ndarray, shape (2, 2)
        :math:`\Sigma`, the inverse of the negative Hessian of the log posterior at the mode.
    log_density : float
        The log posterior (normalised as in :func:`eightschools.posterior.log_posterior`)
        at the mode.
    grad_norm : float
        The Euclidean norm of the gradient at the returned mode.
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
        if mode.shape != (2,) or cov.shape != (2, 2):
            raise ValueError(
                f"mode must have shape (2,) and cov shape (2, 2); got {mode.shape} and {cov.shape}"
            )
        if not (np.isfinite(cov).all() and np.allclose(cov, cov.T, rtol=1e-12, atol=0.0)):
            raise ValueError(f"cov must be finite and symmetric; got {cov.tolist()}")
        try:
            chol = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            raise ValueError(f"cov must be positive definite; got {cov.tolist()}") from None
        for arr in (mode, cov, chol):
            arr.flags.writeable = False
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "cov", cov)
        object.__setattr__(self, "_chol", chol)

    @property
    def sd(self) -> FloatArray:
        r"""Approximate posterior standard deviations :math:`\sqrt{\Sigma_{ii}}`, shape (2,)."""
        return np.sqrt(np.diag(self.cov))

    def logpdf(self, lam: ArrayLike) -> FloatArray:
        r"""Log density of the normal approximation.

        .. math::

            \log \mathrm{N}(\lambda \mid \hat\lambda, \Sigma)
            = -\log(2\pi) - \tfrac12 \log\det\Sigma
              - \tfrac12 (\lambda - \hat\lambda)^\top \Sigma^{-1} (\lambda - \hat\lambda)

        Parameters
        ----------
        lam : array_like, shape (..., 2)
            Points :math:`(\mu, \log\tau)`.

        Returns
        -------
        numpy.ndarray, shape (...)
        """
        arr = np.asarray(lam, dtype=np.float64)
        if arr.ndim == 0 or arr.shape[-1] != 2:
            raise ValueError(f"lam must have shape (..., 2); got shape {arr.shape}")
        # Solve L z = (lam - mode) for z, written out for the 2 x 2 lower factor.
        dev = arr - self.mode
        l11, l21, l22 = self._chol[0, 0], self._chol[1, 0], self._chol[1, 1]
        z1 = dev[..., 0] / l11
        z2 = (dev[..., 1] - l21 * z1) / l22
        log_det = 2.0 * np.log(l11 * l22)
        out = -_LOG_2PI - 0.5 * log_det - 0.5 * (z1 * z1 + z2 * z2)
        return out[()] if out.ndim == 0 else out

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        r"""Draw ``n`` independent points from the normal approximation.

        Each draw is :math:`\hat\lambda + L z` with :math:`L L^\top = \Sigma` and
        :math:`z \sim \mathrm{N}(0, I_2)` from ``rng.standard_normal``.

        Parameters
        ----------
        n : int
            Number of draws, at least 1.
        rng : numpy.random.Generator
            The source of randomness.

        Returns
        -------
        numpy.ndarray, shape (n, 2)
        """
        if not isinstance(rng, np.random.Generator):
            raise ValueError(
                f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)); "
                f"got {type(rng).__name__}"
            )
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
            raise ValueError(f"n must be an integer >= 1; got {n!r}")
        z = rng.standard_normal((int(n), 2))
        return self.mode + z @ self._chol.T


def _start(lp: LogPosterior) -> FloatArray:
    """Pooled mean for mu; for log tau, the best of a coarse grid at that mu."""
    mu0 = pooled_estimate(lp.y, lp.sigma).mean
    log_s = np.log(lp.sigma)
    spread = max(float(np.ptp(lp.y)), float(lp.sigma.max()))
    grid = np.linspace(log_s.min() - 8.0, np.log(spread) + 4.0, 121)
    pieces = np.array_split(grid, 1 + grid.size * lp.J // 1_000_000)  # bounds the memory
    with np.errstate(over="ignore"):  # far from the mode the density may underflow to 0
        values = np.concatenate([lp(np.column_stack([np.full(g.size, mu0), g])) for g in pieces])
    return np.array([mu0, grid[int(np.argmax(values))]])


def _ascent_direction(g: FloatArray, h: FloatArray) -> FloatArray:
    """Newton direction when -H is positive definite, else gradient scaled by |diag H|."""
    try:
        chol = np.linalg.cholesky(-h)
    except np.linalg.LinAlgError:
        scale = np.abs(np.diag(h))
        return g / np.where(scale > 0.0, scale, 1.0)
    return np.linalg.solve(chol.T, np.linalg.solve(chol, g))


def laplace_fit(y: ArrayLike, sigma: ArrayLike, *, max_iter: int = 100) -> LaplaceFit:
    r"""Posterior mode and covariance of :math:`(\mu, \log\tau)`: the normal approximation.

    Newton's method on the analytic gradient and Hessian of
    :func:`eightschools.posterior.log_posterior`, started at the pooled mean and the best
    :math:`\log\tau` on a coarse grid, with a backtracking line search (Armijo rule) while far
    from the mode and a scaled gradient step wherever the negative Hessian is not positive
    definite. It stops when the Newton decrement :math:`g^\top(-H)^{-1}g` falls below
    ``1e-24`` (the log density is then within about :math:`10^{-24}` of its maximum) or when a
    full Newton step no longer shrinks the gradient (rounding has been reached). Then

    .. math::

        \Sigma = \big[-\nabla^2 \log p(\hat\lambda \mid y)\big]^{-1}.

    The iteration runs in the standard units of :func:`eightschools.posterior.standardise`,
    :math:`y' = (y - c)/k`, :math:`\sigma' = \sigma/k`, where the data's size and offset no
    longer matter (no Hessian entry of order :math:`k^{\pm 2}`), and its results are mapped
    back: :math:`\hat\mu = c + k\hat\mu'`, :math:`\log\hat\tau = \log\hat\tau' + \log k`,
    :math:`\Sigma = D\Sigma' D` with :math:`D = \mathrm{diag}(k, 1)`, and the log density at
    the mode less :math:`(J - 1)\log k` (the Jacobian of the change of units).

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    max_iter : int, optional
        The most Newton iterations to take.

    Returns
    -------
    LaplaceFit
        The mode, covariance, log density at the mode, gradient norm and iteration count.

    Raises
    ------
    ValueError
        If ``(y, sigma)`` fail validation (fewer than 3 groups give an improper posterior),
        if the iteration does not converge within ``max_iter`` steps or runs off to
        :math:`|\log\tau'| > 700` (no mode found), if the negative Hessian at the point
        found is not positive definite, or if :math:`\Sigma_{11} = k^2\Sigma'_{11}` is outside
        the range of normal float64 numbers (data on a scale beyond about
        :math:`10^{\pm 150}`).

    References
    ----------
    BDA3 section 4.1; Nocedal, J. and Wright, S. J. (2006), *Numerical Optimization*, 2nd
    edition, chapter 3 (line search Newton).

    Examples
    --------
    >>> fit = laplace_fit([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"mode {fit.mode[0]:.6f} {fit.mode[1]:.6f}")
    mode 7.924412 1.841398
    >>> fit.cov.round(5)
    array([[22.32145,  0.19294],
           [ 0.19294,  0.53535]])
    >>> bool(fit.grad_norm < 1e-8)
    True
    >>> fit.sample(3, np.random.default_rng(1)).shape
    (3, 2)
    >>> near = laplace_fit([28, 8, -3, 7], [15, 10, 16, 11])
    >>> far = laplace_fit([1e12 + 28, 1e12 + 8, 1e12 - 3, 1e12 + 7], [15, 10, 16, 11])
    >>> print(f"{near.mode[0]:.4f} {far.mode[0] - 1e12:.4f}")
    9.6782 9.6782
    """
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be an integer >= 1; got {max_iter!r}")
    y_std, s_std, centre, scale = standardise(*check_y_sigma(y, sigma, min_groups=3))
    log_k = math.log(scale)

    def in_data_units(x: FloatArray) -> list[float]:
        return [centre + scale * float(x[0]), float(x[1]) + log_k]

    lp = LogPosterior(y_std, s_std)
    x = _start(lp)
    f = float(lp(x))
    g = lp.grad(x)
    h = lp.hessian(x)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        step = _ascent_direction(g, h)
        slope = float(g @ step)  # the Newton decrement when -H is positive definite
        if slope <= 1e-24:
            converged = True
            break
        if slope < 1e-12:
            # Near the mode: pure Newton converges quadratically, and differences of log
            # densities are rounding noise, so judge the step by the gradient instead.
            x_new = x + step
            g_new = lp.grad(x_new)
            if not np.linalg.norm(g_new) < np.linalg.norm(g):
                converged = True
                break
            x, g, f = x_new, g_new, float(lp(x_new))
            h = lp.hessian(x)
            continue
        t = 1.0
        while True:
            x_new = x + t * step
            f_new = float(lp(x_new))
            if f_new >= f + 1e-4 * t * slope:
                break
            t *= 0.5
            if t < 1e-12:
                raise ValueError(
                    f"the line search failed at (mu, log tau) = {in_data_units(x)}: no ascent "
                    "along the search direction; no mode found"
                )
        x, f = x_new, f_new
        if not (np.isfinite(x).all() and abs(x[1]) <= 700.0):
            raise ValueError(
                f"no mode found: the iteration ran off to (mu, log tau) = {in_data_units(x)}, "
                "so the posterior seems to increase without bound there"
            )
        g = lp.grad(x)
        h = lp.hessian(x)
    if not converged:
        raise ValueError(
            f"Newton's method did not converge in max_iter = {max_iter} iterations; last point "
            f"(mu, log tau) = {in_data_units(x)}, gradient {g.tolist()} (in standard units)"
        )
    chol = _negative_hessian_cholesky(h)
    inv_chol = np.linalg.inv(chol)
    cov_std = inv_chol.T @ inv_chol
    units = np.array([scale, 1.0])  # d mu / d mu' and d log tau / d log tau'
    with np.errstate(over="ignore", under="ignore"):
        cov = 0.5 * (cov_std + cov_std.T) * np.outer(units, units)
        grad_norm = float(np.linalg.norm(g / units))
    if not np.finfo(np.float64).tiny <= cov[0, 0] < np.inf:
        raise ValueError(
            f"the posterior variance of mu, {scale:.3g}^2 x {cov_std[0, 0]:.3g}, is outside "
            f"the float64 range; the mode is (mu, log tau) = {in_data_units(x)}"
        )
    return LaplaceFit(
        mode=np.array(in_data_units(x)),
        cov=cov,
        log_density=float(lp(x)) - (lp.J - 1) * log_k,
        grad_norm=grad_norm,
        n_iter=n_iter,
    )


@dataclass(frozen=True, eq=False)
class NelderMeadFit:
    """The blog post's optimisation, redone: Nelder-Mead mode and finite-difference covariance.

    Parameters
    ----------
    mode : numpy.ndarray, shape (2,)
        Where the simplex stopped.
    cov : numpy.ndarray, shape (2, 2)
        Inverse of the negative finite-difference Hessian there.
    log_density : float
        The log posterior at ``mode``.
    n_evaluations : int
        Log-posterior evaluations used by the simplex (not counting the Hessian's).
    start : tuple of float
        The starting point.
    """

    mode: FloatArray
    cov: FloatArray
    log_density: float
    n_evaluations: int
    start: tuple[float, float]


def _finite_difference_hessian(
    f: Callable[[FloatArray], float], x: FloatArray, step: float
) -> FloatArray:
    """Central differences of a central-difference gradient, then symmetrised (as R's optimHess)."""
    d = x.size
    eye = np.eye(d) * step

    def grad(p: FloatArray) -> FloatArray:
        return np.array([(f(p + e) - f(p - e)) / (2.0 * step) for e in eye])

    h = np.array([(grad(x + e) - grad(x - e)) / (2.0 * step) for e in eye])
    return 0.5 * (h + h.T)


def nelder_mead_fit(
    y: ArrayLike, sigma: ArrayLike, start: Sequence[float] = (8.0, 2.0)
) -> NelderMeadFit:
    r"""Redo the blog post's ``optim()`` call: a Nelder-Mead mode and a numerical Hessian.

    The post maximised the log posterior with R's ``optim(par, fn, control = list(fnscale =
    -1), hessian = TRUE)``. This function sets up ``scipy.optimize.minimize`` with
    ``method="Nelder-Mead"`` to follow R's defaults:

    - the initial simplex is the start and the start moved by
      :math:`0.1 \max_i |\text{start}_i|` along each axis;
    - the search stops when the simplex's values of :math:`-\log p` differ by at most
      :math:`\epsilon\,(|{-\log p(\text{start})}| + \epsilon)`, with
      :math:`\epsilon = \sqrt{2^{-52}} \approx 1.5 \times 10^{-8}` (R's ``reltol``), whatever
      the simplex's size; at most 500 evaluations;
    - the Hessian is R's ``optimHess``: central differences, step :math:`10^{-3}`, of the
      central-difference gradient, symmetrised; ``cov`` is the inverse of its negative.

    The stopping rule is on the log density, not on the point, so the mode is only as
    accurate as a relative change of about :math:`10^{-8}` in the density allows; compare
    with :func:`laplace_fit`.

    Parameters
    ----------
    y, sigma : array_like, shape (J,)
        Estimates and standard errors, :math:`J \ge 3`.
    start : sequence of two floats, optional
        The starting point :math:`(\mu, \log\tau)`; the post used ``(8, 2)``.

    Returns
    -------
    NelderMeadFit

    Raises
    ------
    ValueError
        If the data fail validation, ``start`` is not two finite numbers, or the negative
        finite-difference Hessian is not positive definite.

    Examples
    --------
    >>> nm = nelder_mead_fit([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18])
    >>> print(f"mode {nm.mode[0]:.6f} {nm.mode[1]:.6f}")
    mode 7.926685 1.841525
    >>> print(np.array2string(nm.cov, precision=7))
    [[22.3232886  0.1935228]
     [ 0.1935228  0.5352576]]
    """
    from scipy import optimize  # imported here, so that the command line does not load it

    lp = LogPosterior(*check_y_sigma(y, sigma, min_groups=3))
    x0 = np.asarray(start, dtype=np.float64)
    if x0.shape != (2,) or not np.isfinite(x0).all():
        raise ValueError(f"start must be two finite numbers (mu, log tau); got {start!r}")

    def objective(p: FloatArray) -> float:
        return -lp.scalar(p)

    size = 0.1 * float(np.abs(x0).max()) or 0.1
    simplex = np.vstack([x0, x0 + size * np.eye(2)])
    f0 = objective(x0)
    result = optimize.minimize(
        objective,
        x0,
        method="Nelder-Mead",
        options={
            "initial_simplex": simplex,
            "xatol": np.inf,
            "fatol": R_RELTOL * (abs(f0) + R_RELTOL),
            "maxfev": 500,
        },
    )
    mode = np.asarray(result.x, dtype=np.float64)
    hess = _finite_difference_hessian(lambda p: -objective(p), mode, R_NDEPS)
    chol = _negative_hessian_cholesky(hess)
    inv_chol = np.linalg.inv(chol)
    cov = inv_chol.T @ inv_chol
    return NelderMeadFit(
        mode=mode,
        cov=0.5 * (cov + cov.T),
        log_density=lp.scalar(mode),
        n_evaluations=int(result.nfev),
        start=(float(x0[0]), float(x0[1])),
    )
