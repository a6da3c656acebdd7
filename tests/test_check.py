"""Tests of eightschools.check: each self-check says right, close or wrong, shows no true value.

Every truth here is computed independently of the package's own routine for the quantity:
published numbers from the blog post (pooled mean, the separate interval for A, the
Nelder-Mead mode), closed forms evaluated by hand with numpy/math, a finite-difference
Hessian, ArviZ's ESS, a plain loop over a chain or over lags, a Metropolis step and theta
draws written out from their formulas, or a trapezoid rule written here. The "close" answers
are placed well inside the check's stated close band and well outside its right band, so each
verdict is decided by a margin of at least a factor of two.
"""

from __future__ import annotations

import math
import re

import arviz as az
import numpy as np
import pytest

from eightschools import check, eight_schools, meta, posterior
from eightschools.check import CheckResult
from eightschools.data import SchoolData

D = eight_schools()
Y, S = D.y, D.sigma
# Published in the post (R output): the pooled mean, school A's separate interval, and the
# posterior mode of (mu, log tau) from Nelder-Mead (a few digits only).
POST_POOLED_MEAN = 7.68561672495604
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


# ----------------------------------------------------------------- chapters 2, 7
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


# ----------------------------------------------------------------- chapter 4
def _step(scale_factor: float = 1.0, rule: str = "metropolis", u_first: bool = False):
    """A Metropolis step written out from chapter 4's two equations, with optional slips."""

    def step(current, logpdf, cov, scale, rng):
        if u_first:
            u = rng.random()
            z = rng.standard_normal(2)
        else:
            z = rng.standard_normal(2)
            u = rng.random()
        a, b, c = cov[0][0], cov[0][1], cov[1][1]  # the 2 x 2 Cholesky factor by hand
        l11 = math.sqrt(a)
        l21 = b / l11
        l22 = math.sqrt(c - l21**2)
        s = scale * scale_factor
        proposal = np.array([current[0] + s * l11 * z[0],
                             current[1] + s * (l21 * z[0] + l22 * z[1])])
        diff = logpdf(proposal) - logpdf(current)
        accept = {
            "metropolis": math.log(u) < diff,
            "ratio": u < math.exp(min(diff, 0.0)),  # the same rule on the density scale
            "always": True,
            "never": False,
            "flipped": math.log(u) < -diff,
        }[rule]
        return proposal if accept else current

    return step


def test_metropolis_step_written_from_the_formula() -> None:
    # Truth: the proposal lambda + s L z and the rule log u < log p* - log p, written here
    # with a hand-made Cholesky factor and plain math; two ways of writing the rule.
    for rule in ("metropolis", "ratio"):
        result = check.metropolis_step(_step(rule=rule))
        assert result.verdict == "right" and result


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"u_first": True}, "not rwmetrop's proposals"),
        ({"scale_factor": 1.05}, "not rwmetrop's proposals"),
        ({"rule": "always"}, "accepts every proposal"),
        ({"rule": "never"}, "never moves"),
        ({"rule": "flipped"}, "wrong way round"),
    ],
)
def test_metropolis_step_slips(kwargs: dict, phrase: str) -> None:
    # Truth: each slip changes the step's output at some of the 50 points; the hint names it.
    result = check.metropolis_step(_step(**kwargs))
    assert result.verdict == "wrong" and phrase in result.hint
    _assert_no_leak(result, [])


def test_metropolis_step_calls_the_step_as_documented() -> None:
    # Truth: the documented call, step(current, logpdf, cov, scale, rng) with a (2,) point,
    # a logpdf returning a float, a 2 x 2 covariance, scale 2 and a numpy Generator.
    seen = []

    def spy(current, logpdf, cov, scale, rng):
        seen.append((np.shape(current), type(logpdf(current)), np.shape(cov), scale,
                     isinstance(rng, np.random.Generator)))
        return current

    check.metropolis_step(spy)
    assert len(seen) == 50
    assert set(seen) == {((2,), float, (2, 2), 2.0, True)}


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


# ----------------------------------------------------------------- chapter 5
def _acf_loop(x: np.ndarray, max_lag: int) -> np.ndarray:
    """Equation (eq-ch5-acf) with one dot product per lag."""
    c = x - x.mean()
    gamma = np.array([np.dot(c[: x.size - t], c[t:]) / x.size for t in range(max_lag + 1)])
    return gamma / gamma[0]


