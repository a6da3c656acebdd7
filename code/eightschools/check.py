r"""Self-checks for the exercises: call with your answer, read right, close or wrong.

Each function takes a student's answer (a number, some draws, or a function that carries out
one step of the method), computes the true value with the package at call time, and returns
a :class:`CheckResult`. Its display (plain text, or HTML in a notebook) gives a verdict,
right, close or wrong, and a hint about the *method*; it shows no number computed from the
true value. The verdict itself does depend on the true value, though: by calling a check
again and again with different numbers one could narrow the true value down (by bisection,
say). A check is therefore a self-check, for a student who has done the work and wants to
know whether it is right; it is not a test. Instructors who grade the exercises should use
tests of their own that students do not see.

Most verdicts compare the relative error :math:`|v - t| / \max(|t|, s)` of an answer
:math:`v` against the truth :math:`t` (with a floor :math:`s`, stated per check, so that a
truth near zero does not demand impossible precision):

* **right**: within the check's ``right`` tolerance, small enough that only a correct
  computation (printed with the stated number of significant digits) passes;
* **close**: within the ``close`` tolerance (usually 1%): the method is probably right but
  something was rounded early, or a constant such as :math:`z_{0.975} \approx 1.96` was
  replaced by an approximation;
* **wrong**: anything else. When the answer matches a known slip (an unweighted mean, a
  standard deviation given for a variance, ...), the hint names the slip.

The checks of a function (:func:`metropolis_step`) and of random draws
(:func:`theta_draws`) say right or wrong only; each states its own rule.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from eightschools import classical, diagnostics, exact, laplace, metropolis, posterior
from eightschools.data import SchoolData, eight_schools

__all__ = [
    "CheckResult",
    "acceptance_rate",
    "autocorrelation",
    "conditional_mean",
    "effective_sample_size",
    "laplace_sd",
    "log_relative_risk",
    "metropolis_step",
    "mu_given_tau",
    "pooled_mean",
    "posterior_mode",
    "q_statistic",
    "separate_interval",
    "shrinkage_factor",
    "tau_mean",
    "theta_draws",
]

RIGHT, CLOSE, WRONG = "right", "close", "wrong"
_SYMBOL = {RIGHT: "\u2713", CLOSE: "\u2248", WRONG: "\u2717"}
_COLOUR = {RIGHT: "#117733", CLOSE: "#997700", WRONG: "#AA3377"}


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: what was checked, right/close/wrong, the tolerance, a hint.

    The result holds no number computed from the true value, but its verdict depends on it,
    so repeated calls could narrow a true value down: a self-check, not a test.
    ``bool(result)`` is ``True`` only for a right answer.

    Attributes
    ----------
    quantity : str
        What was checked, e.g. ``"pooled mean"``.
    verdict : str
        ``"right"``, ``"close"`` or ``"wrong"``.
    tolerance : str
        The rule that separates the verdicts, stated in words.
    hint : str
        A hint about the method (it states neither the answer nor the size of the error).

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


def _callable(func: object, name: str) -> None:
    if not callable(func):
        raise ValueError(f"{name} must be a function; got {type(func).__name__}")


def _finite_array(value: object, name: str) -> np.ndarray:
    """A finite float array, or a ValueError naming the argument."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be an array of numbers; got {type(value).__name__}"
        ) from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


