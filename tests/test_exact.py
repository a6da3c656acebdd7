"""Tests of eightschools.exact: the posterior by quadrature over log tau.

Independent truths used here, each named at its test:
- scipy.integrate.quad (adaptive Gauss-Kronrod, its own error control) over tau of the
  marginal log_p_tau of eightschools.posterior (BDA3 eq. 5.21, tested separately against
  mpmath), which shares no code with exact.py's grid;
- 1,000,000 independent draws from the module's sampler, and 100,000 made by a separate
  route written in the test (tau by rejection sampling), each judged in units of its Monte
  Carlo standard error;
- closed forms: scipy.stats densities for the priors; the tail rate tau^(1 - J);
- the definition of the cut-off bound: it must exceed the true mass outside the grid,
  computed by quad;
- for data at any scale or offset, the model's exact location-scale equivariance (carrying
  the truths above), and closed-form limits: an estimate far beyond the others leaves every
  effect unpooled, theta_j | y ~ N(y_j, sigma_j^2).
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
from scipy import integrate, stats

from eightschools.exact import (
    ExactPosterior,
    exact_posterior,
    flat_prior,
    half_cauchy_prior,
    inverse_gamma_prior,
    moment_exists,
    trapezoid_weights,
)
from eightschools.meta import load_bcg
from eightschools.posterior import conditional_theta, log_p_tau, mu_given_tau

Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
PRIORS = [flat_prior(), half_cauchy_prior(25.0), inverse_gamma_prior(1.0)]


@pytest.fixture(scope="module")
def post() -> ExactPosterior:
    return exact_posterior(Y, SIGMA)


@pytest.fixture(scope="module")
def draws(post: ExactPosterior):
    return post.sample(1_000_000, np.random.default_rng(20261124))


def all_numbers(post: ExactPosterior) -> np.ndarray:
    """Every number of the summary, and the probabilities, as one flat array."""
    s = post.summary()
    out: list[float] = []
    for m in (s.mu, s.tau, s.log_tau):
        out += [v for v in dataclasses.astuple(m) if v is not None]
    for f in dataclasses.fields(s.theta):
        out += list(getattr(s.theta, f.name))
    out += list(post.prob_above(28.0)) + [post.prob_greater(0, 2)] + list(post.prob_best())
    return np.array(out)


def quad_moments(y, sigma, log_prior=lambda t: 0.0):
    """E[tau], E[tau^2], E[mu], E[mu^2], E[theta_1] by adaptive quadrature over tau."""
    peak = max(log_p_tau(t, y, sigma) + log_prior(t) for t in np.linspace(0.0, 50.0, 501))

    def dens(t):
        return math.exp(float(log_p_tau(t, y, sigma)) + log_prior(t) - peak)

    def integral(fn):
        parts = [(0.0, 5.0), (5.0, 30.0), (30.0, 200.0), (200.0, np.inf)]
        return sum(
            integrate.quad(lambda t: fn(t) * dens(t), a, b, epsabs=0, epsrel=1e-12, limit=500)[0]
            for a, b in parts
        )

    z = integral(lambda t: 1.0)

    def mu_moments(t):
        m, v = mu_given_tau(t, y, sigma)
        return float(m), float(v)

    def theta1(t):
        m, v = mu_moments(t)
        b = sigma[0] ** 2 / (sigma[0] ** 2 + t * t)
        return (1 - b) * y[0] + b * m

    return {
        "tau": integral(lambda t: t) / z,
        "tau2": integral(lambda t: t * t) / z,
        "mu": integral(lambda t: mu_moments(t)[0]) / z,
        "mu2": integral(lambda t: mu_moments(t)[1] + mu_moments(t)[0] ** 2) / z,
        "theta1": integral(theta1) / z,
    }


# --------------------------------------------------------------------------- accuracy
def test_moments_match_adaptive_quadrature(post: ExactPosterior) -> None:
    # Truth: scipy's adaptive quad (requested relative error 1e-12) over tau of
    # exp(log_p_tau), BDA3 eq. 5.21. Both are accurate to ~1e-10, so 1e-8 relative
    # is a tolerance that still catches any error in the grid, weights or closed forms.
    q = quad_moments(Y, SIGMA)
    s = post.summary()
    assert s.tau.mean == pytest.approx(q["tau"], rel=1e-8)
    assert s.tau.sd == pytest.approx(math.sqrt(q["tau2"] - q["tau"] ** 2), rel=1e-8)
    assert s.mu.mean == pytest.approx(q["mu"], rel=1e-8)
    assert s.mu.sd == pytest.approx(math.sqrt(q["mu2"] - q["mu"] ** 2), rel=1e-8)
    assert s.theta.mean[0] == pytest.approx(q["theta1"], rel=1e-8)


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_other_priors_match_adaptive_quadrature(prior) -> None:
    # Truth: as above, with the prior's log density from scipy.stats (half-Cauchy on tau;
    # inverse-gamma on tau^2 carried to tau by the Jacobian 2 tau), not from exact.py.
    if prior.kind == "half-cauchy":
        def log_prior(t):
            return float(stats.halfcauchy.logpdf(t, scale=prior.scale))
    elif prior.kind == "inverse-gamma":
        def log_prior(t):
            if t == 0.0:
                return -np.inf
            return float(stats.invgamma.logpdf(t * t, prior.eps, scale=prior.eps)) + math.log(
                2 * t
            )
    else:
        def log_prior(t):
            return 0.0
    q = quad_moments(Y, SIGMA, log_prior)
    s = exact_posterior(Y, SIGMA, prior).summary()
    assert s.tau.mean == pytest.approx(q["tau"], rel=1e-8)
    assert s.mu.mean == pytest.approx(q["mu"], rel=1e-8)
    assert s.theta.mean[0] == pytest.approx(q["theta1"], rel=1e-8)


@pytest.mark.parametrize("prior", PRIORS, ids=str)
def test_doubling_the_resolution_changes_nothing(prior) -> None:
    # Truth: convergence. The trapezoid rule on an analytic, exponentially decaying
    # integrand converges geometrically, so halving h must leave every summary (means,
    # sds, quantiles, shrinkage, probabilities) unchanged to 1e-8 absolute (the bar).
    coarse = all_numbers(exact_posterior(Y, SIGMA, prior))
    fine = all_numbers(exact_posterior(Y, SIGMA, prior, resolution=2.0))
    assert np.abs(coarse - fine).max() < 1e-8


def test_quantiles_invert_the_quadrature_cdf(post: ExactPosterior) -> None:
    # Truth: the CDF of tau by adaptive quad of the normalised density (BDA3 eq. 5.21);
    # at the reported quantiles it must equal the levels to 1e-9.
    s = post.summary()
    peak = float(log_p_tau(0.0, Y, SIGMA))
    z = integrate.quad(lambda t: math.exp(float(log_p_tau(t, Y, SIGMA)) - peak), 0, np.inf,
                       epsrel=1e-12, limit=500)[0]
    for level, q in zip((0.025, 0.25, 0.5, 0.75, 0.975),
                        (s.tau.q025, s.tau.q25, s.tau.q50, s.tau.q75, s.tau.q975), strict=True):
        mass = integrate.quad(lambda t: math.exp(float(log_p_tau(t, Y, SIGMA)) - peak), 0, q,
                              epsrel=1e-12, limit=500)[0]
        assert mass / z == pytest.approx(level, abs=1e-9)
    # log tau's quantiles are the logs of tau's (a monotone map).
    assert s.log_tau.q50 == pytest.approx(math.log(s.tau.q50), abs=1e-12)


def test_theta_quantiles_and_tail_probability_agree(post: ExactPosterior) -> None:
    # Truth: the definition of a quantile. P(theta_j > q97.5_j) from prob_above (one
    # mixture-CDF evaluation) must be 0.025 to rounding, for every school.
    s = post.summary()
    for j in range(8):
        assert post.prob_above(float(s.theta.q975[j]))[j] == pytest.approx(0.025, abs=1e-10)
        assert post.prob_above(float(s.theta.q25[j]))[j] == pytest.approx(0.75, abs=1e-10)


# --------------------------------------------------------------------------- the cut-off bound
def test_tail_bound_is_small_and_holds(post: ExactPosterior) -> None:
    # Truth: the true mass outside the grid, by adaptive quad of the normalised density
    # below exp(u_0) and above exp(u_n). The proven bound must exceed it and be < 1e-10.
    assert post.tail_bound < 1e-10
    peak = float(log_p_tau(0.0, Y, SIGMA))

    def dens(t):
        return math.exp(float(log_p_tau(t, Y, SIGMA)) - peak)

    z = integrate.quad(dens, 0, np.inf, epsrel=1e-12, limit=500)[0]
    lo, hi = math.exp(post.log_tau[0]), math.exp(post.log_tau[-1])
    below = integrate.quad(dens, 0, lo, epsabs=0, epsrel=1e-10)[0]
    above = integrate.quad(dens, hi, np.inf, epsabs=1e-30, epsrel=1e-10)[0]
    assert (below + above) / z <= post.tail_bound * (1 - 1e-8)  # quad's error is ~1e-10
    assert (below + above) / z > 0  # the bound is about a real, non-zero mass


def test_interval_bound_exceeds_the_integral_it_bounds() -> None:
    # Truth: quad of tau^k p f over random intervals, for each prior, with f from
    # posterior.log_p_tau; the monotone-pieces bound (module docstring) must never be below
    # it. Intervals wide and narrow, near and far, and from tau = 0 (u1 = -inf), so each of
    # the three monotone pieces is exercised.
    from eightschools import exact as ex

    rng = np.random.default_rng(5)
    for prior in PRIORS:
        model = ex._Model(Y, SIGMA, 0.0, prior)  # the data as they are: scale 1
        for i in range(45):
            u1 = rng.uniform(-6.0, 6.0)
            u = np.array([u1, u1 + rng.choice([0.01, 0.3, 2.0])])
            if i % 9 == 0:
                u[0] = -np.inf
            for k in (0, 1, 2):
                log_bound = ex._interval_log_bounds(u, model.log_f(u), model.log_det(u), prior, k)

                def integrand(t, k=k, prior=prior):
                    log_p = float(prior.log_density(math.log(t)))
                    return t**k * math.exp(float(log_p_tau(t, Y, SIGMA)) + log_p)

                t1, t2 = np.exp(u)
                true = integrate.quad(integrand, t1, t2, epsrel=1e-10)[0]
                assert true <= math.exp(float(log_bound[0])) * (1 + 1e-9)


def test_upper_tail_bound_exceeds_the_tail() -> None:
    # Truth: quad of p f above T for J = 4 and 5 under the flat prior, where the tails are
    # heaviest, with f from posterior.log_p_tau; the power-law bound
    # sqrt(2/J) T^(k+2-J)/(J-k-2) must exceed it.
    from eightschools import exact as ex

    for J in (4, 5):
        y, sigma = Y[:J], SIGMA[:J]
        for log_t in (3.0, 5.0, 8.0):
            bound = math.exp(ex._upper_log_bound(log_t, J, flat_prior(), 0))

            def integrand(t, y=y, sigma=sigma):
                return math.exp(float(log_p_tau(t, y, sigma)))

            true, err = integrate.quad(integrand, math.exp(log_t), np.inf, epsabs=1e-6 * bound)
            assert true + err <= bound


# --------------------------------------------------------------------------- Monte Carlo
def test_exact_moments_agree_with_a_million_independent_draws(post, draws) -> None:
    # Truth: 1,000,000 independent draws from the module's sampler (tau by inversion,
    # then mu | tau and theta | mu, tau from posterior.py's closed forms). For iid draws
    # the MCSE of a mean is sd / sqrt(n); 5 MCSE makes a false failure a 1-in-1.7-million
    # event per comparison, while a real error as small as 0.5% of an sd is caught.
    s = post.summary()
    n = draws.tau.size
    pairs = [(s.mu.mean, draws.mu), (s.tau.mean, draws.tau), (s.log_tau.mean, np.log(draws.tau))]
    pairs += [(s.theta.mean[j], draws.theta[:, j]) for j in range(8)]
    for exact, x in pairs:
        assert abs(x.mean() - exact) < 5 * x.std() / math.sqrt(n)
    for exact, x in [(s.tau.sd**2, draws.tau), (s.theta.sd[0] ** 2, draws.theta[:, 0])]:
        dev = (x - x.mean()) ** 2
        assert abs(dev.mean() - exact) < 5 * dev.std() / math.sqrt(n)
    b = SIGMA**2 / (SIGMA**2 + draws.tau[:, None] ** 2)
    assert np.all(np.abs(b.mean(axis=0) - s.theta.shrinkage) < 5 * b.std(axis=0) / math.sqrt(n))
    for level, q in [(0.025, s.tau.q025), (0.5, s.tau.q50), (0.975, s.theta.q975[0])]:
        x = draws.tau if level != 0.975 else draws.theta[:, 0]
        frac = float(np.mean(x <= q))
        assert abs(frac - level) < 5 * math.sqrt(level * (1 - level) / n)


def test_probabilities_agree_with_brute_force(post, draws) -> None:
    # Truth: counting on the million draws (binomial MCSE sqrt(p(1-p)/n), 5 MCSE).
    n = draws.tau.size
    th = draws.theta

    def close(exact, frac):
        return abs(frac - exact) < 5 * math.sqrt(max(exact * (1 - exact), 1e-6) / n)

    above = post.prob_above(28.0)
    assert all(close(above[j], float(np.mean(th[:, j] > 28.0))) for j in range(8))
    for i, j in [(0, 1), (0, 2), (0, 6), (4, 6), (7, 3)]:
        assert close(post.prob_greater(i, j), float(np.mean(th[:, i] > th[:, j])))
    best = post.prob_best()
    counted = np.bincount(np.argmax(th, axis=1), minlength=8) / n
    assert all(close(best[j], counted[j]) for j in range(8))
    assert best.sum() == pytest.approx(1.0, abs=1e-9)


def test_draws_by_another_route_agree() -> None:
    # Truth: a second, independent sampler written here: tau by rejection sampling under a
    # flat envelope (density from posterior.log_p_tau, maximal at tau = 0 for these data),
    # then mu and theta from posterior.py. Judged against the exact values in MCSE units.
    rng = np.random.default_rng(7)
    top = float(log_p_tau(0.0, Y, SIGMA))
    taus: list[np.ndarray] = []
    total = 0
    while total < 100_000:
        t = rng.uniform(0.0, 150.0, 400_000)
        keep = np.log(rng.random(t.size)) < log_p_tau(t, Y, SIGMA) - top
        taus.append(t[keep])
        total += int(keep.sum())
    tau = np.concatenate(taus)[:100_000]
    m, v = mu_given_tau(tau, Y, SIGMA)
    mu = m + np.sqrt(v) * rng.standard_normal(tau.size)
    mean, var = conditional_theta(mu, tau, Y, SIGMA)
    theta = mean + np.sqrt(var) * rng.standard_normal(mean.shape)
    s = exact_posterior(Y, SIGMA).summary()
    # the envelope stops at tau = 150: the mass beyond is about 6e-7 (p(tau | y) falls like
    # tau^-7) and moves E[tau] by about 1e-4, far under the MCSE (~0.02) of 100,000 draws.
    for exact, x in [(s.tau.mean, tau), (s.mu.mean, mu), (s.theta.mean[0], theta[:, 0])]:
        assert abs(x.mean() - exact) < 5 * x.std() / math.sqrt(x.size)


# ------------------------------------------------------------ moments that do not exist
def test_missing_moments_under_the_flat_prior() -> None:
    # Truth: the tail rate tau^(1-J) (BDA3 section 5.4): no mean at J = 3, no sd at
    # J = 4.
    s3 = exact_posterior(Y[:3], SIGMA[:3]).summary()
    assert s3.mu.mean is None and s3.tau.mean is None and s3.tau.sd is None
    assert any("does not exist" in n and "J = 3" in n for n in s3.notes)
    assert s3.tau.q50 > 0 and s3.theta.mean[0] == s3.theta.mean[0]  # quantiles, theta exist
    s4 = exact_posterior(Y[:4], SIGMA[:4]).summary()
    assert s4.mu.mean is not None and s4.mu.sd is None and s4.tau.sd is None
    assert any("sd" in n for n in s4.notes)
    s5 = exact_posterior(Y[:5], SIGMA[:5]).summary()
    assert s5.tau.sd is not None and s5.notes == ()
    # proper-tailed priors have both moments from J = 3
    hc = exact_posterior(Y[:3], SIGMA[:3], half_cauchy_prior(10.0)).summary()
    assert hc.tau.sd is not None and hc.mu.sd is not None


def test_tail_rate_is_one_minus_J() -> None:
    # Truth: BDA3 section 5.4, p(tau | y) ~ tau^(1-J). The log-log slope of the exact
    # density between tau = 1e6 and 1e8 must be 1 - J to 1e-6.
    for J in (3, 4, 8):
        post = exact_posterior(Y[:J], SIGMA[:J])
        d = post.tau_pdf([1e6, 1e8])
        slope = (math.log(d[1]) - math.log(d[0])) / math.log(100.0)
        assert slope == pytest.approx(1 - J, abs=1e-6)
    assert [moment_exists(k, 4) for k in (0, 1, 2)] == [True, True, False]


def test_tau_pdf_integrates_to_one(post: ExactPosterior) -> None:
    # Truth: quad of the module's normalised density; it must integrate to 1 to 1e-9.
    total = integrate.quad(lambda t: float(post.tau_pdf(t)), 0, np.inf, epsrel=1e-12,
                           limit=500)[0]
    assert total == pytest.approx(1.0, abs=1e-9)
    assert float(post.tau_cdf(1e12)) == pytest.approx(1.0, abs=1e-9)


# --------------------------------------------------------------------------- many groups
def test_many_groups_match_adaptive_quadrature() -> None:
    # Truth: quad over tau (BDA3 eq. 5.21) for J = 2,000 synthetic groups, where the
    # posterior of log tau is narrow (sd ~ 0.03) and the grid must find and resolve it.
    rng = np.random.default_rng(3)
    sigma = rng.uniform(5.0, 20.0, 2000)
    y = rng.normal(rng.normal(5.0, 10.0, 2000), sigma)
    post = exact_posterior(y, sigma)
    assert post.tail_bound < 1e-10
    s = post.summary()
    mode = post.log_tau[np.argmax(post.weights)]
    peak = float(log_p_tau(math.exp(mode), y, sigma))

    def dens(t):
        return math.exp(float(log_p_tau(t, y, sigma)) - peak)

    pts = [math.exp(mode - 0.5), math.exp(mode + 0.5)]
    z = integrate.quad(dens, pts[0], pts[1], epsrel=1e-12, limit=500)[0]
    m1 = integrate.quad(lambda t: t * dens(t), pts[0], pts[1], epsrel=1e-12, limit=500)[0]
    assert s.tau.mean == pytest.approx(m1 / z, rel=1e-9)


# --------------------------------------------------------------------------- any scale
def summary_numbers(post: ExactPosterior) -> dict[str, np.ndarray]:
    """The summary, grouped by how each number moves with the data's units."""
    s = post.summary()
    return {
        "location": np.array([s.mu.mean, *dataclasses.astuple(s.mu)[2:], *s.theta.mean,
                              s.theta.q025[0], s.theta.q50[3], s.theta.q975[7]]),
        "scale": np.array([s.mu.sd, s.tau.mean, s.tau.sd, s.tau.q50, s.tau.q975, *s.theta.sd]),
        "free": np.array([*s.theta.shrinkage, *post.prob_best()]),
    }


