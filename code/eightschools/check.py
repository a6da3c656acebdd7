r"""Self-checks for the exercises: call with your answer, read right, close or wrong.

Each function takes a student's answer, computes the true value with the package at call time,
and returns a :class:`CheckResult` whose display (plain text, or HTML in a notebook) gives a
verdict and a hint about the *method*. It never shows the true value or how far the answer is
from it, so a check can be called again and again without giving the answer away.

Verdicts compare the relative error :math:`|v - t| / \max(|t|, s)` of an answer :math:`v`
against the truth :math:`t` (with a floor :math:`s`, stated per check, so that a truth near
zero does not demand impossible precision):

* **right**: within the check's ``right`` tolerance, small enough that only a correct
  computation (printed with the stated number of significant digits) passes;
* **close**: within the ``close`` tolerance (usually 1%): the method is probably right but
  something was rounded early, or a constant such as :math:`z_{0.975} \approx 1.96` was
  replaced by an approximation;
* **wrong**: anything else. When the answer matches a known slip (an unweighted mean, a
  standard deviation given for a variance, ...), the hint names the slip.

Examples
--------
>>> from eightschools import check
>>> check.pooled_mean(8.0)  # doctest: +ELLIPSIS
pooled mean: wrong. The complete-pooling estimate is a weighted mean ...
>>> bool(check.q_statistic(0.0))
False
"""

from __future__ import annotations

import html
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from eightschools import classical, diagnostics, laplace, posterior
from eightschools.data import SchoolData, eight_schools

__all__ = [
    "CheckResult",
    "acceptance_rate",
    "conditional_mean",
    "effective_sample_size",
    "laplace_sd",
    "log_relative_risk",
    "mu_given_tau",
    "pooled_mean",
    "pooled_variance",
    "posterior_mode",
    "q_statistic",
    "separate_interval",
    "shrinkage_factor",
]

