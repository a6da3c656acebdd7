"""Tests of eightschools.check: each self-check says right, close or wrong, and leaks nothing.

Every truth here is computed independently of the package's own routine for the quantity:
published numbers from the blog post (pooled mean and variance, the separate interval for A,
the Nelder-Mead mode), closed forms evaluated by hand with numpy/math, a finite-difference
Hessian, ArviZ's ESS, or a plain loop over a chain. The "close" answers are placed well inside
the check's stated close band and well outside its right band, so each verdict is decided by
a margin of at least a factor of two.
"""

from __future__ import annotations

import math
import re

import arviz as az
import numpy as np
import pytest

from eightschools import check, eight_schools, meta, posterior
from eightschools.check import CheckResult

D = eight_schools()
Y, S = D.y, D.sigma
# Published in the post (R output): pooled mean and variance, school A's separate interval,
# and the posterior mode of (mu, log tau) from Nelder-Mead (a few digits only).
POST_POOLED_MEAN = 7.68561672495604
POST_POOLED_VAR = 16.58053
POST_A_INTERVAL = (-1.39946, 57.39946)
POST_MODE = (7.926685, 1.841525)


def _digits(x: float) -> list[str]:
    """The true value written with 3 to 6 significant digits, and as a rounded percentage."""
    out = {f"{x:.{k}g}" for k in range(3, 7)}
    out |= {f"{abs(x):.{k}g}" for k in range(3, 7)}
    return [s for s in out if sum(ch.isdigit() for ch in s) >= 3]


def _assert_no_leak(result: CheckResult, truths: list[float]) -> None:
    # The display must not show the true value (nor its magnitude) to 3 or more digits.
    shown = repr(result) + result._repr_html_() + str(result)
    for t in truths:
        for s in _digits(t):
            assert s not in shown, f"{s!r} (from the true value) appears in {shown!r}"
    # The hint is about the method: the only numbers it may hold are a formula's 1s and 2s.
    assert set(re.findall(r"\d+(?:\.\d+)?", result.hint)) <= {"1", "2"}, result.hint


# ----------------------------------------------------------------- chapter 1
def test_pooled_mean_verdicts() -> None:
    # Truth: the post's printed pooled mean. Close: 0.3% off (band 0.05% to 1%).
    assert check.pooled_mean(POST_POOLED_MEAN).verdict == "right"
    assert check.pooled_mean(POST_POOLED_MEAN * 1.003).verdict == "close"
    wrong = check.pooled_mean(POST_POOLED_MEAN * 1.2)
    assert wrong.verdict == "wrong" and not wrong
    # The plain average is a known slip; the hint names it without a number.
    plain = check.pooled_mean(float(np.mean(Y)))
    assert plain.verdict == "wrong" and "plain average" in plain.hint
    _assert_no_leak(plain, [POST_POOLED_MEAN])
    _assert_no_leak(check.pooled_mean(POST_POOLED_MEAN * 1.003), [POST_POOLED_MEAN])


def test_pooled_variance_verdicts() -> None:
    # Truth: the post's printed variance 16.58053. Close: 0.4% off.
    assert check.pooled_variance(POST_POOLED_VAR)
    assert check.pooled_variance(POST_POOLED_VAR * 0.996).verdict == "close"
    sd = check.pooled_variance(math.sqrt(POST_POOLED_VAR))
    assert sd.verdict == "wrong" and "standard deviation" in sd.hint
    _assert_no_leak(sd, [POST_POOLED_VAR, math.sqrt(POST_POOLED_VAR)])


def test_separate_interval_verdicts() -> None:
    # Truth: the post's interval for school A (5 decimals). Close: ends off by 0.1 (0.7% of
    # sigma_A = 15). Wrong: the rule of thumb y +- 2 sigma (4% of sigma off).
    assert check.separate_interval("A", *POST_A_INTERVAL).verdict == "right"
    assert check.separate_interval(0, *POST_A_INTERVAL).verdict == "right"
    assert check.separate_interval("A", -1.3, 57.3).verdict == "close"
    two = check.separate_interval("A", 28 - 30, 28 + 30)
    assert two.verdict == "wrong" and "rule of thumb" in two.hint
    swapped = check.separate_interval("A", POST_A_INTERVAL[1], POST_A_INTERVAL[0])
    assert swapped.verdict == "wrong" and "swapped" in swapped.hint
    _assert_no_leak(two, list(POST_A_INTERVAL))
    # A 90% interval for school H, from the closed form with scipy's normal quantile.
    from scipy import stats

    z = stats.norm.ppf(0.95)
    assert check.separate_interval("H", 12 - z * 18, 12 + z * 18, level=0.90)
    assert check.separate_interval("H", 12 - z * 18, 12 + z * 18).verdict == "wrong"


