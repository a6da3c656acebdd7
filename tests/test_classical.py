"""Tests of eightschools.classical against the post's R output, closed forms and exact
rational arithmetic (fractions.Fraction) at the ends of the float64 range."""

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import integrate, stats

from eightschools import classical
from eightschools.data import eight_schools

D = eight_schools()

# The post's R output (qnorm, printed to 5 decimals): a tolerance of 5e-6 is half a unit in the
# last printed place.
POST_INTERVALS = {
    "A": (-1.39946, 57.39946),
    "B": (-11.59964, 27.59964),
    "C": (-34.35942, 28.35942),
    "D": (-14.55960, 28.55960),
    "E": (-18.63968, 16.63968),
    "F": (-20.55960, 22.55960),
    "G": (-1.59964, 37.59964),
    "H": (-23.27935, 47.27935),
}


def test_separate_intervals_match_the_post():
    lo, hi = classical.separate_intervals(D.y, D.sigma)
    for j, name in enumerate(D.names):
        assert lo[j] == pytest.approx(POST_INTERVALS[name][0], abs=5e-6)
        assert hi[j] == pytest.approx(POST_INTERVALS[name][1], abs=5e-6)


def test_separate_intervals_have_the_stated_coverage():
    # Closed form: the normal cdf between the ends is the level, for any level.
    for level in (0.5, 0.9, 0.95, 0.99):
        lo, hi = classical.separate_intervals(D.y, D.sigma, level)
        cover = stats.norm.cdf(hi, D.y, D.sigma) - stats.norm.cdf(lo, D.y, D.sigma)
        np.testing.assert_allclose(cover, level, rtol=1e-12)


@pytest.mark.parametrize("level", [0.0, 1.0, -0.5, 1.5])
def test_bad_level(level):
    with pytest.raises(ValueError, match="level must lie strictly between 0 and 1"):
        classical.separate_intervals(D.y, D.sigma, level)


def test_pooled_estimate_matches_the_post():
    # The post printed the mean with R's 15 significant digits and the variance with 7.
    est = classical.pooled_estimate(D.y, D.sigma)
    assert est.mean == pytest.approx(7.68561672495604, abs=1e-13)
    assert est.variance == pytest.approx(16.58053, abs=5e-6)


def test_pooled_estimate_is_the_mle():
    # Independent truth: maximise the likelihood numerically; the curvature is 1/variance.
    est = classical.pooled_estimate(D.y, D.sigma)
    from scipy import optimize

    def nll(t):
        return 0.5 * np.sum(((D.y - t) / D.sigma) ** 2)
    res = optimize.minimize_scalar(nll, bracket=(0, 20), tol=1e-12)
    assert res.x == pytest.approx(est.mean, abs=1e-6)
    h = 1e-3
    curvature = (nll(est.mean + h) - 2 * nll(est.mean) + nll(est.mean - h)) / h**2
    assert 1 / curvature == pytest.approx(est.variance, rel=1e-6)


def test_pooled_interval_is_normal_quantiles():
    est = classical.pooled_estimate(D.y, D.sigma)
    lo, hi = classical.pooled_interval(D.y, D.sigma, 0.9)
    assert lo == pytest.approx(stats.norm.ppf(0.05, est.mean, np.sqrt(est.variance)), rel=1e-12)
    assert hi == pytest.approx(stats.norm.ppf(0.95, est.mean, np.sqrt(est.variance)), rel=1e-12)


def test_homogeneity_test_by_hand():
    # Closed form: Q = sum (y - ybar)^2 / sigma^2 with 7 df, p from the chi-square survival.
    t = classical.homogeneity_test(D.y, D.sigma)
    ybar = np.sum(D.y / D.sigma**2) / np.sum(1 / D.sigma**2)
    q = np.sum((D.y - ybar) ** 2 / D.sigma**2)
    assert t.df == 7
    assert t.statistic == pytest.approx(q, rel=1e-12)
    assert t.p_value == pytest.approx(stats.chi2.sf(q, 7), rel=1e-12)


def test_homogeneity_test_is_calibrated():
    # Under equal effects Q is chi-square(J-1): about 5% of p-values fall below 0.05.
    rng = np.random.default_rng(7)
    y = rng.normal(5.0, D.sigma, size=(4000, 8))
    p = np.array([classical.homogeneity_test(row, D.sigma).p_value for row in y])
    # Binomial sd of the rejection rate at n = 4000 is 0.0034; allow 4 sd.
    assert abs(np.mean(p < 0.05) - 0.05) < 4 * np.sqrt(0.05 * 0.95 / 4000)


def test_homogeneity_needs_two_groups():
    with pytest.raises(ValueError, match="at least 2 groups"):
        classical.homogeneity_test([1.0], [1.0])


