r"""Random-walk Metropolis sampling, one chain or many chains at once.

From the current point :math:`\lambda^{(t)}` the sampler proposes
:math:`\lambda^* = \lambda^{(t)} + s\,L z` with :math:`z \sim \mathrm{N}(0, I_d)`,
:math:`L L^\top = \Sigma` the proposal covariance and :math:`s` the scale, draws
:math:`u \sim \mathrm{U}(0, 1)`, and moves to :math:`\lambda^*` when
:math:`\log u < \log p(\lambda^*) - \log p(\lambda^{(t)})` (Metropolis et al. 1953; BDA3
section 11.2). This is ``rwmetrop`` of the R package LearnBayes (Albert 2009), which the blog
post the book retraces runs with :math:`s = 2`. The log density is called once per iteration on
all chains together, an array of shape ``(chains, d)``.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MetropolisResult", "mean_squared_jump", "rwmetrop"]


@dataclass(frozen=True)
class MetropolisResult:
    r"""The output of :func:`rwmetrop`: the chains and the settings that made them.

    Attributes
    ----------
    draws : numpy.ndarray, shape (chains, n_iter, d)
        ``draws[c, t]`` is chain ``c`` after step ``t + 1`` (the start is not included).
    log_density : numpy.ndarray, shape (chains, n_iter)
        The log density at each draw.
    accept_rate : numpy.ndarray, shape (chains,)
        The fraction of proposals each chain accepted.
    start : numpy.ndarray, shape (chains, d)
    cov : numpy.ndarray, shape (d, d)
        The proposal covariance :math:`\Sigma`.
    scale : float
        The proposal scale :math:`s`.
    """

    draws: NDArray[np.float64]
    log_density: NDArray[np.float64]
    accept_rate: NDArray[np.float64]
    start: NDArray[np.float64]
    cov: NDArray[np.float64]
    scale: float

    @property
    def n_chains(self) -> int:
        """The number of chains."""
        return int(self.draws.shape[0])

    @property
    def n_iter(self) -> int:
        """The number of proposals per chain."""
        return int(self.draws.shape[1])

    @property
    def dim(self) -> int:
        """The dimension :math:`d` of the sampled space."""
        return int(self.draws.shape[2])


def _cholesky(cov: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the checked covariance (symmetrised) and its lower Cholesky factor."""
    arr = np.array(cov, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"cov must be a square (d, d) matrix; it has shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("cov must be finite (no NaN or infinity)")
    asym = float(np.max(np.abs(arr - arr.T)))
    if asym > 1e-10 * float(np.max(np.abs(arr))):
        raise ValueError(f"cov must be symmetric; max |cov - cov.T| = {asym:.3g}")
    arr = (arr + arr.T) / 2.0
    try:
        chol = np.linalg.cholesky(arr)
    except np.linalg.LinAlgError:
        raise ValueError("cov must be positive definite; its smallest eigenvalue is "
                         f"{np.linalg.eigvalsh(arr)[0]:.3g}") from None
    return arr, chol


def _check_inputs(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike],
    start: ArrayLike,
    cov: ArrayLike,
    scale: float,
    n_iter: int,
    rng: object,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float, int]:
    """Check rwmetrop's arguments; return start (chains, d), cov, its factor, scale, n_iter."""
    cov_arr, chol = _cholesky(cov)
    if not (isinstance(scale, Real) and 0.0 < scale < math.inf):
        raise ValueError(f"scale must be a positive finite number; got {scale}")
    if not (isinstance(n_iter, Integral) and n_iter >= 1):
        raise ValueError(f"n_iter must be an integer >= 1; got {n_iter}")
    has_methods = all(callable(getattr(rng, name, None)) for name in ("standard_normal", "random"))
    if not has_methods or isinstance(rng, types.ModuleType):  # not numpy's global state
        raise ValueError("rng must have numpy's standard_normal and random methods and not be a "
                         f"module (use numpy.random.default_rng(seed)); got {type(rng).__name__}")
    start_arr = np.array(start, dtype=np.float64)
    d = cov_arr.shape[0]
    if start_arr.ndim not in (1, 2) or start_arr.shape[-1] != d or start_arr.size == 0:
        raise ValueError(f"start must have shape (d,) for one chain or (chains, d), with d = {d} "
                         f"as in cov; it has shape {start_arr.shape}")
    start_arr = np.atleast_2d(start_arr)
    if not np.all(np.isfinite(start_arr)):
        raise ValueError("start must be finite (no NaN or infinity)")
    # A step is scale * L z with |z| below 40 in practice: it must not overflow.
    reach = float(np.max(np.abs(start_arr))) + 64.0 * scale * float(np.max(np.abs(chol)))
    if not reach < 1e300:
        raise ValueError(f"scale = {scale:g} is too large for cov: proposals would overflow")
    lp = np.asarray(logpdf(start_arr.copy()), dtype=np.float64)
    if lp.shape != (start_arr.shape[0],):
        raise ValueError(f"logpdf must return shape (chains,) = ({start_arr.shape[0]},) for points "
                         f"of shape {start_arr.shape}; it returned shape {lp.shape}")
    if not np.all(np.isfinite(lp)):
        c = int(np.flatnonzero(~np.isfinite(lp))[0])
        raise ValueError(f"the log density at start must be finite; logpdf(start[{c}]) = {lp[c]} "
                         f"at {start_arr[c].tolist()}")
    return start_arr, cov_arr, chol, float(scale), int(n_iter)


