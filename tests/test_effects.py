"""Tests of eightschools.effects: school effects, probabilities, shrinkage and predictive checks.

Each test names the independent truth it checks and why its tolerance is what it is. Monte
Carlo comparisons use "k standard errors" tolerances, with k between 4 and 5.5: every random
test is seeded, so it is deterministic, and k is chosen so that a correct implementation
would fail with probability well below 1e-4 per comparison under a fresh seed, while a wrong
formula (a missing factor, a wrong variance) moves the statistic by tens of standard errors.
"""

from __future__ import annotations

import statistics as pystats

import arviz
import numpy as np
import pytest
from scipy import integrate, stats

from eightschools import classical, diagnostics, effects, eight_schools
from eightschools.laplace import laplace_fit
from eightschools.posterior import log_posterior
from eightschools.runs import post_run

DATA = eight_schools()
Y, SIGMA = DATA.y, DATA.sigma
J = DATA.J

# The blog post's published Monte Carlo numbers (R, set.seed(11), 5,000 kept draws).
POST_THETA_MEAN = np.array(
    [11.226786, 7.812253, 6.078697, 7.609353, 5.162853, 6.231208, 10.340858, 8.490497]
)
POST_THETA_SD = np.array(
    [8.510583, 6.185383, 7.993831, 6.515474, 6.381664, 6.729192, 6.990141, 8.045273]
)
POST_SHRINK = np.array(
    [0.8328975, 0.7376910, 0.8458181, 0.7620532, 0.7096051, 0.7620532, 0.7376910, 0.8676774]
)
POST_P_A_ABOVE_28 = 0.0468
POST_P_A_BEATS = np.array([0.6346, 0.6800, 0.6382, 0.7162, 0.6804, 0.5382, 0.5994])


@pytest.fixture(scope="module")
def run_theta() -> np.ndarray:
    """Effect draws from the shared post run (one chain of 5,000), seeded."""
    return effects.theta_draws(post_run().kept, Y, SIGMA, np.random.default_rng(611))


# --------------------------------------------------------------------------- theta draws
def test_theta_draws_match_conditional_normal_moments() -> None:
    """Truth: BDA3 eq. 5.17 in closed form, theta_j | mu, tau ~ N((1-B)y + B mu, (1-B)sigma^2).

    With (mu, tau) fixed and n = 200,000 draws, the sample mean has sd sqrt(V/n), the sample
    variance sd V sqrt(2/(n-1)) and a sample correlation sd 1/sqrt(n) (normal theory);
    4.5 of those sds bound 8 + 8 + 28 comparisons at a family-wise rate near 3e-4.
    """
    mu, tau, n = 8.0, 6.3, 200_000
    theta = effects.theta_draws(
        np.tile([mu, np.log(tau)], (n, 1)), Y, SIGMA, np.random.default_rng(1)
    )
    b = SIGMA**2 / (SIGMA**2 + tau**2)
    mean = (1 - b) * Y + b * mu
    var = 1.0 / (1.0 / SIGMA**2 + 1.0 / tau**2)
    assert np.all(np.abs(theta.mean(axis=0) - mean) < 4.5 * np.sqrt(var / n))
    assert np.all(np.abs(theta.var(axis=0, ddof=1) - var) < 4.5 * var * np.sqrt(2 / (n - 1)))
    corr = np.corrcoef(theta, rowvar=False)[np.triu_indices(J, 1)]
    assert np.all(np.abs(corr) < 4.5 / np.sqrt(n))  # conditionally independent schools


def test_theta_draws_pooling_limits() -> None:
    """Truth: the limits of eq. 5.17. As tau -> 0, theta_j = mu exactly (variance 0 up to
    tau^2 = e^-60); as tau -> inf, theta_j ~ N(y_j, sigma_j^2), checked to 4.5 sds of the
    sample mean over 100,000 draws."""
    rng = np.random.default_rng(2)
    pooled = effects.theta_draws(np.array([[3.0, -30.0]] * 10), Y, SIGMA, rng)
    np.testing.assert_allclose(pooled, 3.0, atol=1e-10)
    n = 100_000
    sep = effects.theta_draws(np.tile([3.0, 40.0], (n, 1)), Y, SIGMA, rng)
    assert np.all(np.abs(sep.mean(axis=0) - Y) < 4.5 * SIGMA / np.sqrt(n))


