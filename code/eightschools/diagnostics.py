r"""Convergence diagnostics for Markov chains: autocorrelation, ESS, R-hat and MCSE.

Every function takes the draws of one scalar quantity as an array of shape
``(chains, draws)``; a one-dimensional array is read as a single chain. The definitions
are those of Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), *Bayesian Analysis*
16(2), 667--718, and the numbers agree with ArviZ 0.23 on the same arrays:

- each chain is **split** into its first and last halves (the middle draw of an odd-length
  chain is left out), so that a trend inside one chain shows up as disagreement between
  two half-chains;
- **rank normalisation** replaces every draw by the normal quantile of its pooled rank,
  :math:`z = \Phi^{-1}\big((r - 3/8)/(S + 1/4)\big)` over all :math:`S` draws (Blom, 1958),
  which makes the bulk ESS and R-hat indifferent to heavy tails and to monotone
  transformations;
- the **effective sample size** is :math:`S / \hat\tau` with the integrated autocorrelation
  time :math:`\hat\tau` cut off by Geyer's (1992) initial monotone sequence;
- **R-hat** compares between-chain with within-chain variance (BDA3 section 11.4).

Chapter 5 of the book explains each step on the eight schools' Metropolis chains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import fft, special, stats

__all__ = [
    "MIN_DRAWS",
    "SUMMARY_PROBS",
    "Summary",
    "autocorrelation",
    "ess",
    "mcse",
    "rhat",
    "summary",
]

#: The fewest draws per chain the split-chain diagnostics accept (two halves of two draws).
MIN_DRAWS: int = 4

#: Quantiles reported by :func:`summary`.
SUMMARY_PROBS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)

# The normal probabilities one standard deviation either side of the centre, used to turn a
# Beta interval for the quantile's rank into a standard error (as ArviZ does).
_ONE_SD_PROBS = np.array([0.1586553, 0.8413447])

_ESS_METHODS = ("mean", "bulk", "tail", "quantile")
_RHAT_METHODS = ("rank", "split")
_MCSE_METHODS = ("mean", "quantile")


# ---------------------------------------------------------------------------------------------
# Validation at the boundary
# ---------------------------------------------------------------------------------------------


def _check_chains(x: ArrayLike, *, name: str = "x", min_chains: int = 1) -> NDArray[np.float64]:
    """Return ``x`` as a float array of shape (chains, draws), or raise ValueError."""
    arr = np.array(x, dtype=np.float64, copy=True)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must have shape (chains, draws), or (draws,) for one chain; "
            f"got shape {arr.shape}"
        )
    chains, draws = arr.shape
    if chains < min_chains:
        raise ValueError(
            f"{name} must hold at least {min_chains} chains; got {chains}"
            + (" (R-hat compares chains with each other)" if min_chains > 1 else "")
        )
    if draws < MIN_DRAWS:
        raise ValueError(
            f"{name} must hold at least {MIN_DRAWS} draws per chain, so that each chain "
            f"splits into two halves of at least 2 draws; got {draws}"
        )
    _check_finite(arr, name)
    return arr


def _check_finite(arr: NDArray[np.float64], name: str) -> None:
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        where = ", ".join(str(int(i)) for i in bad[0])
        raise ValueError(
            f"{name} must be finite (no NaN or infinity); {name}[{where}] = {arr[tuple(bad[0])]}"
        )


def _check_prob(prob: float | None, name: str = "prob") -> float:
    if prob is None:
        raise ValueError(f"{name} must be given for a quantile (a number in (0, 1))")
    p = float(prob)
    if not 0.0 < p < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1; got {prob}")
    return p


def _check_method(method: str, allowed: tuple[str, ...]) -> str:
    if method not in allowed:
        raise ValueError(
            f"method must be one of {', '.join(repr(m) for m in allowed)}; got {method!r}"
        )
    return method


# ---------------------------------------------------------------------------------------------
# Building blocks, vectorised over any leading axes: x has shape (..., chains, draws)
# ---------------------------------------------------------------------------------------------


def _split(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Halve every chain: (..., m, n) -> (..., 2m, n // 2); an odd chain loses its middle draw."""
    half = x.shape[-1] // 2
    return np.concatenate((x[..., :half], x[..., x.shape[-1] - half :]), axis=-2)


