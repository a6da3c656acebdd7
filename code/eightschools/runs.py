r"""The book's Metropolis runs, made once with fixed seeds and shared by chapters 4 to 7.

:func:`post_run` repeats the run of the blog post the book retraces: random-walk
Metropolis (:func:`eightschools.metropolis.rwmetrop`) on the log posterior of
:math:`\lambda = (\mu, \log\tau)` (:class:`eightschools.posterior.LogPosterior`), started at
the posterior mode :math:`\hat\lambda`, with the normal approximation's covariance
:math:`\Sigma` (:func:`eightschools.laplace.laplace_fit`) as proposal covariance,

.. math::

    \lambda^* = \lambda^{(t)} + 2\,L z, \qquad L L^\top = \Sigma,
    \quad z \sim \mathrm{N}(0, I_2),

for 10,000 iterations of which the first 5,000 are discarded as burn-in, with numpy's
generator seeded by the post's seed, 11, so every chapter (and every reader) gets the same
draws. The post's own draws, from R's generator and the post's Nelder-Mead mode, are replayed
exactly by passing :class:`eightschools.rstream.RStream` to the sampler (chapter 4).

:func:`multi_chain_run` runs several chains from over-dispersed starting points drawn from
the normal approximation with its standard deviations multiplied by ``widen``,
:math:`\lambda^{(0)}_c = \hat\lambda + w\,L z_c`, so that convergence can be judged by
comparing chains (chapter 5).

Both are cached for the eight schools: calling them again with the same settings returns
the same object, whose arrays are read-only. Passing another data set runs afresh.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from eightschools.data import SchoolData, eight_schools
from eightschools.laplace import LaplaceFit, laplace_fit
from eightschools.metropolis import MetropolisResult, rwmetrop
from eightschools.posterior import LogPosterior

__all__ = [
    "MULTI_SEED",
    "POST_BURN_IN",
    "POST_N_ITER",
    "POST_SCALE",
    "POST_SEED",
    "MultiChainRun",
    "PostRun",
    "multi_chain_run",
    "post_run",
]

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
        The draws of :math:`(\mu, \log\tau)` after burn-in, one row per iteration.
    laplace : LaplaceFit
        The normal approximation that gave the start (its mode) and the proposal covariance.
    seed : int
        The seed of :func:`numpy.random.default_rng` that made the run.
    burn_in : int
        The number of initial iterations discarded.
    """

    result: MetropolisResult
    kept: NDArray[np.float64]
    laplace: LaplaceFit
    seed: int
    burn_in: int

    @property
    def mu(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\mu`, shape (n_kept,)."""
        return self.kept[:, 0]

    @property
    def log_tau(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\log\tau`, shape (n_kept,)."""
        return self.kept[:, 1]

    @property
    def tau(self) -> NDArray[np.float64]:
        r"""The kept draws of :math:`\tau = e^{\log\tau}`, shape (n_kept,)."""
        return np.exp(self.kept[:, 1])


@dataclass(frozen=True)
class MultiChainRun:
    r"""Several chains from over-dispersed starts, and their draws after burn-in.

    Attributes
    ----------
    result : MetropolisResult
        The whole run: ``result.draws`` has shape ``(chains, n_iter, 2)`` and
        ``result.start`` holds the starting points.
    kept : numpy.ndarray, shape (chains, n_iter - burn_in, 2)
        Each chain's draws of :math:`(\mu, \log\tau)` after burn-in.
    laplace : LaplaceFit
        The normal approximation that gave the starts and the proposal covariance.
    seed : int
        The seed of :func:`numpy.random.default_rng` that drew the starts and then ran
        the sampler.
    burn_in : int
        The number of initial iterations discarded from each chain.
    widen : float
        The factor applied to the normal approximation's standard deviations for the starts.
    """

    result: MetropolisResult
    kept: NDArray[np.float64]
    laplace: LaplaceFit
    seed: int
    burn_in: int
    widen: float


def _check_settings(n_iter: int, burn_in: int, seed: int) -> tuple[int, int, int]:
    try:
        n = operator.index(n_iter)
        b = operator.index(burn_in)
        s = operator.index(seed)
    except TypeError:
        raise ValueError(
            f"n_iter, burn_in and seed must be integers; got {n_iter!r}, {burn_in!r}, {seed!r}"
        ) from None
    if n < 1:
        raise ValueError(f"n_iter must be >= 1; got {n}")
    if not 0 <= b < n:
        raise ValueError(f"burn_in must satisfy 0 <= burn_in < n_iter = {n}; got {b}")
    if s < 0:
        raise ValueError(f"seed must be a non-negative integer; got {s}")
    return n, b, s


def _freeze(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    arr.flags.writeable = False
    return arr


def _post_run(
    data: SchoolData, seed: int, n_iter: int, burn_in: int, scale: float
) -> PostRun:
    n, b, s = _check_settings(n_iter, burn_in, seed)
    logpost = LogPosterior(data.y, data.sigma)
    fit = laplace_fit(data.y, data.sigma)
    result = rwmetrop(logpost, fit.mode, fit.cov, scale, n, np.random.default_rng(s))
    kept = _freeze(np.array(result.draws[0, b:, :]))
    return PostRun(result=result, kept=kept, laplace=fit, seed=s, burn_in=b)


@lru_cache(maxsize=8)
def _post_run_cached(seed: int, n_iter: int, burn_in: int, scale: float) -> PostRun:
    return _post_run(eight_schools(), seed, n_iter, burn_in, scale)


def post_run(
    data: SchoolData | None = None,
    *,
    seed: int = POST_SEED,
    n_iter: int = POST_N_ITER,
    burn_in: int = POST_BURN_IN,
    scale: float = POST_SCALE,
) -> PostRun:
    r"""The post's Metropolis run: one chain from the posterior mode, scale 2, burn-in 5,000.

    Proposals :math:`\lambda^* = \lambda + s L z` with :math:`L L^\top = \Sigma`, the
    covariance of the normal approximation at the mode :math:`\hat\lambda`, which is also
    the start; ``kept`` holds iterations ``burn_in + 1`` to ``n_iter``.

    Parameters
    ----------
    data : SchoolData, optional
        The data set; the eight schools when omitted (then the run is cached).
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; :data:`POST_SEED` = 11, as in the post.
    n_iter : int, optional
        Iterations, 10,000 as in the post.
    burn_in : int, optional
        Initial iterations discarded, 5,000 as in the post; ``0 <= burn_in < n_iter``.
    scale : float, optional
        The proposal scale :math:`s`, 2 as in the post.

    Returns
    -------
    PostRun
        The run, its kept draws of shape ``(n_iter - burn_in, 2)`` and the settings.

    Raises
    ------
    ValueError
        If ``n_iter < 1``, ``burn_in`` is outside ``[0, n_iter)``, the seed is negative or
        not an integer, or the sampler refuses its settings (see
        :func:`eightschools.metropolis.rwmetrop`).

    References
    ----------
    The blog post, section "MCMC Sampling"; Albert (2009), *Bayesian Computation with R*,
    ``rwmetrop``.

    Examples
    --------
    >>> run = post_run()
    >>> run.kept.shape, run.result.draws.shape
    ((5000, 2), (1, 10000, 2))
    >>> print(f"acceptance {run.result.accept_rate[0]:.4f}")
    acceptance 0.3358
    >>> post_run() is run  # cached: every chapter sees the same draws
    True
    """
    if data is None:
        return _post_run_cached(seed, n_iter, burn_in, float(scale))
    return _post_run(data, seed, n_iter, burn_in, float(scale))


def _multi_chain_run(
    data: SchoolData,
    chains: int,
    scale: float,
    n_iter: int,
    burn_in: int,
    widen: float,
    seed: int,
) -> MultiChainRun:
    n, b, s = _check_settings(n_iter, burn_in, seed)
    try:
        c = operator.index(chains)
    except TypeError:
        raise ValueError(f"chains must be an integer >= 2; got {chains!r}") from None
    if c < 2:
        raise ValueError(f"chains must be an integer >= 2; got {c}")
    if not (math.isfinite(widen) and widen > 0):
        raise ValueError(f"widen must be a positive finite number; got {widen}")
    logpost = LogPosterior(data.y, data.sigma)
    fit = laplace_fit(data.y, data.sigma)
    rng = np.random.default_rng(s)
    starts = fit.mode + widen * (fit.sample(c, rng) - fit.mode)
    result = rwmetrop(logpost, starts, fit.cov, scale, n, rng)
    kept = _freeze(np.array(result.draws[:, b:, :]))
    return MultiChainRun(result=result, kept=kept, laplace=fit, seed=s, burn_in=b, widen=widen)


@lru_cache(maxsize=16)
def _multi_chain_run_cached(
    chains: int, scale: float, n_iter: int, burn_in: int, widen: float, seed: int
) -> MultiChainRun:
    return _multi_chain_run(eight_schools(), chains, scale, n_iter, burn_in, widen, seed)


def multi_chain_run(
    data: SchoolData | None = None,
    *,
    chains: int = 4,
    scale: float = POST_SCALE,
    n_iter: int = POST_N_ITER,
    burn_in: int = POST_BURN_IN,
    widen: float = 3.0,
    seed: int = MULTI_SEED,
) -> MultiChainRun:
    r"""Several Metropolis chains from over-dispersed starts, for convergence diagnostics.

    The starts are :math:`\hat\lambda + w (\lambda_c - \hat\lambda)` with
    :math:`\lambda_c \sim \mathrm{N}(\hat\lambda, \Sigma)` drawn by
    :meth:`eightschools.laplace.LaplaceFit.sample`, that is, draws from the normal
    approximation with its standard deviations multiplied by :math:`w` = ``widen``
    (BDA3 section 11.4 asks for starting points more dispersed than the posterior).
    The same generator then runs the sampler, with the post's proposal (covariance
    :math:`\Sigma`, scale ``scale``), all chains at once.

    Parameters
    ----------
    data : SchoolData, optional
        The data set; the eight schools when omitted (then the run is cached).
    chains : int, optional
        The number of chains, at least 2.
    scale : float, optional
        The proposal scale, 2 as in the post.
    n_iter : int, optional
        Iterations per chain.
    burn_in : int, optional
        Initial iterations discarded from each chain for ``kept``.
    widen : float, optional
        The factor :math:`w > 0` on the standard deviations of the starting distribution.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; :data:`MULTI_SEED` by default.

    Returns
    -------
    MultiChainRun
        The run, its kept draws of shape ``(chains, n_iter - burn_in, 2)`` and the settings.

    Raises
    ------
    ValueError
        If ``chains < 2``, ``widen`` is not a positive finite number, or the settings fail
        as in :func:`post_run`.

    Examples
    --------
    >>> run = multi_chain_run()
    >>> run.result.draws.shape, run.kept.shape
    ((4, 10000, 2), (4, 5000, 2))
    >>> print(run.result.accept_rate.round(2))
    [0.33 0.34 0.34 0.34]
    """
    if data is None:
        return _multi_chain_run_cached(
            chains, float(scale), n_iter, burn_in, float(widen), seed
        )
    return _multi_chain_run(data, chains, float(scale), n_iter, burn_in, float(widen), seed)
