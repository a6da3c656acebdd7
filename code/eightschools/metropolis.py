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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from operator import add

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MetropolisResult", "block_length", "mean_squared_jump", "rwmetrop"]

#: Relative tolerance on ``cov - cov.T`` below which a covariance counts as symmetric.
_SYMMETRY_RTOL = 1e-10
#: Random numbers are drawn in blocks of about this many numbers (see block_length) ...
_BLOCK_NUMBERS = 2**18
#: ... and of at most this many iterations.
_MAX_BLOCK = 1024
#: Rows of standard normals turned into proposal steps by one matrix product.
_MATMUL_ROWS = 2**15


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


def block_length(chains: int, d: int) -> int:
    r"""The number of iterations whose random numbers :func:`rwmetrop` draws together.

    The sampler draws its random numbers in blocks of :math:`B` iterations: first the
    normals :math:`z` of shape ``(B, chains, d)``, then the uniforms :math:`u` of shape
    ``(B, chains)``, then the next block. :math:`B` depends only on the number of chains and
    the dimension, never on ``n_iter``,

    .. math::

        B = \max\bigl(1, \min\bigl(1024,\ \lfloor 2^{18} / (\mathrm{chains}\,(d+1))
        \rfloor\bigr)\bigr),

    so a block holds at most about :math:`2^{18}` numbers (2 MiB), and a run of ``n_iter``
    iterations is the start of any longer run with the same seed: the last block is always
    drawn whole.

    Parameters
    ----------
    chains, d : int
        The number of chains and the dimension, both at least 1.

    Returns
    -------
    int

    Examples
    --------
    >>> block_length(1, 2), block_length(4, 2), block_length(1000, 2)
    (1024, 1024, 87)
    """
    return max(1, min(_MAX_BLOCK, _BLOCK_NUMBERS // (chains * (d + 1))))


class _Blocks:
    r"""Draws the random numbers of a run block by block, in the order of :func:`block_length`.

    ``fill(k)`` draws block ``k`` (blocks must be drawn in order 0, 1, 2, ...) into one of two
    buffers and returns the proposal steps :math:`s L z`, shape ``(B, chains, d)``, and
    :math:`\log u`, shape ``(B, chains)``. The buffer of block ``k`` is reused for block
    ``k + 2``, so a caller may work on one block while the next is being drawn.
    """

    def __init__(
        self, rng: np.random.Generator, chains: int, chol: NDArray[np.float64], scale: float
    ) -> None:
        d = chol.shape[0]
        self.rng = rng
        self.length = block_length(chains, d)
        self.lt = scale * chol.T
        self.scale = scale
        self.buffers = [
            (np.empty((self.length, chains, d)), np.empty((self.length, chains))) for _ in range(2)
        ]
        self.next = 0

    def fill(self, k: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        if k != self.next:
            raise RuntimeError(f"blocks must be drawn in order: asked for {k}, next is {self.next}")
        self.next += 1
        steps, log_u = self.buffers[k % 2]
        self.rng.standard_normal(out=steps)
        self.rng.random(out=log_u)
        rows = steps.reshape(-1, steps.shape[-1])
        # Row by row, z^T (s L^T) is the step (s L z)^T. The product is taken a slice of
        # rows at a time: small enough that BLAS does not start threads of its own (which
        # would compete with the chains for the two cores), large enough to be cheap.
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            for a in range(0, rows.shape[0], _MATMUL_ROWS):
                part = rows[a : a + _MATMUL_ROWS]
                part[...] = part @ self.lt
        if not np.isfinite(steps).all():
            raise ValueError(
                f"scale * sqrt(cov) is too large: proposal steps overflow (scale = {self.scale:g})"
            )
        with np.errstate(divide="ignore"):
            # u = 0 gives log u = -inf, and then every proposal with a finite log density is
            # accepted, as the rule says.
            np.log(log_u, out=log_u)
        return steps, log_u


def _run_vectorised(
    logpdf: Callable[[NDArray[np.float64]], ArrayLike],
    start: NDArray[np.float64],
    lp_start: NDArray[np.float64],
    n_iter: int,
    blocks: _Blocks,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Advance every chain together, one numpy step per iteration.

    While the chains work through block ``k`` of random numbers, a helper thread draws block
    ``k + 1`` and touches the output rows it will fill (numpy's generators and array
    operations release the GIL, so the two overlap on two cores). The helper draws the
    blocks in order, so the draws depend only on the seed. The output is written
    time-major, one contiguous row of chains per step, and returned as transposed views.
    """
    chains, d = start.shape
    draws = np.empty((n_iter, chains, d))
    log_dens = np.empty((n_iter, chains))
    accepted = np.empty((n_iter, chains), dtype=bool)
    finite = np.empty(chains, dtype=bool)
    acc_f = np.empty(chains)
    diff = np.empty(chains)
    current = start
    lp_current = lp_start
    inf = np.inf
    n_blocks = -(-n_iter // blocks.length)

    def prepare(k: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        # Besides drawing block k, touch the output rows it will fill: the first write to
        # fresh memory costs a page fault, and this way the helper pays for it.
        rows = slice(k * blocks.length, (k + 1) * blocks.length)
        for out in (draws[rows], log_dens[rows], accepted[rows]):
            out.fill(0)
        return blocks.fill(k)

    with ThreadPoolExecutor(max_workers=1) as helper:
        pending = helper.submit(prepare, 0)
        for k in range(n_blocks):
            steps, log_u = pending.result()
            if k + 1 < n_blocks:
                pending = helper.submit(prepare, k + 1)
            t0 = k * blocks.length
            for i in range(min(blocks.length, n_iter - t0)):
                t = t0 + i
                step = steps[i]
                lp_proposal = logpdf(current + step)
                np.subtract(lp_proposal, lp_current, out=diff)
                # NaN and -inf differences compare False: such proposals are rejected; a
                # +inf log density (a bug in logpdf) is rejected too by the second test.
                acc = accepted[t]
                np.less(log_u[i], diff, out=acc)
                np.less(diff, inf, out=finite)
                acc &= finite
                # current + step * 1.0 is bitwise the proposal and current + step * 0.0 is
                # current: column by column this is cheaper than choosing rows.
                np.copyto(acc_f, acc)
                for j in range(d):
                    col = step[:, j]
                    np.multiply(col, acc_f, out=col)
                current = np.add(current, step, out=draws[t])
                row = log_dens[t]
                np.copyto(row, lp_current)
                np.copyto(row, lp_proposal, where=acc)
                lp_current = row
    return draws.transpose(1, 0, 2), log_dens.T, accepted.sum(axis=0)


def _scalar_inputs(n_iter: int, blocks: _Blocks) -> tuple[list[list[float]], list[float]]:
    """All steps and log u of a one-chain run, as Python lists, drawn block by block."""
    step_list: list[list[float]] = []
    log_u_list: list[float] = []
    for k in range(-(-n_iter // blocks.length)):
        steps, log_u = blocks.fill(k)
        step_list += steps[:, 0, :].tolist()
        log_u_list += log_u[:, 0].tolist()
    return step_list[:n_iter], log_u_list[:n_iter]


def _run_scalar(
    scalar: Callable[[list[float]], float],
    start: list[float],
    step_list: list[list[float]],
    log_u_list: list[float],
) -> tuple[list[list[float]], list[float], int]:
    current = start
    lp_current = float(scalar(current))
    if not math.isfinite(lp_current):
        raise ValueError(
            "the log density at start must be finite; "
            f"logpdf.scalar(start) = {lp_current} at {current}"
        )
    n_iter = len(step_list)
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
    return out, out_lp, n_accept


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

    The random numbers come from ``rng`` in blocks of :func:`block_length` iterations: the
    block's :math:`z`, shape ``(B, chains, d)``, then its :math:`u`, shape ``(B, chains)``.
    So the result depends only on the seed; a run is the start of any longer run with the
    same seed; and the one-chain fast path below gives the same draws as the vectorised
    path. With many chains a helper thread draws the next block while the chains work
    through the current one.

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
        dimension that disagrees with ``cov``, ``logpdf`` returns the wrong shape, the
        log density at a start is not finite, or ``rng`` is not a
        :class:`numpy.random.Generator`.

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
    >>> print(f"{fit.accept_rate.mean():.2f}")  # closed form 1 - 2.4 / sqrt(2.4**2 + 4)
    0.23
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
        raise ValueError(
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

    blocks = _Blocks(rng, chains, chol, scale_f)

    scalar = getattr(logpdf, "scalar", None)
    if chains == 1 and callable(scalar):
        step_list, log_u_list = _scalar_inputs(n, blocks)
        out, out_lp, accepts = _run_scalar(scalar, start_arr[0].tolist(), step_list, log_u_list)
        draws = np.array(out, dtype=np.float64).reshape(1, n, d)
        log_dens = np.array(out_lp, dtype=np.float64).reshape(1, n)
        n_accept = np.array([accepts], dtype=np.int64)
    else:
        draws, log_dens, n_accept = _run_vectorised(logpdf, start_arr, lp_start, n, blocks)

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