def test_shrinkage_identity_holds_on_draws() -> None:
    """Truth: E[theta_j | mu, tau, y] = (1 - B_j) y_j + B_j mu with B_j computed here from its
    definition sigma^2 / (sigma^2 + tau^2), at 50 (mu, tau) points of the post run.

    For each point we average M = 4,000 draws; the standardised residuals
    z = (average - identity) / sqrt(V_j / M) are then 400 standard normals: each must be
    below 4.5 in size and their mean square within 0.25 of 1 (its sd is sqrt(2/400) = 0.07,
    so 0.25 is 3.5 sds; a wrong B_j or V_j moves it far more)."""
    points = post_run().kept[::100]  # 50 points spread through the chain
    m = 4_000
    lam = np.repeat(points, m, axis=0)
    theta = effects.theta_draws(lam, Y, SIGMA, np.random.default_rng(3))
    avg = theta.reshape(len(points), m, J).mean(axis=1)
    mu, tau = points[:, :1], np.exp(points[:, 1:])
    b = SIGMA**2 / (SIGMA**2 + tau**2)
    identity = (1 - b) * Y + b * mu
    z = (avg - identity) / np.sqrt((1 - b) * SIGMA**2 / m)
    assert np.abs(z).max() < 4.5
    assert abs(np.mean(z**2) - 1.0) < 0.25


def test_theta_draws_keep_chain_order() -> None:
    """Truth: the definition of the shapes. Draws of shape (chains, n, 2) give effects of shape
    (chains, n, J) whose rows are those of the same draws stacked as (chains * n, 2) with the
    same seed, so each theta row belongs to its own (mu, tau) row: equal to the last bit."""
    lam = post_run().kept.reshape(5, 1000, 2)
    a = effects.theta_draws(lam, Y, SIGMA, np.random.default_rng(4))
    b = effects.theta_draws(lam.reshape(-1, 2), Y, SIGMA, np.random.default_rng(4))
    assert a.shape == (5, 1000, J)
    np.testing.assert_array_equal(a.reshape(-1, J), b)


# --------------------------------------------------------------------------- theta | tau
@pytest.mark.parametrize("tau", [0.5, 3.0, 10.0, 40.0])
def test_theta_given_tau_by_quadrature_over_mu(tau: float) -> None:
    """Truth: numerical integration over mu of eq. 5.17's conditional moments, weighted by the
    joint posterior log_posterior(mu, log tau) at fixed tau (which knows nothing of
    mu_given_tau). Quadrature with tolerance 1e-11 on smooth integrands: rtol 1e-7."""

    def weight(mu: float) -> float:
        return float(np.exp(log_posterior([mu, np.log(tau)], Y, SIGMA) + 20.0))

    b = SIGMA**2 / (SIGMA**2 + tau**2)
    v = (1 - b) * SIGMA**2
    lims = (-200.0, 200.0)  # p(mu | tau, y) has sd below 20 here: the tails beyond are < 1e-20
    norm = integrate.quad(weight, *lims, epsabs=0, epsrel=1e-11, limit=200)[0]
    m1 = np.array([
        integrate.quad(lambda u, j=j: weight(u) * ((1 - b[j]) * Y[j] + b[j] * u), *lims,
                       epsabs=0, epsrel=1e-11, limit=200)[0] / norm for j in range(J)
    ])
    m2 = np.array([
        integrate.quad(lambda u, j=j: weight(u) * (v[j] + ((1 - b[j]) * Y[j] + b[j] * u) ** 2),
                       *lims, epsabs=0, epsrel=1e-11, limit=200)[0] / norm for j in range(J)
    ])
    mean, var = effects.theta_given_tau(tau, Y, SIGMA)
    np.testing.assert_allclose(mean, m1, rtol=1e-7)
    np.testing.assert_allclose(var, m2 - m1**2, rtol=1e-7)