def test_q_statistic_verdicts() -> None:
    # Truth: Q = sum ((y - ybar)/sigma)^2 by hand, with the post's pooled mean.
    q = float(np.sum(((Y - POST_POOLED_MEAN) / S) ** 2))
    assert check.q_statistic(q)
    assert check.q_statistic(q * 1.005).verdict == "close"
    unw = check.q_statistic(float(np.sum(((Y - Y.mean()) / S) ** 2)))
    assert unw.verdict == "wrong" and "plain average" in unw.hint
    _assert_no_leak(check.q_statistic(2 * q), [q])


def test_bcg_data_set_is_accepted() -> None:
    # Truth: metafor's published fixed-effect estimate for the BCG trials, -0.4303 (4 dp);
    # its rounding error (5e-5 of 0.43, about 1e-4 relative) lies inside the right band.
    bcg = meta.load_bcg()
    assert check.pooled_mean(-0.4303, data=bcg)
    assert check.pooled_mean(-0.4303 * 1.1, data=bcg).verdict == "wrong"


# ----------------------------------------------------------------- chapters 2, 6, 7
def test_shrinkage_factor_verdicts() -> None:
    # Truth: B_A = 15^2 / (15^2 + 10^2) = 9/13 by hand.
    b = 225 / 325
    assert check.shrinkage_factor("A", 10.0, b)
    assert check.shrinkage_factor("A", 10.0, b * 1.004).verdict == "close"
    flipped = check.shrinkage_factor("A", 10.0, 1 - b)
    assert flipped.verdict == "wrong" and "1 - B_j" in flipped.hint
    sds = check.shrinkage_factor("A", 10.0, 15 / 25)
    assert "variances" in sds.hint
    _assert_no_leak(flipped, [b, 1 - b])


def test_conditional_mean_verdicts() -> None:
    # Truth: the precision-weighted average (y/s^2 + mu/tau^2) / (1/s^2 + 1/tau^2) by hand.
    mu, tau, y, s = 8.0, 10.0, 28.0, 15.0
    m = (y / s**2 + mu / tau**2) / (1 / s**2 + 1 / tau**2)
    assert check.conditional_mean("A", mu, tau, m)
    assert check.conditional_mean("A", mu, tau, m + 0.05).verdict == "close"
    b = s**2 / (s**2 + tau**2)
    swapped = check.conditional_mean("A", mu, tau, b * y + (1 - b) * mu)
    assert swapped.verdict == "wrong" and "swapped" in swapped.hint
    _assert_no_leak(swapped, [m])


def test_mu_given_tau_verdicts() -> None:
    # Truth: BDA3 eqs. 5.19-5.20 by hand, w_j = 1 / (sigma_j^2 + tau^2).
    tau = 10.0
    w = 1 / (S**2 + tau**2)
    mean, var = float(np.sum(w * Y) / np.sum(w)), float(1 / np.sum(w))
    assert check.mu_given_tau(tau, mean, var)
    assert check.mu_given_tau(tau, mean, var * 1.005).verdict == "close"
    sd = check.mu_given_tau(tau, mean, math.sqrt(var))
    assert sd.verdict == "wrong" and "standard deviation" in sd.hint
    _assert_no_leak(sd, [mean, var])


# ----------------------------------------------------------------- chapter 3
def test_posterior_mode_verdicts() -> None:
    # Truth: the post's Nelder-Mead mode, good to a few digits (the right band is 0.1%,
    # measured against max(|value|, 1)). Close: both coordinates about 3% off.
    assert check.posterior_mode(*POST_MODE)
    assert check.posterior_mode(POST_MODE[0] * 1.03, POST_MODE[1] * 1.03).verdict == "close"
    tau_scale = check.posterior_mode(POST_MODE[0], math.exp(POST_MODE[1]))
    assert tau_scale.verdict == "wrong" and "log tau" in tau_scale.hint
    _assert_no_leak(tau_scale, list(POST_MODE))