def _rank_normal(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Normal scores of the pooled ranks over the last two axes (average ranks for ties)."""
    flat = x.reshape(*x.shape[:-2], -1)
    size = flat.shape[-1]
    ranks = stats.rankdata(flat, method="average", axis=-1)
    return special.ndtri((ranks - 0.375) / (size + 0.25)).reshape(x.shape)


def _fold(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Absolute distance of every draw from the median of all draws (last two axes)."""
    return np.abs(x - np.median(x, axis=(-2, -1), keepdims=True))


def _autocovariance(x: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Biased autocovariance of each chain along the last axis, by FFT.

    :math:`\hat\gamma_t = n^{-1}\sum_{i=1}^{n-t} (x_i - \bar x)(x_{i+t} - \bar x)`, computed from
    the power spectrum of the chain padded with zeros to at least twice its length, so that
    the circular correlation the FFT computes equals the linear one.
    """
    n = x.shape[-1]
    centred = x - x.mean(axis=-1, keepdims=True)
    size = fft.next_fast_len(2 * n, real=True)
    spectrum = fft.rfft(centred, n=size, axis=-1)
    return fft.irfft(spectrum * np.conj(spectrum), n=size, axis=-1)[..., :n] / n


def _ess_core(x: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""ESS of the chains in ``x`` (shape (..., m, n)), with no splitting or ranking.

    With :math:`W` the mean within-chain variance, :math:`\widehat{\mathrm{var}}^+ =
    \frac{n-1}{n}W + B/n` and :math:`\bar\gamma_t` the mean over chains of the
    autocovariance at lag :math:`t`, the autocorrelation is
    :math:`\hat\rho_t = 1 - (W - \bar\gamma_t)/\widehat{\mathrm{var}}^+` (with
    :math:`\hat\rho_0 = 1`). Pair sums :math:`P_k = \hat\rho_{2k} + \hat\rho_{2k+1}` are kept up
    to the first that is not positive (Geyer's initial positive sequence) and made
    non-increasing (his initial monotone sequence), giving
    :math:`\hat\tau = -1 + 2\sum_{k<K} P_k + \hat\rho_{2K}^{+}` and ESS :math:`= mn/\hat\tau`,
    with :math:`\hat\tau` kept at least :math:`1/\log_{10}(mn)`. Draws whose range is at most
    :math:`10^{-15}` times their largest absolute value count as constant, with ESS :math:`mn`.
    """
    m, n = x.shape[-2:]
    total = m * n
    # Constant, relative to the draws' own size: ESS must not change when x is rescaled.
    spread = x.max(axis=(-2, -1)) - x.min(axis=(-2, -1))
    size = np.abs(x).max(axis=(-2, -1))
    constant = spread <= np.finfo(np.float64).resolution * size

    acov = _autocovariance(x)
    within = acov[..., 0].mean(axis=-1) * n / (n - 1.0)
    var_plus = within * (n - 1.0) / n
    if m > 1:
        var_plus = var_plus + x.mean(axis=-1).var(axis=-1, ddof=1)
    # A constant array has var_plus = 0; its ESS is set below, so divide by 1 instead.
    var_plus = np.where(constant, 1.0, var_plus)
    rho = 1.0 - (within[..., np.newaxis] - acov.mean(axis=-2)) / var_plus[..., np.newaxis]
    rho[..., 0] = 1.0

    # Pairs k = 0..last are examined; pair k holds lags 2k and 2k + 1.
    last = max((n - 3) // 2, 0)
    pairs = rho[..., 0 : 2 * last + 1 : 2] + rho[..., 1 : 2 * last + 2 : 2]
    # The first pair k >= 1 that is not positive ends the sum (a sentinel stops at `last`).
    stops = np.concatenate(
        (pairs[..., 1:] <= 0.0, np.ones((*pairs.shape[:-1], 1), dtype=bool)), axis=-1
    )
    first_stop = np.minimum(np.argmax(stops, axis=-1) + 1, last)
    end = np.where(pairs[..., 0] > 0.0, first_stop, 0)[..., np.newaxis]

    monotone = np.minimum.accumulate(pairs, axis=-1)
    partial = np.concatenate(
        (np.zeros((*pairs.shape[:-1], 1)), np.cumsum(monotone, axis=-1)), axis=-1
    )
    kept = np.take_along_axis(partial, end, axis=-1)[..., 0]
    rho_end = np.take_along_axis(rho, 2 * end, axis=-1)[..., 0]
    pair_end = np.take_along_axis(pairs, end, axis=-1)[..., 0]
    # The even lag after the last pair counts if it is positive, or if its pair was kept.
    tail = np.where((pair_end >= 0.0) | (rho_end > 0.0), rho_end, 0.0)
    tail = np.where(end[..., 0] == 0, 1.0, tail)

    tau = np.maximum(-1.0 + 2.0 * kept + tail, 1.0 / np.log10(total))
    return np.where(constant, float(total), total / tau)


def _quantile(x: NDArray[np.float64], prob: float) -> NDArray[np.float64]:
    r"""Quantile of all draws (last two axes) by linear interpolation (Hyndman & Fan type 7).

    With the sorted draws :math:`x_{(1)} \le \dots \le x_{(S)}` and :math:`h = Sp + 1 - p`,
    the quantile is :math:`x_{(\lfloor h\rfloor)} + (h - \lfloor h\rfloor)
    (x_{(\lfloor h\rfloor + 1)} - x_{(\lfloor h\rfloor)})`, written as ArviZ writes it so that
    the indicator ``x <= q`` matches it draw for draw.
    """
    flat = np.sort(x.reshape(*x.shape[:-2], -1), axis=-1)
    size = flat.shape[-1]
    h = size * prob + (1.0 - prob)
    k = int(np.floor(min(max(h, 1.0), size - 1.0)))
    gamma = min(max(h - k, 0.0), 1.0)
    return (1.0 - gamma) * flat[..., k - 1] + gamma * flat[..., k]


def _ess_quantile(x: NDArray[np.float64], prob: float) -> NDArray[np.float64]:
    q = _quantile(x, prob)[..., np.newaxis, np.newaxis]
    return _ess_core(_split((x <= q).astype(np.float64)))


def _ess_tail(x: NDArray[np.float64], prob: float = 0.05) -> NDArray[np.float64]:
    return np.minimum(_ess_quantile(x, prob), _ess_quantile(x, 1.0 - prob))


def _ess_bulk(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return _ess_core(_rank_normal(_split(x)))


def _ess_mean(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return _ess_core(_split(x))


def _rhat_core(x: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Potential scale reduction of the chains in ``x`` (shape (..., m, n)), as given.

    :math:`\hat R = \sqrt{\big((n-1)/n\,W + B/n\big)/W}`, with :math:`W` the mean of the
    chains' variances and :math:`B/n` the variance of their means (both with ``ddof=1``).
    NaN when every draw is the same; infinite when each chain is stuck at its own value.
    """
    n = x.shape[-1]
    between = n * x.mean(axis=-1).var(axis=-1, ddof=1)
    within = x.var(axis=-1, ddof=1).mean(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt((between / within + n - 1.0) / n)


def _rhat_rank(x: NDArray[np.float64]) -> NDArray[np.float64]:
    halves = _split(x)
    bulk = _rhat_core(_rank_normal(halves))
    tail = _rhat_core(_rank_normal(_fold(halves)))
    return np.maximum(bulk, tail)


def _mcse_mean(x: NDArray[np.float64]) -> NDArray[np.float64]:
    flat = x.reshape(*x.shape[:-2], -1)
    return flat.std(axis=-1, ddof=1) / np.sqrt(_ess_mean(x))


def _mcse_quantile(x: NDArray[np.float64], prob: float) -> float:
    ess_q = float(_ess_quantile(x, prob))
    lo, hi = stats.beta.ppf(_ONE_SD_PROBS, ess_q * prob + 1.0, ess_q * (1.0 - prob) + 1.0)
    ordered = np.sort(x.ravel())
    size = ordered.size
    lower = ordered[int(np.floor(max(lo * size - 1.0, 0.0)))]
    upper = ordered[int(np.ceil(min(hi * size - 1.0, size - 1.0)))]
    return float((upper - lower) / 2.0)


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def autocorrelation(x: ArrayLike, max_lag: int | None = None) -> NDArray[np.float64]:
    r"""Autocorrelation of each chain at every lag, computed by FFT.

    For one chain :math:`x_1, \dots, x_n` with mean :math:`\bar x`,

    .. math::

        \hat\rho_t = \frac{\hat\gamma_t}{\hat\gamma_0}, \qquad
        \hat\gamma_t = \frac{1}{n}\sum_{i=1}^{n-t} (x_i - \bar x)(x_{i+t} - \bar x),

    the usual biased estimator (divided by :math:`n`, not :math:`n - t`), which keeps the
    sequence positive semi-definite. The sums for all lags come from one FFT of the chain
    padded with zeros to at least :math:`2n`, in :math:`O(n \log n)` operations.

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
        The draws; each chain needs at least 4 draws and must not be constant.
    max_lag : int, optional
        The largest lag returned; by default every lag up to ``draws - 1``.

    Returns
    -------
    numpy.ndarray, shape (chains, max_lag + 1) or (max_lag + 1,)
        :math:`\hat\rho_0 = 1, \hat\rho_1, \dots`; one-dimensional when ``x`` is.

    Raises
    ------
    ValueError
        If ``x`` has the wrong number of dimensions, fewer than 4 draws, a value that is not
        finite, or a constant chain; or if ``max_lag`` is not in ``[0, draws - 1]``.

    References
    ----------
    Box, Jenkins & Reinsel, *Time Series Analysis*, section 2.1.5; BDA3 section 11.5.

    Examples
    --------
    >>> print(autocorrelation([1.0, 2.0, 3.0, 4.0]).round(3))
    [ 1.    0.25 -0.3  -0.45]
    >>> rng = np.random.default_rng(1)
    >>> chains = rng.standard_normal((2, 1000)).cumsum(axis=1)  # random walks: slow decay
    >>> autocorrelation(chains, max_lag=3).shape
    (2, 4)
    """
    one_chain = np.ndim(x) == 1
    arr = _check_chains(x)
    n = arr.shape[1]
    if max_lag is None:
        max_lag = n - 1
    if not 0 <= int(max_lag) <= n - 1 or int(max_lag) != max_lag:
        raise ValueError(f"max_lag must be an integer in [0, {n - 1}]; got {max_lag}")
    flat = np.flatnonzero(np.ptp(arr, axis=1) == 0.0)
    if flat.size:
        raise ValueError(
            f"x must not hold a constant chain (its autocorrelation is undefined); "
            f"chain {flat[0]} is constant"
        )
    acov = _autocovariance(arr)
    rho = acov[:, : int(max_lag) + 1] / acov[:, :1]
    return rho[0] if one_chain else rho


def ess(x: ArrayLike, method: str = "bulk", *, prob: float | None = None) -> float:
    r"""Effective sample size of the draws of one quantity (Vehtari et al. 2021).

    The ESS of :math:`S = mn` draws (after splitting each of the chains in two) is

    .. math::

        \widehat{S}_{\text{eff}} = \frac{S}{\hat\tau}, \qquad
        \hat\tau = -1 + 2\sum_{k=0}^{K-1} \hat P_k + \hat\rho_{2K}^{+}, \qquad
        \hat P_k = \hat\rho_{2k} + \hat\rho_{2k+1},

    where :math:`\hat\rho_t = 1 - (W - \bar\gamma_t)/\widehat{\mathrm{var}}^+` pools the chains'
    autocovariances :math:`\bar\gamma_t` with the within-chain variance :math:`W` and the
    pooled variance estimate :math:`\widehat{\mathrm{var}}^+` (BDA3 eqs. 11.3, 11.7);
    :math:`K` is the first pair whose sum is not positive, the kept pair sums are made
    non-increasing (Geyer's initial monotone sequence), and the last term adds
    :math:`\hat\rho_{2K}` if it is positive. The methods apply this to:

    - ``"mean"``: the split chains themselves (how well the mean is estimated);
    - ``"bulk"``: the split chains rank-normalised,
      :math:`z = \Phi^{-1}\big((r - 3/8)/(S + 1/4)\big)`;
    - ``"quantile"``: the indicator :math:`I(x \le q_p)` for the ``prob`` quantile;
    - ``"tail"``: the smaller of the quantile ESS at ``prob`` and ``1 - prob``
      (``prob`` defaults to 0.05, the 5% and 95% quantiles).

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
        The draws; at least 4 per chain.
    method : {"bulk", "mean", "tail", "quantile"}, optional
        Which ESS to compute.
    prob : float, optional
        The quantile's probability, in (0, 1): required for ``"quantile"``, optional for
        ``"tail"``.

    Returns
    -------
    float
        The effective sample size; it may exceed the number of draws when successive draws
        are negatively correlated. A constant array counts as ``chains * 2 * (draws // 2)``.

    Raises
    ------
    ValueError
        If ``x`` has the wrong number of dimensions, fewer than 4 draws per chain or a value
        that is not finite, or if ``method`` or ``prob`` is not allowed.

    References
    ----------
    Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), Rank-normalization, folding, and
    localization: an improved R-hat for assessing convergence of MCMC, *Bayesian Analysis*
    16(2), 667--718. Geyer (1992), Practical Markov chain Monte Carlo, *Statistical Science*
    7(4), 473--483.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> iid = rng.standard_normal((4, 1000))
    >>> print(round(ess(iid, "mean"), -2))   # independent draws: ESS near 4000
    3900.0
    >>> from scipy.signal import lfilter    # AR(1), rho = 0.9: ESS near 40000 / 19 = 2105
    >>> ar = lfilter([1.0], [1.0, -0.9], rng.standard_normal((4, 10000)), axis=1)
    >>> print(round(ess(ar, "mean"), -2))
    1900.0
    """
    _check_method(method, _ESS_METHODS)
    arr = _check_chains(x)
    if method == "quantile":
        return float(_ess_quantile(arr, _check_prob(prob)))
    if method == "tail":
        return float(_ess_tail(arr, 0.05 if prob is None else _check_prob(prob)))
    if prob is not None:
        raise ValueError(f"prob applies only to the 'tail' and 'quantile' methods, not {method!r}")
    if method == "mean":
        return float(_ess_mean(arr))
    return float(_ess_bulk(arr))


def rhat(x: ArrayLike, method: str = "rank") -> float:
    r"""Potential scale reduction factor :math:`\hat R` of several chains.

    Each of the :math:`m` chains is split into halves, giving :math:`2m` chains of
    :math:`n` draws, and

    .. math::

        \hat R = \sqrt{\frac{\widehat{\mathrm{var}}^+}{W}}, \qquad
        \widehat{\mathrm{var}}^+ = \frac{n-1}{n} W + \frac{B}{n},

    with :math:`W` the mean within-chain variance and :math:`B/n` the variance of the chain
    means (BDA3 eqs. 11.2--11.4). ``"split"`` applies this to the draws themselves;
    ``"rank"`` (recommended by Vehtari et al. 2021) takes the larger of the values for the
    rank-normalised draws (*bulk*, sensitive to different locations) and for the
    rank-normalised distances from the median (*tail*, sensitive to different scales).
    Values above 1.01 say the chains have not yet mixed.

    Parameters
    ----------
    x : array_like, shape (chains, draws)
        At least 2 chains of at least 4 draws each.
    method : {"rank", "split"}, optional
        Which R-hat to compute.

    Returns
    -------
    float
        :math:`\hat R \ge` about 1. NaN if every draw is the same value; infinite if each
        chain is stuck at a value of its own.

    Raises
    ------
    ValueError
        If ``x`` is not two-dimensional with at least 2 chains and 4 draws, holds a value that
        is not finite, or ``method`` is unknown.

    References
    ----------
    Gelman & Rubin (1992), *Statistical Science* 7(4), 457--472; BDA3 section 11.4;
    Vehtari, Gelman, Simpson, Carpenter & Bürkner (2021), *Bayesian Analysis* 16(2).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> mixed = rng.standard_normal((4, 1000))
    >>> print(f"{rhat(mixed):.2f}")
    1.00
    >>> stuck = mixed + np.array([[0.0], [0.0], [0.0], [2.0]])  # one chain elsewhere
    >>> rhat(stuck) > 1.1
    True
    """
    _check_method(method, _RHAT_METHODS)
    if np.ndim(x) != 2:
        raise ValueError(
            f"x must have shape (chains, draws) with at least 2 chains (R-hat compares "
            f"chains with each other); got shape {np.shape(x)}"
        )
    arr = _check_chains(x, min_chains=2)
    if method == "split":
        return float(_rhat_core(_split(arr)))
    return float(_rhat_rank(arr))


def mcse(x: ArrayLike, method: str = "mean", *, prob: float | None = None) -> float:
    r"""Monte Carlo standard error of the posterior mean or of a posterior quantile.

    - ``"mean"``: :math:`\mathrm{MCSE}(\bar x) = s / \sqrt{\widehat{S}_{\text{eff}}}` with
      :math:`s` the standard deviation of all draws (``ddof=1``) and the ESS of ``"mean"``
      (:func:`ess`).
    - ``"quantile"``: the draw's rank at the quantile is treated as a
      :math:`\mathrm{Beta}(S_q p + 1, S_q(1-p) + 1)` fraction of the :math:`S` draws, with
      :math:`S_q` the quantile ESS; the sorted draws at that Beta law's 15.9% and 84.1%
      points (one standard deviation either side) are half a standard error apart each way,
      so :math:`\mathrm{MCSE}(q_p) = (x_{(\lceil S b_{hi}\rceil)} -
      x_{(\lfloor S b_{lo}\rfloor)})/2` (Vehtari et al. 2021, section 4.3).

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
        The draws; at least 4 per chain.
    method : {"mean", "quantile"}, optional
        Which estimate's standard error.
    prob : float, optional
        The quantile's probability in (0, 1); required for ``"quantile"``.

    Returns
    -------
    float
        The Monte Carlo standard error, in the units of ``x``.

    Raises
    ------
    ValueError
        If ``x`` fails the checks of :func:`ess`, or ``method`` or ``prob`` is not allowed.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> iid = 3.0 * rng.standard_normal((4, 2500))   # sd 3, 10000 draws: MCSE near 0.03
    >>> print(f"{mcse(iid):.2f}")
    0.03
    >>> print(f"{mcse(iid, 'quantile', prob=0.5):.2f}")   # the median: near 0.04
    0.04
    """
    _check_method(method, _MCSE_METHODS)
    arr = _check_chains(x)
    if method == "quantile":
        return _mcse_quantile(arr, _check_prob(prob))
    if prob is not None:
        raise ValueError("prob applies only to the 'quantile' method, not 'mean'")
    return float(_mcse_mean(arr))


# ---------------------------------------------------------------------------------------------
# Summary table
# ---------------------------------------------------------------------------------------------

_COLUMNS = ("mean", "sd", "2.5%", "25%", "50%", "75%", "97.5%", "mcse_mean", "ess_bulk",
            "ess_tail", "r_hat")


@dataclass(frozen=True, repr=False)
class Summary:
    r"""Posterior summary of several parameters, one row each (returned by :func:`summary`).

    Every parameter below is also a read-only attribute.

    Parameters
    ----------
    names : tuple of str
        The parameters, in the order of the last axis of the draws.
    mean, sd : numpy.ndarray, shape (params,)
        Mean and standard deviation (``ddof=1``) of all draws.
    quantiles : numpy.ndarray, shape (params, 5)
        The 2.5%, 25%, 50%, 75% and 97.5% quantiles (linear interpolation).
    mcse_mean : numpy.ndarray, shape (params,)
        Monte Carlo standard error of the mean, :func:`mcse`.
    ess_bulk, ess_tail : numpy.ndarray, shape (params,)
        Bulk and tail effective sample sizes, :func:`ess`.
    r_hat : numpy.ndarray, shape (params,)
        Rank-normalised split :math:`\hat R`, :func:`rhat`; NaN for a single chain.
    chains, draws : int
        The shape the summary was computed from.

    Notes
    -----
    In a notebook the object shows itself as an HTML table; ``str()`` gives the same table
    as fixed-width text, and :meth:`to_text` or :meth:`to_html` choose the decimals.
    """

    names: tuple[str, ...]
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    mcse_mean: NDArray[np.float64]
    ess_bulk: NDArray[np.float64]
    ess_tail: NDArray[np.float64]
    r_hat: NDArray[np.float64]
    chains: int
    draws: int

    def row(self, name: str) -> dict[str, float]:
        """The summary of one parameter as a dict from column name to value.

        Raises
        ------
        ValueError
            If ``name`` is not one of the parameter names.
        """
        if name not in self.names:
            raise ValueError(f"name must be one of {', '.join(self.names)}; got {name!r}")
        i = self.names.index(name)
        values = (self.mean[i], self.sd[i], *self.quantiles[i], self.mcse_mean[i],
                  self.ess_bulk[i], self.ess_tail[i], self.r_hat[i])
        return {c: float(v) for c, v in zip(_COLUMNS, values, strict=True)}

    def _cells(self, digits: int) -> list[list[str]]:
        if int(digits) != digits or not 0 <= digits <= 10:
            raise ValueError(f"digits must be an integer from 0 to 10; got {digits}")
        rows = []
        for name in self.names:
            r = self.row(name)
            cells = [f"{r[c]:.{digits}f}" for c in _COLUMNS[:8]]
            cells += [f"{r['ess_bulk']:.0f}", f"{r['ess_tail']:.0f}"]
            cells.append("n/a" if np.isnan(r["r_hat"]) else f"{r['r_hat']:.3f}")
            rows.append(cells)
        return rows

    def to_text(self, digits: int = 2) -> str:
        """The table as fixed-width text, ``digits`` decimals (ESS whole, R-hat 3 decimals)."""
        cells = self._cells(digits)
        width0 = max(len(n) for n in self.names)
        widths = [max(len(c), *(len(r[j]) for r in cells)) for j, c in enumerate(_COLUMNS)]
        lines = [" " * width0 + "".join(f"  {c:>{w}}" for c, w in zip(_COLUMNS, widths,
                                                                       strict=True))]
        for name, r in zip(self.names, cells, strict=True):
            lines.append(f"{name:<{width0}}" + "".join(f"  {c:>{w}}" for c, w in zip(
                r, widths, strict=True)))
        return "\n".join(lines)

    def to_html(self, digits: int = 2) -> str:
        """The table as an HTML ``<table>``, with the same numbers as :meth:`to_text`.

        Numbers are right-aligned in tabular figures, and the table scrolls sideways
        rather than overflow a narrow page.
        """
        cell = "padding:0.15em 0.3em;white-space:nowrap;"
        # Headings may wrap at the underscore (mcse_mean -> mcse_ / mean); numbers never do.
        head = "".join(
            f'<th style="padding:0.15em 0.3em;text-align:right;vertical-align:bottom">'
            f"{escape(c).replace('_', '_<wbr>')}</th>"
            for c in ("", *_COLUMNS)
        )
        body = "".join(
            f'<tr><th style="{cell}text-align:left">{escape(name)}</th>'
            + "".join(f'<td style="{cell}text-align:right">{c}</td>' for c in r)
            + "</tr>"
            for name, r in zip(self.names, self._cells(digits), strict=True)
        )
        chains = f"{self.chains} chain" + ("s" if self.chains != 1 else "")
        caption = f"{chains} of {self.draws} draws"
        return (
            '<div style="overflow-x:auto">'
            '<table class="eightschools-summary" '
            'style="font-variant-numeric:tabular-nums;font-size:0.9em">'
            f"<caption>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()


def summary(draws: ArrayLike, names: Sequence[str]) -> Summary:
    r"""Summarise the draws of several parameters: moments, quantiles, MCSE, ESS and R-hat.

    For each parameter :math:`p` the draws ``draws[:, :, p]`` give the mean and standard
    deviation of all :math:`S` draws, the 2.5/25/50/75/97.5% quantiles, the Monte Carlo
    standard error of the mean :math:`s/\sqrt{\widehat S_{\text{eff}}}`, the bulk and tail
    ESS and the rank-normalised split :math:`\hat R` (see :func:`ess`, :func:`rhat`,
    :func:`mcse`): the columns of ArviZ's ``summary(kind="all")`` with quantiles in place of
    the HDI. All parameters are processed at once, as arrays.

    Parameters
    ----------
    draws : array_like, shape (chains, draws, params)
        The draws; at least 4 per chain. With a single chain R-hat is reported as NaN.
    names : sequence of str
        One distinct name per parameter.

    Returns
    -------
    Summary
        A frozen table that prints as text and displays as HTML in a notebook.

    Raises
    ------
    ValueError
        If ``draws`` is not three-dimensional, has fewer than 4 draws per chain or a value
        that is not finite, or ``names`` does not give one distinct name per parameter.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.standard_normal((4, 1000, 2)) * [1.0, 10.0] + [0.0, 5.0]
    >>> s = summary(x, ["a", "b"])
    >>> print(s.to_text(digits=1))          # doctest: +NORMALIZE_WHITESPACE
       mean    sd   2.5%   25%  50%   75%  97.5%  mcse_mean  ess_bulk  ess_tail  r_hat
    a   0.0   1.0   -1.9  -0.7  0.0   0.7    2.0        0.0      4062      3916  1.000
    b   4.9  10.0  -14.5  -2.1  4.8  11.7   24.4        0.2      3807      4027  1.000
    """
    arr = np.array(draws, dtype=np.float64, copy=True)
    if arr.ndim != 3:
        raise ValueError(
            f"draws must have shape (chains, draws, params); got shape {arr.shape} "
            "(for one chain use draws[np.newaxis])"
        )
    chains, n, params = arr.shape
    labels = tuple(str(name) for name in names)
    if len(labels) != params:
        raise ValueError(f"names must give one name per parameter; got {len(labels)} names "
                         f"for {params} parameters")
    if len(set(labels)) != len(labels):
        raise ValueError(f"names must be distinct; got {labels}")
    if chains < 1:
        raise ValueError("draws must hold at least 1 chain; got 0")
    if n < MIN_DRAWS:
        raise ValueError(
            f"draws must hold at least {MIN_DRAWS} draws per chain, so that each chain "
            f"splits into two halves of at least 2 draws; got {n}"
        )
    _check_finite(arr, "draws")

    x = np.moveaxis(arr, -1, 0)  # (params, chains, draws): the helpers work on the last two
    flat = x.reshape(params, -1)
    columns = {
        "mean": flat.mean(axis=1),
        "sd": flat.std(axis=1, ddof=1),
        "quantiles": np.ascontiguousarray(np.quantile(flat, SUMMARY_PROBS, axis=1).T),
        "mcse_mean": _mcse_mean(x),
        "ess_bulk": _ess_bulk(x),
        "ess_tail": _ess_tail(x),
        "r_hat": _rhat_rank(x) if chains > 1 else np.full(params, np.nan),
    }
    for column in columns.values():
        column.flags.writeable = False
    return Summary(names=labels, chains=chains, draws=n, **columns)