def test_autocorrelation_against_a_loop() -> None:
    # Truth: the sums of (eq-ch5-acf) by a loop over lags, on a seeded AR(1) chain.
    rng = np.random.default_rng(5)
    n, phi = 3000, 0.8
    x = np.empty(n)
    x[0] = rng.normal()
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.normal()
    rho = _acf_loop(x, 30)
    assert check.autocorrelation(x, rho)
    assert check.autocorrelation(x.tolist(), rho.tolist())
    assert check.autocorrelation(x, rho[:2])  # lags 0 and 1 only
    assert check.autocorrelation(x, rho + 5e-4).verdict == "close"
    assert check.autocorrelation(x, rho * 1.1).verdict == "wrong"
    # Dividing by n - t instead of n: wrong at the far lags, and the hint says so.
    t = np.arange(1001)
    long = _acf_loop(x, 1000)
    slip = check.autocorrelation(x, long * n / (n - t))
    assert slip.verdict == "wrong" and "n - t" in slip.hint
    # Without zero padding the FFT wraps the chain's end onto its start.
    c = x - x.mean()
    f = np.fft.rfft(c)
    circular = np.fft.irfft(f * np.conj(f), n=n)[:1001]
    wrapped = check.autocorrelation(x, circular / circular[0])
    assert wrapped.verdict == "wrong" and "pad" in wrapped.hint
    # Not centred: a chain far from zero has autocorrelations near one.
    shifted = x + 10.0
    g = np.array([np.dot(shifted[: n - k], shifted[k:]) for k in range(31)])
    raw = check.autocorrelation(shifted, g / g[0])
    assert raw.verdict == "wrong" and "mean" in raw.hint
    _assert_no_leak(raw, rho[1:4].tolist())


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