@pytest.mark.parametrize(("shift", "power"), [(1e10, 0), (1e12, 0), (0.0, 700), (0.0, -1000),
                                              (2.0**52, 448)])
def test_any_scale_and_offset_give_the_mapped_summary(shift, power):
    # Truth: the model's exact equivariance, carried from the eight schools (tested against
    # quadrature above). With y -> (y + a) 2^m and sigma -> sigma 2^m, means and quantiles
    # become (x + a) 2^m, sds and tau scale by 2^m, and shrinkage and P(best) do not move.
    # These are the failures: a shift of 1e10 gave sd(mu) = 128 (truth 5.178) and
    # 1e12 gave 0; sigma ~ 1e-300 or 1e+212 raised; data near 1e150 (the last case: every
    # estimate is 2^500 + y_j 2^448, exactly representable) gave P(best) = 0 for all.
    base = summary_numbers(exact_posterior(Y, SIGMA))
    k = 2.0**power
    moved = summary_numbers(exact_posterior((Y + shift) * k, SIGMA * k))
    np.testing.assert_allclose(moved["location"], (base["location"] + shift) * k, rtol=1e-12)
    np.testing.assert_allclose(moved["scale"], base["scale"] * k, rtol=1e-11)
    np.testing.assert_allclose(moved["free"], base["free"], rtol=0, atol=1e-13)