# ------------------------------------------------------------------------------ chapter 1
def pooled_mean(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the complete-pooling estimate :math:`\bar y_{\cdot\cdot}` (chapters 1 and 8).

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

    Raises
    ------
    ValueError
        If ``value`` is not a finite number or ``data`` is not a SchoolData.

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

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``school`` names no school, ``lower`` or ``upper`` is not a finite number, or
        ``level`` does not lie strictly between 0 and 1.

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

    Parameters
    ----------
    value : float
        Your :math:`Q`.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``value`` is not a finite number or ``data`` is not a SchoolData.

    Examples
    --------
    >>> print(q_statistic(4.7066).verdict, q_statistic(4.6).verdict)
    right wrong
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


# ------------------------------------------------------------------------------ chapter 2
def shrinkage_factor(
    school: int | str, tau: float, value: float, data: SchoolData | None = None
) -> CheckResult:
    r"""Check the shrinkage factor :math:`B_j(\tau) = \sigma_j^2/(\sigma_j^2 + \tau^2)` (chapter 2).

    Truth: :func:`eightschools.posterior.shrinkage_factor`. Right within
    :math:`5 \times 10^{-4}` (relative, floor 0.001), close within 1%.

    Parameters
    ----------
    school : str or int
        The school's name (``"A"``) or 0-based index.
    tau : float
        The population standard deviation :math:`\tau \ge 0` at which :math:`B_j` is taken.
    value : float
        Your :math:`B_j(\tau)`.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``school`` names no school, ``tau`` is not a finite number >= 0, or ``value`` is
        not a finite number.

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

    Parameters
    ----------
    school : str or int
        The school's name (``"A"``) or 0-based index.
    mu, tau : float
        The population mean and standard deviation (:math:`\tau > 0`) to condition on.
    value : float
        Your conditional mean.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``school`` names no school, ``mu`` or ``value`` is not a finite number, or
        ``tau`` is not a finite number > 0.

    Examples
    --------
    >>> print(conditional_mean("A", 8.0, 10.0, 14.15).verdict)
    right
    >>> print(conditional_mean("A", 8.0, 10.0, 21.85).hint)  # doctest: +ELLIPSIS
    The weights are swapped: ...
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

    Parameters
    ----------
    mu, log_tau : float
        Your mode, with :math:`\tau` on the log scale.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``mu`` or ``log_tau`` is not a finite number.

    Examples
    --------
    >>> print(posterior_mode(7.9267, 1.8415).verdict)
    right
    >>> print(posterior_mode(7.9267, 6.305).hint)  # doctest: +ELLIPSIS
    Your second coordinate is on the tau scale: ...
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

    Parameters
    ----------
    mu_sd, log_tau_sd : float
        Your standard deviations of :math:`\mu` and :math:`\log\tau`, both > 0.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``mu_sd`` or ``log_tau_sd`` is not a finite number > 0.

    Examples
    --------
    >>> print(laplace_sd(4.7246, 0.7317).verdict, laplace_sd(5.7, 0.8).verdict)
    right wrong
    """
    d = _data(data)
    a, b = _number(mu_sd, "mu_sd"), _number(log_tau_sd, "log_tau_sd")
    for name, x in (("mu_sd", a), ("log_tau_sd", b)):
        if x <= 0:
            raise ValueError(f"{name} must be > 0 (a standard deviation); got {x}")
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


# ------------------------------------------------------------------------------ chapter 4
_STEP_POINTS = 50  # how many points metropolis_step tries the student's step from
_STEP_SEED = 4040  # seeds the chain of those points; point t gets default_rng([_STEP_SEED, t])


def metropolis_step(step: Callable[..., ArrayLike]) -> CheckResult:
    r"""Check a function that makes one random-walk Metropolis step (chapter 4).

    ``step(current, logpdf, cov, scale, rng)`` must return the chain's next point from
    ``current``, an array of shape (2,), as :func:`eightschools.metropolis.rwmetrop` makes
    it: draw :math:`z` with ``rng.standard_normal(2)``, then :math:`u` with ``rng.random()``;
    propose :math:`\lambda^* = \lambda + s L z`, with :math:`L` the lower Cholesky factor of
    ``cov`` and :math:`s` = ``scale``; return :math:`\lambda^*` if
    :math:`\log u < \log p(\lambda^*) - \log p(\lambda)` and ``current`` otherwise.
    ``logpdf`` takes one point and returns its log density as a float.

    Truth: ``rwmetrop`` run for one iteration from the same point with a generator in the
    same state. The check calls ``step`` from 50 points of a chain on the eight schools'
    posterior of :math:`(\mu, \log\tau)` (chapter 3's covariance, scale 2), point :math:`t`
    with ``numpy.random.default_rng([4040, t])``, and compares each returned point with
    rwmetrop's. Right: all 50 agree within a relative :math:`10^{-9}` (rounding); wrong
    otherwise (there is no close: a step makes rwmetrop's decisions or it does not).

    Parameters
    ----------
    step : callable
        Your step function, ``step(current, logpdf, cov, scale, rng) -> next point``.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``step`` is not callable, or returns something other than a finite point of
        shape (2,). An error inside ``step`` is raised as it is.

    Examples
    --------
    >>> def step(current, logpdf, cov, scale, rng):
    ...     z = rng.standard_normal(2)
    ...     proposal = current + scale * np.linalg.cholesky(cov) @ z
    ...     u = rng.random()
    ...     if np.log(u) < logpdf(proposal) - logpdf(current):
    ...         return proposal
    ...     return current
    >>> print(metropolis_step(step).verdict)
    right
    >>> def greedy(current, logpdf, cov, scale, rng):
    ...     return current + scale * np.linalg.cholesky(cov) @ rng.standard_normal(2)
    >>> print(metropolis_step(greedy).hint)  # doctest: +ELLIPSIS
    Your step accepts every proposal: ...
    """
    _callable(step, "step")
    d = eight_schools()
    lp = posterior.LogPosterior(d.y, d.sigma)
    fit = laplace.laplace_fit(d.y, d.sigma)
    cov = np.array(fit.cov)
    chol = np.linalg.cholesky(cov)
    scale = 2.0
    start = np.asarray(fit.mode, dtype=np.float64)
    points = metropolis.rwmetrop(
        lp, start, cov, scale, _STEP_POINTS, np.random.default_rng(_STEP_SEED)
    ).draws[0]

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return bool(np.allclose(a, b, rtol=1e-9, atol=1e-9))

    agree, moved, at_proposal, slip_u, slip_sign = [], [], [], [], []
    for t, x in enumerate(points):
        truth = metropolis.rwmetrop(
            lp, x, cov, scale, 1, np.random.default_rng([_STEP_SEED, t])
        ).draws[0, 0]
        rng = np.random.default_rng([_STEP_SEED, t])
        z = rng.standard_normal(2)
        u = rng.random()
        proposal = x + scale * chol @ z
        log_ratio = lp.scalar(proposal) - lp.scalar(x)
        returned = step(x.copy(), lp.scalar, cov.copy(), scale,
                        np.random.default_rng([_STEP_SEED, t]))
        try:
            out = np.asarray(returned, dtype=np.float64)
        except (TypeError, ValueError):
            out = np.full(3, np.nan)  # not a point: refused below
        if out.shape != (2,) or not np.isfinite(out).all():
            raise ValueError(
                "step must return the next point, a finite array of shape (2,); it returned "
                f"{returned!r}"
            )
        agree.append(same(out, truth))
        moved.append(not same(out, x))
        at_proposal.append(same(out, proposal))
        slip_u.append(same(out, proposal if u < log_ratio else x))
        slip_sign.append(same(out, proposal if math.log(u) < -log_ratio else x))
    tolerance = (
        f"right: at all {_STEP_POINTS} test points your step returns rwmetrop's next point "
        "(to a relative 1e-9); wrong otherwise"
    )
    if all(agree):
        return CheckResult(
            "Metropolis step", RIGHT, tolerance,
            "A symmetric random-walk proposal, accepted with probability min(1, p*/p).",
        )
    if any(m and not p for m, p in zip(moved, at_proposal, strict=True)):
        hint = (
            "Your step moves to points that are not rwmetrop's proposals: draw z with "
            "rng.standard_normal(2) before u with rng.random(), and propose current + "
            "scale * L @ z with L the lower Cholesky factor of cov (numpy.linalg.cholesky)."
        )
    elif not any(moved):
        hint = (
            "Your step never moves: a proposal that lowers the log density must still be "
            "accepted with probability p(proposal) / p(current)."
        )
    elif all(moved):
        hint = (
            "Your step accepts every proposal: accept only when log u is below the "
            "difference of the log densities, and otherwise return the current point."
        )
    elif all(slip_u):
        hint = (
            "You compare u itself with the difference of the log densities: compare log u "
            "with it (or u with the ratio of the densities)."
        )
    elif all(slip_sign):
        hint = (
            "The difference is the wrong way round: it is log p(proposal) minus "
            "log p(current), so that uphill moves are always accepted."
        )
    else:
        hint = (
            "Some decisions differ from rwmetrop's: accept when log u < log p(proposal) - "
            "log p(current), with u drawn after z, and otherwise return the current point."
        )
    return CheckResult("Metropolis step", WRONG, tolerance, hint)


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

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``draws`` is not one finite chain of at least 2 draws, or ``value`` is not a
        number in [0, 1].

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


# ------------------------------------------------------------------------------ chapter 5
def _one_chain(draws: ArrayLike, name: str = "draws") -> np.ndarray:
    arr = _finite_array(draws, name)
    if arr.ndim != 1 or arr.size < 4:
        raise ValueError(
            f"{name} must be one chain, shape (n,) with n >= 4 draws; got shape {arr.shape}"
        )
    if np.ptp(arr) == 0.0:
        raise ValueError(f"{name} must not be constant (its autocorrelation is undefined)")
    return arr


def autocorrelation(draws: ArrayLike, value: ArrayLike) -> CheckResult:
    r"""Check a chain's autocorrelations :math:`\hat\rho_0, \dots, \hat\rho_L` (chapter 5).

    Truth: :func:`eightschools.diagnostics.autocorrelation` of ``draws`` up to the lag
    :math:`L` given by ``value``'s length,
    :math:`\hat\rho_t = \hat\gamma_t/\hat\gamma_0` with
    :math:`\hat\gamma_t = \frac1n \sum_{i=1}^{n-t} (x_i - \bar x)(x_{i+t} - \bar x)`.
    Autocorrelations lie in [-1, 1], so errors are absolute: right when every lag is within
    :math:`10^{-6}` (an FFT and a plain sum agree far better), close within :math:`10^{-3}`.

    Parameters
    ----------
    draws : array_like, shape (n,)
        One chain of one quantity, in iteration order.
    value : array_like, shape (L + 1,)
        Your :math:`\hat\rho_0 = 1, \hat\rho_1, \dots, \hat\rho_L`, with
        :math:`1 \le L \le n - 1`.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``draws`` is not one finite, non-constant chain of at least 4 draws, or
        ``value`` is not a finite one-dimensional array of 2 to n numbers.

    Examples
    --------
    >>> print(autocorrelation([1.0, 2.0, 3.0, 4.0], [1.0, 0.25, -0.3]).verdict)
    right
    >>> print(autocorrelation([1.0, 2.0, 3.0, 4.0], [1.0, 1 / 3, -0.6]).hint)
    Divide every lag's sum by n, not by the number of its terms n - t.
    """
    x = _one_chain(draws)
    v = _finite_array(value, "value")
    n = x.size
    if v.ndim != 1 or not 2 <= v.size <= n:
        raise ValueError(
            f"value must hold the autocorrelations at lags 0, 1, ..., L, shape (L + 1,) with "
            f"1 <= L <= {n - 1}; got shape {v.shape}"
        )
    lags = v.size - 1
    truth = diagnostics.autocorrelation(x, max_lag=lags)
    t = np.arange(lags + 1)

    def normalised(gamma: np.ndarray) -> list[float]:
        return (gamma[: lags + 1] / gamma[0]).tolist()

    centred = x - x.mean()
    spectrum = np.fft.rfft(centred)  # no zero padding: the chain wraps round
    circular = np.fft.irfft(spectrum * np.conj(spectrum), n=n)
    raw = np.fft.rfft(x, n=2 * n)  # padded, but not centred
    uncentred = np.fft.irfft(raw * np.conj(raw), n=2 * n)
    return _grade(
        f"autocorrelation at lags 0 to {lags}", v.tolist(), truth.tolist(),
        right=1e-6, close=1e-3, floor=1.0,
        hints={
            RIGHT: "Each lag's sum of products of centred draws, over n, over the lag-0 sum.",
            CLOSE: "Nearly: centre the draws with their mean and divide every lag's sum by n.",
            WRONG: "Centre the chain, add up the products of draws t apart, divide by n, and "
            "divide the result by its value at lag 0.",
        },
        slips=[
            ((truth * n / (n - t)).tolist(), "Divide every lag's sum by n, not by the number "
             "of its terms n - t."),
            (normalised(circular), "The FFT correlates circularly: pad the centred chain "
             "with n zeros before transforming it."),
            (normalised(uncentred), "Subtract the chain's mean from every draw first."),
        ],
    )


def effective_sample_size(draws: ArrayLike, value: float) -> CheckResult:
    r"""Check an effective sample size computed from one quantity's draws (chapter 5).

    Truth: :func:`eightschools.diagnostics.ess` with ``method="mean"`` (Geyer's initial
    monotone sequence on split chains, Vehtari et al. 2021) on the same draws. ESS
    estimators differ in details (splitting, truncation of the autocorrelation sum), so
    right is within 5% (relative) and close within 25%.

    Parameters
    ----------
    draws : array_like, shape (chains, n) or (n,)
        The draws of one scalar quantity, at least 4 per chain.
    value : float
        Your effective sample size.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``draws`` is not a finite array of shape (n,) or (chains, n) with n >= 4, or
        ``value`` is not a finite number.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(2000)
    >>> print(effective_sample_size(x, 2000.0).verdict, effective_sample_size(x, 40.0).verdict)
    right wrong
    """
    arr = _finite_array(draws, "draws")
    if arr.ndim not in (1, 2) or arr.shape[-1] < 4 or arr.size == 0:
        raise ValueError(
            "draws must have shape (n,) for one chain or (chains, n), with n >= 4 draws per "
            f"chain; got shape {arr.shape}"
        )
    v = _number(value, "value")
    truth = float(diagnostics.ess(arr, method="mean"))
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


# ------------------------------------------------------------------------------ chapter 6
_MIN_THETA_DRAWS = 1000
_Z_LIMIT = 5.0


def _worst_z(theta: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[float, float]:
    """How far standardised draws are from independent N(0, 1), in Monte Carlo errors.

    Returns the largest |z-score| of the schools' means and variances of
    (theta - mean) / sqrt(var), and the largest of the correlations between schools.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (theta - mean) / np.sqrt(var)
    if not np.isfinite(z).all():
        return math.inf, math.inf
    n, J = z.shape
    z_mean = np.abs(z.mean(axis=0)) * math.sqrt(n)
    z_var = np.abs((z**2).mean(axis=0) - 1.0) * math.sqrt(n / 2.0)
    z_corr = [abs(float(np.mean(z[:, j] * z[:, k]))) * math.sqrt(n)
              for j in range(J) for k in range(j + 1, J)]
    return float(max(z_mean.max(), z_var.max())), max(z_corr, default=0.0)


def theta_draws(
    draws: ArrayLike, theta: ArrayLike, data: SchoolData | None = None
) -> CheckResult:
    r"""Check draws of the school effects given draws of :math:`(\mu, \log\tau)` (chapter 6).

    Truth: for each row of ``draws``, :math:`\theta_j \mid \mu, \tau, y \sim
    \mathrm{N}(\hat\theta_j, V_j)` independently over the schools, with :math:`\tau =
    e^{\log\tau}` and :math:`\hat\theta_j, V_j` from
    :func:`eightschools.posterior.conditional_theta` (BDA3 eq. 5.17). The check
    standardises your draws, :math:`z_j = (\theta_j - \hat\theta_j)/\sqrt{V_j}`, which
    should be independent standard normal numbers. Right when, for every school, the mean
    of the :math:`z_j` is within 5 Monte Carlo standard errors (:math:`1/\sqrt n`) of 0,
    their mean square within 5 (:math:`\sqrt{2/n}`) of 1, and for every pair of schools the
    mean of :math:`z_j z_k` within 5 (:math:`1/\sqrt n`) of 0; wrong otherwise (there is no
    close). Correct draws fail this by chance with probability below :math:`10^{-4}`.

    Parameters
    ----------
    draws : array_like, shape (n, 2) or (chains, n, 2)
        The draws of :math:`(\mu, \log\tau)` you drew the effects for, at least 1,000 in all.
    theta : array_like, shape (n, J) or (chains, n, J)
        Your effects, one row per row of ``draws``.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``draws`` or ``theta`` is not finite or has the wrong shape, or there are fewer
        than 1,000 draws.

    Examples
    --------
    >>> from eightschools import effects
    >>> d = eight_schools()
    >>> rng = np.random.default_rng(1)
    >>> lam = np.column_stack([rng.normal(8.0, 5.0, 2000), rng.normal(1.5, 1.0, 2000)])
    >>> print(theta_draws(lam, effects.theta_draws(lam, d.y, d.sigma, rng)).verdict)
    right
    >>> print(theta_draws(lam, np.tile(d.y, (2000, 1))).verdict)
    wrong
    """
    d = _data(data)
    lam = _finite_array(draws, "draws")
    th = _finite_array(theta, "theta")
    if lam.ndim not in (2, 3) or lam.shape[-1] != 2:
        raise ValueError(
            f"draws must have shape (n, 2) or (chains, n, 2), rows (mu, log tau); got shape "
            f"{lam.shape}"
        )
    if th.shape != (*lam.shape[:-1], d.J):
        raise ValueError(
            f"theta must have shape {(*lam.shape[:-1], d.J)}, one row of {d.J} effects per "
            f"row of draws; got shape {th.shape}"
        )
    lam, th = lam.reshape(-1, 2), th.reshape(-1, d.J)
    if lam.shape[0] < _MIN_THETA_DRAWS:
        raise ValueError(
            f"draws must hold at least {_MIN_THETA_DRAWS} rows, so that the check can tell "
            f"right from wrong; got {lam.shape[0]}"
        )
    mu, log_tau = lam[:, 0], lam[:, 1]
    with np.errstate(over="ignore"):
        tau = np.exp(log_tau)
    mean, var = posterior.conditional_theta(mu, tau, d.y, d.sigma)
    worst, corr = _worst_z(th, mean, var)
    tolerance = (
        "right: every school's standardised draws have mean 0 and variance 1, and every pair "
        "of schools correlation 0, each within 5 Monte Carlo standard errors; wrong otherwise"
    )
    if max(worst, corr) <= _Z_LIMIT:
        return CheckResult(
            "theta draws", RIGHT, tolerance,
            "One normal draw per school and per draw of (mu, tau), centred between y_j and mu.",
        )
    with np.errstate(over="ignore"):
        b = d.sigma**2 / (d.sigma**2 + tau[:, None] ** 2)
        mean_log, var_log = posterior.conditional_theta(mu, np.abs(log_tau), d.y, d.sigma)
    slips = [
        (mean, var**2, "Your spread looks like V_j: multiply the standard normal deviates by "
         "the standard deviation sqrt(V_j)."),
        (mean_log, var_log, "Those draws use log tau where tau belongs: tau = exp(log tau)."),
        (b * d.y + (1 - b) * mu[:, None], var, "The weights are swapped: y_j's weight is "
         "1 - B_j, mu's is B_j."),
        (mean, np.broadcast_to(d.sigma**2, var.shape), "The conditional variance is "
         "V_j = (1 - B_j) sigma_j^2, smaller than sigma_j^2."),
    ]
    if np.allclose(th, mean):
        hint = "Your draws are the conditional means: add sqrt(V_j) times a standard normal."
    elif worst <= _Z_LIMIT:
        hint = (
            "Each school's draws look right, but the schools' draws are correlated: given "
            "(mu, tau) the effects are independent, so draw a new deviate for every school."
        )
    else:
        hint = (
            "For each draw (mu, tau) and each school, draw theta_j from N((1 - B_j) y_j + "
            "B_j mu, (1 - B_j) sigma_j^2) with B_j = sigma_j^2 / (sigma_j^2 + tau^2)."
        )
        for slip_mean, slip_var, slip_hint in slips:
            if max(_worst_z(th, slip_mean, slip_var)) <= _Z_LIMIT:
                hint = slip_hint
                break
    return CheckResult("theta draws", WRONG, tolerance, hint)


# ------------------------------------------------------------------------------ chapter 7
def mu_given_tau(
    tau: float, mean: float, variance: float, data: SchoolData | None = None
) -> CheckResult:
    r"""Check the normal distribution of :math:`\mu` given :math:`\tau` (chapter 7).

    Truth: :func:`eightschools.posterior.mu_given_tau` (BDA3 eqs. 5.19-5.20),
    :math:`\hat\mu = \sum_j w_j y_j / \sum_j w_j` and :math:`V_\mu = 1/\sum_j w_j` with
    :math:`w_j = 1/(\sigma_j^2 + \tau^2)`. Right within :math:`5 \times 10^{-4}`
    (relative), close within 1%.

    Parameters
    ----------
    tau : float
        The population standard deviation :math:`\tau \ge 0` to condition on.
    mean, variance : float
        Your :math:`\hat\mu` and :math:`V_\mu`.
    data : SchoolData, optional
        The data set; the eight schools by default.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``tau`` is not a finite number >= 0, or ``mean`` or ``variance`` is not a finite
        number.

    Examples
    --------
    >>> print(mu_given_tau(10.0, 8.1265, 30.4701).verdict)
    right
    >>> print(mu_given_tau(10.0, 8.1265, 5.52).hint)  # doctest: +ELLIPSIS
    Your second number looks like a standard deviation: ...
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


def tau_mean(value: float, data: SchoolData | None = None) -> CheckResult:
    r"""Check the posterior mean :math:`E(\tau \mid y)` under the flat prior (chapter 7).

    Truth: ``exact.exact_posterior(y, sigma).summary().tau.mean`` from
    :func:`eightschools.exact.exact_posterior`, the trapezoid rule over :math:`u = \log\tau`
    on a grid whose left-out probability is proven below :math:`10^{-12}`. Right within
    :math:`5 \times 10^{-4}` (relative), close within 1% (a grid that stops too early, or
    too coarse a spacing, is close).

    Parameters
    ----------
    value : float
        Your :math:`E(\tau \mid y)`.
    data : SchoolData, optional
        The data set; the eight schools by default. The mean needs at least 4 groups.

    Returns
    -------
    CheckResult

    Raises
    ------
    ValueError
        If ``value`` is not a finite number, or ``data`` has fewer than 4 groups (then
        :math:`E(\tau \mid y)` does not exist under the flat prior).

    Examples
    --------
    >>> print(tau_mean(6.575).verdict, tau_mean(6.6).verdict)
    right close
    >>> print(tau_mean(5.239).hint)
    That is the posterior median of tau: the question asks for its mean.
    """
    d = _data(data)
    v = _number(value, "value")
    if d.J < 4:
        raise ValueError(
            f"data must have at least 4 groups: with J = {d.J} and the flat prior, "
            "E(tau | y) does not exist"
        )
    s = exact.exact_posterior(d.y, d.sigma).summary()
    if s.tau.mean is None:  # pragma: no cover - J >= 4 always has a mean
        raise ValueError("data gives a posterior without a mean of tau")
    return _grade(
        "E(tau | y)", [v], [float(s.tau.mean)], right=5e-4, close=1e-2, floor=1e-6,
        hints={
            RIGHT: "The trapezoid rule over log tau, weighting tau by tau p(tau | y).",
            CLOSE: "Nearly: widen the grid of log tau (the density of log tau has a long left "
            "tail) and make its spacing finer.",
            WRONG: "On a grid of u = log tau, weight each node by g(u) = tau p(tau | y), the "
            "Jacobian included; E(tau | y) is the sum of tau g(u) over the sum of g(u).",
        },
        slips=[
            ([float(s.tau.q50)], "That is the posterior median of tau: the question asks for "
             "its mean."),
            ([math.exp(float(s.log_tau.mean))], "That is exp(E(log tau | y)): average tau "
             "itself, not log tau."),
            ([float(s.log_tau.mean)], "That is E(log tau | y): average tau = exp(u), not u."),
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