def test_theta_given_tau_limits() -> None:
    """Truth: at tau = 0 every school has the complete-pooling posterior (classical.
    pooled_estimate, BDA3 section 5.5); at tau = 1e8 each is N(y_j, sigma_j^2) up to terms of
    order sigma^2 / tau^2 = 1e-14 (rtol 1e-9); at tau = 1e300 nothing overflows to NaN."""
    pooled = classical.pooled_estimate(Y, SIGMA)
    mean, var = effects.theta_given_tau([0.0, 1e8, 1e300], Y, SIGMA)
    np.testing.assert_allclose(mean[0], pooled.mean, rtol=1e-12)
    np.testing.assert_allclose(var[0], pooled.variance, rtol=1e-12)
    np.testing.assert_allclose(mean[1], Y, rtol=1e-9)
    np.testing.assert_allclose(var[1], SIGMA**2, rtol=1e-9)
    np.testing.assert_allclose(var[2], SIGMA**2, rtol=1e-12)


# --------------------------------------------------------------------------- summaries
def test_effect_summary_matches_arviz(run_theta: np.ndarray) -> None:
    """Truth: ArviZ 0.23 on the same draws. Means, sds and quantiles are plain numpy
    (rtol 1e-12); the MCSE of the mean and quantiles follow the same definitions (rtol 1e-9);
    the MCSE of the sd uses the same delta method, ArviZ with ddof 0 in the variance of the
    squared deviations and we with ddof 1, a relative difference of order 1/S = 2e-4
    (rtol 1e-3)."""
    s = effects.effect_summary(run_theta, DATA.names)
    x = run_theta.T[:, np.newaxis, :]  # (J, 1 chain, draws)
    for j in range(J):
        assert s.mean[j] == pytest.approx(run_theta[:, j].mean(), rel=1e-12)
        assert s.sd[j] == pytest.approx(run_theta[:, j].std(ddof=1), rel=1e-12)
        np.testing.assert_allclose(
            s.quantiles[j], np.quantile(run_theta[:, j], effects.QUANTILE_PROBS), rtol=1e-12
        )
        assert s.mcse_mean[j] == pytest.approx(float(arviz.mcse(x[j], method="mean")), rel=1e-9)
        assert s.ess[j] == pytest.approx(float(arviz.ess(x[j], method="mean")), rel=1e-9)
        assert s.mcse_sd[j] == pytest.approx(float(arviz.mcse(x[j], method="sd")), rel=1e-3)
        for k, p in enumerate(effects.QUANTILE_PROBS):
            ref = float(arviz.mcse(x[j], method="quantile", prob=p))
            assert s.mcse_quantiles[j, k] == pytest.approx(ref, rel=1e-9)


def test_effect_summary_mcse_of_sd_for_iid_normals() -> None:
    """Truth: for n iid normal draws the sample sd has standard error sigma / sqrt(2(n-1)).
    Our MCSE(sd) is itself estimated (from the fourth moment and an ESS): for n = 20,000 it is
    within 10% of the closed form (its own relative error is about 2%)."""
    n = 20_000
    theta = np.random.default_rng(5).normal(0.0, [1.0, 5.0], size=(n, 2))
    s = effects.effect_summary(theta)
    np.testing.assert_allclose(s.mcse_sd, np.array([1.0, 5.0]) / np.sqrt(2 * (n - 1)), rtol=0.1)
    np.testing.assert_allclose(s.mcse_mean, np.array([1.0, 5.0]) / np.sqrt(n), rtol=0.1)


def test_effect_summary_table_digits(run_theta: np.ndarray) -> None:
    """Truth: the definition of the display. Each table cell is the attribute formatted with
    the requested digits, so the text shows exactly what the object holds."""
    s = effects.effect_summary(run_theta, DATA.names)
    cells = s.table(digits=3).cells()
    assert cells[0][0] == "A"
    assert cells[0][1] == f"{s.mean[0]:.3f}"
    assert cells[7][5] == f"{s.quantiles[7, 0]:.3f}"
    assert cells[2][-1] == f"{s.ess[2]:.0f}"
    assert "A" in s._repr_html_() and str(s).startswith("school")


