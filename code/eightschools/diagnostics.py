r"""Convergence diagnostics for Markov chains: autocorrelation, ESS, R-hat and MCSE.

Every public function takes the draws of one quantity, shape ``(chains, draws)`` or ``(draws,)``,
at least :data:`MIN_DRAWS` per chain and all finite, and follows Vehtari, Gelman, Simpson,
Carpenter & Bürkner (2021), *Bayesian Analysis* 16(2), 667--718, as Stan and ArviZ do (on the
same arrays it gives ArviZ's numbers). Chapter 5 of the book shows and explains the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from eightschools.tables import Table

__all__ = ["MIN_DRAWS", "SUMMARY_PROBS", "Summary", "autocorrelation", "ess", "mcse", "rhat",
           "summary"]

#: The fewest draws per chain the split-chain diagnostics accept (two halves of two draws).
MIN_DRAWS: int = 4

#: Quantiles reported by :func:`summary`.
SUMMARY_PROBS: tuple[float, ...] = (0.025, 0.25, 0.5, 0.75, 0.975)

Chains = NDArray[np.float64]  # the draws of one quantity, one chain per row


def _as_chains(x: ArrayLike, min_chains: int = 1) -> Chains:
    """Return ``x`` as a float array of shape (chains, draws), or raise ValueError."""
    chains = np.asarray(x, dtype=np.float64)
    chains = chains[np.newaxis] if chains.ndim == 1 else chains
    if chains.ndim != 2:
        raise ValueError("x must have shape (chains, draws), or (draws,) for one chain; "
                         f"got shape {chains.shape}")
    _check_draws(chains, "x", min_chains)
    return chains


def _check_draws(arr: NDArray[np.float64], name: str, min_chains: int = 1) -> None:
    """Raise ValueError unless ``arr`` (chains, draws, ...) is long enough and finite."""
    chains, draws = arr.shape[:2]
    if chains < min_chains:
        raise ValueError(f"{name} must hold at least {min_chains} chains; got {chains}")
    if draws < MIN_DRAWS:
        raise ValueError(f"{name} must hold at least {MIN_DRAWS} draws per chain; got {draws}")
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        where, value = ", ".join(str(i) for i in bad[0]), arr[tuple(bad[0])]
        raise ValueError(f"{name} must be finite (no NaN or infinity); {name}[{where}] = {value}")


def _check_method(method: str, allowed: tuple[str, ...], prob: float | None = None) -> None:
    """Raise ValueError unless ``method`` is allowed and ``prob`` is given where it applies."""
    if method not in allowed:
        raise ValueError(f"method must be one of {', '.join(map(repr, allowed))}; got {method!r}")
    if prob is None and method == "quantile":
        raise ValueError("prob must be given for a quantile (a number in (0, 1))")
    if prob is not None and method not in ("quantile", "tail"):
        raise ValueError(f"prob applies only to a quantile or the tail ESS, not to {method!r}")
    if prob is not None and not 0.0 < float(prob) < 1.0:
        raise ValueError(f"prob must lie strictly between 0 and 1; got {prob}")


# --- Building blocks: chains in, chains or a number out --------------------------------------


def _split_chains(chains: Chains) -> Chains:
    """Halve every chain, (m, n) -> (2m, n // 2); an odd-length chain loses its middle draw."""
    half = chains.shape[1] // 2
    return np.vstack([chains[:, :half], chains[:, -half:]])


def _rank_normalise(chains: Chains) -> Chains:
    """Normal scores of the ranks among all draws (ties share their average rank)."""
    r = stats.rankdata(chains, method="average").reshape(chains.shape)
    return stats.norm.ppf((r - 0.375) / (chains.size + 0.25))


def _quantile(chains: Chains, prob: float) -> float:
    """Quantile of all draws by linear interpolation (type 7), in ArviZ's arithmetic."""
    ordered = np.sort(chains, axis=None)
    h = ordered.size * prob + (1.0 - prob)  # the quantile's position among the sorted draws
    k = int(np.floor(min(max(h, 1.0), ordered.size - 1.0)))
    gamma = min(max(h - k, 0.0), 1.0)
    return float((1.0 - gamma) * ordered[k - 1] + gamma * ordered[k])


def _autocovariance(chains: Chains) -> Chains:
    """Autocovariance gamma_t of each chain (row) at every lag t = 0, ..., n - 1, by FFT."""
    n = chains.shape[1]
    centred = chains - chains.mean(axis=1, keepdims=True)
    # The FFT correlates circularly: n zeros keep the chain's end from wrapping onto its start.
    spectrum = np.fft.rfft(centred, n=2 * n, axis=1)
    gamma = np.fft.irfft(spectrum * np.conj(spectrum), n=2 * n, axis=1)  # of the power spectrum
    return gamma[:, :n] / n  # divided by n, not n - t


def _ess_of_chains(chains: Chains) -> float:
    """ESS of the chains as given (rows), by Geyer's initial monotone sequence, as in Stan."""
    m, n = chains.shape
    S = m * n
    if np.ptp(chains) <= np.finfo(np.float64).resolution * np.abs(chains).max():
        return float(S)  # constant draws (relative to their size): every draw counts
    # Autocorrelation pooled over the chains (BDA3 eq. 11.7)
    gamma = _autocovariance(chains).mean(axis=0)  # mean over chains of gamma_t
    W = gamma[0] * n / (n - 1)  # within-chain variance
    B_over_n = chains.mean(axis=1).var(ddof=1)  # between-chain variance B, over n
    var_plus = W * (n - 1) / n + B_over_n
    rho = 1.0 - (W - gamma) / var_plus
    rho[0] = 1.0
    # Geyer's initial positive sequence: sum the pairs P_k = rho_2k + rho_2k+1 while positive
    last = max((n - 3) // 2, 0)  # the last pair Stan looks at (lags up to n - 2)
    P = rho[0 : 2 * last + 1 : 2] + rho[1 : 2 * last + 2 : 2]
    K = 0
    while K < last and P[K] > 0:
        K += 1
    # Geyer's initial monotone sequence: no pair sum may exceed the one before it
    P_monotone = np.minimum.accumulate(P[:K])
    # The next even lag counts too if it is positive or its pair sum is not negative
    rho_2K = rho[2 * K] if rho[2 * K] > 0 or P[K] >= 0 else 0.0
    tau_int = -1.0 + 2.0 * P_monotone.sum() + rho_2K
    tau_int = max(tau_int, 1.0 / np.log10(S))  # so that ESS <= S log10(S)
    return float(S / tau_int)


def _ess_quantile(chains: Chains, prob: float) -> float:
    """ESS of the indicator I(x <= q) of the ``prob`` quantile q of all draws."""
    below = (chains <= _quantile(chains, prob)).astype(np.float64)
    return _ess_of_chains(_split_chains(below))


def _rhat_of_chains(chains: Chains) -> float:
    """R-hat of the chains as given (rows): sqrt(var_plus / W) (BDA3 eqs. 11.2-11.4)."""
    n = chains.shape[1]
    W = chains.var(axis=1, ddof=1).mean()  # within-chain variance
    B_over_n = chains.mean(axis=1).var(ddof=1)  # between-chain variance B, over n
    var_plus = (n - 1) / n * W + B_over_n
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN if constant, inf if chains stuck
        return float(np.sqrt(var_plus / W))


def _mcse_quantile(chains: Chains, prob: float) -> float:
    """MCSE of a quantile: half the width, in draws, of a one-sd Beta interval for its rank."""
    ess_q = _ess_quantile(chains, prob)
    one_sd = [0.1586553, 0.8413447]  # Phi(-1) and Phi(1), rounded as ArviZ rounds them
    lo, hi = stats.beta.ppf(one_sd, ess_q * prob + 1.0, ess_q * (1.0 - prob) + 1.0)
    ordered = np.sort(chains, axis=None)
    lower = ordered[int(np.floor(max(lo * ordered.size - 1.0, 0.0)))]
    upper = ordered[int(np.ceil(min(hi * ordered.size - 1.0, ordered.size - 1.0)))]
    return float((upper - lower) / 2.0)


# --- Public functions ------------------------------------------------------------------------


def autocorrelation(x: ArrayLike, max_lag: int | None = None) -> NDArray[np.float64]:
    r"""Autocorrelation of each chain at every lag, by FFT (BDA3 section 11.5).

    For a chain :math:`x_1, \dots, x_n`, :math:`\hat\rho_t = \hat\gamma_t / \hat\gamma_0` with
    :math:`\hat\gamma_t = \frac{1}{n}\sum_{i=1}^{n-t} (x_i - \bar x)(x_{i+t} - \bar x)`.

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
        No chain may be constant.
    max_lag : int, optional
        The largest lag returned, from 0 to ``draws - 1`` (the default).

    Returns
    -------
    numpy.ndarray, shape (chains, max_lag + 1), or (max_lag + 1,) when ``x`` is 1-D

    Examples
    --------
    >>> print(autocorrelation([1.0, 2.0, 3.0, 4.0]).round(3))
    [ 1.    0.25 -0.3  -0.45]
    """
    chains = _as_chains(x)
    n = chains.shape[1]
    max_lag = n - 1 if max_lag is None else max_lag
    if max_lag != int(max_lag) or not 0 <= max_lag <= n - 1:
        raise ValueError(f"max_lag must be an integer in [0, {n - 1}]; got {max_lag}")
    constant = np.flatnonzero(np.ptp(chains, axis=1) == 0.0)
    if constant.size:
        raise ValueError("x must not hold a constant chain (its autocorrelation is undefined); "
                         f"chain {constant[0]} is constant")
    gamma = _autocovariance(chains)
    rho = gamma[:, : int(max_lag) + 1] / gamma[:, :1]
    return rho[0] if np.ndim(x) == 1 else rho


def ess(x: ArrayLike, method: str = "bulk", *, prob: float | None = None) -> float:
    r"""Effective sample size of the draws of one quantity (Vehtari et al. 2021; Geyer 1992).

    With the chains split in halves and :math:`S` draws in all,

    .. math::

        \mathrm{ESS} = \frac{S}{\hat\tau_{\mathrm{int}}}, \qquad
        \hat\tau_{\mathrm{int}} = -1 + 2\sum_{k=0}^{K-1} \hat P_k + \hat\rho_{2K}, \qquad
        \hat P_k = \hat\rho_{2k} + \hat\rho_{2k+1},

    with :math:`\hat\rho_t` the autocorrelation pooled over chains (BDA3 eq. 11.7), :math:`K`
    the first pair whose sum is not positive, and the sums before it made non-increasing.

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
    method : {"bulk", "mean", "tail", "quantile"}, optional
        The ESS of the rank-normalised draws, of the draws, the smaller ESS of the indicators
        :math:`I(x \le q)` of the ``prob`` and ``1 - prob`` quantiles, or that at ``prob``.
    prob : float, optional
        In (0, 1): required for ``"quantile"``; for ``"tail"`` 0.05 by default.

    Returns
    -------
    float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> print(round(ess(rng.standard_normal((4, 1000)), "mean"), -2))  # independent: about S
    3900.0
    """
    chains = _as_chains(x)
    _check_method(method, ("bulk", "mean", "tail", "quantile"), prob)
    if method == "mean":
        return _ess_of_chains(_split_chains(chains))
    if method == "bulk":
        return _ess_of_chains(_rank_normalise(_split_chains(chains)))
    if method == "quantile":
        return _ess_quantile(chains, prob)
    p = 0.05 if prob is None else prob  # "tail": the less efficient of the two tails
    return min(_ess_quantile(chains, p), _ess_quantile(chains, 1.0 - p))


def rhat(x: ArrayLike, method: str = "rank") -> float:
    r"""Potential scale reduction factor :math:`\hat R` of several chains (BDA3 section 11.4).

    With the chains split in halves of :math:`n` draws, :math:`W` the mean of their variances and
    :math:`B/n` the variance of their means, :math:`\hat R = \sqrt{\widehat{\mathrm{var}}^+ / W}`
    with :math:`\widehat{\mathrm{var}}^+ = \frac{n-1}{n} W + \frac{B}{n}`. ``"split"`` applies
    this to the draws; ``"rank"`` takes the larger value for the rank-normalised draws and for
    their rank-normalised distances from the median.

    Parameters
    ----------
    x : array_like, shape (chains, draws), at least 2 chains
    method : {"rank", "split"}, optional

    Returns
    -------
    float
        NaN if all draws are equal, infinite if each chain is constant.

    Examples
    --------
    >>> mixed = np.random.default_rng(0).standard_normal((4, 1000))
    >>> print(f"{rhat(mixed):.2f} {rhat(mixed + [[0.0], [0.0], [0.0], [2.0]]):.2f}")
    1.00 1.34
    """
    chains = _as_chains(x, min_chains=2)
    _check_method(method, ("rank", "split"))
    halves = _split_chains(chains)
    if method == "split":
        return _rhat_of_chains(halves)
    folded = np.abs(halves - np.median(halves))  # distances from the median: spread as location
    bulk = _rhat_of_chains(_rank_normalise(halves))
    tail = _rhat_of_chains(_rank_normalise(folded))
    return max(bulk, tail)


def mcse(x: ArrayLike, method: str = "mean", *, prob: float | None = None) -> float:
    r"""Monte Carlo standard error of the posterior mean or of a posterior quantile.

    :math:`\mathrm{MCSE}(\bar x) = s / \sqrt{\mathrm{ESS}}`, with :math:`s` the sd of all draws
    and the ESS of the mean (BDA3 section 11.5). For a quantile, its rank gets a Beta
    distribution with the quantile's ESS, and the MCSE is half the distance between the draws at
    its 15.9% and 84.1% points (Vehtari et al. 2021, section 4.3).

    Parameters
    ----------
    x : array_like, shape (chains, draws) or (draws,)
    method : {"mean", "quantile"}, optional
    prob : float, optional
        The quantile's probability in (0, 1); required for ``"quantile"``.

    Returns
    -------
    float

    Examples
    --------
    >>> iid = 3.0 * np.random.default_rng(2).standard_normal((4, 2500))  # sd 3, S = 10000
    >>> print(f"{mcse(iid):.2f} {mcse(iid, 'quantile', prob=0.5):.2f}")
    0.03 0.04
    """
    chains = _as_chains(x)
    _check_method(method, ("mean", "quantile"), prob)
    if method == "quantile":
        return _mcse_quantile(chains, prob)
    s = chains.std(ddof=1)  # the posterior sd, from all draws
    ess_mean = _ess_of_chains(_split_chains(chains))  # ess(x, "mean")
    return float(s / np.sqrt(ess_mean))


_COLUMNS = ("mean", "sd", "2.5%", "25%", "50%", "75%", "97.5%", "mcse_mean", "ess_bulk",
            "ess_tail", "r_hat")


@dataclass(frozen=True, repr=False)
class Summary:
    r"""Posterior summary of several parameters (see :func:`summary`), shown by :meth:`table`.

    Attributes
    ----------
    names : tuple of str
    mean, sd, mcse_mean, ess_bulk, ess_tail, r_hat : numpy.ndarray, shape (params,)
        Read-only columns (``r_hat`` is NaN for one chain).
    quantiles : numpy.ndarray, shape (params, 5)
        The :data:`SUMMARY_PROBS` quantiles.
    chains, draws : int
    """

    names: tuple[str, ...]
    chains: int
    draws: int
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    quantiles: NDArray[np.float64]
    mcse_mean: NDArray[np.float64]
    ess_bulk: NDArray[np.float64]
    ess_tail: NDArray[np.float64]
    r_hat: NDArray[np.float64]

    def row(self, name: str) -> dict[str, float]:
        """The summary of parameter ``name`` as a dict from column to value (else ValueError)."""
        if name not in self.names:
            raise ValueError(f"name must be one of {', '.join(self.names)}; got {name!r}")
        i = self.names.index(name)
        values = (self.mean[i], self.sd[i], *self.quantiles[i], self.mcse_mean[i],
                  self.ess_bulk[i], self.ess_tail[i], self.r_hat[i])
        return {c: float(v) for c, v in zip(_COLUMNS, values, strict=True)}

    def table(self, digits: int = 2) -> Table:
        """The summary as a :class:`~eightschools.tables.Table` with ``digits`` decimals."""
        if int(digits) != digits or not 0 <= digits <= 10:
            raise ValueError(f"digits must be an integer from 0 to 10; got {digits}")
        rows = [[name, *self.row(name).values()] for name in self.names]
        formats = ["", *[f".{int(digits)}f"] * 8, ".0f", ".0f", ".3f"]
        caption = f"{self.chains} chain{'s' if self.chains != 1 else ''} of {self.draws} draws"
        return Table(["", *_COLUMNS], rows, formats, caption, row_headers=True,
                     nonfinite_missing=True)

    def _repr_html_(self) -> str:
        return self.table().to_html(compact=True)

    def __str__(self) -> str:
        return str(self.table())

    __repr__ = __str__


def summary(draws: ArrayLike, names: Sequence[str]) -> Summary:
    r"""Summarise the draws of several parameters: moments, quantiles, MCSE, ESS and R-hat.

    For each parameter, from ``draws[:, :, p]``: the mean and sd (``ddof=1``) of all draws, the
    :data:`SUMMARY_PROBS` quantiles (linear interpolation), the :func:`mcse` of the mean, the bulk
    and tail :func:`ess` and the rank :func:`rhat`, as ArviZ's ``summary(kind="all")``.

    Parameters
    ----------
    draws : array_like, shape (chains, draws, params)
    names : sequence of str
        One distinct name per parameter.

    Returns
    -------
    Summary

    Examples
    --------
    >>> x = 10.0 * np.random.default_rng(3).standard_normal((4, 1000, 1))
    >>> print(summary(x, ["a"]).table(digits=1))
    4 chains of 1000 draws
       mean    sd   2.5%   25%  50%  75%  97.5%  mcse_mean  ess_bulk  ess_tail  r_hat
    -  ----  ----  -----  ----  ---  ---  -----  ---------  --------  --------  -----
    a   0.1  10.0  -19.7  -6.8  0.2  7.1   19.5        0.2      3853      4040  1.001
    """
    arr = np.asarray(draws, dtype=np.float64)
    if arr.ndim != 3:
        raise ValueError(f"draws must have shape (chains, draws, params); got shape {arr.shape} "
                         "(for one chain use draws[np.newaxis])")
    chains, n, params = arr.shape
    labels = tuple(str(name) for name in names)
    if len(labels) != params:
        raise ValueError(f"names must give one name per parameter; got {len(labels)} for {params}")
    if len(set(labels)) != len(labels):
        raise ValueError(f"names must be distinct; got {labels}")
    _check_draws(arr, "draws")
    per_param = np.moveaxis(arr, 2, 0)  # per_param[p]: the (chains, draws) of parameter p
    flat = per_param.reshape(params, -1)  # all draws of each parameter
    columns = {
        "mean": flat.mean(axis=1),
        "sd": flat.std(axis=1, ddof=1),
        "quantiles": np.quantile(flat, SUMMARY_PROBS, axis=1).T,
        "mcse_mean": [mcse(x) for x in per_param],
        "ess_bulk": [ess(x, "bulk") for x in per_param],
        "ess_tail": [ess(x, "tail") for x in per_param],
        "r_hat": [rhat(x) if chains > 1 else np.nan for x in per_param],
    }
    frozen = {key: np.array(value, dtype=np.float64) for key, value in columns.items()}
    for column in frozen.values():
        column.flags.writeable = False  # the summary cannot be changed after the fact
    return Summary(names=labels, chains=chains, draws=n, **frozen)