RIGHT, CLOSE, WRONG = "right", "close", "wrong"
_SYMBOL = {RIGHT: "\u2713", CLOSE: "\u2248", WRONG: "\u2717"}
_COLOUR = {RIGHT: "#117733", CLOSE: "#997700", WRONG: "#AA3377"}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: what was checked, right/close/wrong, the tolerance, a hint.

    The result holds no number derived from the true value. ``bool(result)`` is ``True``
    only for a right answer.

    Attributes
    ----------
    quantity : str
        What was checked, e.g. ``"pooled mean"``.
    verdict : str
        ``"right"``, ``"close"`` or ``"wrong"``.
    tolerance : str
        The rule that separates the verdicts, stated in words.
    hint : str
        A hint about the method (never the answer, never the size of the error).

    Examples
    --------
    >>> r = CheckResult("x", "close", "close: within 1%", "Round at the end.")
    >>> print(r)
    x: close. Round at the end. (close: within 1%)
    >>> bool(r)
    False
    """

    quantity: str
    verdict: str
    tolerance: str
    hint: str

    def __post_init__(self) -> None:
        if self.verdict not in _SYMBOL:
            raise ValueError(
                f"verdict must be one of 'right', 'close', 'wrong'; got {self.verdict!r}"
            )

    def __bool__(self) -> bool:
        return self.verdict == RIGHT

    def __str__(self) -> str:
        return f"{self.quantity}: {self.verdict}. {self.hint} ({self.tolerance})"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = _COLOUR[self.verdict]
        return (
            f'<div style="border-left:4px solid {colour};padding:0.3em 0.8em;margin:0.3em 0">'
            f'<strong style="color:{colour}">{_SYMBOL[self.verdict]} '
            f"{html.escape(self.quantity)}: {self.verdict}</strong><br>"
            f"{html.escape(self.hint)}<br>"
            f'<small style="color:#555">{html.escape(self.tolerance)}</small></div>'
        )


# ------------------------------------------------------------------------------ helpers
def _number(value: object, name: str) -> float:
    """A finite real number, or a ValueError naming the argument."""
    if isinstance(value, bool | str | bytes):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite number; got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite number; got {out}")
    return out


def _data(data: SchoolData | None) -> SchoolData:
    if data is None:
        return eight_schools()
    if not isinstance(data, SchoolData):
        raise ValueError(
            f"data must be a SchoolData (e.g. eight_schools() or meta.load_bcg()); "
            f"got {type(data).__name__}"
        )
    return data


def _group(data: SchoolData, school: int | str, name: str = "school") -> int:
    """The 0-based index of a group given by name or by index."""
    if isinstance(school, str):
        if school not in data.names:
            raise ValueError(f"{name} must be one of {list(data.names)}; got {school!r}")
        return data.names.index(school)
    try:
        j = operator.index(school)
    except TypeError:
        raise ValueError(
            f"{name} must be a group name or a 0-based index; got {school!r}"
        ) from None
    if not 0 <= j < data.J:
        raise ValueError(f"{name} must satisfy 0 <= {name} < {data.J}; got {j}")
    return j


def _rel_err(value: float, truth: float, floor: float) -> float:
    return abs(value - truth) / max(abs(truth), floor)


def _grade(
    quantity: str,
    values: Sequence[float],
    truths: Sequence[float],
    *,
    right: float,
    close: float,
    floor: float,
    hints: dict[str, str],
    slips: Sequence[tuple[Sequence[float], str]] = (),
) -> CheckResult:
    """Grade answers component by component; the worst component decides the verdict."""
    errs = [_rel_err(v, t, floor) for v, t in zip(values, truths, strict=True)]
    worst = max(errs)
    verdict = RIGHT if worst <= right else CLOSE if worst <= close else WRONG
    hint = hints[verdict]
    if verdict == WRONG:
        for slip_values, slip_hint in slips:
            if all(
                math.isfinite(s) and _rel_err(v, s, floor) <= close
                for v, s in zip(values, slip_values, strict=True)
            ):
                hint = slip_hint
                break
    tolerance = (
        f"right: relative error at most {right * 100:g}%; close: at most {close * 100:g}%; "
        f"errors are relative to the larger of |true value| and {floor:g}"
    )
    return CheckResult(quantity, verdict, tolerance, hint)


_CLOSE_HINT = (
    "Nearly there, but not to rounding: keep full precision until the end (do not round "
    "intermediate results, use the exact constants)."
)


# ------------------------------------------------------------------------------ chapter 1
def pooled_mean(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the complete-pooling estimate :math:`\bar y_{\cdot\cdot}` (chapter 1).

    Truth: :func:`eightschools.classical.pooled_estimate`,
    :math:`\bar y_{\cdot\cdot} = \sum_j (y_j/\sigma_j^2) / \sum_j (1/\sigma_j^2)`.
    Right within a relative error of :math:`5 \times 10^{-4}`, close within 1% (floor 0.01).

    Parameters
    ----------
    value : float
        Your answer.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Examples
    --------
    >>> print(pooled_mean(7.6856).verdict, pooled_mean(7.7).verdict, pooled_mean(8.75).verdict)
    right close wrong
    """
    d = _data(data)
    v = _number(value, "value")
    truth = classical.pooled_estimate(d.y, d.sigma).mean
    return _grade(
        "pooled mean", [v], [truth], right=5e-4, close=1e-2, floor=0.01,
        hints={
            RIGHT: "The precision-weighted mean of the estimates.",
            CLOSE: _CLOSE_HINT,
            WRONG: "The complete-pooling estimate is a weighted mean of the y_j: what weight "
            "does a normal likelihood give a measurement with standard error sigma_j?",
        },
        slips=[
            ([float(np.mean(d.y))], "That is the plain average: under complete pooling each "
             "estimate counts in proportion to its precision, 1/sigma_j^2."),
            ([float(np.average(d.y, weights=1 / d.sigma))], "Those weights are 1/sigma_j: "
             "the precision of a measurement is one over its variance, 1/sigma_j^2."),
        ],
    )


