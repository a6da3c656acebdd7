r"""The book's Metropolis runs, made once with fixed seeds and shared by the chapters.

Both run :func:`eightschools.metropolis.rwmetrop` on the log posterior of
:math:`(\mu, \log\tau)` with the post's proposal (the covariance of the normal approximation
at the mode, :func:`eightschools.laplace.laplace_fit`, scale 2), for 10,000 iterations of which
the first 5,000 are burn-in. For the eight schools both are cached: the same settings give the
same object, whose arrays are read-only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eightschools.data import SchoolData, eight_schools
from eightschools.laplace import LaplaceFit, laplace_fit
from eightschools.metropolis import MetropolisResult, rwmetrop
from eightschools.posterior import LogPosterior

__all__ = ["MULTI_SEED", "POST_BURN_IN", "POST_N_ITER", "POST_SCALE", "POST_SEED",
           "MultiChainRun", "PostRun", "multi_chain_run", "post_run"]

#: The seed of the post's run (the post called ``set.seed(11)`` in R).
POST_SEED: int = 11
#: The post's number of iterations.
POST_N_ITER: int = 10_000
#: The post's burn-in: the first 5,000 iterations are discarded.
POST_BURN_IN: int = 5_000
#: The post's proposal scale.
POST_SCALE: float = 2.0
#: The seed of the multi-chain run (starting points, then the sampler).
MULTI_SEED: int = 2024


@dataclass(frozen=True)
class PostRun:
    r"""One chain with the post's settings, and its draws after burn-in.

    Attributes
    ----------
    result : MetropolisResult
        The whole run: ``result.draws`` has shape ``(1, n_iter, 2)``.
    kept : numpy.ndarray, shape (n_iter - burn_in, 2)
        The draws of :math:`(\mu, \log\tau)` after burn-in (read-only).
    laplace : LaplaceFit
        The normal approximation that gave the start (its mode) and the proposal covariance.
    seed, burn_in : int
    """

    result: MetropolisResult
    kept: NDArray[np.float64]
    laplace: LaplaceFit
    seed: int
    burn_in: int

    @property
    def mu(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\mu`."""
        return self.kept[..., 0]

    @property
    def log_tau(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\log\tau`."""
        return self.kept[..., 1]

    @property
    def tau(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\tau = e^{\log\tau}`."""
        return np.exp(self.kept[..., 1])


@dataclass(frozen=True)
class MultiChainRun(PostRun):
    """Several chains from over-dispersed starts: as :class:`PostRun`, with a chain axis first.

    ``kept`` has shape ``(chains, n_iter - burn_in, 2)``; ``widen`` is the factor on the
    normal approximation's standard deviations that gave the starts.
    """

    widen: float


def _rng(seed: int) -> np.random.Generator:
    if not (isinstance(seed, Integral) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer; got {seed}")
    return np.random.default_rng(seed)


def _after_burn_in(result: MetropolisResult, burn_in: int) -> NDArray[np.float64]:
    """The draws after burn-in, a read-only view of ``result.draws``."""
    n_iter = result.n_iter
    if not (isinstance(burn_in, Integral) and 0 <= burn_in < n_iter):
        raise ValueError(f"burn_in must satisfy 0 <= burn_in < n_iter = {n_iter}; got {burn_in}")
    return result.draws[:, burn_in:, :]


@lru_cache(maxsize=16)
def _cached(run: Callable[..., Any], *settings: object) -> Any:
    """``run`` on the eight schools, made once per settings."""
    return run(eight_schools(), *settings)


def _post_run(data: SchoolData, seed: int, n_iter: int, burn_in: int, scale: float) -> PostRun:
    rng = _rng(seed)
    fit = laplace_fit(data.y, data.sigma)
    result = rwmetrop(LogPosterior(data.y, data.sigma), fit.mode, fit.cov, scale, n_iter, rng)
    kept = _after_burn_in(result, burn_in)[0]
    return PostRun(result, kept, fit, seed, burn_in)


def post_run(data: SchoolData | None = None, *, seed: int = POST_SEED, n_iter: int = POST_N_ITER,
             burn_in: int = POST_BURN_IN, scale: float = POST_SCALE) -> PostRun:
    r"""The post's Metropolis run: one chain from the posterior mode, scale 2, burn-in 5,000.

    Proposals :math:`\lambda^* = \lambda + s L z`, :math:`L L^\top = \Sigma`, from the mode.

    Parameters
    ----------
    data : SchoolData, optional
        The data set; the eight schools when omitted (then the run is cached).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`, :data:`POST_SEED` as in the post.
    n_iter, burn_in : int, optional
        Iterations, and initial iterations discarded (``0 <= burn_in < n_iter``).
    scale : float, optional
        The proposal scale :math:`s`.

    Returns
    -------
    PostRun

    Examples
    --------
    >>> run = post_run()
    >>> print(run.kept.shape, f"acceptance {run.result.accept_rate[0]:.4f}", post_run() is run)
    (5000, 2) acceptance 0.3358 True
    """
    if data is None:
        return _cached(_post_run, seed, n_iter, burn_in, scale)
    return _post_run(data, seed, n_iter, burn_in, scale)


def _multi_chain_run(data: SchoolData, chains: int, scale: float, n_iter: int, burn_in: int,
                     widen: float, seed: int) -> MultiChainRun:
    if not (isinstance(chains, Integral) and chains >= 2):
        raise ValueError(f"chains must be an integer >= 2; got {chains}")
    if not (math.isfinite(widen) and widen > 0):
        raise ValueError(f"widen must be a positive finite number; got {widen}")
    rng = _rng(seed)
    fit = laplace_fit(data.y, data.sigma)
    starts = fit.mode + widen * (fit.sample(chains, rng) - fit.mode)
    result = rwmetrop(LogPosterior(data.y, data.sigma), starts, fit.cov, scale, n_iter, rng)
    kept = _after_burn_in(result, burn_in)
    return MultiChainRun(result, kept, fit, seed, burn_in, widen)


def multi_chain_run(data: SchoolData | None = None, *, chains: int = 4,
                    scale: float = POST_SCALE, n_iter: int = POST_N_ITER,
                    burn_in: int = POST_BURN_IN, widen: float = 3.0,
                    seed: int = MULTI_SEED) -> MultiChainRun:
    r"""Several Metropolis chains from over-dispersed starts, for convergence diagnostics.

    The starts are :math:`\hat\lambda + w (\lambda_c - \hat\lambda)`, with :math:`\lambda_c`
    drawn by :meth:`eightschools.laplace.LaplaceFit.sample` (BDA3 section 11.4 asks for starts
    more dispersed than the posterior); the same generator then runs the post's sampler.

    Parameters
    ----------
    data : SchoolData, optional
        The data set; the eight schools when omitted (then the run is cached).
    chains : int, optional
        The number of chains, at least 2.
    scale, n_iter, burn_in : optional
        As in :func:`post_run`.
    widen : float, optional
        The factor :math:`w > 0`.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    MultiChainRun

    Examples
    --------
    >>> run = multi_chain_run()
    >>> print(run.kept.shape, run.result.accept_rate.round(2))
    (4, 5000, 2) [0.33 0.34 0.34 0.34]
    """
    if data is None:
        return _cached(_multi_chain_run, chains, scale, n_iter, burn_in, widen, seed)
    return _multi_chain_run(data, chains, scale, n_iter, burn_in, widen, seed)