def test_an_outlier_of_1e200_leaves_the_others_unpooled():
    # Truth: a closed-form limit. One estimate of 1e200 among the eight schools forces tau to
    # about 1e199, so every B_j = sigma_j^2 / (sigma_j^2 + tau^2) is 0 to double precision
    # and theta_j | y ~ N(y_j, sigma_j^2) exactly (no pooling); the outlier is surely best.
    y = Y.copy()
    y[0] = 1e200
    post = exact_posterior(y, SIGMA)
    s = post.summary()
    np.testing.assert_array_equal(s.theta.mean, y)
    np.testing.assert_allclose(s.theta.sd, SIGMA, rtol=1e-12)
    np.testing.assert_allclose(s.theta.q975, y + stats.norm.ppf(0.975) * SIGMA, rtol=1e-12)
    np.testing.assert_array_equal(s.theta.shrinkage, np.zeros(8))
    np.testing.assert_allclose(post.prob_best(), np.eye(8)[0], rtol=0, atol=1e-14)
    assert 1e198 < s.tau.q50 < 1e201


def test_estimates_of_plus_and_minus_1e154_are_quick_and_right():
    # Truth: as above, a closed form: with y_j = +-1e154 and sigma_j = 1, tau ~ 1e154 and
    # theta_j | y ~ N(y_j, 1); the three equal largest estimates tie for best, 1/3 each.
    # (This input ran for two minutes and 1.4 GB before the standard units.)
    y = np.array([1e154, -1e154, 1e154, -1e154, 1e154])
    start = time.perf_counter()
    post = exact_posterior(y, np.ones(5))
    s = post.summary()
    best = post.prob_best()
    assert time.perf_counter() - start < 10.0
    np.testing.assert_array_equal(s.theta.mean, y)
    np.testing.assert_allclose(s.theta.sd, np.ones(5), rtol=1e-12)
    np.testing.assert_allclose(best, [1 / 3, 0, 1 / 3, 0, 1 / 3], atol=1e-12)