def pooled_variance(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the variance :math:`V_{\text{pool}}` of the complete-pooling posterior (chapter 1).

    Truth: :func:`eightschools.classical.pooled_estimate`,
    :math:`V_{\text{pool}} = 1/\sum_j \sigma_j^{-2}`. Right within :math:`5 \times 10^{-4}`
    (relative), close within 1%.

    Examples
    --------
    >>> print(pooled_variance(16.5805).verdict, pooled_variance(4.072).verdict)
    right wrong
    >>> print(pooled_variance(4.072).hint)
    That looks like a standard deviation: the question asks for the variance.
    """
    d = _data(data)
    v = _number(value, "value")
    truth = classical.pooled_estimate(d.y, d.sigma).variance
    return _grade(
        "pooled variance", [v], [truth], right=5e-4, close=1e-2, floor=1e-12,
        hints={
            RIGHT: "Precisions add: the pooled precision is the sum of the schools' precisions.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Think in precisions (one over a variance): for independent measurements "
            "of one quantity they add up.",
        },
        slips=[
            ([math.sqrt(truth)], "That looks like a standard deviation: the question asks "
             "for the variance."),
            ([float(1 / np.sum(1 / d.sigma))], "The sum should run over 1/sigma_j^2, the "
             "precisions, not over 1/sigma_j."),
            ([float(np.mean(d.sigma**2))], "Averaging the variances describes one school, "
             "not the pooled estimate: add the precisions instead."),
        ],
    )


def separate_interval(
    school: int | str,
    lower: float,
    upper: float,
    level: float = 0.95,
    data: SchoolData | None = None,
) -> CheckResult:
    r"""Check one school's separate central interval :math:`y_j \pm z\,\sigma_j` (chapter 1).

    Truth: :func:`eightschools.classical.separate_intervals`. Right within a relative
    error of :math:`5 \times 10^{-4}` on each end, measured against the school's
    :math:`\sigma_j` (so ends rounded to one decimal pass), close within 1%.

    Parameters
    ----------
    school : str or int
        The school's name (``"A"``) or 0-based index.
    lower, upper : float
        Your interval.
    level : float, optional
        The interval's probability, 0.95 by default.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Examples
    --------
    >>> print(separate_interval("A", -1.39946, 57.39946).verdict)
    right
    >>> print(separate_interval("A", -1.3, 57.3).verdict)
    close
    >>> print(separate_interval("A", -2.0, 58.0).hint)
    Close to the rule of thumb with 2: use the exact normal quantile for this level.
    """
    d = _data(data)
    j = _group(d, school)
    lo, hi = _number(lower, "lower"), _number(upper, "upper")
    lv = _number(level, "level")
    if not 0.0 < lv < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {lv}")
    t_lo, t_hi = classical.separate_intervals(d.y[j : j + 1], d.sigma[j : j + 1], level=lv)
    y, s = float(d.y[j]), float(d.sigma[j])
    return _grade(
        f"separate {lv:.0%} interval for {d.names[j]}", [lo, hi], [float(t_lo[0]), float(t_hi[0])],
        right=5e-4, close=1e-2, floor=s,
        hints={
            RIGHT: "Each school alone: its estimate plus and minus a normal quantile times its "
            "standard error.",
            CLOSE: "Nearly: use the exact normal quantile (scipy.stats.norm.ppf), not a "
            "rounded one.",
            WRONG: "Under a flat prior, theta_j | y_j is normal around y_j with standard "
            "deviation sigma_j: which quantile leaves the right probability in each tail?",
        },
        slips=[
            ([y - 2 * s, y + 2 * s], "Close to the rule of thumb with 2: use the exact normal "
             "quantile for this level."),
            ([y - 1.96 * s**2, y + 1.96 * s**2], "The interval's half-width uses the standard "
             "error, not the variance."),
            ([float(t_hi[0]), float(t_lo[0])], "The ends are swapped: lower comes first."),
        ],
    )


def q_statistic(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check Cochran's homogeneity statistic :math:`Q` (chapter 1).

    Truth: :func:`eightschools.classical.homogeneity_test`,
    :math:`Q = \sum_j (y_j - \bar y_{\cdot\cdot})^2/\sigma_j^2`. Right within
    :math:`5 \times 10^{-4}` (relative), close within 1%.

    Examples
    --------
    >>> print(q_statistic(4.6).verdict)
    wrong
    """
    d = _data(data)
    v = _number(value, "value")
    truth = classical.homogeneity_test(d.y, d.sigma).statistic
    return _grade(
        "Cochran's Q", [v], [truth], right=5e-4, close=1e-2, floor=1e-6,
        hints={
            RIGHT: "The squared standardised distances from the pooled mean, added up.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Measure each estimate's distance from the precision-weighted pooled "
            "mean in units of its own standard error, square, and add.",
        },
        slips=[
            ([float(np.sum(((d.y - d.y.mean()) / d.sigma) ** 2))], "The distances must be "
             "taken from the precision-weighted pooled mean, not the plain average."),
            ([float(np.sum((d.y - classical.pooled_estimate(d.y, d.sigma).mean) ** 2
                           / d.sigma))], "Divide each squared distance by the variance "
             "sigma_j^2, not by sigma_j."),
        ],
    )


# ------------------------------------------------------------------------------ chapters 2, 6
def shrinkage_factor(
    school: int | str, tau: float, value: float, data: SchoolData | None = None
) -> CheckResult:
    r"""Check the shrinkage factor :math:`B_j(\tau) = \sigma_j^2/(\sigma_j^2 + \tau^2)`.

    Truth: :func:`eightschools.posterior.shrinkage_factor` (chapters 2 and 6). Right
    within :math:`5 \times 10^{-4}` (relative), close within 1%.

    Examples
    --------
    >>> print(shrinkage_factor("A", 10.0, 0.6923).verdict)
    right
    >>> print(shrinkage_factor("A", 10.0, 0.3077).hint)
    That is 1 - B_j, the weight on the school's own estimate; B_j is the weight on mu.
    """
    d = _data(data)
    j = _group(d, school)
    t = _number(tau, "tau")
    if t < 0:
        raise ValueError(f"tau must be >= 0; got {t}")
    v = _number(value, "value")
    b = float(posterior.shrinkage_factor(t, d.sigma)[j])
    s = float(d.sigma[j])
    return _grade(
        f"shrinkage factor of {d.names[j]}", [v], [b], right=5e-4, close=1e-2, floor=1e-3,
        hints={
            RIGHT: "The weight that the conditional mean of theta_j puts on mu.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Write E(theta_j | mu, tau, y) as a precision-weighted average of y_j and "
            "mu; B_j is the share of the weight that goes to mu.",
        },
        slips=[
            ([1.0 - b], "That is 1 - B_j, the weight on the school's own estimate; B_j is the "
             "weight on mu."),
            ([s / (s + t) if s + t > 0 else math.nan], "Use variances, sigma_j^2 and tau^2, "
             "not standard deviations."),
        ],
    )


def conditional_mean(
    school: int | str, mu: float, tau: float, value: float, data: SchoolData | None = None
) -> CheckResult:
    r"""Check :math:`E(\theta_j \mid \mu, \tau, y) = (1 - B_j)\,y_j + B_j\,\mu` (chapter 2).

    Truth: :func:`eightschools.posterior.conditional_theta` (BDA3 eq. 5.17). Right within
    a relative error of :math:`5 \times 10^{-4}`, close within 1% (floor: the school's
    :math:`\sigma_j`).

    Examples
    --------
    >>> print(conditional_mean("A", 8.0, 10.0, 14.15).verdict)
    right
    """
    d = _data(data)
    j = _group(d, school)
    m = _number(mu, "mu")
    t = _number(tau, "tau")
    if t <= 0:
        raise ValueError(f"tau must be > 0; got {t}")
    v = _number(value, "value")
    mean, _ = posterior.conditional_theta(m, t, d.y, d.sigma)
    b = float(posterior.shrinkage_factor(t, d.sigma)[j])
    y = float(d.y[j])
    return _grade(
        f"E(theta | mu, tau, y) for {d.names[j]}", [v], [float(mean[j])],
        right=5e-4, close=1e-2, floor=float(d.sigma[j]),
        hints={
            RIGHT: "A precision-weighted average of the school's estimate and mu.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Combine the likelihood N(y_j, sigma_j^2) with the population N(mu, "
            "tau^2): precisions add, and the mean weights each source by its precision.",
        },
        slips=[
            ([b * y + (1 - b) * m], "The weights are swapped: y_j's weight is its precision "
             "1/sigma_j^2, mu's is 1/tau^2."),
        ],
    )


# ------------------------------------------------------------------------------ chapter 3
def posterior_mode(mu: float, log_tau: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the posterior mode of :math:`(\mu, \log\tau)` (chapter 3).

    Truth: :func:`eightschools.laplace.laplace_fit`, the mode of the log posterior of
    :func:`eightschools.posterior.log_posterior` (which includes the Jacobian term
    :math:`\log\tau`). Right within :math:`10^{-3}` (relative, floor 1: optimisers stop at
    different tolerances), close within 5%.

    Examples
    --------
    >>> print(posterior_mode(7.9267, 1.8415).verdict)
    right
    """
    d = _data(data)
    m, lt = _number(mu, "mu"), _number(log_tau, "log_tau")
    fit = laplace.laplace_fit(d.y, d.sigma)
    mode = [float(x) for x in fit.mode]
    return _grade(
        "posterior mode of (mu, log tau)", [m, lt], mode, right=1e-3, close=5e-2, floor=1.0,
        hints={
            RIGHT: "The maximum of the log posterior on the (mu, log tau) scale.",
            CLOSE: "Nearly: tighten your optimiser's tolerance, or start it nearer the mode.",
            WRONG: "Maximise the log posterior of (mu, log tau), Jacobian term included, from "
            "a sensible start (the pooled mean, a moderate tau); check that the optimiser "
            "reports convergence.",
        },
        slips=[
            ([mode[0], math.exp(mode[1])], "Your second coordinate is on the tau scale: the "
             "question asks for log tau."),
        ],
    )


def laplace_sd(mu_sd: float, log_tau_sd: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the normal approximation's standard deviations of :math:`\mu` and :math:`\log\tau`.

    Truth: :attr:`eightschools.laplace.LaplaceFit.sd`, the square roots of the diagonal of
    :math:`\Sigma = (-H)^{-1}`, :math:`H` the Hessian of the log posterior at the mode
    (chapter 3). Right within :math:`10^{-3}` (relative), close within 5% (a finite-difference
    Hessian is close).

    Examples
    --------
    >>> print(laplace_sd(5.7, 0.8).verdict)
    wrong
    """
    d = _data(data)
    a, b = _number(mu_sd, "mu_sd"), _number(log_tau_sd, "log_tau_sd")
    fit = laplace.laplace_fit(d.y, d.sigma)
    sd = [float(x) for x in fit.sd]
    cov = fit.cov
    neg_h = np.linalg.inv(cov)
    return _grade(
        "normal-approximation sds", [a, b], sd, right=1e-3, close=5e-2, floor=1e-6,
        hints={
            RIGHT: "Square roots of the diagonal of the inverse negative Hessian at the mode.",
            CLOSE: "Nearly: a finite-difference Hessian needs a step neither too large nor too "
            "small; an analytic Hessian avoids the issue.",
            WRONG: "Invert the negative Hessian of the log posterior at the mode, then take "
            "square roots of the diagonal of that covariance matrix.",
        },
        slips=[
            ([float(cov[0, 0]), float(cov[1, 1])], "Those look like variances: take square "
             "roots."),
            ([float(1 / math.sqrt(neg_h[0, 0])), float(1 / math.sqrt(neg_h[1, 1]))],
             "Invert the whole matrix first, then read its diagonal: one over the diagonal "
             "of the negative Hessian ignores the correlation."),
        ],
    )


# ------------------------------------------------------------------------------ chapters 4, 5
def _chain(draws: ArrayLike, name: str = "draws") -> np.ndarray:
    arr = np.asarray(draws, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(
            f"{name} must have shape (n,) or (n, d) with n >= 2 iterations of one chain; "
            f"got shape {np.shape(draws)}"
        )
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def acceptance_rate(draws: ArrayLike, value: float) -> CheckResult:
    r"""Check an acceptance rate computed from a Metropolis chain (chapter 4).

    Truth: the fraction of the :math:`n - 1` transitions in ``draws`` where the chain moved,
    :math:`\frac{1}{n-1}\sum_{t=2}^{n} 1[\lambda^{(t)} \ne \lambda^{(t-1)}]`. A rate over
    all :math:`n` proposals (counting the step from the start) differs from it by at most
    :math:`1/(n-1)`, so that much counts as right; close is within 5% (relative).

    Parameters
    ----------
    draws : array_like, shape (n,) or (n, d)
        One chain's draws in iteration order.
    value : float
        Your acceptance rate, in [0, 1].

    Examples
    --------
    >>> chain = [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [2.0, 1.0], [2.0, 1.0]]
    >>> print(acceptance_rate(chain, 0.5).verdict, acceptance_rate(chain, 0.2).verdict)
    right wrong
    """
    arr = _chain(draws)
    v = _number(value, "value")
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"value must be a rate in [0, 1]; got {v}")
    n = arr.shape[0]
    moved = np.any(arr[1:] != arr[:-1], axis=1)
    truth = float(moved.mean())
    err = abs(v - truth)
    slack = 1.0 / (n - 1) + 1e-12
    if err <= slack:
        verdict = RIGHT
    elif err <= 0.05 * max(truth, 1.0 / (n - 1)):
        verdict = CLOSE
    else:
        verdict = WRONG
    hint = {
        RIGHT: "The share of iterations at which the chain moved.",
        CLOSE: "Nearly: count every iteration once, and divide by the number of transitions.",
        WRONG: "A rejected proposal repeats the previous draw: count the iterations at which "
        "the draw differs from the one before, over the number of transitions.",
    }[verdict]
    if verdict == WRONG and abs(v - (1.0 - truth)) <= slack:
        hint = "That is the rejection rate: count the moves, not the repeats."
    tolerance = (
        "right: within one transition's share, 1/(n - 1); close: within 5% (relative)"
    )
    return CheckResult("acceptance rate", verdict, tolerance, hint)


def effective_sample_size(draws: ArrayLike, value: float) -> CheckResult:
    r"""Check an effective sample size computed from one quantity's draws (chapter 5).

    Truth: :func:`eightschools.diagnostics.ess` with ``method="mean"`` (Geyer's initial
    monotone sequence on split chains, Vehtari et al. 2021) on the same draws. ESS
    estimators differ in details (splitting, truncation of the autocorrelation sum), so
    right is within 5% (relative) and close within 25%.

    Parameters
    ----------
    draws : array_like, shape (chains, n) or (n,)
        The draws of one scalar quantity.
    value : float
        Your effective sample size.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> print(effective_sample_size(x, 40.0).verdict)
    wrong
    """
    v = _number(value, "value")
    truth = float(diagnostics.ess(draws, method="mean"))
    arr = np.asarray(draws, dtype=np.float64)
    return _grade(
        "effective sample size", [v], [truth], right=5e-2, close=0.25, floor=1.0,
        hints={
            RIGHT: "The number of draws divided by the integrated autocorrelation time.",
            CLOSE: "Nearly: sum the autocorrelations only while the sums of adjacent pairs "
            "stay positive (Geyer), and split each chain in two.",
            WRONG: "Divide the number of draws by 1 + 2 times the sum of the "
            "autocorrelations, truncating the sum where the estimates become noise.",
        },
        slips=[
            ([float(arr.size)], "That is the raw number of draws: successive Metropolis "
             "draws are correlated and are worth fewer independent ones."),
        ],
    )


# ------------------------------------------------------------------------------ chapter 7
def mu_given_tau(
    tau: float, mean: float, variance: float, data: SchoolData | None = None
) -> CheckResult:
    r"""Check the normal distribution of :math:`\mu` given :math:`\tau` (chapter 7).

    Truth: :func:`eightschools.posterior.mu_given_tau` (BDA3 eqs. 5.19-5.20),
    :math:`\hat\mu = \sum_j w_j y_j / \sum_j w_j` and :math:`V_\mu = 1/\sum_j w_j` with
    :math:`w_j = 1/(\sigma_j^2 + \tau^2)`. Right within :math:`5 \times 10^{-4}` (relative), close
    within 1%.

    Examples
    --------
    >>> print(mu_given_tau(10.0, 8.1265, 30.4701).verdict)
    right
    """
    d = _data(data)
    t = _number(tau, "tau")
    if t < 0:
        raise ValueError(f"tau must be >= 0; got {t}")
    m, v = _number(mean, "mean"), _number(variance, "variance")
    mu_hat, v_mu = posterior.mu_given_tau(t, d.y, d.sigma)
    w = 1.0 / (d.sigma**2 + t)
    return _grade(
        "mu | tau, y", [m, v], [float(mu_hat), float(v_mu)], right=5e-4, close=1e-2,
        floor=1e-6,
        hints={
            RIGHT: "Given tau, each y_j is a measurement of mu with variance sigma_j^2 + tau^2.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Given tau, integrate theta_j out: y_j | mu, tau ~ N(mu, sigma_j^2 + tau^2). "
            "Then pool the y_j as in chapter 1 with these variances.",
        },
        slips=[
            ([float(np.sum(w * d.y) / np.sum(w)), float(1 / np.sum(w))], "Add tau^2, not "
             "tau, to each sigma_j^2."),
            ([float(mu_hat), math.sqrt(float(v_mu))], "Your second number looks like a "
             "standard deviation: the question asks for the variance."),
        ],
    )


# ------------------------------------------------------------------------------ chapter 8
def log_relative_risk(
    trial: int | str, value: float, sigma: float | None = None, data: SchoolData | None = None
) -> CheckResult:
    r"""Check one BCG trial's log relative risk, and optionally its standard error (chapter 8).

    Truth: :func:`eightschools.meta.log_relative_risk` on the trial's counts from
    :func:`eightschools.meta.load_bcg`, :math:`\log\frac{a}{a+b} - \log\frac{c}{c+d}` with
    standard error :math:`\sqrt{1/a - 1/(a+b) + 1/c - 1/(c+d)}`. Right within
    :math:`5 \times 10^{-4}` (relative, floor 0.01), close within 1%.

    Parameters
    ----------
    trial : str or int
        The trial's name (``"Aronson 1948"``) or 0-based index.
    value : float
        Your log relative risk.
    sigma : float, optional
        Your standard error, checked too when given.
    data : TrialData, optional
        The trials; :func:`eightschools.meta.load_bcg` by default.

    Examples
    --------
    >>> print(log_relative_risk("Aronson 1948", -0.8893).verdict)
    right
    >>> print(log_relative_risk("Aronson 1948", 0.8893).hint)
    The sign is flipped: put the vaccinated arm's risk in the numerator.
    """
    from eightschools import meta

    d = meta.load_bcg() if data is None else data
    if not isinstance(d, meta.TrialData):
        raise ValueError(
            f"data must be a TrialData with counts (meta.load_bcg()); got {type(d).__name__}"
        )
    j = _group(d, trial, "trial")
    values = [_number(value, "value")]
    truths = [float(d.y[j])]
    a, b, c, e = (float(x) for x in d.counts[j])
    slip_y = {
        "flip": -truths[0],
        "odds": math.log(a / b) - math.log(c / e),
        "counts": math.log(a / c),
        "log10": truths[0] / math.log(10.0),
    }
    if sigma is not None:
        values.append(_number(sigma, "sigma"))
        truths.append(float(d.sigma[j]))
        var = truths[1] ** 2
        slips = [
            ([slip_y["flip"], truths[1]], "The sign is flipped: put the vaccinated arm's risk "
             "in the numerator."),
            ([truths[0], var], "Your standard error looks like a variance: take its square "
             "root."),
            ([slip_y["odds"], math.sqrt(1 / a + 1 / b + 1 / c + 1 / e)], "That is the log "
             "odds ratio: the risk is cases over the arm's total, not over the non-cases."),
        ]
    else:
        slips = [
            ([slip_y["flip"]], "The sign is flipped: put the vaccinated arm's risk in the "
             "numerator."),
            ([slip_y["odds"]], "That is the log odds ratio: the risk is cases over the arm's "
             "total, not over the non-cases."),
            ([slip_y["counts"]], "Divide each arm's cases by that arm's size before taking "
             "the ratio: the arms differ in size."),
            ([slip_y["log10"]], "Use natural logarithms (numpy.log), not base 10."),
        ]
    return _grade(
        f"log relative risk of {d.names[j]}", values, truths, right=5e-4, close=1e-2,
        floor=0.01,
        hints={
            RIGHT: "The log of the vaccinated arm's risk over the control arm's.",
            CLOSE: _CLOSE_HINT,
            WRONG: "Risk in an arm = cases / everyone in the arm; take the log of the "
            "vaccinated risk over the control risk. The variance adds 1/cases - 1/total "
            "over the two arms.",
        },
        slips=slips,
    )