# --------------------------------------------------------------------------- probabilities
def test_probabilities_match_brute_force_loops(run_theta: np.ndarray) -> None:
    """Truth: the definitions, counted with plain Python loops over the same draws, so the
    probabilities agree exactly (a count over 5,000 is exact in floating point), and each MCSE
    equals diagnostics.mcse of the loop-built indicator (rtol 1e-12)."""
    theta = run_theta
    n = theta.shape[0]
    above = [0] * J
    beats = [[0] * J for _ in range(J)]
    best = [0] * J
    ind_beats_a_c = []
    for s in range(n):
        row = theta[s].tolist()
        top = 0
        for i in range(J):
            if row[i] > 28.0:
                above[i] += 1
            if row[i] > row[top]:
                top = i
            for k in range(J):
                if row[i] > row[k]:
                    beats[i][k] += 1
        best[top] += 1
        ind_beats_a_c.append(1.0 if row[0] > row[2] else 0.0)
    p28 = effects.prob_exceeds(theta, 28.0)
    pw = effects.prob_pairwise(theta)
    pb = effects.prob_best(theta)
    np.testing.assert_array_equal(p28.value, np.array(above) / n)
    np.testing.assert_array_equal(pw.value, np.array(beats) / n)
    np.testing.assert_array_equal(pb.value, np.array(best) / n)
    assert pw.mcse[0, 2] == pytest.approx(diagnostics.mcse(ind_beats_a_c), rel=1e-12)
    # Complementary events: P(i > k) + P(k > i) = 1 off the diagonal, and P(best) sums to 1.
    off = ~np.eye(J, dtype=bool)
    np.testing.assert_allclose((pw.value + pw.value.T)[off], 1.0, rtol=0, atol=1e-12)
    assert pb.value.sum() == pytest.approx(1.0, abs=1e-12)


def test_probabilities_for_independent_normals_match_closed_forms() -> None:
    """Truth: under the separate-estimates model theta_j ~ N(y_j, sigma_j^2) independently,
    P(theta_j > c) = Phi((y_j - c)/sigma_j), P(theta_i > theta_k) = Phi((y_i - y_k)/
    sqrt(sigma_i^2 + sigma_k^2)), and P(j is best) = int phi_j(t) prod_{k != j} Phi_k(t) dt
    (quadrature, error < 1e-9). With 200,000 iid draws each estimate has binomial sd
    sqrt(p(1-p)/n) <= 0.0012; we allow 4.5 of them, and the reported MCSE must agree with that
    binomial sd to 10% (it is estimated through an ESS)."""
    n = 200_000
    theta = np.random.default_rng(6).normal(Y, SIGMA, size=(n, J))

    def check(est: effects.Estimate, truth: np.ndarray) -> None:
        sd = np.sqrt(truth * (1 - truth) / n)
        assert np.all(np.abs(est.value - truth) <= 4.5 * sd + 1e-12)
        mask = truth > 0
        np.testing.assert_allclose(est.mcse[mask], sd[mask], rtol=0.1)

    check(effects.prob_exceeds(theta, 10.0), stats.norm.sf(10.0, Y, SIGMA))
    pair = stats.norm.cdf((Y[:, None] - Y[None, :]) / np.hypot(SIGMA[:, None], SIGMA[None, :]))
    np.fill_diagonal(pair, 0.0)
    check(effects.prob_pairwise(theta), pair)

    def best(j: int) -> float:
        others = [k for k in range(J) if k != j]

        def f(t: float) -> float:
            return float(stats.norm.pdf(t, Y[j], SIGMA[j])
                         * np.prod(stats.norm.cdf(t, Y[others], SIGMA[others])))

        return integrate.quad(f, -150, 150, epsabs=1e-12, limit=200)[0]

    check(effects.prob_best(theta), np.array([best(j) for j in range(J)]))


def test_zero_probability_has_zero_mcse(run_theta: np.ndarray) -> None:
    """Truth: the documented convention. No draw exceeds 1,000 points, so the estimate is 0
    and the draws carry no information on its error: MCSE 0, not NaN."""
    est = effects.prob_exceeds(run_theta, 1000.0)
    np.testing.assert_array_equal(est.value, 0.0)
    np.testing.assert_array_equal(est.mcse, 0.0)