# ----------------------------------------------------------------- chapter 6
def _lam_draws(n: int = 4000, seed: int = 21) -> np.ndarray:
    """Seeded draws of (mu, log tau) spread over the posterior's range."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(8.0, 5.0, n), rng.normal(1.4, 1.1, n)])


def _theta_by_hand(lam: np.ndarray, rng: np.random.Generator, sd_factor: float = 1.0,
                   shared: bool = False) -> np.ndarray:
    """theta_j = (1 - B_j) y_j + B_j mu + sqrt((1 - B_j) sigma_j^2) z_j, B_j by hand."""
    tau2 = np.exp(2 * lam[:, 1])[:, None]
    b = S**2 / (S**2 + tau2)
    z = rng.standard_normal((lam.shape[0], 1 if shared else S.size))
    return (1 - b) * Y + b * lam[:, :1] + sd_factor * np.sqrt((1 - b) * S**2) * z


def test_theta_draws_verdicts() -> None:
    # Truth: BDA3 eq. 5.17 by hand (B_j, the mean and the sd written out here).
    lam = _lam_draws()
    rng = np.random.default_rng(22)
    assert check.theta_draws(lam, _theta_by_hand(lam, rng))
    chains = lam.reshape(2, 2000, 2)  # (chains, n, 2) is accepted too
    assert check.theta_draws(chains, _theta_by_hand(lam, rng).reshape(2, 2000, 8))
    # A sd 10% too large is about 9 Monte Carlo errors off in variance with 4,000 draws.
    assert check.theta_draws(lam, _theta_by_hand(lam, rng, sd_factor=1.1)).verdict == "wrong"
    shared = check.theta_draws(lam, _theta_by_hand(lam, rng, shared=True))
    assert shared.verdict == "wrong" and "correlated" in shared.hint
    tau2 = np.exp(2 * lam[:, 1])[:, None]
    b = S**2 / (S**2 + tau2)
    z = rng.standard_normal((lam.shape[0], 8))
    variance_as_sd = check.theta_draws(lam, (1 - b) * Y + b * lam[:, :1] + (1 - b) * S**2 * z)
    assert variance_as_sd.verdict == "wrong" and "sqrt(V_j)" in variance_as_sd.hint
    swapped = check.theta_draws(lam, b * Y + (1 - b) * lam[:, :1] + np.sqrt(1 - b) * S * z)
    assert swapped.verdict == "wrong" and "swapped" in swapped.hint
    means = check.theta_draws(lam, (1 - b) * Y + b * lam[:, :1])
    assert means.verdict == "wrong" and "conditional means" in means.hint
    _assert_no_leak(swapped, [])


# ----------------------------------------------------------------- chapter 7
def _tau_mean_by_trapezoid() -> tuple[float, float]:
    """E(tau | y) and the median of tau, flat prior, by the trapezoid rule over log tau.

    BDA3 eq. 5.21 written out with numpy; the grid from log tau = -30 to 8 leaves out
    less than 1e-12 of the probability (p(tau | y) is bounded near 0 and falls like tau^-7).
    """
    u = np.linspace(-30.0, 8.0, 76_001)
    tau2 = np.exp(2 * u)[:, None]
    w = 1 / (S**2 + tau2)
    mu_hat = (w * Y).sum(axis=1) / w.sum(axis=1)
    log_p = (-0.5 * np.log(w.sum(axis=1)) + 0.5 * np.log(w).sum(axis=1)
             - 0.5 * (w * (Y - mu_hat[:, None]) ** 2).sum(axis=1))
    g = np.exp(log_p - log_p.max() + u)  # tau p(tau | y), the Jacobian included
    h = u[1] - u[0]
    total = h * (g.sum() - (g[0] + g[-1]) / 2)
    tg = np.exp(u) * g
    mean = h * (tg.sum() - (tg[0] + tg[-1]) / 2) / total
    cdf = np.concatenate([[0.0], np.cumsum((g[1:] + g[:-1]) / 2 * h)]) / total
    return float(mean), float(np.exp(np.interp(0.5, cdf, u)))


def test_tau_mean_against_a_trapezoid() -> None:
    # Truth: the trapezoid rule written out here. Close: 0.4% off.
    mean, median = _tau_mean_by_trapezoid()
    assert check.tau_mean(mean)
    assert check.tau_mean(mean * 1.004).verdict == "close"
    med = check.tau_mean(median)
    assert med.verdict == "wrong" and "median" in med.hint
    _assert_no_leak(med, [mean, median])


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
        (lambda: check.q_statistic(float("inf")), r"value must be a finite number"),
        (lambda: check.separate_interval("Z", 0, 1), r"school must be one of"),
        (lambda: check.separate_interval(8, 0, 1), r"school must satisfy 0 <= school < 8"),
        (lambda: check.separate_interval("A", 0, 1, level=1.5), r"level must lie strictly"),
        (lambda: check.shrinkage_factor("A", -1.0, 0.5), r"tau must be >= 0"),
        (lambda: check.conditional_mean("A", 8.0, 0.0, 8.0), r"tau must be > 0"),
        (lambda: check.posterior_mode(7.9, None), r"log_tau must be a finite number"),
        (lambda: check.laplace_sd(-4.7, 0.7), r"mu_sd must be > 0"),
        (lambda: check.metropolis_step(3), r"step must be a function"),
        (lambda: check.metropolis_step(lambda x, lp, c, s, r: [0.0]),
         r"step must return the next point"),
        (lambda: check.autocorrelation([[0.0, 1.0, 0.0, 2.0]], [1.0, 0.1]),
         r"draws must be one chain"),
        (lambda: check.autocorrelation([0.0, 0.0, 0.0, 0.0], [1.0, 0.1]),
         r"draws must not be constant"),
        (lambda: check.autocorrelation([0.0, 1.0, 0.0, 2.0], [1.0]), r"value must hold"),
        (lambda: check.autocorrelation([0.0, 1.0, 0.0, 2.0], [1.0, np.nan]),
         r"value must be finite"),
        (lambda: check.effective_sample_size(np.zeros((2, 2, 5)), 10.0),
         r"draws must have shape"),
        (lambda: check.theta_draws(np.zeros((2000, 3)), np.zeros((2000, 8))),
         r"draws must have shape"),
        (lambda: check.theta_draws(np.zeros((2000, 2)), np.zeros((2000, 7))),
         r"theta must have shape \(2000, 8\)"),
        (lambda: check.theta_draws(np.zeros((999, 2)), np.zeros((999, 8))),
         r"draws must hold at least 1000 rows"),
        (lambda: check.mu_given_tau(-1.0, 8.0, 30.0), r"tau must be >= 0"),
        (lambda: check.tau_mean("6.5"), r"value must be a finite number"),
        (lambda: check.tau_mean(6.5, data=SchoolData(("A", "B", "C"), Y[:3], S[:3])),
         r"data must have at least 4 groups"),
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


def test_tau_below_grades_in_mcse_units():
    """Truth: P(tau < 1 | y) by quadrature (exact.tau_cdf); the verdict moves at 3 and 5 MCSE."""
    from eightschools import exact

    truth = float(exact.exact_posterior(D.y, D.sigma).tau_cdf(1.0))
    assert check.tau_below(truth + 2.9 * 0.01, 0.01).verdict == "right"
    assert check.tau_below(truth - 4.0 * 0.01, 0.01).verdict == "close"
    assert check.tau_below(truth + 5.1 * 0.01, 0.01).verdict == "wrong"
    truth2 = float(exact.exact_posterior(D.y, D.sigma).tau_cdf(2.0))
    assert check.tau_below(truth2, 0.001, c=2.0).verdict == "right"
    for bad in ({"mcse": 0.0}, {"mcse": 0.5}, {"c": -1.0}, {"value": float("nan")}):
        args = {"value": 0.1, "mcse": 0.01} | bad
        with pytest.raises(ValueError):
            check.tau_below(**args)