@pytest.mark.parametrize("data", ["eight schools", "BCG"])
def test_default_gauss_hermite_nodes_are_enough(data) -> None:
    # Truth: convergence of the Gauss-Hermite rule in mu: 40 nodes against the default 10,
    # on the eight schools and on the BCG trials (13 groups, sigma from 0.03 to 1.4, where
    # the integrand in mu is least smooth): rounding-level agreement.
    y, sigma = (Y, SIGMA) if data == "eight schools" else (load_bcg().y, load_bcg().sigma)
    post = exact_posterior(y, sigma)
    assert np.abs(post.prob_best() - post.prob_best(n_mu=40)).max() < 1e-14


def test_many_groups_on_a_fine_grid_match_quadrature() -> None:
    # Truth: scipy quad over tau (BDA3 eq. 5.21) of the closed forms of theta_1 | tau, y for
    # J = 3,000 groups, whose posterior of log tau is narrow, so its grid is fine (h ~ 0.01);
    # and twice as many nodes, for every group (1e-12 of its sd).
    rng = np.random.default_rng(11)
    sigma = rng.uniform(5.0, 20.0, 3000)
    y = rng.normal(rng.normal(5.0, 10.0, 3000), sigma)
    post = exact_posterior(y, sigma)
    assert post.spacing <= 0.025
    s = post.summary()
    mode = post.log_tau[np.argmax(post.weights)]
    peak = float(log_p_tau(math.exp(mode), y, sigma))

    def expect(fn):
        def integrand(t):
            return fn(t) * math.exp(float(log_p_tau(t, y, sigma)) - peak)
        a, b = math.exp(mode - 0.5), math.exp(mode + 0.5)
        return integrate.quad(integrand, a, b, epsrel=1e-13, limit=500)[0]

    def theta_1(t):  # mean and P(theta_1 > 20) given tau
        m, v = (float(x) for x in mu_given_tau(t, y, sigma))
        mean, var = conditional_theta(m, t, y[:1], sigma[:1])
        sd = math.sqrt(float(var[0]) + (sigma[0] ** 2 / (sigma[0] ** 2 + t * t)) ** 2 * v)
        return float(mean[0]), float(stats.norm.sf(20.0, float(mean[0]), sd))

    z = expect(lambda t: 1.0)
    assert s.theta.mean[0] == pytest.approx(expect(lambda t: theta_1(t)[0]) / z, rel=1e-10)
    assert post.prob_above(20.0)[0] == pytest.approx(expect(lambda t: theta_1(t)[1]) / z,
                                                     rel=1e-9)
    fine = exact_posterior(y, sigma, resolution=2.0).summary()
    for name in ("mean", "sd", "q025", "q975", "shrinkage"):
        gap = np.abs(getattr(s.theta, name) - getattr(fine.theta, name))
        assert np.all(gap <= 1e-12 * s.theta.sd), name