def rwmetrop(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike],
    start: ArrayLike,
    cov: ArrayLike,
    scale: float,
    n_iter: int,
    rng: np.random.Generator,
) -> MetropolisResult:
    r"""Run random-walk Metropolis with a multivariate normal proposal.

    Each iteration draws :math:`z \sim \mathrm{N}(0, I_d)` for every chain, proposes
    :math:`\lambda^* = \lambda + s L z` with :math:`L L^\top = \Sigma`, then draws
    :math:`u \sim \mathrm{U}(0, 1)` and accepts when
    :math:`\log u < \log p(\lambda^*) - \log p(\lambda)`; a proposal whose log density is NaN
    or infinite is rejected.

    Parameters
    ----------
    logpdf : callable
        The log target density up to a constant, from shape ``(chains, d)`` to ``(chains,)``.
    start : array_like, shape (d,) or (chains, d)
        The starting point of one chain, or one per chain; finite log density.
    cov : array_like, shape (d, d)
        The proposal covariance :math:`\Sigma`, symmetric positive definite.
    scale : float
        The proposal scale :math:`s > 0`.
    n_iter : int
        The number of proposals per chain, at least 1.
    rng : numpy.random.Generator
        Or any object with its ``standard_normal(size)`` and ``random(size)`` methods
        (:class:`eightschools.rstream.RStream` replays R's); each iteration draws
        ``standard_normal((chains, d))``, then ``random(chains)``.

    Returns
    -------
    MetropolisResult
        Read-only; ``draws`` of shape ``(chains, n_iter, d)``, ``chains = 1`` for a 1-D start.

    Examples
    --------
    >>> def logpdf(x):  # a standard bivariate normal
    ...     return -0.5 * np.sum(x**2, axis=-1)
    >>> fit = rwmetrop(logpdf, np.zeros((4, 2)), np.eye(2), 2.4, 2000, np.random.default_rng(1))
    >>> print(fit.draws.shape, f"{fit.accept_rate.mean():.2f}")  # 1 - 2.4 / sqrt(2.4**2 + 4)
    (4, 2000, 2) 0.23
    """
    start, cov, chol, scale, n_iter = _check_inputs(logpdf, start, cov, scale, n_iter, rng)
    chains, d = start.shape
    draws = np.empty((chains, n_iter, d))
    log_density = np.empty((chains, n_iter))
    n_accepted = np.zeros(chains)

    current = start
    current_lp = np.asarray(logpdf(current), dtype=np.float64)
    for t in range(n_iter):
        z = rng.standard_normal((chains, d))
        proposal = current + scale * z @ chol.T
        proposal_lp = np.asarray(logpdf(proposal), dtype=np.float64)
        log_ratio = proposal_lp - current_lp
        u = rng.random(chains)
        accept = (np.log(u) < log_ratio) & np.isfinite(proposal_lp)
        current = np.where(accept[:, np.newaxis], proposal, current)
        current_lp = np.where(accept, proposal_lp, current_lp)
        n_accepted += accept
        draws[:, t] = current
        log_density[:, t] = current_lp

    accept_rate = n_accepted / n_iter
    for arr in (draws, log_density, accept_rate, start, cov):
        arr.flags.writeable = False
    return MetropolisResult(draws, log_density, accept_rate, start, cov, scale)


def mean_squared_jump(draws: ArrayLike, cov: ArrayLike) -> float:
    r"""The mean squared jump distance of chains, in the metric of ``cov``.

    .. math:: \mathrm{MSJD} = \frac{1}{C (n - 1)} \sum_{c=1}^{C} \sum_{t=2}^{n} \Delta_{ct}^\top
              \Sigma^{-1} \Delta_{ct}

    with :math:`\Delta_{ct} = \lambda_c^{(t)} - \lambda_c^{(t-1)}`.
    A rejected proposal jumps zero, so the MSJD rewards steps both large and accepted
    (Pasarica & Gelman 2010); independent draws from :math:`\mathrm{N}(m, \Sigma)` give
    :math:`2d`.

    Parameters
    ----------
    draws : array_like, shape (chains, n, d) or (n, d)
        The chains, ``n >= 2`` iterations each, finite.
    cov : array_like, shape (d, d)
        The symmetric positive definite :math:`\Sigma`.

    Returns
    -------
    float

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal((4, 20_000, 2))
    >>> print(f"{mean_squared_jump(x, np.eye(2)):.1f}")  # independent draws: 2 d = 4
    4.0
    """
    _, chol = _cholesky(cov)
    arr = np.asarray(draws, dtype=np.float64)
    if arr.ndim == 2:
        arr = arr[np.newaxis]
    if arr.ndim != 3:
        raise ValueError(f"draws must have shape (chains, n, d) or (n, d); got {arr.shape}")
    if arr.shape[1] < 2:
        raise ValueError(f"draws must hold at least 2 iterations per chain; got {arr.shape[1]}")
    if arr.shape[2] != chol.shape[0]:
        raise ValueError(
            f"draws and cov disagree on the dimension: draws have d = {arr.shape[2]} "
            f"but cov is {chol.shape[0]} x {chol.shape[0]}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("draws must be finite (no NaN or infinity)")
    jumps = np.diff(arr, axis=1).reshape(-1, arr.shape[2])
    # Sigma^{-1} = L^{-T} L^{-1}: the squared norm of L^{-1} times each jump.
    white = np.linalg.solve(chol, jumps.T)
    return float(np.mean(np.sum(white * white, axis=0)))
