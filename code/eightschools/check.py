r"""Self-checks for the exercises: call one with your answer, read right, close or wrong.

Each check computes the truth :math:`t` with the package's functions, for ``data`` (a
:class:`~eightschools.data.SchoolData`, the eight schools by default), and grades a number
:math:`v` by its relative error :math:`|v - t| / \max(|t|, s)` (a floor :math:`s` spares a truth
near zero): **right** within a tolerance only a correct computation meets, **close** within a
wider one (something was rounded early), **wrong** otherwise, with a hint naming the slip when
the answer matches a known one. The verdict depends on the truth, so repeated calls could
narrow it down: these are self-checks for study, not tests.
"""

from __future__ import annotations

import html
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from eightschools import classical, diagnostics, exact, laplace, meta, metropolis, posterior
from eightschools.data import SchoolData, eight_schools

__all__ = ["CheckResult", "acceptance_rate", "autocorrelation", "conditional_mean",
           "effective_sample_size", "laplace_sd", "log_relative_risk", "metropolis_step",
           "mu_given_tau", "pooled_mean", "posterior_mode", "q_statistic", "separate_interval",
           "shrinkage_factor", "tau_below", "tau_mean", "theta_draws"]

RIGHT, CLOSE, WRONG = "right", "close", "wrong"
_SYMBOL = {RIGHT: "\u2713", CLOSE: "\u2248", WRONG: "\u2717"}
_COLOUR = {RIGHT: "#117733", CLOSE: "#997700", WRONG: "#AA3377"}


@dataclass(frozen=True)
class CheckResult:
    """A check's verdict: ``quantity`` checked, ``verdict``, ``tolerance`` (its rule), ``hint``.

    ``verdict`` is ``"right"``, ``"close"`` or ``"wrong"``; ``bool(result)`` is True if right.

    Examples
    --------
    >>> print(CheckResult("x", "close", "close: within 1%", "Round at the end."))
    x: close. Round at the end. (close: within 1%)
    """

    quantity: str
    verdict: str
    tolerance: str
    hint: str

    def __post_init__(self) -> None:
        if self.verdict not in _SYMBOL:
            raise ValueError(f"verdict must be one of {list(_SYMBOL)}; got {self.verdict!r}")

    def __bool__(self) -> bool:
        return self.verdict == RIGHT

    def __str__(self) -> str:
        return f"{self.quantity}: {self.verdict}. {self.hint} ({self.tolerance})"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        c, v = _COLOUR[self.verdict], self.verdict
        q, h, t = (html.escape(text) for text in (self.quantity, self.hint, self.tolerance))
        return (f'<div style="border-left:4px solid {c};padding:0.3em 0.8em;margin:0.3em 0">'
                f'<strong style="color:{c}">{_SYMBOL[v]} {q}: {v}</strong><br>{h}<br>'
                f'<small style="color:#555">{t}</small></div>')


def _number(value: object, name: str, low: float | None = None, strict: bool = False) -> float:
    """A finite number (``> low``, or ``>= low``, when ``low`` is given), or a ValueError."""
    try:
        out = math.nan if isinstance(value, bool | str | bytes) else float(value)
    except (TypeError, ValueError):
        out = math.nan
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    if low is not None and (out < low or (strict and out == low)):
        raise ValueError(f"{name} must be {'>' if strict else '>='} {low:g}; got {out}")
    return out