def test_probability_best_with_unequal_spreads() -> None:
    # Truth: counting the largest of 400,000 independent draws (binomial MCSE, 5 MCSE), for
    # standard errors 300 times apart, the widest spread the t-grid resolves (docstring).
    y = np.array([0.0, 1.0, 2.0, 3.0, -5.0, 4.0])
    sigma = np.array([10.0 / 300, 10.0, 10.0, 10.0, 10.0, 10.0])
    post = exact_posterior(y, sigma)
    best = post.prob_best()
    assert best.sum() == pytest.approx(1.0, abs=1e-12)
    theta = post.sample(400_000, np.random.default_rng(3)).theta
    counted = np.bincount(np.argmax(theta, axis=1), minlength=6) / theta.shape[0]
    assert np.all(np.abs(best - counted) < 5 * np.sqrt(best * (1 - best) / theta.shape[0]))


def test_trapezoid_weights_integrate_a_normal_and_give_the_posterior_weights(post) -> None:
    # Truth: closed forms for g(u) = exp(-u^2/2): Z = sqrt(2 pi), E(u^2) = 1, E(u^4) = 3; the
    # trapezoid rule with h = 0.1 is exact to rounding for it (error ~ exp(-2 pi^2 / h^2)).
    u = np.linspace(-12.0, 12.0, 241)
    w, log_z = trapezoid_weights(-0.5 * u**2 + 7.0, 0.1)  # any constant in log g cancels
    assert math.exp(log_z - 7.0) == pytest.approx(math.sqrt(2 * math.pi), rel=1e-14)
    assert w.sum() == pytest.approx(1.0, rel=1e-15)
    assert w @ u**2 == pytest.approx(1.0, rel=1e-13) and w @ u**4 == pytest.approx(3.0, rel=1e-13)
    # The posterior's weights are this rule applied to log g = log p(tau | y) + u at its grid,
    # with p(tau | y) from tau_pdf (normalised by log_norm, so log Z is 0).
    g_log = np.log(post.tau_pdf(np.exp(post.log_tau))) + post.log_tau
    w_post, log_z_post = trapezoid_weights(g_log, post.spacing)
    np.testing.assert_allclose(w_post, post.weights, rtol=1e-12, atol=1e-300)
    assert abs(log_z_post) < 1e-12
    with pytest.raises(ValueError, match="spacing"):
        trapezoid_weights(u, 0.0)
    with pytest.raises(ValueError, match="log_g"):
        trapezoid_weights(np.full(3, -np.inf), 0.1)