def test_mcse_positive_and_shrinks_like_root_n() -> None:
    """Truth: for iid draws an MCSE is s/sqrt(n), so quadrupling n halves it. With iid draws of
    (mu, log tau) from the normal approximation (n = 4,000 and 16,000), the ratio of MCSEs
    for effect means, pairwise probabilities and mean shrinkage must lie in [1.65, 2.35]:
    over 20 seeds we measured ratios with mean 2.02 and sd 0.06 (the MCSEs are estimates
    with an estimated ESS), so the band is 5.5 sds wide each way."""
    fit = laplace_fit(Y, SIGMA)
    rng = np.random.default_rng(7)
    small, large = fit.sample(4_000, rng), fit.sample(16_000, rng)
    ts = effects.theta_draws(small, Y, SIGMA, rng)
    tl = effects.theta_draws(large, Y, SIGMA, rng)
    pairs = [
        (effects.effect_summary(ts).mcse_mean, effects.effect_summary(tl).mcse_mean),
        (effects.prob_pairwise(ts).mcse[0, 1:], effects.prob_pairwise(tl).mcse[0, 1:]),
        (effects.prob_best(ts).mcse, effects.prob_best(tl).mcse),
        (effects.mean_shrinkage(small, SIGMA).mcse, effects.mean_shrinkage(large, SIGMA).mcse),
    ]
    for a, b in pairs:
        assert np.all(a > 0) and np.all(b > 0)
        ratio = a / b
        assert np.all((ratio > 1.65) & (ratio < 2.35)), ratio


def test_mcse_of_chain_draws_exceeds_naive(run_theta: np.ndarray) -> None:
    """Truth: the post's chain is positively autocorrelated (chapter 5: ESS of log tau about
    250 of 5,000), so the theta draws, which inherit it, have ESS well below 5,000 and an
    MCSE above the iid formula s/sqrt(n) for every school."""
    s = effects.effect_summary(run_theta)
    n = run_theta.shape[0]
    assert np.all(s.ess < 0.6 * n)
    assert np.all(s.mcse_mean > s.sd / np.sqrt(n))


# --------------------------------------------------------------------------- shrinkage
def test_mean_shrinkage_definition_and_ranks() -> None:
    """Truth: the definition B_j = tau^-2 / (tau^-2 + sigma_j^-2) averaged over the run's draws
    (rtol 1e-12); and, because B_j(tau) increases with sigma_j at every tau, the ranks of the
    estimates equal the ranks of sigma_j exactly, ties included (D = F, B = G)."""
    run = post_run()
    tau = np.exp(run.log_tau)[:, None]
    direct = (tau**-2 / (tau**-2 + SIGMA**-2)).mean(axis=0)
    est = effects.mean_shrinkage(run.kept, SIGMA)
    np.testing.assert_allclose(est.value, direct, rtol=1e-12)
    np.testing.assert_array_equal(stats.rankdata(est.value), stats.rankdata(SIGMA))
    three = effects.mean_shrinkage(run.kept.reshape(2, -1, 2), SIGMA)
    np.testing.assert_allclose(three.value, est.value, rtol=1e-12)


# --------------------------------------------------------------------------- the post
def test_post_numbers_within_monte_carlo_error(run_theta: np.ndarray) -> None:
    """Truth: the post's published numbers. Its run and ours are independent chains of the
    same length from the same sampler, so their difference has sd about sqrt(2) times our
    MCSE. We allow 3.5 such sds for each of 32 numbers (theta means and sds, shrinkage,
    P(theta_A > 28), P(theta_A > theta_j)); the numbers share the error in (mu, tau), so they
    are not independent, and 3.5 keeps the chance of a false alarm small while a wrong
    formula (e.g. B_j in place of 1 - B_j) misses by dozens of sds."""
    s = effects.effect_summary(run_theta)
    shrink = effects.mean_shrinkage(post_run().kept, SIGMA)
    p28 = effects.prob_exceeds(run_theta, 28.0)
    pw = effects.prob_pairwise(run_theta)
    for ours, mcse, post in (
        (s.mean, s.mcse_mean, POST_THETA_MEAN),
        (s.sd, s.mcse_sd, POST_THETA_SD),
        (shrink.value, shrink.mcse, POST_SHRINK),
        (p28.value[:1], p28.mcse[:1], np.array([POST_P_A_ABOVE_28])),
        (pw.value[0, 1:], pw.mcse[0, 1:], POST_P_A_BEATS),
    ):
        z = (ours - post) / (np.sqrt(2) * mcse)
        assert np.all(np.abs(z) < 3.5), z