def _array(value: object, name: str) -> np.ndarray:
    """A finite float array, or a ValueError."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.array(np.nan)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
    return arr


def _data(data: SchoolData | None, kind: type = SchoolData, default=eight_schools) -> SchoolData:
    if data is not None and not isinstance(data, kind):
        raise ValueError(f"data must be a {kind.__name__}; got {type(data).__name__}")
    return default() if data is None else data


def _group(data: SchoolData, school: int | str, name: str = "school") -> int:
    """The 0-based index of a group given by name or by index."""
    if isinstance(school, str) and school in data.names:
        return data.names.index(school)
    try:
        j = operator.index(school)
    except TypeError:
        raise ValueError(f"{name} must be one of {list(data.names)}; got {school!r}") from None
    if not 0 <= j < data.J:
        raise ValueError(f"{name} must satisfy 0 <= {name} < {data.J}; got {j}")
    return j


def _grade(quantity: str, values: Sequence[float], truths: Sequence[float], *, floor: float,
           hint: str, wrong: str, slips: Sequence[tuple[Sequence[float], str]] = (),
           close_hint: str = "", right: float = 5e-4, close: float = 1e-2,
           tolerance: str = "") -> CheckResult:
    """Grade numbers by their worst relative error; a wrong answer near a slip gets its hint."""

    def error(targets: Sequence[float]) -> float:
        return max(abs(v - t) / max(abs(t), floor) for v, t in zip(values, targets, strict=True))
    tolerance = tolerance or (f"right: relative error at most {right * 100:g}%; close: at most "
                              f"{close * 100:g}%; errors are relative to the larger of |true "
                              f"value| and {floor:g}")
    if error(truths) <= right:
        return CheckResult(quantity, RIGHT, tolerance, hint)
    if error(truths) <= close:
        return CheckResult(quantity, CLOSE, tolerance, close_hint or "Nearly there: keep full "
                           "precision until the end, and use the exact constants.")
    return CheckResult(quantity, WRONG, tolerance,
                       next((h for s, h in slips if error(s) <= close), wrong))


def pooled_mean(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, the complete-pooling estimate :math:`\bar y_{\cdot\cdot}` (chapters 1, 8).

    Against :func:`eightschools.classical.pooled_estimate`: right within 0.05%, close within 1%.

    Examples
    --------
    >>> print(pooled_mean(7.6856).verdict, pooled_mean(7.7).verdict, pooled_mean(8.75).verdict)
    right close wrong
    """
    d = _data(data)
    return _grade(
        "pooled mean", [_number(value, "value")], [classical.pooled_estimate(d.y, d.sigma).mean],
        floor=0.01, hint="The precision-weighted mean of the estimates.",
        wrong="A weighted mean of the y_j: what weight does a measurement with sd sigma_j get?",
        slips=[([np.mean(d.y)], "That is the plain average: weight each y_j by 1/sigma_j^2."),
               ([np.average(d.y, weights=1 / d.sigma)], "The weights are 1/sigma_j^2.")])


def separate_interval(school: int | str, lower: float, upper: float, level: float = 0.95,
                      data: SchoolData | None = None) -> CheckResult:
    r"""Check ``(lower, upper)``, one school's interval :math:`y_j \pm z\,\sigma_j` (chapter 1).

    ``school`` is a name (``"A"``) or a 0-based index, ``level`` the interval's probability.
    Against :func:`eightschools.classical.separate_intervals`: right within 0.05% of
    :math:`\sigma_j` on each end (ends rounded to one decimal pass), close within 1%.

    Examples
    --------
    >>> print(separate_interval("A", -2.0, 58.0).hint)
    Close to the rule of thumb with 2: use the exact normal quantile for this level.
    """
    d = _data(data)
    j = _group(d, school)
    lo, hi, lv = _number(lower, "lower"), _number(upper, "upper"), _number(level, "level")
    (t_lo,), (t_hi,) = classical.separate_intervals(d.y[[j]], d.sigma[[j]], level=lv)
    y, s = d.y[j], d.sigma[j]
    return _grade(
        f"separate {lv:.0%} interval for {d.names[j]}", [lo, hi], [t_lo, t_hi], floor=s,
        hint="Each school alone: its estimate plus and minus a normal quantile times its "
        "standard error.", close_hint="Nearly: use the exact quantile, scipy.stats.norm.ppf.",
        wrong="theta_j | y_j ~ N(y_j, sigma_j^2): which quantile leaves the right tail areas?",
        slips=[([y - 2 * s, y + 2 * s], "Close to the rule of thumb with 2: use the exact "
                "normal quantile for this level."),
               ([y - 1.96 * s**2, y + 1.96 * s**2], "Use the standard error, not the variance."),
               ([t_hi, t_lo], "The ends are swapped: lower comes first.")])