@pytest.mark.parametrize("J", [3, 4])
def test_mu_quantiles_invert_the_cdf_when_moments_do_not_exist(J) -> None:
    # Truth: quad over tau of P(mu <= q | tau, y) = Phi((q - mu_hat) / sqrt(V_mu)) (BDA3
    # eq. 5.20) times p(tau | y) (eq. 5.21, posterior.log_p_tau): at the reported quantiles it
    # must equal the levels. With J = 3 and 4, p(tau | y) falls like tau^(1 - J), so mu's
    # distribution has a heavy tail (the quantiles of J = 3 were once off by a factor of 18).
    y, sigma = Y[:J], SIGMA[:J]
    s = exact_posterior(y, sigma).summary()
    peak = float(log_p_tau(0.0, y, sigma))

    def integral(fn):
        parts = [(0.0, 10.0), (10.0, 100.0), (100.0, 1e4), (1e4, np.inf)]
        return sum(integrate.quad(lambda t: fn(t) * math.exp(float(log_p_tau(t, y, sigma))
                                                             - peak), a, b, epsabs=0,
                                  epsrel=1e-12, limit=500)[0] for a, b in parts)

    z = integral(lambda t: 1.0)
    for level, q in [(0.025, s.mu.q025), (0.5, s.mu.q50), (0.975, s.mu.q975)]:
        def below(t, q=q):
            m, v = mu_given_tau(t, y, sigma)
            return float(stats.norm.cdf(q, float(m), math.sqrt(float(v))))

        assert integral(below) / z == pytest.approx(level, abs=1e-8)