# --------------------------------------------------------------------------- prediction
def test_new_school_fixed_hyperparameters_closed_form() -> None:
    """Truth: given (mu, tau), theta_new ~ N(mu, tau^2) and y_new ~ N(mu, tau^2 + sigma^2)
    (BDA3 section 5.4). With 200,000 draws the sample mean is within 4.5 sds of mu and the
    sample variance within 4.5 * var * sqrt(2/n) of its value."""
    n, mu, tau, s_new = 200_000, 7.0, 4.0, 11.0
    new = effects.new_school(np.tile([mu, np.log(tau)], (n, 1)), s_new, np.random.default_rng(8))
    for draws, var in ((new.theta, tau**2), (new.y, tau**2 + s_new**2)):
        assert abs(draws.mean() - mu) < 4.5 * np.sqrt(var / n)
        assert abs(draws.var(ddof=1) - var) < 4.5 * var * np.sqrt(2 / (n - 1))
    assert new.sigma == s_new and new.theta.shape == (n,)


def test_new_school_mixture_moments_on_run() -> None:
    """Truth: the laws of total expectation and variance over the run's (mu, tau) draws:
    E[y_new] = mean(mu), var[y_new] = mean(tau^2) + var(mu) + sigma_new^2. Each (mu, tau) draw
    is repeated 40 times so that the only noise is the normal deviates: the mean is within
    4.5 sds, the variance within 5% (the mixture's heavy tau tail makes the variance of the
    sample variance larger than for a normal; 5% is over 4 of its sds here)."""
    run = post_run()
    lam = np.repeat(run.kept, 40, axis=0)
    s_new = float(np.median(SIGMA))
    new = effects.new_school(lam, s_new, np.random.default_rng(9))
    tau2 = np.exp(2 * run.log_tau)
    var = tau2.mean() + run.mu.var() + s_new**2
    assert abs(new.y.mean() - run.mu.mean()) < 4.5 * np.sqrt(var / lam.shape[0])
    assert new.y.var() == pytest.approx(var, rel=0.05)
    assert new.theta.var() == pytest.approx(tau2.mean() + run.mu.var(), rel=0.05)


def test_statistics_of_the_observed_data() -> None:
    """Truth: the eight estimates by hand: max 28 (A), min -3 (C), spread 31, two negative
    estimates (C and E), and the sample sd from Python's statistics.stdev."""
    obs = {name: float(f(Y)) for name, f in effects.STATISTICS.items()}
    assert obs == pytest.approx(
        {"max": 28.0, "min": -3.0, "spread": 31.0, "n_negative": 2.0,
         "sd": pystats.stdev(Y.tolist())}, rel=1e-12
    )