def _fd_hessian(lam: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central finite differences of posterior.log_posterior (error about h^2, ~1e-8)."""
    def f(x: np.ndarray) -> float:
        return float(posterior.log_posterior(x, Y, S))

    out = np.empty((2, 2))
    for i in range(2):
        for k in range(2):
            ei, ek = np.eye(2)[i] * h, np.eye(2)[k] * h
            out[i, k] = (
                f(lam + ei + ek) - f(lam + ei - ek) - f(lam - ei + ek) + f(lam - ei - ek)
            ) / (4 * h * h)
    return out


def test_laplace_sd_verdicts() -> None:
    # Truth: sqrt(diag((-H)^{-1})) with H from finite differences at the post's mode. The
    # post's mode carries ~1e-6 error and the FD Hessian ~1e-6 relative, far inside 0.1%.
    cov = np.linalg.inv(-_fd_hessian(np.array(POST_MODE)))
    sd = np.sqrt(np.diag(cov))
    assert check.laplace_sd(*sd)
    assert check.laplace_sd(*(sd * 1.02)).verdict == "close"
    var = check.laplace_sd(*np.diag(cov))
    assert var.verdict == "wrong" and "variances" in var.hint
    _assert_no_leak(var, list(sd))


# ----------------------------------------------------------------- chapters 4, 5
def test_acceptance_rate_against_a_loop() -> None:
    # Truth: a plain loop counting moves in a seeded random chain with known repeats.
    rng = np.random.default_rng(7)
    n = 400
    chain = np.zeros((n, 2))
    for t in range(1, n):
        chain[t] = chain[t - 1] if rng.random() < 0.6 else chain[t - 1] + rng.normal(size=2)
    moves = sum(1 for t in range(1, n) if not np.array_equal(chain[t], chain[t - 1]))
    rate = moves / (n - 1)
    assert check.acceptance_rate(chain, rate)
    assert check.acceptance_rate(chain, moves / n)  # dividing by n is within 1/(n-1)
    assert check.acceptance_rate(chain, rate * 1.03).verdict == "close"
    rej = check.acceptance_rate(chain, 1 - rate)
    assert rej.verdict == "wrong" and "rejection" in rej.hint
    _assert_no_leak(rej, [rate])


def test_effective_sample_size_against_arviz() -> None:
    # Truth: ArviZ's ess(method="mean") on a seeded AR(1) chain (phi = 0.9, true ESS near
    # n (1 - phi)/(1 + phi), about 5% of n). Right band 5%, close band 25%.
    rng = np.random.default_rng(11)
    n, phi = 4000, 0.9
    e = rng.normal(size=(2, n))
    x = np.empty((2, n))
    x[:, 0] = e[:, 0] / math.sqrt(1 - phi**2)
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + e[:, t]
    truth = float(az.ess(x, method="mean"))
    assert check.effective_sample_size(x, truth)
    assert check.effective_sample_size(x, truth * 1.15).verdict == "close"
    raw = check.effective_sample_size(x, float(x.size))
    assert raw.verdict == "wrong" and "raw number of draws" in raw.hint
    _assert_no_leak(check.effective_sample_size(x, truth * 1.15), [truth])


# ----------------------------------------------------------------- chapter 8
def test_log_relative_risk_verdicts() -> None:
    # Truth: the closed form with math.log on Aronson 1948's counts (4, 119, 11, 128).
    a, b, c, d = 4, 119, 11, 128
    y = math.log(a / (a + b)) - math.log(c / (c + d))
    se = math.sqrt(1 / a - 1 / (a + b) + 1 / c - 1 / (c + d))
    assert check.log_relative_risk("Aronson 1948", y)
    assert check.log_relative_risk(0, y, se)
    assert check.log_relative_risk(0, y * 1.005).verdict == "close"
    odds = check.log_relative_risk(0, math.log(a / b) - math.log(c / d))
    assert odds.verdict == "wrong" and "odds ratio" in odds.hint
    flip = check.log_relative_risk(0, -y)
    assert "sign" in flip.hint
    var = check.log_relative_risk(0, y, se**2)
    assert var.verdict == "wrong" and "variance" in var.hint
    for r in (odds, flip, var):
        _assert_no_leak(r, [y, se])


# ----------------------------------------------------------------- the result and the boundary
def test_result_display_and_validation() -> None:
    # Truth: the documented display: a verdict, an escaped hint, and bool() true only if right.
    r = CheckResult("a<b", "close", "tol", "use <b>")
    assert "a&lt;b" in r._repr_html_() and "use &lt;b&gt;" in r._repr_html_()
    assert not r and repr(r).startswith("a<b: close.")
    with pytest.raises(ValueError, match="verdict must be one of"):
        CheckResult("x", "maybe", "", "")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: check.pooled_mean("7.7"), r"value must be a finite number; got '7.7'"),
        (lambda: check.pooled_mean(float("nan")), r"value must be a finite number"),
        (lambda: check.separate_interval("Z", 0, 1), r"school must be one of"),
        (lambda: check.separate_interval(8, 0, 1), r"school must satisfy 0 <= school < 8"),
        (lambda: check.separate_interval("A", 0, 1, level=1.5), r"level must lie strictly"),
        (lambda: check.shrinkage_factor("A", -1.0, 0.5), r"tau must be >= 0"),
        (lambda: check.acceptance_rate([[0.0]], 0.5), r"draws must have shape"),
        (lambda: check.acceptance_rate([0.0, 1.0], 1.5), r"value must be a rate in \[0, 1\]"),
        (lambda: check.pooled_mean(7.7, data=(Y, S)), r"data must be a SchoolData"),
        (lambda: check.log_relative_risk(0, 0.1, data=D), r"data must be a TrialData"),
    ],
)
def test_checks_refuse_bad_input(call, message: str) -> None:
    # Truth: the boundary rules; each message names the argument and the rule broken.
    with pytest.raises(ValueError, match=message):
        call()