# --------------------------------------------------------------------------- validation
def test_fewer_than_three_groups_refused() -> None:
    with pytest.raises(ValueError, match="at least 3 groups"):
        exact_posterior([1.0, 2.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="at least 3 groups"):
        exact_posterior([1.0, 2.0], [1.0, 1.0], half_cauchy_prior(1.0))


def test_bad_arguments_refused(post: ExactPosterior) -> None:
    with pytest.raises(ValueError, match="resolution"):
        exact_posterior(Y, SIGMA, resolution=0)
    with pytest.raises(ValueError, match="prior must be a TauPrior"):
        exact_posterior(Y, SIGMA, "flat")
    with pytest.raises(ValueError, match="scale"):
        half_cauchy_prior(-1.0)
    with pytest.raises(ValueError, match="eps"):
        inverse_gamma_prior(0.0)
    with pytest.raises(ValueError, match="i and j must be different"):
        post.prob_greater(1, 1)
    with pytest.raises(ValueError, match="j must index a group"):
        post.prob_greater(0, 8)
    with pytest.raises(ValueError, match="rng"):
        post.sample(10, 1)
    with pytest.raises(ValueError, match="n must be"):
        post.sample(0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="c must be"):
        post.prob_above(float("nan"))


def test_new_group_agrees_with_draws(post, draws) -> None:
    # Truth: draws of a new school's effect, theta_new = mu + tau z (and y_new = theta_new
    # + 11 z'), made here from the million (mu, tau) draws; 5 MCSE as above.
    rng = np.random.default_rng(99)
    n = draws.tau.size
    theta_new = draws.mu + draws.tau * rng.standard_normal(n)
    y_new = theta_new + 11.0 * rng.standard_normal(n)
    for sigma_new, x in ((0.0, theta_new), (11.0, y_new)):
        m = post.new_group(sigma_new)
        assert abs(x.mean() - m.mean) < 5 * x.std() / math.sqrt(n)
        p = post.prob_new_below(0.0, sigma_new)
        assert abs(np.mean(x < 0.0) - p) < 5 * math.sqrt(p * (1 - p) / n)
        frac = float(np.mean(x <= m.q975))
        assert abs(frac - 0.975) < 5 * math.sqrt(0.975 * 0.025 / n)
    assert exact_posterior(Y[:4], SIGMA[:4]).new_group().sd is None
    with pytest.raises(ValueError, match="sigma_new"):
        post.new_group(-1.0)