def test_replicate_and_p_values_closed_forms() -> None:
    """Truth: with the effects fixed at theta0 (every row equal) the replicated estimates are
    independent N(theta0_j, sigma^2) with a common sigma = 10, so
    P(max >= c) = 1 - prod_j Phi((c - theta0_j)/sigma); the number of negatives is a sum of
    Bernoulli(Phi(-theta0_j/sigma)) (its tail by exact convolution); and with theta0 constant,
    (J-1) sd^2 / sigma^2 ~ chi^2_{J-1}. With 200,000 replications each p-value has binomial
    sd <= 0.0012; we allow 4.5 of them."""
    n, sig = 200_000, np.full(J, 10.0)
    y_obs = np.array([20.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    theta0 = np.full(J, 5.0)
    y_rep = effects.replicate(np.tile(theta0, (n, 1)), sig, np.random.default_rng(10))
    assert y_rep.shape == (n, J)
    check = effects.predictive_check(y_rep, y_obs, ["max", "n_negative", "sd"])
    p_max = 1 - np.prod(stats.norm.cdf((y_obs.max() - theta0) / sig))
    q = stats.norm.cdf(-theta0 / sig)
    pmf = np.array([1.0])
    for qj in q:
        pmf = np.convolve(pmf, [1 - qj, qj])
    p_neg = pmf[int((y_obs < 0).sum()):].sum()
    p_sd = stats.chi2.sf((J - 1) * y_obs.std(ddof=1) ** 2 / 100.0, J - 1)
    truth = np.array([p_max, p_neg, p_sd])
    sd = np.sqrt(truth * (1 - truth) / n)
    assert np.all(np.abs(check.p_value - truth) < 4.5 * sd), (check.p_value, truth)
    np.testing.assert_allclose(check.mcse, sd, rtol=0.1)
    np.testing.assert_array_equal(check.draws("max"), y_rep.max(axis=1))


def test_p_value_of_max_matches_rao_blackwell_on_run(run_theta: np.ndarray) -> None:
    """Truth: given each theta draw, P(max y_rep >= 28) = 1 - prod_j Phi((28 - theta_j)/
    sigma_j) exactly; its average over the same draws is the Rao-Blackwellised p-value. The
    draw-based p-value differs from it only by the replication noise, whose sd is at most
    sqrt(p(1-p)/S) = 0.007 for S = 5,000; we allow 4.5 of them."""
    y_rep = effects.replicate(run_theta, SIGMA, np.random.default_rng(12))
    check = effects.predictive_check(y_rep, Y, ["max"])
    rb = np.mean(1 - np.prod(stats.norm.cdf((28.0 - run_theta) / SIGMA), axis=1))
    assert abs(check.p_value[0] - rb) < 4.5 * np.sqrt(rb * (1 - rb) / run_theta.shape[0])
    assert check.observed[0] == 28.0 and check.mcse[0] > 0


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: effects.theta_draws(np.zeros((10, 3)), Y, SIGMA, np.random.default_rng(0)),
         "draws must have shape"),
        (lambda: effects.theta_draws(np.zeros((3, 2)), Y, SIGMA, np.random.default_rng(0)),
         "at least 4 draws"),
        (lambda: effects.theta_draws([[0.0, np.nan]] * 5, Y, SIGMA, np.random.default_rng(0)),
         "draws must be finite"),
        (lambda: effects.theta_draws(np.zeros((5, 2)), Y, SIGMA, 1),
         "rng must have a standard_normal method"),
        (lambda: effects.theta_draws(np.zeros((5, 2)), Y[:2], SIGMA[:2],
                                     np.random.default_rng(0)), "at least 3 groups"),
        (lambda: effects.theta_given_tau(-1.0, Y, SIGMA), "tau must be"),
        (lambda: effects.effect_summary(np.zeros(10)), "theta must have shape"),
        (lambda: effects.effect_summary(np.zeros((10, 2)), ["a"]), "names must give"),
        (lambda: effects.prob_exceeds(np.zeros((10, 2)), [1.0, 2.0, 3.0]), "c must be"),
        (lambda: effects.prob_pairwise(np.zeros((10, 1))), "at least 2 groups"),
        (lambda: effects.new_school(np.zeros((5, 2)), -1.0, np.random.default_rng(0)),
         "sigma_new must be"),
        (lambda: effects.replicate(np.zeros((5, 3)), SIGMA, np.random.default_rng(0)),
         "sigma must have one value per group"),
        (lambda: effects.predictive_check(np.zeros((5, J)), Y, ["median"]),
         "statistics must be keys"),
        (lambda: effects.predictive_check(np.zeros((5, J)), Y[:3]), "y must be"),
    ],
)
def test_bad_input_raises_value_error(call, message: str) -> None:
    """Truth: the documented contract: each bad input raises ValueError naming the argument."""
    with pytest.raises(ValueError, match=message):
        call()