def test_prob_less_given_tau_against_quadrature():
    # Independent truth: integrate over mu ~ N(mu_hat, V_mu) the conditional probability
    # P(theta_A < theta_C | mu, tau, y), a difference of independent normals.
    y, s = D.y, D.sigma
    for tau in (0.5, 3.0, 10.0, 40.0):
        w = 1 / (s**2 + tau**2)
        mu_hat, v_mu = np.sum(w * y) / np.sum(w), 1 / np.sum(w)
        b = s**2 * w
        v = s**2 * tau**2 * w

        def integrand(mu, tau=tau, b=b, v=v, mu_hat=mu_hat, v_mu=v_mu):
            m = (1 - b[0]) * y[0] + b[0] * mu - ((1 - b[2]) * y[2] + b[2] * mu)
            p = stats.norm.cdf(-m / np.sqrt(v[0] + v[2]))
            return p * stats.norm.pdf(mu, mu_hat, np.sqrt(v_mu))

        sd = np.sqrt(v_mu)
        truth, _ = integrate.quad(integrand, mu_hat - 12 * sd, mu_hat + 12 * sd, epsabs=1e-12)
        got = classical.prob_less_given_tau(y, s, tau, 0, 2)
        assert got == pytest.approx(truth, abs=1e-9)


def test_prob_less_given_tau_limits():
    # tau -> 0: one half (complete pooling); tau -> infinity: the separate-estimates answer.
    p = classical.prob_less_given_tau(D.y, D.sigma, [1e-6, 1e6], 0, 2)
    assert p[0] == pytest.approx(0.5, abs=1e-6)
    sep = stats.norm.cdf(0, D.y[0] - D.y[2], np.hypot(D.sigma[0], D.sigma[2]))
    assert p[1] == pytest.approx(sep, abs=1e-6)


@pytest.mark.parametrize(
    ("tau", "i", "k", "message"),
    [
        (0.0, 0, 1, "tau must be finite and > 0"),
        (np.nan, 0, 1, "tau must be finite and > 0"),
        (1.0, 0, 8, "k must index a group"),
        (1.0, 2, 2, "i and k must be different"),
    ],
)
def test_prob_less_given_tau_bad_input(tau, i, k, message):
    with pytest.raises(ValueError, match=message):
        classical.prob_less_given_tau(D.y, D.sigma, tau, i, k)


def rounded(x) -> float:
    """An exact fractions.Fraction as the nearest float, inf beyond the float64 range."""
    try:
        return float(x)
    except OverflowError:
        return math.inf


@pytest.mark.parametrize(("shift", "power"), [(1e12, 0), (0.0, 600), (0.0, -1000), (2.0**52, 448)])
def test_pooled_estimate_and_q_at_any_scale_and_offset(shift, power):
    # Truth: exact rational arithmetic (fractions.Fraction) on the transformed data, which are
    # exactly representable: y -> (y + a) 2^m, sigma -> sigma 2^m. Mean and variance must be
    # the correctly rounded values to 1e-15 relative (the variance 0 or inf where it leaves
    # the float64 range, sigma ~ 1e-300 or 1e181), and Q must not move. Before the standard
    # units, sigma below 1e-154 or above 1e154 gave NaN, and a shift of 1e12 moved Q.
    k = 2.0**power
    y, sigma = (D.y + shift) * k, D.sigma * k
    w = [1 / Fraction(s) ** 2 for s in sigma]
    mean = sum(wj * Fraction(yj) for wj, yj in zip(w, y, strict=True)) / sum(w)
    q = sum(wj * (Fraction(yj) - mean) ** 2 for wj, yj in zip(w, y, strict=True))
    est = classical.pooled_estimate(y, sigma)
    assert est.mean == pytest.approx(rounded(mean), rel=1e-15)
    assert est.variance == pytest.approx(rounded(1 / sum(w)), rel=1e-15, abs=1e-320)
    assert classical.homogeneity_test(y, sigma).statistic == pytest.approx(rounded(q), rel=1e-14)


def test_q_is_finite_whenever_representable():
    # Truth: exact rational arithmetic for two groups of equal sigma, Q = (y_1 - y_2)^2 /
    # (2 sigma^2): near the top of the float64 range Q must still be finite and right, and
    # inf (with p-value 0) only once the true Q exceeds 1.8e308.
    for gap, sigma in [(1e150, 1.0), (1e-150, 1e-300), (1e300, 1e146), (1e300, 1e-100)]:
        q = classical.homogeneity_test([0.0, gap], [sigma, sigma])
        true = rounded(Fraction(gap) ** 2 / (2 * Fraction(sigma) ** 2))
        assert q.statistic == pytest.approx(true, rel=1e-14)
        assert (q.p_value == 0.0) == (true > 1e4)