def q_statistic(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, Cochran's :math:`Q = \sum_j (y_j - \bar y)^2/\sigma_j^2` (chapter 1).

    Against :func:`eightschools.classical.homogeneity_test`: right within 0.05%, close within 1%.

    Examples
    --------
    >>> print(q_statistic(4.7066).verdict, q_statistic(4.6).verdict)
    right wrong
    """
    d = _data(data)
    pooled = classical.pooled_estimate(d.y, d.sigma).mean
    return _grade(
        "Cochran's Q", [_number(value, "value")],
        [classical.homogeneity_test(d.y, d.sigma).statistic], floor=1e-6,
        hint="The squared standardised distances from the pooled mean, added up.",
        wrong="Add the squared distances from the pooled mean, each in its own standard errors.",
        slips=[([np.sum(((d.y - np.mean(d.y)) / d.sigma) ** 2)], "Measure from the pooled "
                "mean, not the plain average."),
               ([np.sum((d.y - pooled) ** 2 / d.sigma)], "Divide by sigma_j^2, not sigma_j.")])


def shrinkage_factor(school: int | str, tau: float, value: float,
                     data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, :math:`B_j(\tau) = \sigma_j^2/(\sigma_j^2 + \tau^2)` (chapter 2).

    ``school`` is a name (``"A"``) or a 0-based index, ``tau`` :math:`\ge 0`. Against
    :func:`eightschools.posterior.shrinkage_factor`: right within 0.05%, close within 1%.

    Examples
    --------
    >>> print(shrinkage_factor("A", 10.0, 0.3077).hint)
    That is 1 - B_j, the weight on the school's own estimate; B_j is the weight on mu.
    """
    d = _data(data)
    j = _group(d, school)
    t = _number(tau, "tau", low=0.0)
    b, s = posterior.shrinkage_factor(t, d.sigma)[j], d.sigma[j]
    return _grade(
        f"shrinkage factor of {d.names[j]}", [_number(value, "value")], [b], floor=1e-3,
        hint="The weight that the conditional mean of theta_j puts on mu.",
        wrong="Write E(theta_j | mu, tau, y) as a precision-weighted average of y_j and mu.",
        slips=[([1.0 - b], "That is 1 - B_j, the weight on the school's own estimate; B_j is "
                "the weight on mu."),
               ([s / (s + t)], "Use variances, sigma_j^2 and tau^2, not standard deviations.")])


def conditional_mean(school: int | str, mu: float, tau: float, value: float,
                     data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, :math:`E(\theta_j \mid \mu, \tau, y) = (1 - B_j)y_j + B_j\mu` (chapter 2).

    ``school`` is a name (``"A"``) or a 0-based index, ``tau`` > 0. Against
    :func:`eightschools.posterior.conditional_theta`: right within 0.05% of :math:`\sigma_j`,
    close within 1%.

    Examples
    --------
    >>> print(conditional_mean("A", 8.0, 10.0, 14.15).verdict)
    right
    """
    d = _data(data)
    j = _group(d, school)
    m, t = _number(mu, "mu"), _number(tau, "tau", low=0.0, strict=True)
    mean = posterior.conditional_theta(m, t, d.y, d.sigma)[0][j]
    return _grade(
        f"E(theta | mu, tau, y) for {d.names[j]}", [_number(value, "value")], [mean],
        floor=d.sigma[j], hint="A precision-weighted average of the school's estimate and mu.",
        wrong="Weight y_j by its precision 1/sigma_j^2 and mu by 1/tau^2.",
        # With the weights swapped, B_j y_j + (1 - B_j) mu = y_j + mu - mean.
        slips=[([d.y[j] + m - mean], "The weights are swapped: y_j's is 1/sigma_j^2.")])


def posterior_mode(mu: float, log_tau: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check ``(mu, log_tau)``, the posterior mode of :math:`(\mu, \log\tau)` (chapter 3).

    Against the mode of :func:`eightschools.laplace.laplace_fit`: right within 0.1%
    (optimisers stop at different tolerances), close within 5% (relative to at least 1).

    Examples
    --------
    >>> print(posterior_mode(7.9267, 1.8415).verdict)
    right
    """
    d = _data(data)
    m, lt = _number(mu, "mu"), _number(log_tau, "log_tau")
    mode = laplace.laplace_fit(d.y, d.sigma).mode
    return _grade(
        "posterior mode of (mu, log tau)", [m, lt], mode, right=1e-3, close=5e-2, floor=1.0,
        hint="The maximum of the log posterior on the (mu, log tau) scale.",
        close_hint="Nearly: tighten your optimiser's tolerance, or start it nearer the mode.",
        wrong="Maximise the log posterior of (mu, log tau), Jacobian term included.",
        slips=[([mode[0], math.exp(mode[1])], "That is tau: the question asks for log tau.")])


def laplace_sd(mu_sd: float, log_tau_sd: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the normal approximation's standard deviations of :math:`\mu` and :math:`\log\tau`.

    Against :attr:`eightschools.laplace.LaplaceFit.sd`, :math:`\sqrt{\mathrm{diag}(-H)^{-1}}`
    with :math:`H` the Hessian at the mode (chapter 3): right within 0.1%, close within 5%.

    Examples
    --------
    >>> print(laplace_sd(4.7246, 0.7317).verdict, laplace_sd(5.7, 0.8).verdict)
    right wrong
    """
    d = _data(data)
    sds = [_number(mu_sd, "mu_sd", low=0.0, strict=True),
           _number(log_tau_sd, "log_tau_sd", low=0.0, strict=True)]
    fit = laplace.laplace_fit(d.y, d.sigma)
    return _grade(
        "normal-approximation sds", sds, fit.sd, right=1e-3, close=5e-2, floor=1e-6,
        hint="Square roots of the diagonal of the inverse negative Hessian at the mode.",
        close_hint="Nearly: an analytic Hessian beats finite differences.",
        wrong="Invert the negative Hessian at the mode; take square roots of its diagonal.",
        slips=[(np.diag(fit.cov), "Those look like variances: take square roots."),
               (1 / np.sqrt(np.diag(np.linalg.inv(fit.cov))), "Invert the whole matrix first.")])


def metropolis_step(step: Callable[..., ArrayLike]) -> CheckResult:
    r"""Check ``step(current, logpdf, cov, scale, rng)``, a random-walk Metropolis step (chapter 4).

    The step must do what :func:`eightschools.metropolis.rwmetrop` does: draw
    ``z = rng.standard_normal(2)``, then ``u = rng.random()``, and return
    ``proposal = current + scale * L @ z`` (with ``L = numpy.linalg.cholesky(cov)``) if
    ``log(u) < logpdf(proposal) - logpdf(current)``, else ``current``. Right if, at 50 points
    of a chain on the posterior (scale 2; point :math:`t` with ``default_rng([4040, t])``), it
    returns rwmetrop's next point, to a relative :math:`10^{-9}`.

    Examples
    --------
    >>> def greedy(current, logpdf, cov, scale, rng):
    ...     return current + scale * np.linalg.cholesky(cov) @ rng.standard_normal(2)
    >>> print(metropolis_step(greedy).hint)  # doctest: +ELLIPSIS
    Your step accepts every proposal: ...
    """
    if not callable(step):
        raise ValueError(f"step must be a function; got {type(step).__name__}")
    hints = {  # for a step that returns the point named at every test point
        "current": "Your step never moves: accept a downhill proposal with probability p*/p.",
        "proposal": "Your step accepts every proposal: accept only if log u < log p* - log p.",
        "flipped": "The difference is the wrong way round: log p(proposal) - log p(current).",
    }
    d, seed = eight_schools(), 4040  # point t of the test chain is stepped with rng [seed, t]
    lp, fit = posterior.LogPosterior(d.y, d.sigma), laplace.laplace_fit(d.y, d.sigma)
    points = metropolis.rwmetrop(lp, fit.mode, fit.cov, 2.0, 50, np.random.default_rng(seed))

    def rwmetrop_step(logpdf: Callable[[np.ndarray], ArrayLike], t: int) -> np.ndarray:
        rng = np.random.default_rng([seed, t])
        return metropolis.rwmetrop(logpdf, points.draws[0, t], fit.cov, 2.0, 1, rng).draws[0, 0]
    agree = {name: [] for name in ("right", "elsewhere", *hints)}
    for t, x in enumerate(points.draws[0]):
        rng = np.random.default_rng([seed, t])
        out = _array(step(x.copy(), lp.scalar, fit.cov.copy(), 2.0, rng), "the point step returns")
        if out.shape != (2,):
            raise ValueError(f"step must return the next point, of shape (2,); got {out.shape}")
        candidates = {"right": rwmetrop_step(lp, t), "current": x,
                      "proposal": rwmetrop_step(lambda v: np.zeros(len(v)), t),  # flat: accepted
                      "flipped": rwmetrop_step(lambda v: -lp(v), t)}  # Metropolis on -log p
        for name, point in candidates.items():
            agree[name].append(np.allclose(out, point, rtol=1e-9, atol=1e-9))
        agree["elsewhere"].append(not (agree["current"][-1] or agree["proposal"][-1]))
    tolerance = ("right: at all 50 test points your step returns rwmetrop's next point (to a "
                 "relative 1e-9); wrong otherwise")
    if all(agree["right"]):
        return CheckResult("Metropolis step", RIGHT, tolerance, "A symmetric random-walk "
                           "proposal, accepted with probability min(1, p*/p).")
    if any(agree["elsewhere"]):
        hint = ("Your step moves to points that are not rwmetrop's proposals: draw z before "
                "u, and propose current + scale * L @ z, L = numpy.linalg.cholesky(cov).")
    else:
        hint = next((h for name, h in hints.items() if all(agree[name])),
                    "Some decisions differ from rwmetrop's: accept if log u < log p* - log p.")
    return CheckResult("Metropolis step", WRONG, tolerance, hint)


def acceptance_rate(draws: ArrayLike, value: float) -> CheckResult:
    r"""Check ``value``, the acceptance rate of a Metropolis chain's ``draws`` (chapter 4).

    ``draws``: one chain, shape (n,) or (n, d). Against the share of the :math:`n - 1` moves
    between draws that changed the point: right within :math:`1/(n-1)`, close within 5%.

    Examples
    --------
    >>> chain = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0], [2.0, 1.0]]
    >>> print(acceptance_rate(chain, 0.5).verdict, acceptance_rate(chain, 0.2).verdict)
    right wrong
    """
    arr = _array(draws, "draws")
    if arr.ndim not in (1, 2) or len(arr) < 2:
        raise ValueError(f"draws must have shape (n,) or (n, d) with n >= 2; got {arr.shape}")
    v = _number(value, "value")
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"value must be a rate in [0, 1]; got {v}")
    arr = arr.reshape(len(arr), -1)
    truth = np.mean(np.any(arr[1:] != arr[:-1], axis=1))
    share = 1.0 / (len(arr) - 1)  # one transition's share
    return _grade(
        "acceptance rate", [v], [truth], floor=share, right=(share + 1e-12) / max(truth, share),
        close=0.05, tolerance="right: within one transition's share, 1/(n - 1); close: within "
        "5% (relative)", hint="The share of iterations at which the chain moved.",
        close_hint="Nearly: count every iteration once, and divide by the number of transitions.",
        wrong="A rejected proposal repeats the previous draw: count the moves.",
        slips=[([1.0 - truth], "That is the rejection rate: count the moves, not the repeats.")])


def autocorrelation(draws: ArrayLike, value: ArrayLike) -> CheckResult:
    r"""Check ``value``, a chain's autocorrelations :math:`\hat\rho_0, \dots, \hat\rho_L` (ch. 5).

    ``draws`` is one chain, shape (n,), :math:`n \ge 4`; ``value`` holds lags 0 to :math:`L < n`.
    Against :func:`eightschools.diagnostics.autocorrelation`: right when every lag is within
    :math:`10^{-6}`, close within :math:`10^{-3}` (absolute errors).

    Examples
    --------
    >>> print(autocorrelation([1.0, 2.0, 3.0, 4.0], [1.0, 1 / 3, -0.6]).hint)
    Divide every lag's sum by n, not by the number of its terms n - t.
    """
    x, v = _array(draws, "draws"), _array(value, "value")
    n = x.size
    if x.ndim != 1 or n < 4:
        raise ValueError(f"draws must be one chain, shape (n,) with n >= 4; got {x.shape}")
    if np.ptp(x) == 0.0:
        raise ValueError("draws must not be constant (its autocorrelation is undefined)")
    if v.ndim != 1 or not 2 <= v.size <= n:
        raise ValueError(f"value must hold the autocorrelations at lags 0 to L, shape (L + 1,) "
                         f"with 1 <= L <= {n - 1}; got shape {v.shape}")
    truth = diagnostics.autocorrelation(x, max_lag=v.size - 1)
    f = np.fft.rfft(x - x.mean())  # not padded: the chain wraps round
    circular = np.fft.irfft(f * np.conj(f), n=n)[: v.size]
    f = np.fft.rfft(x, n=2 * n)  # padded, but not centred
    uncentred = np.fft.irfft(f * np.conj(f), n=2 * n)[: v.size]
    return _grade(
        f"autocorrelation at lags 0 to {v.size - 1}", v, truth, right=1e-6, close=1e-3,
        floor=1.0, hint="Each lag's sum of products of centred draws, over n, over the lag-0 sum.",
        close_hint="Nearly: centre the draws with their mean and divide every lag's sum by n.",
        wrong="Centre, add the products of draws t apart, divide by n and by the lag-0 value.",
        slips=[(truth * n / (n - np.arange(v.size)), "Divide every lag's sum by n, not by the "
                "number of its terms n - t."),
               (circular / circular[0], "The FFT wraps round: pad the chain with n zeros."),
               (uncentred / uncentred[0], "Subtract the chain's mean from every draw first.")])


def effective_sample_size(draws: ArrayLike, value: float) -> CheckResult:
    r"""Check ``value``, the effective sample size of one quantity's ``draws`` (chapter 5).

    ``draws`` has shape (chains, n) or (n,), :math:`n \ge 4`. Against
    :func:`eightschools.diagnostics.ess` with ``method="mean"``: right within 5%, close within
    25% (ESS estimators differ in details).

    Examples
    --------
    >>> x = np.random.default_rng(0).standard_normal(2000)
    >>> print(effective_sample_size(x, 2000.0).verdict, effective_sample_size(x, 40.0).verdict)
    right wrong
    """
    arr = _array(draws, "draws")
    if arr.ndim not in (1, 2) or arr.shape[-1] < 4:
        raise ValueError(f"draws must have shape (n,) or (chains, n) with n >= 4; got {arr.shape}")
    return _grade(
        "effective sample size", [_number(value, "value")], [diagnostics.ess(arr, "mean")],
        right=5e-2, close=0.25, floor=1.0,
        hint="The number of draws divided by the integrated autocorrelation time.",
        close_hint="Nearly: truncate the sum as Geyer does, and split each chain in two.",
        wrong="Divide the number of draws by 1 + 2 times the sum of the autocorrelations.",
        slips=[([arr.size], "That is the raw number of draws: correlated draws are worth fewer.")])


def _worst_z(theta: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[float, float]:
    """The largest |z-scores| of z = (theta - mean)/sd's means and variances, and correlations."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (theta - mean) / np.sqrt(var)
    if not np.isfinite(z).all():
        return math.inf, math.inf
    n, J = z.shape
    z_mean = np.abs(z.mean(axis=0)) * math.sqrt(n)  # each in Monte Carlo standard errors
    z_var = np.abs((z**2).mean(axis=0) - 1.0) * math.sqrt(n / 2.0)
    z_corr = [abs(np.mean(z[:, j] * z[:, k])) * math.sqrt(n)
              for j in range(J) for k in range(j + 1, J)]
    return float(max(z_mean.max(), z_var.max())), float(max(z_corr, default=0.0))


def theta_draws(draws: ArrayLike, theta: ArrayLike, data: SchoolData | None = None) -> CheckResult:
    r"""Check ``theta``, draws of the school effects given ``draws`` of :math:`(\mu, \log\tau)`.

    ``draws`` has shape (n, 2) or (chains, n, 2), 1,000 rows at least, and ``theta`` a row of
    effects per row. Right (chapter 6) when :math:`(\theta_j - \hat\theta_j)/\sqrt{V_j}`, with
    :math:`\hat\theta_j, V_j` from :func:`eightschools.posterior.conditional_theta`, have means
    0, mean squares 1 and correlations 0, each within 5 Monte Carlo standard errors (correct
    draws fail with probability below :math:`10^{-4}`); wrong otherwise.

    Examples
    --------
    >>> from eightschools import effects
    >>> d, rng = eight_schools(), np.random.default_rng(1)
    >>> lam = np.column_stack([rng.normal(8.0, 5.0, 2000), rng.normal(1.5, 1.0, 2000)])
    >>> print(theta_draws(lam, effects.theta_draws(lam, d.y, d.sigma, rng)).verdict)
    right
    """
    d = _data(data)
    lam, th = _array(draws, "draws"), _array(theta, "theta")
    if lam.ndim not in (2, 3) or lam.shape[-1] != 2:
        raise ValueError(f"draws must have shape (n, 2) or (chains, n, 2); got {lam.shape}")
    if th.shape != (*lam.shape[:-1], d.J):
        raise ValueError(f"theta must have shape {(*lam.shape[:-1], d.J)}; got {th.shape}")
    if lam.size < 2000:
        raise ValueError(f"draws must hold at least 1000 rows; got {lam.size // 2}")
    mu, log_tau, th = lam[..., 0].ravel(), lam[..., 1].ravel(), th.reshape(-1, d.J)
    with np.errstate(over="ignore"):
        mean, var = posterior.conditional_theta(mu, np.exp(log_tau), d.y, d.sigma)
    schools, pairs = _worst_z(th, mean, var)
    tolerance = ("right: every school's standardised draws have mean 0 and variance 1, and every "
                 "pair of schools correlation 0, each within 5 Monte Carlo standard errors; "
                 "wrong otherwise")
    if max(schools, pairs) <= 5.0:
        return CheckResult("theta draws", RIGHT, tolerance, "One normal draw per school and per "
                           "draw of (mu, tau), centred between y_j and mu.")
    slips = [  # (mean, variance, hint); with the weights swapped the mean is y_j + mu - mean
        (mean, var**2, "Your spread looks like V_j: multiply the deviates by sqrt(V_j)."),
        (*posterior.conditional_theta(mu, np.abs(log_tau), d.y, d.sigma),
         "Those draws use log tau where tau belongs: tau = exp(log tau)."),
        (d.y + mu[:, None] - mean, var, "The weights are swapped: y_j's is 1 - B_j, mu's B_j."),
        (mean, d.sigma**2, "The conditional variance is V_j = (1 - B_j) sigma_j^2."),
    ]
    if np.allclose(th, mean):
        hint = "Your draws are the conditional means: add sqrt(V_j) times a standard normal."
    elif schools <= 5.0:
        hint = "The schools' draws are correlated: draw a new deviate for every school."
    else:
        hint = next((h for m, v, h in slips if max(_worst_z(th, m, v)) <= 5.0),
                    "Draw theta_j from N((1 - B_j) y_j + B_j mu, (1 - B_j) sigma_j^2).")
    return CheckResult("theta draws", WRONG, tolerance, hint)


def mu_given_tau(tau: float, mean: float, variance: float,
                 data: SchoolData | None = None) -> CheckResult:
    r"""Check ``mean`` and ``variance`` of :math:`\mu` given :math:`\tau` and the data (chapter 7).

    With :math:`w_j = 1/(\sigma_j^2 + \tau^2)`, :math:`\hat\mu = \sum_j w_j y_j / \sum_j w_j`
    and :math:`V_\mu = 1/\sum_j w_j`. Against :func:`eightschools.posterior.mu_given_tau` at
    ``tau`` :math:`\ge 0`: right within 0.05%, close within 1%.

    Examples
    --------
    >>> print(mu_given_tau(10.0, 8.1265, 5.52).hint)  # doctest: +ELLIPSIS
    Your second number looks like a standard deviation: ...
    """
    d = _data(data)
    t = _number(tau, "tau", low=0.0)
    m, v = _number(mean, "mean"), _number(variance, "variance")
    mu_hat, v_mu = posterior.mu_given_tau(t, d.y, d.sigma)
    return _grade(
        "mu | tau, y", [m, v], [mu_hat, v_mu], floor=1e-6,
        hint="Given tau, each y_j is a measurement of mu with variance sigma_j^2 + tau^2.",
        wrong="Pool the y_j as in chapter 1, with variances sigma_j^2 + tau^2.",
        slips=[(posterior.mu_given_tau(math.sqrt(t), d.y, d.sigma), "Add tau^2, not tau."),
               ([mu_hat, np.sqrt(v_mu)], "Your second number looks like a standard deviation: "
                "the question asks for the variance.")])


def tau_mean(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, the posterior mean :math:`E(\tau \mid y)` under the flat prior (chapter 7).

    Against :func:`eightschools.exact.exact_posterior`'s summary (``data`` needs 4 groups for
    the mean to exist): right within 0.05%, close within 1% (a grid too short or too coarse).

    Examples
    --------
    >>> print(tau_mean(5.239).hint)
    That is the posterior median of tau: the question asks for its mean.
    """
    d = _data(data)
    if d.J < 4:
        raise ValueError(f"data must have at least 4 groups for E(tau | y) to exist; got {d.J}")
    s = exact.exact_posterior(d.y, d.sigma).summary()
    return _grade(
        "E(tau | y)", [_number(value, "value")], [s.tau.mean], floor=1e-6,
        hint="The trapezoid rule over log tau, weighting tau by tau p(tau | y).",
        close_hint="Nearly: widen the grid of log tau and make its spacing finer.",
        wrong="Weight each node u of a grid of log tau by tau p(tau | y), and average tau.",
        slips=[([s.tau.q50], "That is the posterior median of tau: the question asks for its "
                "mean."),
               ([math.exp(s.log_tau.mean)], "That is exp(E(log tau | y)): average tau itself."),
               ([s.log_tau.mean], "That is E(log tau | y): average tau = exp(u), not u.")])


def tau_below(value: float, mcse: float, c: float = 1.0,
              data: SchoolData | None = None) -> CheckResult:
    r"""Check ``value``, a Monte Carlo estimate of :math:`P(\tau < c \mid y)`, with its ``mcse``.

    Against :meth:`eightschools.exact.ExactPosterior.tau_cdf` under the flat prior, in units of
    the estimate's own MCSE (which must be positive and at most 0.02): right within 3 MCSE,
    close within 5 (a chain too short to have explored small :math:`\tau` often enough, or an
    MCSE that is too small), wrong beyond.

    Examples
    --------
    >>> print(tau_below(0.10, 0.005).verdict, tau_below(0.06, 0.005).verdict)
    right wrong
    """
    d, value, mcse, c = _data(data), _number(value, "value"), _number(mcse, "mcse"), _number(c, "c")
    if not (0.0 < mcse <= 0.02 and c > 0.0):
        raise ValueError(f"mcse must be in (0, 0.02] and c > 0; got mcse = {mcse}, c = {c}")
    z = abs(value - float(exact.exact_posterior(d.y, d.sigma).tau_cdf(c))) / mcse
    verdict = RIGHT if z <= 3.0 else CLOSE if z <= 5.0 else WRONG
    hint = {RIGHT: "The share of draws with tau < c.",
            CLOSE: "Nearly: run longer, with an MCSE that accounts for autocorrelation.",
            WRONG: "Too far for Monte Carlo error: is each tau drawn from its full conditional?"}
    return CheckResult(f"P(tau < {c:g} | y)", verdict,
                       "right: within 3 MCSE of the exact value; close: within 5", hint[verdict])


def log_relative_risk(trial: int | str, value: float, sigma: float | None = None,
                      data: meta.TrialData | None = None) -> CheckResult:
    r"""Check ``value`` (and ``sigma``), a BCG trial's log relative risk (and standard error).

    ``trial`` is a name (``"Aronson 1948"``) or a 0-based index of ``data`` (the trials of
    :func:`eightschools.meta.load_bcg` by default). Against the trial's ``y`` and ``sigma``,
    from :func:`eightschools.meta.log_relative_risk`: right within 0.05%, close within 1%.

    Examples
    --------
    >>> print(log_relative_risk("Aronson 1948", 0.8893).hint)
    The sign is flipped: put the vaccinated arm's risk in the numerator.
    """
    d = _data(data, meta.TrialData, meta.load_bcg)
    j = _group(d, trial, "trial")
    values = [_number(value, "value")] + ([] if sigma is None else [_number(sigma, "sigma")])
    y, se = d.y[j], d.sigma[j]
    a, b, c, e = d.counts[j].astype(np.float64)  # cases, non-cases; vaccinated, then control
    slips = [  # (log relative risk, standard error, hint); without sigma only the first counts
        (-y, se, "The sign is flipped: put the vaccinated arm's risk in the numerator."),
        (y, se**2, "Your standard error looks like a variance: take its square root."),
        (np.log(a / b) - np.log(c / e), np.sqrt(1 / a + 1 / b + 1 / c + 1 / e),
         "That is the log odds ratio: a risk is cases over the arm's total."),
        (np.log(a / c), se, "Divide each arm's cases by that arm's size."),
        (y / np.log(10.0), se, "Use natural logarithms (numpy.log), not base 10."),
    ]
    return _grade(
        f"log relative risk of {d.names[j]}", values, [y, se][: len(values)], floor=0.01,
        hint="The log of the vaccinated arm's risk over the control arm's.",
        wrong="Take the log of the vaccinated risk (cases / arm size) over the control risk.",
        slips=[([ly, ls][: len(values)], h) for ly, ls, h in slips])