def test_theta_density_is_the_normal_mixture_given_tau() -> None:
    """Truth: BDA3 eqs. 5.17 and 5.20 written out here (mu | tau normal with precision-weighted
    mean and variance V_mu; theta_j | tau normal with mean (1 - B_j) y_j + B_j mu_hat and
    variance (1 - B_j) sigma_j^2 + B_j^2 V_mu). The mixture of those normals over the draws of
    tau integrates to 1 and has the average component mean as its mean (trapezoid rule on a
    fine grid: error below 1e-6), and at a single point it equals scipy's normal pdf averaged
    over the draws (rtol 1e-12). Every draw is kept, small tau included: given tau alone no
    component is narrower than about B_j sqrt(V_mu), which is above 3 points here."""
    run = post_run()
    lam = run.kept[::10]
    tau2 = np.exp(2 * lam[:, 1:])
    w = 1.0 / (SIGMA**2 + tau2)
    v_mu = 1.0 / w.sum(axis=1, keepdims=True)
    mu_hat = (w * Y).sum(axis=1, keepdims=True) * v_mu
    b = SIGMA**2 / (SIGMA**2 + tau2)
    cond_mean = (1 - b) * Y + b * mu_hat
    cond_sd = np.sqrt((1 - b) * SIGMA**2 + b**2 * v_mu)
    assert cond_sd.min() > 3.0
    grid = np.linspace(-150.0, 200.0, 7001)
    dens = effects.theta_density(grid, lam, Y, SIGMA)
    np.testing.assert_allclose(np.trapezoid(dens, grid, axis=0), 1.0, rtol=1e-6)
    np.testing.assert_allclose(
        np.trapezoid(grid[:, None] * dens, grid, axis=0), cond_mean.mean(axis=0), rtol=1e-6
    )
    at10 = stats.norm.pdf(10.0, cond_mean, cond_sd).mean(axis=0)
    np.testing.assert_allclose(effects.theta_density([10.0], lam, Y, SIGMA)[0], at10, rtol=1e-12)


def test_theta_density_is_close_to_the_exact_marginal() -> None:
    """Truth: the exact posterior (exact.exact_posterior, quadrature over tau). From the
    post's 5,000 kept draws the estimate is a Monte Carlo average whose error at each point
    is a few percent of the peak at most (log tau has an ESS of a few hundred); 10% of the
    peak height catches a wrong component mean or variance, which moves the curve by far
    more."""
    from eightschools.exact import exact_posterior

    run = post_run()
    post = exact_posterior(Y, SIGMA)
    grid = np.linspace(-20.0, 40.0, 61)
    dens = effects.theta_density(grid, run.kept, Y, SIGMA)
    exact = post.sample(200_000, np.random.default_rng(1))
    for j in range(8):
        hist, edges = np.histogram(exact.theta[:, j], bins=grid, density=True)
        mid = 0.5 * (edges[1:] + edges[:-1])
        est = np.interp(mid, grid, dens[:, j])
        assert np.max(np.abs(est - hist)) < 0.1 * hist.max()


# --------------------------------------------------------------------------- figures
def test_chapter6_figures_are_opaque_and_name_the_schools(run_theta: np.ndarray) -> None:
    """Truth: the book's figure conventions (figures.style.new_figure, STYLE.md): an opaque white
    background, school names on the plot, one coloured curve per school; and a wrong shape
    raises ValueError naming the argument."""
    from eightschools.figures.effects import conditional_effects, shrinkage

    tau = np.linspace(0.0, 30.0, 31)
    mean, var = effects.theta_given_tau(tau, Y, SIGMA)
    fig = conditional_effects(tau, mean, DATA.names, sd=np.sqrt(var), density=np.ones(31))
    assert fig.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    top = fig.axes[0]
    assert len(top.lines) == J
    assert {t.get_text() for t in top.texts} == set(DATA.names)
    s = effects.effect_summary(run_theta, DATA.names)
    lo, hi = classical.separate_intervals(Y, SIGMA)
    fig = shrinkage(DATA.names, Y, s.mean, s.quantiles[:, 0], s.quantiles[:, 4],
                    separate=(lo, hi), pooled=(7.7, 0.0, 15.0), paths=True)
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == list(DATA.names)
    with pytest.raises(ValueError, match="mean must have shape"):
        conditional_effects(tau, mean[:, :3], DATA.names, sd=np.sqrt(var), density=np.ones(31))
