r"""Random-walk Metropolis sampling, one chain or many chains at once.

The sampler knows nothing about the model: it takes a log density :math:`\log p(\lambda)`
(known up to an additive constant) on :math:`\mathbb{R}^d` and a multivariate normal random
walk. From the current point :math:`\lambda^{(t)}` it proposes

.. math::

    \lambda^* = \lambda^{(t)} + s\,L z, \qquad z \sim \mathrm{N}(0, I_d),
    \quad L L^\top = \Sigma,

where :math:`\Sigma` is the proposal covariance (in the book, the covariance of the normal
approximation at the posterior mode) and :math:`s` the scale. The proposal is symmetric,
so the Metropolis rule accepts it with probability
:math:`\min\{1, p(\lambda^*) / p(\lambda^{(t)})\}`: draw :math:`u \sim \mathrm{U}(0, 1)` and set
:math:`\lambda^{(t+1)} = \lambda^*` when
:math:`\log u < \log p(\lambda^*) - \log p(\lambda^{(t)})`, otherwise
:math:`\lambda^{(t+1)} = \lambda^{(t)}` (Metropolis et al. 1953; BDA3 section 11.2). This
is the algorithm of ``rwmetrop`` in the R package LearnBayes (Albert 2009), which the blog
post the book retraces runs with :math:`s = 2`.

Many chains advance together: one numpy step moves every chain, and the log density is
called once per step on an array of shape ``(chains, d)``.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from operator import add

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MetropolisResult", "mean_squared_jump", "rwmetrop"]

#: Relative tolerance on ``cov - cov.T`` below which a covariance counts as symmetric.
_SYMMETRY_RTOL = 1e-10


@dataclass(frozen=True)
class MetropolisResult:
    r"""The output of :func:`rwmetrop`: the chains and the settings that made them.

    Attributes
    ----------
    draws : numpy.ndarray, shape (chains, n_iter, d)
        ``draws[c, t]`` is chain ``c`` after step ``t + 1``; the start is not included
        (as in LearnBayes ``rwmetrop``). A single chain still has a leading axis of length 1.
        With many chains this is a transposed view of the sampler's time-major buffer;
        :func:`numpy.ascontiguousarray` gives a compact copy if one is needed.
    log_density : numpy.ndarray, shape (chains, n_iter)
        The log density at each draw, as the sampler computed it.
    accept_rate : numpy.ndarray, shape (chains,)
        The fraction of the ``n_iter`` proposals that each chain accepted.
    start : numpy.ndarray, shape (chains, d)
        The starting points.
    cov : numpy.ndarray, shape (d, d)
        The proposal covariance :math:`\Sigma`.
    scale : float
        The proposal scale :math:`s`.
    n_iter : int
        The number of proposals per chain.

    All arrays are read-only.
    """

    draws: NDArray[np.float64]
    log_density: NDArray[np.float64]
    accept_rate: NDArray[np.float64]
    start: NDArray[np.float64]
    cov: NDArray[np.float64]
    scale: float
    n_iter: int

    @property
    def n_chains(self) -> int:
        """The number of chains."""
        return int(self.draws.shape[0])

    @property
    def dim(self) -> int:
        """The dimension :math:`d` of the sampled space."""
        return int(self.draws.shape[2])


def _check_cov(cov: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the validated covariance (symmetrised) and its lower Cholesky factor."""
    arr = np.array(cov, dtype=np.float64, copy=True)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise ValueError(f"cov must be a square (d, d) matrix; it has shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("cov must be finite (no NaN or infinity)")
    asym = float(np.max(np.abs(arr - arr.T)))
    if asym > _SYMMETRY_RTOL * float(np.max(np.abs(arr))):
        raise ValueError(f"cov must be symmetric; max |cov - cov.T| = {asym:.3g}")
    arr = (arr + arr.T) / 2.0
    try:
        chol = np.linalg.cholesky(arr)
    except np.linalg.LinAlgError:
        raise ValueError(
            "cov must be positive definite; its Cholesky factorisation failed "
            f"(smallest eigenvalue {float(np.linalg.eigvalsh(arr)[0]):.3g})"
        ) from None
    return arr, chol


def _check_scale(scale: float) -> float:
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a positive finite number; got {scale!r}") from None
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(f"scale must be a positive finite number; got {value}")
    return value


def _check_n_iter(n_iter: int) -> int:
    try:
        value = operator.index(n_iter)
    except TypeError:
        raise ValueError(f"n_iter must be an integer >= 1; got {n_iter!r}") from None
    if value < 1:
        raise ValueError(f"n_iter must be an integer >= 1; got {value}")
    return value


def _check_start(start: ArrayLike, d: int) -> NDArray[np.float64]:
    arr = np.array(start, dtype=np.float64, copy=True)
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"start must have shape (d,) for one chain or (chains, d); it has shape {arr.shape}"
        )
    arr = np.atleast_2d(arr)
    if arr.shape[0] == 0:
        raise ValueError("start must hold at least one chain; it has shape (0, d)")
    if arr.shape[1] != d:
        raise ValueError(
            f"start and cov disagree on the dimension: start has d = {arr.shape[1]} "
            f"but cov is {d} x {d}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("start must be finite (no NaN or infinity)")
    return arr


def _start_log_density(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike], start: NDArray[np.float64]
) -> NDArray[np.float64]:
    chains = start.shape[0]
    lp = np.asarray(logpdf(start.copy()), dtype=np.float64)
    if lp.shape != (chains,):
        raise ValueError(
            f"logpdf must return shape (chains,) = ({chains},) for points of shape "
            f"{start.shape}; it returned shape {lp.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(lp))
    if bad.size:
        c = int(bad[0])
        raise ValueError(
            f"the log density at start must be finite; logpdf(start[{c}]) = {lp[c]} "
            f"at {start[c].tolist()}"
        )
    return lp


def _proposal_steps(
    z: NDArray[np.float64], chol: NDArray[np.float64], scale: float
) -> NDArray[np.float64]:
    """Turn standard normals ``z`` (n_iter, chains, d) into steps ``scale * L z``, in place."""
    lt = scale * chol.T
    block = max(1, 2**20 // max(1, z.shape[1] * z.shape[2]))
    for a in range(0, z.shape[0], block):
        z[a : a + block] = z[a : a + block] @ lt
    return z


def _run_vectorised(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike],
    start: NDArray[np.float64],
    lp_start: NDArray[np.float64],
    steps: NDArray[np.float64],
    log_u: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Advance every chain together; overwrites ``steps`` and ``log_u`` with the output.

    ``steps[t]`` and ``log_u[t]`` are read only at step ``t``, so the chain's state after
    step ``t`` is written over ``steps[t]`` and its log density over ``log_u[t]``: the
    time-major buffers become the output with no new memory, and each step writes one
    contiguous block (writing a column of a (chains, n_iter) array would cost more than
    the rest of the step).
    """
    n_iter, chains, d = steps.shape
    accepted = np.empty((n_iter, chains), dtype=bool)
    finite = np.empty(chains, dtype=bool)
    acc_f = np.empty(chains)
    diff = np.empty(chains)
    current = start
    lp_current = lp_start
    inf = np.inf
    for t in range(n_iter):
        step = steps[t]
        lp_proposal = logpdf(current + step)
        np.subtract(lp_proposal, lp_current, out=diff)
        # NaN and -inf differences compare False: such proposals are rejected; a +inf
        # log density (a bug in logpdf) is rejected too by the second comparison.
        acc = accepted[t]
        np.less(log_u[t], diff, out=acc)
        np.less(diff, inf, out=finite)
        acc &= finite
        # current + step * 1.0 is bitwise the proposal and current + step * 0.0 is current:
        # column by column this is cheaper than choosing rows with numpy.where.
        np.copyto(acc_f, acc)
        for k in range(d):
            col = step[:, k]
            np.multiply(col, acc_f, out=col)
        current = np.add(current, step, out=step)
        row = log_u[t]
        np.copyto(row, lp_current)
        np.copyto(row, lp_proposal, where=acc)
        lp_current = row
    return steps.transpose(1, 0, 2), log_u.T, accepted.sum(axis=0)


def _run_scalar(
    scalar: Callable[[list[float]], float],
    start: NDArray[np.float64],
    steps: NDArray[np.float64],
    log_u: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    n_iter, _, d = steps.shape
    step_list = steps[:, 0, :].tolist()
    log_u_list = log_u[:, 0].tolist()
    current = start[0].tolist()
    lp_current = float(scalar(current))
    if not math.isfinite(lp_current):
        raise ValueError(
            "the log density at start must be finite; "
            f"logpdf.scalar(start) = {lp_current} at {current}"
        )
    out = [current] * n_iter
    out_lp = [lp_current] * n_iter
    n_accept = 0
    inf = math.inf
    for t in range(n_iter):
        proposal = list(map(add, current, step_list[t]))
        lp_proposal = scalar(proposal)
        # As in the vectorised path: NaN, -inf, +inf are never accepted.
        if log_u_list[t] < lp_proposal - lp_current < inf:
            current = proposal
            lp_current = lp_proposal
            n_accept += 1
        out[t] = current
        out_lp[t] = lp_current
    draws = np.array(out, dtype=np.float64).reshape(1, n_iter, d)
    log_dens = np.array(out_lp, dtype=np.float64).reshape(1, n_iter)
    return draws, log_dens, np.array([n_accept], dtype=np.int64)


def rwmetrop(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike],
    start: ArrayLike,
    cov: ArrayLike,
    scale: float,
    n_iter: int,
    rng: np.random.Generator,
) -> MetropolisResult:
    r"""Run random-walk Metropolis with a multivariate normal proposal.

    Each step proposes :math:`\lambda^* = \lambda + s L z` with :math:`L L^\top = \Sigma`
    (``cov``), :math:`s` = ``scale`` and :math:`z \sim \mathrm{N}(0, I_d)`, and accepts it
    when :math:`\log u < \log p(\lambda^*) - \log p(\lambda)` with
    :math:`u \sim \mathrm{U}(0, 1)`. A proposal whose log density is NaN or infinite is
    rejected, never accepted.

    All :math:`z` (shape ``(n_iter, chains, d)``) and then all :math:`u` (shape
    ``(n_iter, chains)``) are drawn from ``rng`` before the first step, so the result
    depends only on the seed, and the one-chain fast path below gives the same draws
    as the vectorised path.

    Parameters
    ----------
    logpdf : callable
        The log target density up to a constant. Called on an array of shape
        ``(chains, d)`` it returns an array of shape ``(chains,)``. If it has an
        attribute ``scalar``, a callable taking one point as a length-``d`` list of floats
        and returning a float, a single chain runs in a plain Python loop over that
        function, which is faster than numpy for one small point at a time.
    start : array_like, shape (d,) or (chains, d)
        The starting point of one chain, or one starting point per chain.
    cov : array_like, shape (d, d)
        The proposal covariance :math:`\Sigma`, symmetric positive definite.
    scale : float
        The proposal scale :math:`s > 0`.
    n_iter : int
        The number of proposals per chain, at least 1.
    rng : numpy.random.Generator
        The source of all randomness.

    Returns
    -------
    MetropolisResult
        ``draws`` of shape ``(chains, n_iter, d)`` (``chains = 1`` for a 1-D ``start``),
        the log density at each draw, ``accept_rate`` of shape ``(chains,)``, and the
        settings.

    Raises
    ------
    ValueError
        If ``cov`` is not a finite symmetric positive definite square matrix, ``scale`` is
        not a positive finite number, ``n_iter < 1``, ``start`` has the wrong shape or a
        dimension that disagrees with ``cov``, ``logpdf`` returns the wrong shape, or the
        log density at a start is not finite.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.

    References
    ----------
    Metropolis, Rosenbluth, Rosenbluth, Teller & Teller (1953), J. Chem. Phys. 21, 1087.
    Gelman et al. (2013), *Bayesian Data Analysis*, 3rd ed., section 11.2.
    Albert (2009), *Bayesian Computation with R*, 2nd ed., section 6.7 (``rwmetrop``).

    Examples
    --------
    A standard bivariate normal target, four chains at once:

    >>> import numpy as np
    >>> def logpdf(x):
    ...     return -0.5 * np.sum(x**2, axis=-1)
    >>> rng = np.random.default_rng(1)
    >>> fit = rwmetrop(logpdf, np.zeros((4, 2)), np.eye(2), 2.4, 2000, rng)
    >>> fit.draws.shape, fit.accept_rate.shape
    ((4, 2000, 2), (4,))
    >>> print(f"{fit.accept_rate.mean():.2f}")
    0.22
    >>> pooled = fit.draws.reshape(-1, 2)
    >>> print(np.round(pooled.mean(axis=0), 1) + 0.0, np.round(pooled.std(axis=0), 1))
    [0. 0.] [1. 1.]

    The same seed gives the same draws:

    >>> again = rwmetrop(logpdf, np.zeros((4, 2)), np.eye(2), 2.4, 2000,
    ...                  np.random.default_rng(1))
    >>> bool(np.array_equal(fit.draws, again.draws))
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator (numpy.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    cov_arr, chol = _check_cov(cov)
    d = cov_arr.shape[0]
    scale_f = _check_scale(scale)
    n = _check_n_iter(n_iter)
    start_arr = _check_start(start, d)
    lp_start = _start_log_density(logpdf, start_arr)
    chains = start_arr.shape[0]

    z = rng.standard_normal((n, chains, d))
    u = rng.random((n, chains))
    steps = _proposal_steps(z, chol, scale_f)
    if not np.all(np.isfinite(steps)):
        raise ValueError(
            f"scale * sqrt(cov) is too large: proposal steps overflow (scale = {scale_f:g})"
        )
    with np.errstate(divide="ignore"):
        # In place, to spare memory; u = 0 gives log u = -inf, and then every proposal
        # with a finite log density is accepted, as the rule says.
        log_u = np.log(u, out=u)

    scalar = getattr(logpdf, "scalar", None)
    if chains == 1 and callable(scalar):
        draws, log_dens, n_accept = _run_scalar(scalar, start_arr, steps, log_u)
    else:
        draws, log_dens, n_accept = _run_vectorised(logpdf, start_arr, lp_start, steps, log_u)

    accept_rate = n_accept / float(n)
    for arr in (draws, log_dens, accept_rate, start_arr, cov_arr):
        arr.flags.writeable = False
    return MetropolisResult(
        draws=draws,
        log_density=log_dens,
        accept_rate=accept_rate,
        start=start_arr,
        cov=cov_arr,
        scale=scale_f,
        n_iter=n,
    )


def mean_squared_jump(draws: ArrayLike, cov: ArrayLike) -> float:
    r"""The mean squared jump distance of chains, measured in the metric of ``cov``.

    .. math::

        \mathrm{MSJD} = \frac{1}{C (n - 1)} \sum_{c=1}^{C} \sum_{t=2}^{n}
        (\lambda_c^{(t)} - \lambda_c^{(t-1)})^\top \Sigma^{-1}
        (\lambda_c^{(t)} - \lambda_c^{(t-1)})

    A rejected proposal contributes a jump of zero, so the MSJD rewards proposals that are
    both large and accepted; maximising it over the proposal scale is a simple tuning rule
    (Pasarica & Gelman 2010, Statistica Sinica 20, 343-364). Independent draws from
    :math:`\mathrm{N}(m, \Sigma)` in :math:`d` dimensions have MSJD :math:`2d`.

    Parameters
    ----------
    draws : array_like, shape (chains, n, d) or (n, d)
        The chains, ``n >= 2`` iterations each.
    cov : array_like, shape (d, d)
        The symmetric positive definite matrix :math:`\Sigma` that sets the metric (in the
        book, the posterior covariance of the normal approximation).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``draws`` has the wrong number of dimensions, fewer than 2 iterations, non-finite
        values, or a dimension that disagrees with ``cov``, or if ``cov`` is not symmetric
        positive definite.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 20_000, 2))
    >>> print(f"{mean_squared_jump(x, np.eye(2)):.1f}")  # independent draws: 2 d = 4
    4.0
    >>> mean_squared_jump(np.zeros((1, 5, 2)), np.eye(2))  # a chain that never moves
    0.0
    """
    _, chol = _check_cov(cov)
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
