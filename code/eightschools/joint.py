r"""The joint posterior of all :math:`J + 2` parameters, by Gibbs sampling and by HMC.

Under the flat prior, :math:`p(\theta, \mu, \tau \mid y) \propto \prod_j \mathrm{N}(y_j \mid
\theta_j, \sigma_j^2)\, \mathrm{N}(\theta_j \mid \mu, \tau^2)`. Small :math:`\tau` pins every
:math:`\theta_j` to :math:`\mu`: in :math:`(\theta_j, \log\tau)` the posterior is a funnel, which
the non-centred coordinates :math:`z_j = (\theta_j - \mu)/\tau` remove. The samplers draw from
the generator they are given, in the order the code reads.

References
----------
BDA3 sections 11.3 and 12.4; Neal, R. M. (2011), MCMC using Hamiltonian dynamics, *Handbook of
Markov Chain Monte Carlo*, ch. 5.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eightschools.data import check_y_sigma
from eightschools.posterior import conditional_theta

__all__ = ["HMCResult", "gibbs", "hmc", "log_joint"]

FloatArray = NDArray[np.float64]


def gibbs(y: ArrayLike, sigma: ArrayLike, n_iter: int, rng: np.random.Generator,
          *, tau_start: float = 1.0) -> FloatArray:
    r"""Gibbs sampling of :math:`(\theta, \mu, \tau)`, each block from its closed form.

    .. math::

        \theta_j \mid \mu, \tau, y &\sim \mathrm{N}\big((1 - B_j) y_j + B_j \mu,\,
            (1 - B_j)\sigma_j^2\big), \\
        \mu \mid \theta, \tau &\sim \mathrm{N}(\bar\theta, \tau^2 / J), \\
        \tau^2 \mid \theta, \mu &\sim S / \chi^2_{J - 1}, \qquad
            S = \textstyle\sum_j (\theta_j - \mu)^2 .

    The last line is the flat prior on :math:`\tau`. The chain starts at ``mu = mean(y)``,
    ``tau = tau_start``; ``y`` and ``sigma`` have shape (J,), :math:`J \ge 3`. Returns an array
    of shape (n_iter, J + 2), one row :math:`(\theta_1, \dots, \theta_J, \mu, \tau)` per
    iteration.

    Examples
    --------
    >>> draws = gibbs([28, 8, -3, 7, -1, 1, 18, 12], [15, 10, 16, 11, 9, 11, 10, 18],
    ...               2000, np.random.default_rng(1))
    >>> draws.shape, bool(np.all(draws[:, -1] > 0))
    ((2000, 10), True)
    """
    y, sigma = check_y_sigma(y, sigma, min_groups=3)
    if not (isinstance(n_iter, int) and n_iter >= 1):
        raise ValueError(f"n_iter must be a positive integer; got {n_iter!r}")
    if not (np.isfinite(tau_start) and tau_start > 0):
        raise ValueError(f"tau_start must be finite and > 0; got {tau_start!r}")
    J = len(y)
    mu, tau = float(np.mean(y)), float(tau_start)
    draws = np.empty((n_iter, J + 2))
    for i in range(n_iter):
        mean, var = conditional_theta(mu, tau, y, sigma)
        theta = mean + np.sqrt(var) * rng.standard_normal(J)
        mu = theta.mean() + tau / np.sqrt(J) * rng.standard_normal()
        tau = np.sqrt(np.sum((theta - mu) ** 2) / rng.chisquare(J - 1))
        draws[i, :J], draws[i, J], draws[i, J + 1] = theta, mu, tau
    return draws


def log_joint(q: ArrayLike, y: ArrayLike, sigma: ArrayLike,
              *, centred: bool = True) -> tuple[float, FloatArray]:
    r"""The log joint posterior and its gradient, in HMC's unconstrained coordinates.

    Centred, :math:`q = (\theta_1, \dots, \theta_J, \mu, \log\tau)`:

    .. math::

        \log p = -\sum_j \frac{(y_j - \theta_j)^2}{2\sigma_j^2}
                 -\sum_j \frac{(\theta_j - \mu)^2}{2\tau^2} - (J - 1)\log\tau .

    Non-centred, :math:`q = (z_1, \dots, z_J, \mu, \log\tau)` with :math:`\theta_j = \mu + \tau
    z_j`, whose Jacobian :math:`\tau^J` cancels the normal's :math:`\tau^{-J}`:

    .. math::

        \log p = -\sum_j \frac{(y_j - \mu - \tau z_j)^2}{2\sigma_j^2}
                 - \sum_j \frac{z_j^2}{2} + \log\tau .

    Both include the Jacobian of :math:`\tau \mapsto \log\tau` and drop constants. Returns the
    log density (a float) and its gradient, shape (J + 2,).

    Examples
    --------
    >>> logp, grad = log_joint(np.zeros(4), [1.0, -1.0], [1.0, 1.0])
    >>> float(logp), grad.tolist()
    (-1.0, [1.0, -1.0, 0.0, -1.0])
    """
    y, sigma = check_y_sigma(y, sigma)
    q = np.asarray(q, dtype=np.float64)
    J = len(y)
    if q.shape != (J + 2,):  # (a non-finite q, as on a divergent trajectory, gives a nan or -inf)
        raise ValueError(f"q must hold J + 2 = {J + 2} numbers; got shape {q.shape}")
    u, mu, log_tau = q[:J], q[J], q[J + 1]
    tau = _exp(log_tau)
    tau2 = tau * tau  # not tau**2: Python's ** calls the C library's pow
    if centred:
        theta = u
        logp = (-np.sum((y - theta) ** 2 / (2 * sigma**2))
                - np.sum((theta - mu) ** 2) / (2 * tau2) - (J - 1) * log_tau)
        d_theta = (y - theta) / sigma**2 - (theta - mu) / tau2
        d_mu = np.sum(theta - mu) / tau2
        d_log_tau = np.sum((theta - mu) ** 2) / tau2 - (J - 1)
        return float(logp), np.concatenate([d_theta, [d_mu, d_log_tau]])
    z = u
    resid = (y - mu - tau * z) / sigma**2
    logp = -np.sum((y - mu - tau * z) ** 2 / (2 * sigma**2)) - np.sum(z**2) / 2 + log_tau
    d_z = tau * resid - z
    d_mu = np.sum(resid)
    d_log_tau = tau * np.sum(resid * z) + 1.0
    return float(logp), np.concatenate([d_z, [d_mu, d_log_tau]])


_LN2 = math.log(2.0)


def _exp(x: float) -> float:
    # e**x from + - * / alone: numpy's and libm's exp round differently on different CPUs
    # (with or without AVX-512 or FMA), and an HMC trajectory amplifies a one-bit difference.
    if not -745.0 < x < 709.0:  # beyond the float64 range: inf, 0 (or nan for nan)
        return math.inf if x > 0 else (0.0 if x < 0 else x)
    k = round(x / _LN2)
    r = x - k * _LN2  # |r| <= log(2) / 2
    term = total = 1.0
    for n in range(1, 18):  # the Taylor series of e**r, to double precision
        term *= r / n
        total += term
    return math.ldexp(total, k)


@dataclass(frozen=True)
class HMCResult:
    """Draws of an HMC run, with which transitions were accepted and which diverged."""

    draws: FloatArray  #: shape (n_iter, d): the chain
    accepted: NDArray[np.bool_]  #: shape (n_iter,)
    divergent: NDArray[np.bool_]  #: shape (n_iter,): the energy error passed the threshold


def hmc(logp_grad: Callable[[FloatArray], tuple[float, FloatArray]], start: ArrayLike,
        step_size: float, n_steps: int, n_iter: int, rng: np.random.Generator,
        *, max_energy_error: float = 1000.0) -> HMCResult:
    r"""Hamiltonian Monte Carlo with a unit mass matrix and a fixed number of leapfrog steps.

    Each iteration draws a momentum :math:`p \sim \mathrm{N}(0, I)`, follows the Hamiltonian
    :math:`H(q, p) = -\log \pi(q) + \tfrac12 p^\top p` for ``n_steps`` leapfrog steps of size
    :math:`\epsilon`,

    .. math::

        p \leftarrow p + \tfrac{\epsilon}{2}\nabla\log\pi(q), \quad
        q \leftarrow q + \epsilon p, \quad
        p \leftarrow p + \tfrac{\epsilon}{2}\nabla\log\pi(q),

    and accepts the end point with probability :math:`\min(1, e^{H_0 - H})`. A trajectory whose
    energy error :math:`H - H_0` exceeds ``max_energy_error`` anywhere (or is not finite) is a
    divergence, as Stan and PyMC define it: it stops there and the chain stays put.

    ``logp_grad(q)`` returns the log density and its gradient; ``start`` has shape (d,).
    Per iteration ``rng`` gives d normals, then one uniform unless the trajectory diverged.

    Examples
    --------
    >>> target = lambda q: (-0.5 * float(q @ q), -q)  # standard normal in 2 dimensions
    >>> fit = hmc(target, [0.0, 0.0], 0.5, 10, 4000, np.random.default_rng(2))
    >>> np.round(fit.draws.std(axis=0), 1).tolist(), int(fit.divergent.sum())
    ([1.0, 1.0], 0)
    """
    q = np.array(start, dtype=np.float64)
    if q.ndim != 1 or not np.all(np.isfinite(q)):
        raise ValueError("start must be a 1-d array of finite numbers")
    if not (np.isfinite(step_size) and step_size > 0):
        raise ValueError(f"step_size must be finite and > 0; got {step_size!r}")
    for name, value in (("n_steps", n_steps), ("n_iter", n_iter)):
        if not (isinstance(value, int) and value >= 1):
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    draws = np.empty((n_iter, q.size))
    accepted = np.zeros(n_iter, dtype=bool)
    divergent = np.zeros(n_iter, dtype=bool)
    logp, grad = logp_grad(q)
    for i in range(n_iter):
        p = rng.standard_normal(q.size)
        h0 = -logp + 0.5 * np.sum(p * p)  # not p @ p, whose BLAS rounding depends on the CPU
        q_new, logp_new, grad_new = q, logp, grad
        for _ in range(n_steps):
            p = p + 0.5 * step_size * grad_new
            q_new = q_new + step_size * p
            logp_new, grad_new = logp_grad(q_new)
            p = p + 0.5 * step_size * grad_new
            energy_error = -logp_new + 0.5 * np.sum(p * p) - h0
            if not energy_error < max_energy_error:  # also true when it is nan
                divergent[i] = True
                break
        if not divergent[i] and rng.random() < np.exp(-energy_error):
            q, logp, grad = q_new, logp_new, grad_new
            accepted[i] = True
        draws[i] = q
    return HMCResult(draws, accepted, divergent)
